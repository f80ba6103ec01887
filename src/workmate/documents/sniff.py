"""File type detection from the bytes themselves, never from the name or the declared type.

A browser trusts a file's first bytes more than its Content-Type, so an HTML page uploaded as
`application/pdf` and served back would run as HTML. Only the kinds listed here are accepted.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Kind:
    type: str  # short name stored in documents.type
    content_type: str


PDF = Kind("pdf", "application/pdf")
PNG = Kind("png", "image/png")
JPEG = Kind("jpg", "image/jpeg")
GIF = Kind("gif", "image/gif")
WEBP = Kind("webp", "image/webp")
DOCX = Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ODT = Kind("odt", "application/vnd.oasis.opendocument.text")
TXT = Kind("txt", "text/plain; charset=utf-8")
CSV = Kind("csv", "text/csv; charset=utf-8")

KINDS = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, ODT, TXT, CSV)
ZIP_MAGIC = b"PK\x03\x04"

# Text that a browser would render as markup or script if it ever sniffed it.
# NUL and other C0 controls (tab, newlines, form feed excepted) mean binary data.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MARKUP = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe", b"<head")


def by_magic(head: bytes) -> Kind | None:
    """The binary kind announced by the first bytes; ZIP containers are decided by `zip_kind`."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if len(head) >= 12 and head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    return None


def zip_kind(path: Path) -> Kind | None:
    """docx/xlsx/odt by their members; any other ZIP is refused (blocking: run in a thread)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                if archive.read("mimetype").strip() == ODT.content_type.encode():
                    return ODT
                return None
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    return None


class TextCheck:
    """Fed chunk by chunk: is the whole stream UTF-8 text without control bytes or markup?"""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.ok = True
        self._start = b""

    def feed(self, chunk: bytes) -> None:
        if not self.ok:
            return
        if len(self._start) < 512:
            self._start += chunk[: 512 - len(self._start)]
        try:
            text = self._decoder.decode(chunk)
        except UnicodeDecodeError:
            self.ok = False
            return
        if _CONTROL.search(text):
            self.ok = False

    def finish(self) -> bool:
        if self.ok:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.ok = False
        start = self._start.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if start.startswith(_MARKUP) or b"<script" in self._start.lower():
            self.ok = False
        return self.ok


def text_kind(head: bytes) -> Kind:
    """CSV when the first line has a separator repeated on the second line, else plain text."""
    lines = head.splitlines()[:2]
    if len(lines) == 2:
        for sep in (b";", b",", b"\t"):
            count = lines[0].count(sep)
            if count and lines[1].count(sep) == count:
                return CSV
    return TXT


def mismatch(declared: str | None, detected: Kind) -> bool:
    """A declared binary type that the content contradicts (e.g. HTML sent as application/pdf).

    Generic declarations (octet-stream, none) and text types are not held against the file.
    """
    if not declared:
        return False
    base = declared.split(";", 1)[0].strip().lower()
    if base == "image/jpg":
        base = JPEG.content_type
    binary = {k.content_type for k in (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, ODT)}
    return base in binary and base != detected.content_type
