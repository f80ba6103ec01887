"""Reading received files safely: what kind of file it is, the invoice XML inside a PDF, and
an XML parser that never loads, expands or fetches anything.

Hostile input is refused here with a reason (`Refused`), before any rule runs: a DOCTYPE (no
e-invoice has one; it is how XXE and entity bombs arrive), XML past the size limit, a PDF
whose invoice attachment is too large or cannot be read.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

# No DTD loading, no entity expansion, no network, libxml2's own size limits kept
# (huge_tree=False refuses text nodes over 10 MB and nesting deeper than 256).
SAFE_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=False,
)

# Attachment names of the invoice XML in a PDF, in the order they are looked for.
EMBEDDED_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "ZUGFeRD-invoice.xml", "xrechnung.xml")
MAX_ATTACHMENTS = 100
BOM = b"\xef\xbb\xbf"


class Refused(Exception):
    """The file is refused as unsafe or unreadable; the message says why (English)."""

    def __init__(self, message: str, code: str = "Refused") -> None:
        super().__init__(message)
        self.code = code


def text_of(node: etree._Element | None) -> str:
    return " ".join("".join(node.itertext()).split()) if node is not None else ""


def kind_of(head: bytes) -> str | None:
    """'pdf', 'xml' or None, from the first bytes only."""
    start = head.lstrip(b" \t\r\n")
    if start.startswith(BOM):
        start = start[3:].lstrip(b" \t\r\n")
    if head.startswith(b"%PDF-") or start.startswith(b"%PDF-"):
        return "pdf"
    if start.startswith(b"<") or start.startswith((b"\xff\xfe<", b"\xfe\xff\x00<")):
        return "xml"
    return None


def parse(data: bytes, *, max_bytes: int) -> etree._Element:
    """The root element of an XML document, or Refused (too large, DOCTYPE, not well-formed)."""
    if len(data) > max_bytes:
        raise Refused(f"the XML is larger than {max_bytes} bytes", "TooLarge")
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in head:
        raise Refused("XML with a DOCTYPE or entity declarations is not accepted", "Hostile")
    try:
        root = etree.fromstring(data, SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise Refused(f"not well-formed XML: {exc}", "NotWellFormed") from None
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise Refused("XML with a DOCTYPE or entity declarations is not accepted", "Hostile")
    return root


@dataclass
class Embedded:
    xml: bytes | None  # None: the PDF carries no invoice XML
    source: str  # "pdf:<attachment name>" or "pdf"
    names: list[str]  # every attachment's name (to say what was there)
    note: str | None = None  # why no XML was taken, if it was refused


def from_pdf(data: bytes, *, max_bytes: int) -> Embedded:
    """The invoice XML attached to a PDF (ZUGFeRD / Factur-X / XRechnung), found by name.

    Only attachment names are listed first; only the chosen attachment is decompressed, with
    pypdf's output limits and ours. Attachments inside attachments are never opened.
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        files = []
        for item in reader.attachment_list:
            files.append(item)
            if len(files) > MAX_ATTACHMENTS:
                raise Refused(f"the PDF has more than {MAX_ATTACHMENTS} attachments", "Hostile")
    except Refused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise Refused(f"cannot read the PDF: {type(exc).__name__}", "Unreadable") from None
    names = [str(f.name) for f in files]
    chosen = next((f for n in EMBEDDED_NAMES for f in files if str(f.name) == n), None)
    if chosen is None:
        xml_files = [f for f in files if str(f.name).lower().endswith(".xml")]
        chosen = xml_files[0] if len(xml_files) == 1 else None
    if chosen is None:
        return Embedded(None, "pdf", names)
    name = str(chosen.name)
    try:
        declared = int(chosen.size) if chosen.size is not None else None
    except (TypeError, ValueError):
        declared = None
    if declared is not None and declared > max_bytes:
        return Embedded(None, "pdf", names, f"attachment {name} is larger than {max_bytes} bytes")
    try:
        content = chosen.content
    except Exception as exc:  # pypdf's limits raise several types; all mean "not readable"
        return Embedded(
            None, "pdf", names, f"attachment {name} cannot be read: {type(exc).__name__}"
        )
    if len(content) > max_bytes:
        return Embedded(None, "pdf", names, f"attachment {name} is larger than {max_bytes} bytes")
    return Embedded(content, f"pdf:{name}", names)
