"""Everything done to a received file's bytes, in one call that runs in a worker process:
what it is, the invoice XML (PDF attachment), the official verdict, the invoice read into
plain data, our own checks. Returns JSON-able data only.

`examine` never raises for bad input: a refused file comes back with `refused` set.
"""

from __future__ import annotations

import time
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from workmate.purchases import checks, meanings, reader, ruleset
from workmate.purchases.validation import Unusable, Validator
from workmate.purchases.xmlsafe import Refused, from_pdf, kind_of, parse

_validator: Validator | None = None
# Findings kept per file: a broken 10,000-line invoice repeats the same few rules; the
# error count stays exact (error_total), the list is cut.
MAX_FINDINGS = 500


def validator() -> Validator:
    global _validator
    if _validator is None:
        _validator = Validator()
    return _validator


def examine(data: bytes, max_xml_bytes: int, xrechnung: bool | None = None) -> dict[str, Any]:
    """The full examination of one received file (see the module docstring)."""
    started = time.perf_counter()
    result: dict[str, Any] = {
        "kind": None,  # xml | pdf
        "source": None,  # xml | pdf | pdf:<attachment>
        "attachments": [],
        "einvoice": False,
        "official": None,  # ok | FAIL, as the official validator prints it
        "syntax": None,
        "document": None,
        "customization_id": None,
        "profile": None,
        "kosit_scenario": None,
        "checks": [],
        "findings": [],
        "invoice": None,
        "refused": None,  # {"code", "message"} when the file is not accepted at all
        "note": None,
        "rules_version": ruleset.version_label(),
    }
    try:
        _examine(data, max_xml_bytes, xrechnung, result)
    except Refused as exc:
        result["refused"] = {"code": exc.code, "message": str(exc)}
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def _examine(data: bytes, max_xml: int, xrechnung: bool | None, result: dict[str, Any]) -> None:
    kind = kind_of(data[:1024])
    if kind is None:
        raise Refused("not an XML or PDF file", "UnsupportedType")
    result["kind"] = kind
    if kind == "pdf":
        embedded = from_pdf(data, max_bytes=max_xml)
        result["source"] = embedded.source
        result["attachments"] = embedded.names
        if embedded.xml is None:
            result["note"] = embedded.note or "the PDF carries no invoice XML: not an e-invoice"
            return
        xml = embedded.xml
    else:
        result["source"] = "xml"
        xml = data
    try:
        doc = parse(xml, max_bytes=max_xml)
    except Refused as exc:
        if kind == "xml":
            raise
        result["note"] = f"the attached XML is not accepted: {exc}"
        return
    try:
        verdict = validator().check(doc, xrechnung)
    except Unusable as exc:
        result["official"] = "FAIL"
        result["note"] = str(exc)
        result["findings"] = meanings.annotate(
            [{"rules": "input", "id": "INPUT", "level": "error", "text": str(exc)}]
        )
        if kind == "xml":
            raise Refused(str(exc), "NotAnInvoice") from None
        return
    result.update(
        einvoice=True,
        official=verdict.status,
        syntax=verdict.syntax,
        document=verdict.document,
        customization_id=verdict.customization_id,
        profile=verdict.profile,
        kosit_scenario=verdict.kosit_scenario,
        checks=verdict.checks,
    )
    data_ = reader.read(doc, verdict.syntax)
    result["invoice"] = data_
    own = checks.arithmetic(data_) + checks.ustg14(data_)
    findings = verdict.errors + own + verdict.warnings
    result["error_total"] = sum(f.get("level") == "error" for f in findings)
    result["warning_total"] = len(findings) - result["error_total"]
    if len(findings) > MAX_FINDINGS:
        findings = findings[:MAX_FINDINGS]
        findings.append(
            {
                "rules": "Workmate",
                "id": "WM-MORE",
                "level": "information",
                "text": f"only the first {MAX_FINDINGS} findings are listed",
                "meaning_de": f"Nur die ersten {MAX_FINDINGS} Prüfergebnisse sind aufgeführt.",
                "location": "",
            }
        )
    result["findings"] = meanings.annotate(findings)


def attachment(data: bytes, max_xml_bytes: int, index: int) -> tuple[bytes, dict[str, Any]] | None:
    """The index-th attachment embedded in a received invoice's XML, decoded."""
    kind = kind_of(data[:1024])
    if kind == "pdf":
        xml = from_pdf(data, max_bytes=max_xml_bytes).xml
        if xml is None:
            return None
    else:
        xml = data
    doc = parse(xml, max_bytes=max_xml_bytes)
    root = etree.QName(doc).localname
    syntax = "CII" if root == "CrossIndustryInvoice" else "UBL"
    return reader.attachment_bytes(doc, syntax, index)


def invoice_xml(data: bytes, max_xml_bytes: int) -> bytes | None:
    """The invoice XML of a received file (itself, or the PDF's attachment)."""
    if kind_of(data[:1024]) == "pdf":
        return from_pdf(data, max_bytes=max_xml_bytes).xml
    return data
