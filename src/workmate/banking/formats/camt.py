"""camt.053 (ISO 20022 BankToCustomerStatement) with lxml: no entities, no network, no huge
trees, no DTD; validated against the schema of its version before a value is read.

German banks send .001.02 (DK profile, older) and .001.08 (current). Other versions are
refused with the list of supported ones: without its schema a file is not checked, and an
unchecked file is not imported.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib.resources import files
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from workmate.banking.formats.common import (
    Entry,
    FormatError,
    Note,
    Statement,
    bic,
    clean,
    iban,
    reference,
)

NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d{2})$")
SCHEMAS = {"02": "camt.053.001.02.xsd", "08": "camt.053.001.08.xsd"}
OPENING = ("OPBD", "PRCD")
CLOSING = ("CLBD",)


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not thread-safe and imports run in threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


@lru_cache(maxsize=len(SCHEMAS))
def schema(version: str) -> etree.XMLSchema:
    """The XSD of a version, loaded once per process from the package."""
    path = files("workmate.banking") / "schema" / SCHEMAS[version]
    return etree.XMLSchema(etree.fromstring(path.read_bytes(), _parser()))


def looks_like(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and b"camt.053" in data[:4096]


def parse(data: bytes) -> list[Statement]:
    """Every statement of a camt.053 document; FormatError when it is not valid camt.053."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise FormatError(
            "the file is not well-formed XML: {reason}", reason=_first_line(exc)
        ) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise FormatError("XML with a DOCTYPE is refused (camt.053 never has one)")
    namespace = etree.QName(root).namespace or ""
    match = NAMESPACE.match(namespace)
    if match is None:
        raise FormatError("the XML is not a camt.053 statement (namespace {ns})", ns=namespace)
    version = match.group(1)
    if version not in SCHEMAS:
        raise FormatError(
            "camt.053.001.{version} is not supported; supported versions: {supported}",
            version=version,
            supported=", ".join(f"camt.053.001.{v}" for v in SCHEMAS),
        )
    xsd = schema(version)
    if not xsd.validate(root):
        error = xsd.error_log.last_error
        raise FormatError(
            "the file does not follow the camt.053.001.{version} schema: line {line}: {reason}",
            version=version,
            line=error.line if error else 0,
            reason=_short(error.message if error else "invalid"),
        )
    reader = _Reader()
    ns = f"{{{namespace}}}"
    return [
        reader.statement(_Node(stmt, skip="Ntry"), stmt.iterfind(f"{ns}Ntry"))
        for stmt in root.iterfind(f"{ns}BkToCstmrStmt/{ns}Stmt")
    ]


def _first_line(exc: Exception) -> str:
    return _short(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


def _short(text: str) -> str:
    # Schema messages name elements as {namespace}Name; the namespace is noise to a reader.
    return re.sub(r"\{[^}]*\}", "", text)[:300]


class _Node:
    """An element's descendants by their path of local names ("RltdPties/Dbtr/Nm"), built in
    one pass: every later look-up is a dictionary access, not a path search."""

    __slots__ = ("paths",)

    def __init__(self, el: Any, skip: str | None = None) -> None:
        paths: dict[str, list[Any]] = defaultdict(list)
        queue: deque[tuple[Any, str]] = deque([(el, "")])
        while queue:
            node, prefix = queue.popleft()
            for child in node:
                tag = child.tag
                if not isinstance(tag, str):
                    continue
                name = tag.rpartition("}")[2]
                if not prefix and name == skip:
                    continue
                path = f"{prefix}/{name}" if prefix else name
                paths[path].append(child)
                queue.append((child, path))
        self.paths = paths


class _Reader:
    def find(self, node: _Node, path: str) -> Any:
        found = node.paths.get(path)
        return found[0] if found else None

    def all(self, node: _Node, path: str) -> list[Any]:
        return node.paths.get(path, [])

    def text(self, el: _Node, *paths: str) -> str | None:
        for path in paths:
            found = self.find(el, path)
            if found is not None and found.text and found.text.strip():
                return str(found.text.strip())
        return None

    def day(self, el: _Node, path: str) -> date | None:
        value = self.text(el, f"{path}/Dt", f"{path}/DtTm")
        return date.fromisoformat(value[:10]) if value else None

    def amount(self, el: _Node, path: str = "Amt") -> tuple[Decimal, str]:
        found = self.find(el, path)
        try:
            return Decimal(found.text.strip()), str(found.get("Ccy"))
        except (AttributeError, InvalidOperation):
            raise FormatError("an amount in the statement is not a number") from None

    def signed(self, el: _Node, path: str = "Amt", indicator: str | None = None) -> Decimal:
        value, _ = self.amount(el, path)
        sign = indicator or self.text(el, "CdtDbtInd")
        return -value if sign == "DBIT" else value

    def statement(self, stmt: _Node, ntries: Any) -> Statement:
        account = self.text(stmt, "Acct/Id/IBAN", "Acct/Id/Othr/Id")
        currency = self.text(stmt, "Acct/Ccy")
        opening = closing = None
        for element in self.all(stmt, "Bal"):
            bal = _Node(element)
            code = self.text(bal, "Tp/CdOrPrtry/Cd")
            value, ccy = self.amount(bal)
            currency = currency or ccy
            signed = -value if self.text(bal, "CdtDbtInd") == "DBIT" else value
            if code in OPENING and opening is None:
                opening = signed
            elif code in CLOSING:
                closing = signed
        entries: list[Entry] = []
        notes: list[Note] = []
        pending = 0
        for element in ntries:
            ntry = _Node(element)
            status = self.text(ntry, "Sts/Cd", "Sts")
            if status != "BOOK":
                pending += 1
                continue
            entries.extend(self.entries(ntry))
        if pending:
            notes.append(Note("pending_skipped", {"count": pending}))
        return Statement(
            format="camt053",
            account=account,
            currency=currency or "EUR",
            entries=entries,
            opening=opening,
            closing=closing,
            period_start=_date_of(self.text(stmt, "FrToDt/FrDtTm")),
            period_end=_date_of(self.text(stmt, "FrToDt/ToDtTm")),
            external_id=clean(self.text(stmt, "Id"), "external_id"),
            sequence=clean(self.text(stmt, "ElctrncSeqNb", "LglSeqNb"), "sequence"),
            notes=notes,
        )

    def entries(self, ntry: _Node) -> list[Entry]:
        """An entry; a batch whose transaction details add up to it becomes one entry per
        detail (each pays something else), otherwise one entry with the first detail's data."""
        total = self.signed(ntry)
        _, currency = self.amount(ntry)
        booked = self.day(ntry, "BookgDt") or self.day(ntry, "ValDt")
        if booked is None:
            raise FormatError("an entry has no booking date")
        base: dict[str, Any] = {
            "booking_date": booked,
            "value_date": self.day(ntry, "ValDt"),
            "currency": currency,
            "booking_text": clean(self.text(ntry, "AddtlNtryInf"), "booking_text"),
            "booking_code": clean(_code(self, ntry), "booking_code"),
        }
        entry_ref = reference(self.text(ntry, "AcctSvcrRef"))
        details = [_Node(d) for d in self.all(ntry, "NtryDtls/TxDtls")]
        amounts = [self.detail_amount(d, ntry) for d in details]
        known = [a for a in amounts if a is not None]
        if len(details) > 1 and len(known) == len(details) and sum(known) == total:
            return [
                Entry(
                    amount=amount,
                    **base,
                    **self.detail(d, amount > 0, f"{entry_ref}/{i}" if entry_ref else None),
                )
                for i, (d, amount) in enumerate(zip(details, known, strict=True), 1)
            ]
        info: dict[str, Any] = {"bank_reference": entry_ref}
        if details:
            info = self.detail(details[0], total > 0, entry_ref)
        return [Entry(amount=total, **base, **info)]

    def detail_amount(self, d: _Node, ntry: _Node) -> Decimal | None:
        sign = self.text(d, "CdtDbtInd") or self.text(ntry, "CdtDbtInd")
        for path in ("Amt", "AmtDtls/TxAmt/Amt"):
            if self.find(d, path) is not None:
                return self.signed(d, path, sign)
        return None

    def detail(self, d: _Node, incoming: bool, fallback_ref: str | None) -> dict[str, Any]:
        party = "Dbtr" if incoming else "Cdtr"
        name = self.text(
            d,
            f"RltdPties/{party}/Nm",
            f"RltdPties/{party}/Pty/Nm",
            f"RltdPties/Ultmt{party}/Nm",
            f"RltdPties/Ultmt{party}/Pty/Nm",
        )
        ustrd = [el.text.strip() for el in self.all(d, "RmtInf/Ustrd") if el.text]
        structured = self.text(d, "RmtInf/Strd/CdtrRefInf/Ref")
        purpose = " ".join([*ustrd, *([structured] if structured else [])])
        return {
            "counterparty_name": clean(name, "counterparty_name"),
            "counterparty_iban": iban(self.text(d, f"RltdPties/{party}Acct/Id/IBAN")),
            "counterparty_bic": bic(
                self.text(
                    d,
                    f"RltdAgts/{party}Agt/FinInstnId/BIC",
                    f"RltdAgts/{party}Agt/FinInstnId/BICFI",
                )
            ),
            "purpose": clean(purpose or self.text(d, "AddtlTxInf"), "purpose"),
            "bank_reference": reference(self.text(d, "Refs/AcctSvcrRef")) or fallback_ref,
            "end_to_end_id": reference(self.text(d, "Refs/EndToEndId")),
            "mandate_id": reference(self.text(d, "Refs/MndtId")),
            "creditor_id": clean(
                self.text(
                    d, "RltdPties/Cdtr/Id/PrvtId/Othr/Id", "RltdPties/Cdtr/Pty/Id/PrvtId/Othr/Id"
                )
                if not incoming
                else None,
                "creditor_id",
            ),
        }


def _code(reader: _Reader, ntry: _Node) -> str | None:
    proprietary = reader.text(ntry, "BkTxCd/Prtry/Cd")
    if proprietary:
        return proprietary
    parts = [
        reader.text(ntry, "BkTxCd/Domn/Cd"),
        reader.text(ntry, "BkTxCd/Domn/Fmly/Cd"),
        reader.text(ntry, "BkTxCd/Domn/Fmly/SubFmlyCd"),
    ]
    return "-".join(p for p in parts if p) or None


def _date_of(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None
