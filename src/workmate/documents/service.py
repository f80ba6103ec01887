"""Rules for documents: what may be stored, who sees it, when it may go. Flushes, never commits."""

from __future__ import annotations

import logging
import unicodedata
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import anyio.to_thread
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit.service import audit_service, diff, entry
from workmate.auth.principal import Principal
from workmate.config import get_settings
from workmate.db import after_commit, after_rollback
from workmate.documents import sniff
from workmate.documents.auth import LINK_MODULE_PERMISSION, may_link
from workmate.documents.multipart import FILE_FIELD, FORM_OVERHEAD, Form, read_form
from workmate.documents.repository import document_repository as repo
from workmate.documents.schemas import DocumentCreate, DocumentUpdate
from workmate.documents.storage import Storage, StorageError, Stored, TooLarge
from workmate.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    WorkmateError,
)
from workmate.models import Document

log = logging.getLogger(__name__)

ALLOWED = "PDF, PNG, JPEG, GIF, WebP, DOCX, XLSX, ODT, plain text or CSV (UTF-8)"
# File name endings a download may keep for each detected kind; anything else gets the
# kind's own ending appended, so "x.html" holding text is saved as "x.html.txt".
EXTENSIONS = {
    "pdf": ("pdf",),
    "png": ("png",),
    "jpg": ("jpg", "jpeg"),
    "gif": ("gif",),
    "webp": ("webp",),
    "docx": ("docx",),
    "xlsx": ("xlsx",),
    "odt": ("odt",),
    "txt": ("txt", "text", "md", "log", "csv"),
    "csv": ("csv", "txt"),
}


class IntegrityFailure(WorkmateError):
    """The stored bytes no longer match the checksum taken at upload."""

    status_code = 500


def safe_filename(raw: str | None) -> str:
    """The uploader's name reduced to a plain last path segment: no separators, no control or
    bidi characters, no leading dots; only ever shown, never used as a path."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().lstrip(". ").strip()
    if not name:
        return "file"
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 254 - len(ext)]}.{ext}" if dot and len(ext) <= 10 else name[:255]
    return name


def download_name(document: Document) -> str:
    name = document.original_filename or "file"
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    allowed = EXTENSIONS.get(document.type, ())
    if allowed and ext not in allowed:
        name = f"{name}.{allowed[0]}"
    return name


def _form_fields(form: Form) -> DocumentCreate:
    # Browsers send empty inputs as empty strings; they mean "not given".
    values = {k: v for k, v in form.fields.items() if v.strip() != ""}
    try:
        return DocumentCreate.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or None
        raise Invalid(f"{name}: {first['msg']}", field=name) from None


class DocumentService:
    async def upload(
        self,
        db: AsyncSession,
        who: Principal,
        storage: Storage,
        body: AsyncIterator[bytes],
        *,
        content_type: str | None,
        content_length: str | None,
    ) -> Document:
        """Store one file streamed from a multipart body: size limit (413), type by content
        (415), SHA-256 while streaming, link to an existing object the caller may read."""
        limit = get_settings().upload_max_bytes
        too_large = PayloadTooLarge(f"the file is larger than {limit} bytes", field=FILE_FIELD)
        if content_length is not None:
            try:
                declared_length = int(content_length)
            except ValueError:
                raise BadRequest("invalid Content-Length", field="Content-Length") from None
            if declared_length > limit + FORM_OVERHEAD:
                raise too_large
        kinds: list[sniff.Kind] = []

        async def store(
            filename: str, declared: str | None, chunks: AsyncIterator[bytes]
        ) -> Stored:
            text = sniff.TextCheck()

            async def watched() -> AsyncIterator[bytes]:
                async for chunk in chunks:
                    text.feed(chunk)
                    yield chunk

            def accept(path: Path, head: bytes) -> None:
                if not head:
                    raise Invalid("the file is empty", field=FILE_FIELD)
                kind = sniff.by_magic(head)
                if kind is None and head.startswith(sniff.ZIP_MAGIC):
                    kind = sniff.zip_kind(path)
                elif kind is None and text.finish():
                    kind = sniff.text_kind(head)
                if kind is None:
                    raise UnsupportedMediaType(
                        f"this kind of file is not accepted; allowed: {ALLOWED}", field=FILE_FIELD
                    )
                if sniff.mismatch(declared, kind):
                    raise UnsupportedMediaType(
                        f"the file was sent as {declared} but its content is {kind.type}",
                        field=FILE_FIELD,
                    )
                kinds.append(kind)

            try:
                stored = await storage.put_stream(watched(), max_bytes=limit, accept=accept)
            except TooLarge:
                raise too_large from None
            # Refused or failed after the bytes were stored (a bad field after the file, a
            # missing link, a database error, a client gone): the rollback removes them.
            self.track_stored(db, storage, stored.key)
            return stored

        form = await read_form(body, content_type, max_file_bytes=limit, store=store)
        stored = form.stored
        if stored is None:
            raise Invalid(
                f"no file sent; send it in the form field '{FILE_FIELD}'", field=FILE_FIELD
            )
        data = _form_fields(form)
        await self._check_link(db, who, data.linked_module, data.linked_id)
        await repo.lock_key(db, stored.key)
        # A delete of the last other document with this content may have removed the file
        # after we found it present; the lock makes this check final.
        if not await anyio.to_thread.run_sync(storage.exists, stored.key):
            raise Conflict("the file was removed by a concurrent delete; upload it again")
        name = safe_filename(form.filename)
        document = Document(
            title=data.title or name,
            file_path=stored.key,
            type=kinds[0].type,
            content_type=kinds[0].content_type,
            category=data.category,
            owner_id=who.employee_id,
            linked_module=data.linked_module,
            linked_id=data.linked_id,
            checksum=stored.sha256,
            is_confidential=data.is_confidential,
            original_filename=name,
            size_bytes=stored.size,
        )
        db.add(document)
        await db.flush()
        await db.refresh(document)
        await audit_service.record(
            db,
            who,
            "create",
            "documents",
            document.id,
            diff(None, audit_service.snapshot(document)),
        )
        return document

    async def _check_link(
        self, db: AsyncSession, who: Principal, module: str | None, target: uuid.UUID | None
    ) -> None:
        if (module is None) != (target is None):
            missing = "linked_id" if target is None else "linked_module"
            raise Invalid("linked_module and linked_id go together", field=missing)
        if module is None or target is None:
            return
        if not may_link(who, module, target):
            permission = LINK_MODULE_PERMISSION[module]
            raise Forbidden(f"your role may not read {permission}", field="linked_module")
        if not await repo.link_exists(db, module, target):
            raise Invalid(f"linked {module} {target} does not exist", field="linked_id")

    async def hold(self, db: AsyncSession, storage: Storage, key: str) -> None:
        """Keep a just-stored file from a concurrent delete of the same content until this
        transaction ends; 409 if such a delete removed it already (store it again)."""
        await repo.lock_key(db, key)
        if not await anyio.to_thread.run_sync(storage.exists, key):
            raise Conflict("the file was removed by a concurrent delete; upload it again")

    def track_stored(self, db: AsyncSession, storage: Storage, key: str) -> None:
        """A file just stored for this transaction: if the transaction rolls back, for any
        reason, the file is removed again unless a row refers to it."""
        after_rollback(db, partial(self._discard, storage=storage, key=key))

    async def release(self, db: AsyncSession, storage: Storage, key: str) -> None:
        """Remove a stored file that was refused after storing, unless a row refers to it,
        once this transaction has ended (committed or not)."""
        discard = partial(self._discard, storage=storage, key=key)
        after_commit(db, discard)
        after_rollback(db, discard)

    async def _discard(self, db: AsyncSession, *, storage: Storage, key: str) -> None:
        """Remove a stored file no committed row refers to; runs after a transaction ended.
        While a backup runs the file stays (the orphan sweep removes it later)."""
        if not await repo.may_remove_files(db):
            log.info("stored file %s kept for now: a backup is running", key)
            return
        await repo.lock_key(db, key)
        if not await repo.key_in_use(db, key):
            await anyio.to_thread.run_sync(storage.delete, key)

    async def sweep_orphans(
        self, db: AsyncSession, storage: Storage, *, older_than: datetime
    ) -> list[str]:
        """Remove stored files that no row refers to and that were written before
        `older_than` (younger ones may belong to an upload still in flight); the keys."""
        if not await repo.may_remove_files(db):
            return []
        listed = await anyio.to_thread.run_sync(
            lambda: [key for key, written in storage.list_keys() if written < older_than]
        )
        in_use = await repo.keys_in_use(db)
        removed = []
        for key in sorted(set(listed) - in_use):
            # Under the key's lock the check is final: an upload of the same content takes
            # the lock before it refers to the file.
            await repo.lock_key(db, key)
            if not await repo.key_in_use(db, key):
                await anyio.to_thread.run_sync(storage.delete, key)
                removed.append(key)
        if removed:
            log.warning("removed %d stored files no row refers to", len(removed))
        return removed

    async def get(self, db: AsyncSession, who: Principal, document_id: uuid.UUID) -> Document:
        """A document the caller may see; 404 otherwise (confidential ones do not leak)."""
        document = await repo.get_visible(db, who, document_id)
        if document is None:
            raise NotFound("document")
        return document

    async def list_documents(
        self,
        db: AsyncSession,
        who: Principal,
        *,
        linked_module: str | None,
        linked_id: uuid.UUID | None,
        category: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Document], int]:
        """Documents the caller may see, optionally of one linked object or category."""
        if (
            linked_module is not None
            and linked_id is not None
            and not may_link(who, linked_module, linked_id)
        ):
            permission = LINK_MODULE_PERMISSION[linked_module]
            raise Forbidden(f"your role may not read {permission}", field="linked_module")
        return await repo.list_visible(
            db,
            who,
            linked_module=linked_module,
            linked_id=linked_id,
            category=category,
            limit=limit,
            offset=offset,
        )

    async def open_verified(
        self, db: AsyncSession, who: Principal, storage: Storage, document_id: uuid.UUID
    ) -> tuple[Document, Iterator[bytes]]:
        """The bytes of a visible document, only after their SHA-256 matches the stored one;
        a mismatch (or a missing file) is an error and an audit entry, never the bytes."""
        document = await self.get(db, who, document_id)
        try:
            actual: str | None = await anyio.to_thread.run_sync(storage.sha256, document.file_path)
        except (OSError, StorageError):
            actual = None
        if actual != document.checksum:
            log.error("document %s: stored file fails its checksum", document.id)
            failure = IntegrityFailure(
                "the stored file does not match its checksum and is not sent; "
                "an administrator has to restore it from a backup"
            )
            failure.after_rollback = [
                entry(
                    who,
                    "integrity_failure",
                    "documents",
                    document.id,
                    {"checksum": [document.checksum, actual]},
                )
            ]
            raise failure
        return document, storage.open(document.file_path)

    async def update(
        self, db: AsyncSession, who: Principal, document_id: uuid.UUID, data: DocumentUpdate
    ) -> Document:
        """Change title, category or confidentiality; only the owner or documents.confidential
        may change confidentiality."""
        document = await repo.get_visible(db, who, document_id, lock=True)
        if document is None:
            raise NotFound("document")
        changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude_none=True)
        if (
            "is_confidential" in changes
            and changes["is_confidential"] != document.is_confidential
            and document.owner_id != who.employee_id
            and not who.can("documents", "confidential")
        ):
            raise Forbidden(
                "only the owner may change whether a document is confidential",
                field="is_confidential",
            )
        before = audit_service.snapshot(document)
        for key, value in changes.items():
            setattr(document, key, value)
        await db.flush()
        await db.refresh(document)
        await audit_service.record(
            db,
            who,
            "update",
            "documents",
            document.id,
            diff(before, audit_service.snapshot(document)),
        )
        return document

    async def delete(
        self, db: AsyncSession, who: Principal, storage: Storage, document_id: uuid.UUID
    ) -> None:
        """Delete a document, refused (409) while it belongs to an issued invoice; its file
        goes after the commit, once no other row refers to the same content."""
        document = await repo.get_visible(db, who, document_id, lock=True)
        if document is None:
            raise NotFound("document")
        if document.linked_module == "invoice" and document.linked_id is not None:
            status = await repo.invoice_status(db, document.linked_id, lock=True)
            if status is not None and status != "draft":
                raise Conflict(
                    "the document belongs to an issued invoice and must be kept (GoBD)",
                    field="linked_id",
                )
        before = audit_service.snapshot(document)
        key = document.file_path
        await repo.lock_key(db, key)
        await db.delete(document)
        await db.flush()
        await audit_service.record(db, who, "delete", "documents", document.id, diff(before, None))
        # Only once the delete has committed: a rolled-back delete keeps its file.
        after_commit(db, partial(self._discard, storage=storage, key=key))


document_service = DocumentService()
