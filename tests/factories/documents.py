"""Files, multipart bodies and stored documents for the documents and dashboard tests."""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate.documents.storage import get_storage
from workmate.models import Document

BOUNDARY = "wm-test-boundary-7f3a"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def office_zip(kind: str) -> bytes:
    """A minimal docx/xlsx/odt container (members are what detection looks at)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
        elif kind == "zip":
            archive.writestr("readme.txt", "hello")
        else:
            archive.writestr("[Content_Types].xml", "<Types/>")
            member = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
            archive.writestr(member, "<x/>")
    return buffer.getvalue()


def multipart(
    content: bytes,
    filename: str | bytes = "file.pdf",
    content_type: str = "application/octet-stream",
    **fields: Any,
) -> tuple[bytes, dict[str, str]]:
    """A multipart/form-data body built by hand, so any file name bytes can be sent."""
    name = filename if isinstance(filename, bytes) else filename.encode()
    parts = [
        f"--{BOUNDARY}\r\n".encode()
        + b'Content-Disposition: form-data; name="file"; filename="'
        + name
        + b'"\r\n'
        + f"Content-Type: {content_type}\r\n\r\n".encode()
        + content
        + b"\r\n"
    ]
    for key, value in fields.items():
        header = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        parts.append(f"{header}{value}\r\n".encode())
    body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


async def make_document(
    db: AsyncSession, owner_id: uuid.UUID, content: bytes = PDF, **overrides: Any
) -> Document:
    """A stored file and its row, bypassing the upload endpoint."""
    stored = get_storage().put_bytes(content)
    values: dict[str, Any] = {
        "title": "Vertrag",
        "file_path": stored.key,
        "type": "pdf",
        "content_type": "application/pdf",
        "owner_id": owner_id,
        "checksum": stored.sha256,
        "size_bytes": stored.size,
        "original_filename": "vertrag.pdf",
    }
    values.update(overrides)
    document = Document(**values)
    db.add(document)
    await db.flush()
    return document
