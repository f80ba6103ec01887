"""Writing camt.053.001.08 statements (the generated statements of the demo company, tests,
benchmarks). What is written validates against the schema the reader checks with."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree  # type: ignore[import-untyped]

from workmate.banking.formats.common import Entry, Statement

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{NS}}}{tag}", **attrs)
    if text is not None:
        el.text = text
    return el


def _path(parent: etree._Element, path: str, text: str | None = None) -> etree._Element:
    el = parent
    for tag in path.split("/"):
        el = _sub(el, tag)
    if text is not None:
        el.text = text
    return el


def _amount(parent: etree._Element, value: Decimal, currency: str) -> None:
    _sub(parent, "Amt", f"{abs(value):.2f}", Ccy=currency)
    _sub(parent, "CdtDbtInd", "DBIT" if value < 0 else "CRDT")


def _balance(stmt: etree._Element, code: str, value: Decimal, currency: str, day: date) -> None:
    bal = _sub(stmt, "Bal")
    _path(bal, "Tp/CdOrPrtry/Cd", code)
    _amount(bal, value, currency)
    _path(bal, "Dt/Dt", day.isoformat())


def document(message_id: str, created: date, statements: list[Statement]) -> bytes:
    """One camt.053.001.08 message holding the statements (each with balances)."""
    root = etree.Element(f"{{{NS}}}Document", nsmap={None: NS})
    body = _sub(root, "BkToCstmrStmt")
    header = _sub(body, "GrpHdr")
    _sub(header, "MsgId", message_id[:35])
    _sub(header, "CreDtTm", f"{created.isoformat()}T06:00:00+01:00")
    for n, statement in enumerate(statements, 1):
        _statement(body, statement, n)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _statement(body: etree._Element, statement: Statement, n: int) -> None:
    start, end = statement.period()
    stmt = _sub(body, "Stmt")
    _sub(stmt, "Id", (statement.external_id or f"{end.isoformat()}-{n}")[:35])
    if statement.sequence:
        _sub(stmt, "ElctrncSeqNb", statement.sequence)
    _sub(stmt, "CreDtTm", f"{end.isoformat()}T22:00:00+01:00")
    period = _sub(stmt, "FrToDt")
    _sub(period, "FrDtTm", f"{start.isoformat()}T00:00:00+01:00")
    _sub(period, "ToDtTm", f"{end.isoformat()}T23:59:59+01:00")
    acct = _sub(stmt, "Acct")
    _path(acct, "Id/IBAN", statement.account or "")
    _sub(acct, "Ccy", statement.currency)
    opening = statement.opening or Decimal(0)
    closing = statement.closing
    if closing is None:
        closing = opening + sum((e.amount for e in statement.entries), Decimal(0))
    _balance(stmt, "PRCD", opening, statement.currency, start)
    _balance(stmt, "CLBD", closing, statement.currency, end)
    for entry in statement.entries:
        _entry(stmt, entry)


def _entry(stmt: etree._Element, e: Entry) -> None:
    ntry = _sub(stmt, "Ntry")
    _amount(ntry, e.amount, e.currency)
    _path(ntry, "Sts/Cd", "BOOK")
    _path(ntry, "BookgDt/Dt", e.booking_date.isoformat())
    _path(ntry, "ValDt/Dt", (e.value_date or e.booking_date).isoformat())
    if e.bank_reference:
        _sub(ntry, "AcctSvcrRef", e.bank_reference[:35])
    code = _sub(ntry, "BkTxCd")
    domain = _sub(code, "Domn")
    _sub(domain, "Cd", "PMNT")
    family = _sub(domain, "Fmly")
    _sub(family, "Cd", "RCDT" if e.amount > 0 else "ICDT")
    _sub(family, "SubFmlyCd", "ESCT")
    details = _path(ntry, "NtryDtls/TxDtls")
    refs = _sub(details, "Refs")
    _sub(refs, "EndToEndId", (e.end_to_end_id or "NOTPROVIDED")[:35])
    party = "Dbtr" if e.amount > 0 else "Cdtr"
    if e.counterparty_name or e.counterparty_iban:
        parties = _sub(details, "RltdPties")
        if e.counterparty_name:
            _path(parties, f"{party}/Pty/Nm", e.counterparty_name[:140])
        if e.counterparty_iban:
            _path(parties, f"{party}Acct/Id/IBAN", e.counterparty_iban)
    if e.purpose:
        info = _sub(details, "RmtInf")
        text = e.purpose
        while text:
            _sub(info, "Ustrd", text[:140])
            text = text[140:]
    if e.booking_text:
        _sub(ntry, "AddtlNtryInf", e.booking_text[:500])
