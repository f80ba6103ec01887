"""Company settings: the seller's data every invoice shows, validated once here."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.company import repository
from workmate.company.schemas import (
    DEFAULT_DUNNING,
    CompanySettingsRead,
    CompanySettingsUpdate,
    DunningLevel,
)
from workmate.models import CompanySettings

DUNNING_KEY = "dunning_levels"


def missing_for_invoicing(settings: CompanySettings | None) -> list[str]:
    """§14 UStG seller data not yet set: name, full address, tax number or VAT id."""
    if settings is None:
        return ["company settings (name, street, postal_code, city, tax_number or vat_id)"]
    missing = [
        f for f in ("name", "street", "postal_code", "city") if not getattr(settings, f, None)
    ]
    if not settings.tax_number and not settings.vat_id:
        missing.append("tax_number or vat_id")
    return missing


def dunning_levels(settings: CompanySettings | None) -> list[DunningLevel]:
    """The configured dunning levels (1..3), or the defaults."""
    raw = (settings.extra or {}).get(DUNNING_KEY) if settings is not None else None
    if not raw:
        return list(DEFAULT_DUNNING)
    return [DunningLevel.model_validate(level) for level in raw]


def to_read(settings: CompanySettings | None) -> CompanySettingsRead:
    if settings is None:
        return CompanySettingsRead(missing_for_invoicing=missing_for_invoicing(None))
    read = CompanySettingsRead.model_validate(settings)
    read.dunning_levels = dunning_levels(settings)
    read.missing_for_invoicing = missing_for_invoicing(settings)
    return read


class CompanyService:
    async def get(self, db: AsyncSession, *, for_share: bool = False) -> CompanySettings | None:
        """The settings row, or None before anyone saved settings."""
        return await repository.get(db, for_share=for_share)

    async def read(self, db: AsyncSession) -> CompanySettingsRead:
        """The settings with defaults filled in and what is missing for invoicing."""
        return to_read(await repository.get(db))

    async def update(
        self, db: AsyncSession, who: Principal, data: CompanySettingsUpdate
    ) -> CompanySettingsRead:
        """Change the given fields (validated: IBAN, BIC, tax number, VAT id); audited."""
        row = await repository.get_or_create(db)
        before = audit_service.snapshot(row)
        changes: dict[str, Any] = data.model_dump(exclude_unset=True)
        levels = changes.pop(DUNNING_KEY, None)
        for field in ("country", "payment_terms_days", "vat_mode"):
            if field in changes and changes[field] is None:
                changes.pop(field)
        for field in ("invoice_number_format", "credit_note_number_format"):
            if field in changes and changes[field] is None:
                changes.pop(field)
        for key, value in changes.items():
            setattr(row, key, value)
        if DUNNING_KEY in data.model_fields_set:
            extra = dict(row.extra or {})
            if levels is None:
                extra.pop(DUNNING_KEY, None)
            else:
                extra[DUNNING_KEY] = [
                    {"days": lvl.days, "fee": str(lvl.fee)} for lvl in data.dunning_levels or []
                ]
            row.extra = extra
        await db.flush()
        after = audit_service.snapshot(row)
        await audit_service.record(db, who, "update", "company_settings", 1, diff(before, after))
        await db.refresh(row)
        return to_read(row)


company_service = CompanyService()
