from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check, uuid_pk

DOCUMENT_CATEGORIES = ("contract", "invoice", "report", "receipt", "other")
# The objects a document can belong to (polymorphic link). A trigger (0001) checks that the
# linked row exists, since a polymorphic column cannot carry a foreign key.
LINKED_MODULES = ("customer", "project", "invoice", "employee", "expense")


class Document(Timestamps, Base):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(enum_check("category", DOCUMENT_CATEGORIES), name="category"),
        CheckConstraint(
            f"linked_module IS NULL OR {enum_check('linked_module', LINKED_MODULES)}",
            name="linked_module",
        ),
        CheckConstraint("(linked_module IS NULL) = (linked_id IS NULL)", name="link_complete"),
        CheckConstraint("checksum ~ '^[0-9a-f]{64}$'", name="checksum_sha256"),
        CheckConstraint("size_bytes >= 0", name="size_nonnegative"),
        Index("idx_documents_linked", "linked_module", "linked_id"),
        # Deleting a document asks whether any other row still uses the same stored file.
        Index("ix_documents_file_path", "file_path"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    title: Mapped[str] = mapped_column(String(255))
    # Server-made, content-addressed path relative to the storage root (ab/abcdef...); never
    # derived from user input.
    file_path: Mapped[str] = mapped_column(Text)
    # Detected from the file's first bytes (pdf, png, jpg, docx, xlsx, ...).
    type: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20), server_default=text("'other'"))
    owner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("employees.id", ondelete="RESTRICT"), index=True
    )
    linked_module: Mapped[str | None] = mapped_column(String(20))
    linked_id: Mapped[uuid.UUID | None]
    checksum: Mapped[str] = mapped_column(String(64))
    is_confidential: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # The uploader's file name, kept only here (shown, never used as a path).
    original_filename: Mapped[str | None] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    content_type: Mapped[str | None] = mapped_column(String(100))
