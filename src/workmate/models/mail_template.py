from __future__ import annotations

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base, Timestamps, enum_check

TEMPLATE_PURPOSES = ("invoice", "quote", "dunning")


class MailTemplate(Timestamps, Base):
    """The company's e-mail text per purpose and language; placeholders like {number},
    {amount}, {due_date}, {iban} are filled in when a message is written. Without a row the
    built-in text (workmate.outbox.templates) is used."""

    __tablename__ = "mail_templates"
    __table_args__ = (
        CheckConstraint(enum_check("purpose", TEMPLATE_PURPOSES), name="purpose"),
        CheckConstraint("language IN ('de', 'en')", name="language"),
    )

    purpose: Mapped[str] = mapped_column(String(20), primary_key=True)
    language: Mapped[str] = mapped_column(String(2), primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
