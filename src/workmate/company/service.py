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
from workmate.models.company_settings import DIRECTED_FORMS, REGISTERED_FORMS

DUNNING_KEY = "dunning_levels"


def missing_for_invoicing(settings: CompanySettings | None) -> list[str]:
    """Seller data a legal invoice needs and that is not set: name, full address, tax number
    or VAT id (§ 14 UStG), IBAN for the transfer the payment terms ask for, register court
    and number of a registered firm (§ 37a HGB), managing directors of a corporation
    (§ 35a GmbHG). Field names, in the order of the checklist."""
    if settings is None:
        return ["name", "street", "postal_code", "city", "tax_number or vat_id", "iban"]
    missing = [
        f for f in ("name", "street", "postal_code", "city") if not getattr(settings, f, None)
    ]
    if not settings.tax_number and not settings.vat_id:
        missing.append("tax_number or vat_id")
    if not settings.iban:
        missing.append("iban")
    if settings.legal_form in REGISTERED_FORMS:
        missing += [f for f in ("register_court", "register_number") if not getattr(settings, f)]
    if settings.legal_form in DIRECTED_FORMS and not settings.managing_directors:
        missing.append("managing_directors")
    return missing


LEGAL_FORM_NAMES = {
    "gbr": "GbR",
    "ohg": "OHG",
    "kg": "KG",
    "gmbh": "GmbH",
    "ug": "UG (haftungsbeschränkt)",
    "gmbh_co_kg": "GmbH & Co. KG",
    "ag": "AG",
    "ev": "e. V.",
}


def legal_line(settings: CompanySettings | None) -> str:
    """The register entry and management as a German business letter states them."""
    if settings is None:
        return ""
    parts = [LEGAL_FORM_NAMES.get(settings.legal_form or "", "")]
    register = " ".join(p for p in (settings.register_court, settings.register_number) if p)
    if register:
        parts.append(f"Registergericht: {register}")
    if settings.managing_directors:
        board = "Vorstand" if settings.legal_form == "ag" else "Geschäftsführung"
        parts.append(f"{board}: {settings.managing_directors}")
    return " · ".join(p for p in parts if p)


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
    read.has_logo = bool(settings.logo_path)
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

    async def set_logo(self, db: AsyncSession, who: Principal, data: bytes) -> CompanySettingsRead:
        """Store the logo for the invoice letterhead (PNG or JPEG, normalised); audited."""
        import anyio.to_thread

        from workmate.company.logo import normalise
        from workmate.documents.service import document_service
        from workmate.documents.storage import get_storage

        png = await anyio.to_thread.run_sync(normalise, data)
        storage = get_storage()
        stored = await anyio.to_thread.run_sync(storage.put_bytes, png)
        document_service.track_stored(db, storage, stored.key)
        row = await repository.get_or_create(db)
        before = row.logo_path
        row.logo_path = stored.key
        await db.flush()
        if before is not None and before != stored.key:
            # The replaced logo goes once this commits, unless another row still uses it.
            await document_service.release(db, storage, before)
        await audit_service.record(
            db, who, "update", "company_settings", 1, {"logo_path": [before, stored.key]}
        )
        return to_read(row)


company_service = CompanyService()
