"""Importing statement files: the original kept unchanged (storage, SHA-256), every statement
checked (opening + entries = closing; the previous statement's closing = this opening; overlaps
reported), every transaction stored once (stable keys, unique per account), then matched.

A statement that does not add up is imported with the mismatch reported, never silently and
never refused: the bank's file is what it is, and the user must see it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

import anyio.to_thread
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit.service import audit_service
from workmate.auth.principal import Principal
from workmate.banking import keys
from workmate.banking import repository as repo
from workmate.banking.formats.common import FormatError, MappingNeeded, Note, Statement
from workmate.banking.formats.read import Parsed, read
from workmate.banking.reconcile import reconcile_service
from workmate.banking.schemas import (
    CsvMapping,
    FileRead,
    ImportResult,
    MatchingSummary,
    NoteRead,
    StatementRead,
)
from workmate.banking.service import bank_account_service
from workmate.config import get_settings
from workmate.documents.multipart import FILE_FIELD, FORM_OVERHEAD, read_form
from workmate.documents.service import document_service, safe_filename
from workmate.documents.storage import Storage, Stored, TooLarge
from workmate.errors import (
    BadRequest,
    Conflict,
    Invalid,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    WorkmateError,
)
from workmate.models import BankAccount, BankFile, BankStatement

FORMATS = ("camt053", "mt940", "csv")


class StatementUnreadable(UnsupportedMediaType):
    """The file is no statement Workmate can read (the detail says why)."""


class WrongAccount(Invalid):
    """The file is a statement of another account than the one chosen."""


@dataclass(slots=True)
class Options:
    account_id: uuid.UUID
    filename: str
    declared: str | None = None
    mapping: dict[str, Any] | None = None
    save_mapping: bool = True
    match: bool = True


@dataclass(slots=True)
class Outcome:
    result: ImportResult
    created: bool
    problems: list[NoteRead] = field(default_factory=list)


def _flag(value: str | None, default: bool, name: str) -> bool:
    if value is None or value == "":
        return default
    if value.lower() in ("true", "1", "yes", "on"):
        return True
    if value.lower() in ("false", "0", "no", "off"):
        return False
    raise Invalid("{name} must be true or false", field=name, params={"name": name})


def options_from(fields: Mapping[str, str], filename: str | None) -> Options:
    """The form fields beside the file."""
    raw_account = fields.get("account_id", "").strip()
    if not raw_account:
        raise Invalid("account_id is required: the bank account to import into", field="account_id")
    try:
        account_id = uuid.UUID(raw_account)
    except ValueError:
        raise Invalid("account_id is not a valid id", field="account_id") from None
    declared = fields.get("format", "").strip() or None
    if declared is not None and declared not in FORMATS:
        raise Invalid(
            "format must be one of {formats}",
            field="format",
            params={"formats": ", ".join(FORMATS)},
        )
    mapping = None
    if raw := fields.get("csv_mapping", "").strip():
        try:
            mapping = CsvMapping.model_validate(json.loads(raw)).stored()
        except json.JSONDecodeError:
            raise Invalid("csv_mapping is not JSON", field="csv_mapping") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise Invalid(
                "csv_mapping: {where} {reason}",
                field="csv_mapping",
                params={"where": where, "reason": first["msg"]},
            ) from None
    return Options(
        account_id=account_id,
        filename=safe_filename(filename),
        declared=declared,
        mapping=mapping,
        save_mapping=_flag(fields.get("save_mapping"), True, "save_mapping"),
        match=_flag(fields.get("match"), True, "match"),
    )


def belongs(stated: str | None, iban: str) -> bool:
    """Whether a statement's account (IBAN, or bank code/account number as MT940 names it)
    is this IBAN. A statement naming no account is taken as the chosen one."""
    if not stated:
        return True
    compact = "".join(stated.split()).upper()
    if compact == iban:
        return True
    if iban.startswith("DE") and len(iban) == 22 and "/" in compact:
        bank_code, _, number = compact.partition("/")
        return bank_code == iban[4:12] and number.lstrip("0") == iban[12:].lstrip("0")
    return False


class StatementImportService:
    async def upload(
        self,
        db: AsyncSession,
        who: Principal,
        storage: Storage,
        body: AsyncIterator[bytes],
        *,
        content_type: str | None,
        content_length: str | None,
    ) -> Outcome:
        """Import one uploaded statement file (multipart field `file`, plus `account_id`;
        optional `format`, `csv_mapping`, `save_mapping`, `match`)."""
        limit = get_settings().upload_max_bytes
        too_large = PayloadTooLarge(
            "the file is larger than {limit} bytes", field=FILE_FIELD, params={"limit": limit}
        )
        if content_length is not None:
            try:
                if int(content_length) > limit + FORM_OVERHEAD:
                    raise too_large
            except ValueError:
                raise BadRequest("invalid Content-Length", field="Content-Length") from None
        stored_keys: list[str] = []

        async def store(_name: str, _declared: str | None, chunks: AsyncIterator[bytes]) -> Stored:
            try:
                stored = await storage.put_stream(chunks, max_bytes=limit)
            except TooLarge:
                raise too_large from None
            stored_keys.append(stored.key)
            document_service.track_stored(db, storage, stored.key)
            return stored

        try:
            form = await read_form(body, content_type, max_file_bytes=limit, store=store)
            if form.stored is None:
                raise Invalid(
                    "no file sent; send it in the form field '{field}'",
                    field=FILE_FIELD,
                    params={"field": FILE_FIELD},
                )
            if form.stored.size == 0:
                raise Invalid("the file is empty", field=FILE_FIELD)
            options = options_from(form.fields, form.filename)
            data = await anyio.to_thread.run_sync(partial(_read_all, storage, form.stored.key))
            return await self.import_stored(db, who, storage, form.stored, data, options)
        except WorkmateError:
            # Nothing refused may leave a stored file no row refers to.
            for key in stored_keys:
                await document_service.release(db, storage, key)
            raise

    async def import_bytes(
        self,
        db: AsyncSession,
        who: Principal | None,
        storage: Storage,
        data: bytes,
        options: Options,
    ) -> Outcome:
        """Import a statement file given as bytes (command line, generated statements)."""
        stored = await anyio.to_thread.run_sync(storage.put_bytes, data)
        document_service.track_stored(db, storage, stored.key)
        try:
            return await self.import_stored(db, who, storage, stored, data, options)
        except WorkmateError:
            await document_service.release(db, storage, stored.key)
            raise

    async def import_stored(
        self,
        db: AsyncSession,
        who: Principal | None,
        storage: Storage,
        stored: Stored,
        data: bytes,
        options: Options,
    ) -> Outcome:
        """The import proper, on a file already in storage."""
        account = await repo.account(db, options.account_id, lock=True)
        if account is None:
            raise NotFound("bank account", field="account_id")
        if account.archived_at is not None:
            raise Conflict("the bank account is archived; reopen it to import", field="account_id")
        earlier = await repo.file_by_sha(db, account.id, stored.sha256)
        if earlier is not None:
            return await self._already(db, earlier)
        mapping = options.mapping or account.csv_mapping
        try:
            parsed: Parsed = await anyio.to_thread.run_sync(read, data, options.declared, mapping)
        except MappingNeeded as exc:
            raise Invalid(exc.template, field="csv_mapping", params=exc.params) from None
        except FormatError as exc:
            raise StatementUnreadable(exc.template, field=FILE_FIELD, params=exc.params) from None
        mine = [s for s in parsed.statements if belongs(s.account, account.iban)]
        others = [s for s in parsed.statements if s not in mine]
        if not mine:
            raise WrongAccount(
                "the file holds statements of account {stated}, not of {iban}",
                field="account_id",
                params={"stated": others[0].account, "iban": account.iban},
            )
        if options.save_mapping and (options.mapping or parsed.preset):
            await bank_account_service.save_mapping(
                db, account, options.mapping or {"preset": parsed.preset}
            )
        await document_service.hold(db, storage, stored.key)
        bank_file = BankFile(
            account_id=account.id,
            sha256=stored.sha256,
            storage_key=stored.key,
            filename=options.filename,
            size_bytes=stored.size,
            format=parsed.format,
            imported_by=who.employee_id if who else None,
            statements=0,
            transactions_added=0,
            transactions_skipped=0,
        )
        db.add(bank_file)
        await db.flush()
        problems: list[Note] = []
        if others:
            problems.append(
                Note("other_account", {"count": len(others), "account": others[0].account})
            )
        added_ids, rows = await self._statements(db, account, bank_file, mine, problems)
        bank_file.statements = len(rows)
        bank_file.transactions_added = len(added_ids)
        bank_file.transactions_skipped = sum(s.transactions_skipped for s in rows)
        await db.flush()
        await audit_service.record(
            db,
            who,
            "import",
            "bank_file",
            bank_file.id,
            {
                "sha256": [None, stored.sha256],
                "filename": [None, options.filename],
                "transactions_added": [None, len(added_ids)],
            },
        )
        summary = MatchingSummary()
        if options.match and added_ids:
            summary = await reconcile_service.run(db, who, ids=added_ids)
        listed, _ = await repo.statements(db, file_id=bank_file.id, limit=1000)
        reads = [StatementRead.of(s, prev) for s, prev in listed]
        for statement in reads:
            if statement.continuous is False:
                problems.append(
                    Note(
                        "gap_before",
                        {
                            "opening": statement.opening_balance,
                            "previous": statement.previous_closing,
                        },
                    )
                )
        for statement in reads:
            problems += [Note(n.code, n.params) for n in statement.notes]
        result = ImportResult(
            file=FileRead.model_validate(bank_file),
            already_imported=False,
            statements=reads,
            transactions_added=bank_file.transactions_added,
            transactions_skipped=bank_file.transactions_skipped,
            csv_preset=parsed.preset,
            problems=[NoteRead.of(n.code, _plain(n.params)) for n in problems],
            matching=summary,
        )
        return Outcome(result, created=True)

    async def _statements(
        self,
        db: AsyncSession,
        account: BankAccount,
        bank_file: BankFile,
        statements: list[Statement],
        problems: list[Note],
    ) -> tuple[list[uuid.UUID], list[BankStatement]]:
        prepared = []
        for statement in sorted(statements, key=lambda s: s.period()):
            entry_keys = keys.keys(account.id, statement.entries)
            prepared.append(
                (statement, entry_keys, keys.fingerprint(account.id, statement, entry_keys))
            )
        known = await repo.known_fingerprints(db, account.id, [p[2] for p in prepared])
        rows: list[BankStatement] = []
        records: list[tuple[Any, ...]] = []
        owner: dict[uuid.UUID, BankStatement] = {}
        for statement, entry_keys, fingerprint in prepared:
            start, end = statement.period()
            if fingerprint in known:
                problems.append(
                    Note("statement_known", {"period": f"{start.isoformat()}..{end.isoformat()}"})
                )
                continue
            known.add(fingerprint)
            row = _statement_row(account, bank_file, statement, fingerprint)
            db.add(row)
            rows.append(row)
            for entry, key in zip(statement.entries, entry_keys, strict=True):
                tx_id = uuid.uuid4()
                owner[tx_id] = row
                records.append(
                    (
                        tx_id,
                        account.id,
                        row.id,
                        key,
                        entry.booking_date,
                        entry.value_date,
                        entry.amount,
                        entry.currency,
                        entry.counterparty_name,
                        entry.counterparty_iban,
                        entry.counterparty_bic,
                        entry.purpose,
                        entry.booking_text,
                        entry.booking_code,
                        entry.bank_reference,
                        entry.end_to_end_id,
                        entry.mandate_id,
                        entry.creditor_id,
                    )
                )
        await db.flush()
        added = await repo.insert_transactions(db, records) if records else []
        added_set = set(added)
        for row in rows:
            row.transactions_added = 0
        for tx_id, row in owner.items():
            if tx_id in added_set:
                row.transactions_added += 1
        for row in rows:
            row.transactions_skipped = row.entry_count - row.transactions_added
            if row.transactions_skipped:
                row.notes = [
                    *row.notes,
                    {"code": "overlap", "params": {"skipped": row.transactions_skipped}},
                ]
        await db.flush()
        return added, rows

    async def _already(self, db: AsyncSession, earlier: BankFile) -> Outcome:
        listed, _ = await repo.statements(db, file_id=earlier.id, limit=1000)
        result = ImportResult(
            file=FileRead.model_validate(earlier),
            already_imported=True,
            statements=[StatementRead.of(s, prev) for s, prev in listed],
            transactions_added=0,
            transactions_skipped=0,
            problems=[],
            matching=MatchingSummary(),
        )
        return Outcome(result, created=False)


def _read_all(storage: Storage, key: str) -> bytes:
    return b"".join(storage.open(key))


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in params.items()}


def _statement_row(
    account: BankAccount, bank_file: BankFile, statement: Statement, fingerprint: str
) -> BankStatement:
    start, end = statement.period()
    entries_sum = sum((e.amount for e in statement.entries), Decimal(0))
    notes = [{"code": n.code, "params": _plain(n.params)} for n in statement.notes]
    if statement.opening is not None and statement.closing is not None:
        difference = statement.closing - (statement.opening + entries_sum)
        if difference:
            notes.append(
                {
                    "code": "balance_mismatch",
                    "params": _plain(
                        {
                            "opening": statement.opening,
                            "entries": entries_sum,
                            "computed": statement.opening + entries_sum,
                            "closing": statement.closing,
                            "difference": difference,
                        }
                    ),
                }
            )
    return BankStatement(
        id=uuid.uuid4(),
        account_id=account.id,
        file_id=bank_file.id,
        format=statement.format,
        external_id=statement.external_id,
        sequence=statement.sequence,
        fingerprint=fingerprint,
        period_start=start,
        period_end=end,
        currency=statement.currency,
        opening_balance=statement.opening,
        closing_balance=statement.closing,
        entries_sum=entries_sum,
        entry_count=len(statement.entries),
        notes=notes,
    )


statement_import_service = StatementImportService()
