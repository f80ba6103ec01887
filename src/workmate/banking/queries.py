"""Reading banking data for the API and the pages: statements with their continuity, and
transactions with proposals and matches in a fixed number of queries per page."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from decimal import Decimal

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.banking import repository as repo
from workmate.banking.schemas import CandidateRead, MatchRead, StatementRead, TransactionRead
from workmate.documents.storage import Storage, StorageError
from workmate.errors import NotFound, WorkmateError
from workmate.models import BankFile, BankTransaction

log = logging.getLogger(__name__)
CANDIDATES = 20


class IntegrityFailure(WorkmateError):
    """The stored original no longer matches its SHA-256."""

    status_code = 500


class BankingQueries:
    async def statements(
        self,
        db: AsyncSession,
        *,
        account_id: uuid.UUID | None,
        file_id: uuid.UUID | None,
        limit: int,
        offset: int,
    ) -> tuple[list[StatementRead], int]:
        """Statements newest first, with the previous closing balance of each."""
        rows, total = await repo.statements(
            db, account_id=account_id, file_id=file_id, limit=limit, offset=offset
        )
        return [StatementRead.of(s, prev) for s, prev in rows], total

    async def statement(self, db: AsyncSession, statement_id: uuid.UUID) -> StatementRead:
        """One statement; 404 when there is none."""
        rows, _ = await repo.statements(db, statement_id=statement_id, limit=1)
        if not rows:
            raise NotFound("bank statement", field="statement_id")
        return StatementRead.of(*rows[0])

    async def transactions(
        self, db: AsyncSession, f: repo.TxFilter, limit: int, offset: int
    ) -> tuple[list[TransactionRead], int]:
        """A page of transactions with their matches (two queries, whatever the page size)."""
        rows, total = await repo.transactions(db, f, limit, offset)
        return await self.reads(db, rows), total

    async def transaction(self, db: AsyncSession, transaction_id: uuid.UUID) -> TransactionRead:
        """One transaction with proposals and matches; 404 when there is none."""
        tx = await repo.transaction(db, transaction_id)
        if tx is None:
            raise NotFound("bank transaction", field="transaction_id")
        await db.refresh(tx)
        return (await self.reads(db, [tx]))[0]

    async def reads(self, db: AsyncSession, rows: list[BankTransaction]) -> list[TransactionRead]:
        matches = await repo.matches_of(db, [t.id for t in rows])
        result = []
        for tx in rows:
            found = matches.get(tx.id, [])
            read = TransactionRead.model_validate(tx)
            read.matches = [
                MatchRead.model_validate(m).model_copy(update={"invoice_number": number})
                for m, number in found
            ]
            if found:
                read.credit = abs(tx.amount) - sum((m.amount for m, _ in found), Decimal(0))
            result.append(read)
        return result

    async def candidates(
        self, db: AsyncSession, transaction_id: uuid.UUID, query: str | None, *, bills: bool
    ) -> list[CandidateRead]:
        """What the transaction could pay: open invoices for money in, credit notes and (with
        `bills`) open supplier bills for money out."""
        tx = await repo.transaction(db, transaction_id)
        if tx is None:
            raise NotFound("bank transaction", field="transaction_id")
        kind = "invoice" if tx.amount > 0 else "credit_note"
        query = (query or "").strip() or None
        found = await repo.candidates(db, query, kind, CANDIDATES)
        owed = await repo.bill_candidates(db, query, CANDIDATES) if bills and tx.amount < 0 else []
        return [
            CandidateRead(
                invoice_id=bill.id,
                number=bill.invoice_number,
                kind="supplier_bill",
                customer_id=bill.supplier_id,
                customer=name,
                total=bill.amount_due,
                open=open_,
                issued_date=bill.invoice_date,
                due_date=bill.due_date,
                status=bill.status,
                reference=bill.number,
            )
            for bill, name, open_ in owed
        ] + [
            CandidateRead(
                invoice_id=inv.id,
                number=inv.number or "",
                kind=inv.kind,
                customer_id=inv.customer_id,
                customer=name,
                total=inv.total,
                open=open_,
                issued_date=inv.issued_date or tx.booking_date,
                due_date=inv.due_date,
                status=inv.status,
            )
            for inv, name, open_ in found
        ]

    async def original(
        self, db: AsyncSession, storage: Storage, file_id: uuid.UUID
    ) -> tuple[BankFile, Iterator[bytes]]:
        """The original file's bytes, only after their SHA-256 matches the one taken at import."""
        bank_file = await repo.file(db, file_id)
        if bank_file is None:
            raise NotFound("bank file", field="file_id")
        try:
            actual: str | None = await anyio.to_thread.run_sync(
                storage.sha256, bank_file.storage_key
            )
        except (OSError, StorageError):
            actual = None
        if actual != bank_file.sha256:
            log.error("bank file %s: stored file fails its checksum", bank_file.id)
            raise IntegrityFailure(
                "the stored statement file does not match its checksum and is not sent; "
                "an administrator has to restore it from a backup"
            )
        return bank_file, storage.open(bank_file.storage_key)


banking_queries = BankingQueries()
