"""SQL for documents. Every read goes through `visible()`: what the caller may see at all."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from workmate.auth.principal import Principal
from workmate.documents.auth import readable_links
from workmate.models import (
    BankFile,
    CompanySettings,
    Document,
    DunningLetter,
    IncomingInvoice,
    Invoice,
    OutboxAttachment,
    Quote,
)

# Every column that holds a key of the file store: a stored file is in use while any of these
# refers to it. One list for deletes, the orphan sweep and backups; a test checks that every
# file-key column of the models is here.
FILE_KEY_COLUMNS: tuple[InstrumentedAttribute[str] | InstrumentedAttribute[str | None], ...] = (
    Document.file_path,
    Invoice.pdf_path,
    CompanySettings.logo_path,
    BankFile.storage_key,
    # Received supplier invoices share the content-addressed store (purchases).
    IncomingInvoice.storage_key,
    # Sales: quote PDFs, dunning letters, files attached to outgoing e-mails.
    Quote.pdf_path,
    DunningLetter.pdf_path,
    OutboxAttachment.storage_key,
)


# A backup holds this advisory lock exclusively while it copies stored files; file removals
# take it shared without waiting and, while a backup runs, leave the file to the orphan sweep.
BACKUP_LOCK = 0x776D_6261_636B  # "wmback"


def visible(who: Principal) -> ColumnElement[bool]:
    """Confidential documents: owner or documents.confidential. Linked documents: the caller
    must be able to read the linked module (their own employee record always counts)."""
    me = who.employee_id
    mine = Document.owner_id == me
    link_ok = or_(
        Document.linked_module.is_(None),
        Document.linked_module.in_(readable_links(who)),
        and_(Document.linked_module == "employee", Document.linked_id == me),
    )
    if who.can("documents", "confidential"):
        return or_(mine, link_ok)
    return or_(mine, and_(Document.is_confidential.is_(False), link_ok))


def _query(
    who: Principal,
    *,
    linked_module: str | None = None,
    linked_id: uuid.UUID | None = None,
    category: str | None = None,
) -> Select[Document]:
    query = select(Document).where(visible(who))
    if linked_module is not None:
        query = query.where(Document.linked_module == linked_module)
    if linked_id is not None:
        query = query.where(Document.linked_id == linked_id)
    if category is not None:
        query = query.where(Document.category == category)
    return query


class DocumentRepository:
    async def get_visible(
        self, db: AsyncSession, who: Principal, document_id: uuid.UUID, *, lock: bool = False
    ) -> Document | None:
        query = select(Document).where(Document.id == document_id, visible(who))
        if lock:
            query = query.with_for_update()
        return await db.scalar(query)

    async def list_visible(
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
        """Items and their total from one query builder, so the count obeys the same filters."""
        query = _query(who, linked_module=linked_module, linked_id=linked_id, category=category)
        total = await db.scalar(select(func.count()).select_from(query.subquery()))
        rows = await db.scalars(
            query.order_by(Document.created_at.desc(), Document.id).limit(limit).offset(offset)
        )
        return list(rows), int(total or 0)

    async def link_exists(self, db: AsyncSession, module: str, target: uuid.UUID) -> bool:
        """The same check the database trigger makes (wm_link_exists, migration 0001)."""
        return bool(await db.scalar(select(func.wm_link_exists(module, target))))

    async def invoice_status(
        self, db: AsyncSession, invoice_id: uuid.UUID, *, lock: bool = False
    ) -> str | None:
        """The invoice's status; `lock` holds a share lock so it cannot be issued meanwhile."""
        query = select(Invoice.status).where(Invoice.id == invoice_id)
        if lock:
            query = query.with_for_update(read=True)
        return await db.scalar(query)

    async def lock_key(self, db: AsyncSession, key: str) -> None:
        """Serialise uploads and deletes of the same stored file until the transaction ends."""
        await db.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
        )

    async def may_remove_files(self, db: AsyncSession) -> bool:
        """False while a backup runs (its snapshot may still refer to any file)."""
        return bool(
            await db.scalar(text("SELECT pg_try_advisory_xact_lock_shared(:k)"), {"k": BACKUP_LOCK})
        )

    async def key_in_use(self, db: AsyncSession, key: str) -> bool:
        """Does any row still point at this stored file (any of FILE_KEY_COLUMNS)?"""
        users = union_all(*(select(literal(1)).where(column == key) for column in FILE_KEY_COLUMNS))
        return await db.scalar(select(func.count()).select_from(users.subquery())) != 0

    async def keys_in_use(self, db: AsyncSession) -> set[str]:
        """Every stored-file key some row refers to."""
        users = union_all(
            *(select(column.label("key")).where(column.is_not(None)) for column in FILE_KEY_COLUMNS)
        )
        return set((await db.scalars(select(users.subquery().c.key).distinct())).all())


document_repository = DocumentRepository()
