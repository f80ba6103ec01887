"""Suppliers are business partners: rows of `customers` with `is_supplier`.

One partner table rather than a second copy: a firm that buys from and sells to the same
company keeps one address, one VAT id and one history (as lexoffice and sevDesk do with
contacts in roles). A pure supplier (`is_customer` false) stays out of customer lists; the
partner number K-... is shared, the supplier number L-... names the creditor account.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.errors import Invalid, NotFound
from workmate.models import Customer
from workmate.pagination import Page, PageParams
from workmate.purchases import repository as repo
from workmate.purchases.schemas import SupplierCreate, SupplierRead, SupplierUpdate

# Column sizes of customers, so data read from an invoice always fits.
LIMITS = {
    "name": 200,
    "street": 200,
    "postal_code": 20,
    "city": 100,
    "email": 254,
    "phone": 50,
    "tax_id": 30,
    "tax_number": 30,
    "iban": 34,
    "bic": 11,
}
FIELD_COLUMNS = {"vat_id": "tax_id"}


def _fit(values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        if isinstance(value, str):
            value = " ".join(value.split())[: LIMITS.get(key, 1000)] or None
        out[key] = value
    return out


class SupplierService:
    async def _numbers(self, db: AsyncSession, partner: Customer | None) -> dict[str, str]:
        out = {}
        if partner is None:
            out["number"] = f"K-{await repo.next_value(db, 'customer', 0):05d}"
        if partner is None or partner.supplier_number is None:
            out["supplier_number"] = f"L-{await repo.next_value(db, 'supplier', 0):05d}"
        return out

    async def create(self, db: AsyncSession, who: Principal, data: SupplierCreate) -> Customer:
        """A new business partner in the supplier role, numbered K-... and L-...."""
        values = {FIELD_COLUMNS.get(k, k): v for k, v in data.model_dump().items()}
        return await self._insert(db, who, values)

    async def _insert(self, db: AsyncSession, who: Principal, values: dict[str, Any]) -> Customer:
        partner = Customer(
            **_fit(values),
            is_customer=False,
            is_supplier=True,
            **await self._numbers(db, None),
        )
        db.add(partner)
        await db.flush()
        await db.refresh(partner)
        await audit_service.record(
            db, who, "create", "customer", partner.id, diff(None, audit_service.snapshot(partner))
        )
        return partner

    async def from_invoice(
        self, db: AsyncSession, who: Principal, seller: dict[str, Any]
    ) -> Customer:
        """The supplier an invoice's seller is (by VAT id, tax number, then name); a customer
        found becomes a supplier too; unknown sellers become new suppliers."""
        partner = await repo.find_partner(
            db,
            vat_id=seller.get("vat_id"),
            tax_number=seller.get("tax_number"),
            name=seller.get("name"),
        )
        if partner is not None:
            if not partner.is_supplier:
                await self._give_supplier_role(db, who, partner)
            return partner
        country = str(seller.get("country") or "DE").upper()
        values = {
            "name": seller.get("name") or "?",
            "street": " ".join(filter(None, [seller.get("street"), seller.get("street2")])),
            "postal_code": seller.get("postal_code"),
            "city": seller.get("city"),
            "country": country if len(country) == 2 and country.isalpha() else "DE",
            "email": seller.get("email"),
            "phone": seller.get("phone"),
            "tax_id": seller.get("vat_id"),
            "tax_number": seller.get("tax_number"),
            "iban": seller.get("iban"),
            "bic": seller.get("bic"),
        }
        address = ", ".join(
            filter(
                None,
                [values["street"], f"{values['postal_code'] or ''} {values['city'] or ''}".strip()],
            )
        )
        values["address"] = address or None
        return await self._insert(db, who, values)

    async def get(self, db: AsyncSession, supplier_id: uuid.UUID) -> Customer:
        """A business partner in the supplier role (404 otherwise)."""
        partner = await repo.supplier(db, supplier_id)
        if partner is None or not partner.is_supplier:
            raise NotFound("supplier", field="supplier_id")
        return partner

    async def update(
        self, db: AsyncSession, who: Principal, supplier_id: uuid.UUID, data: SupplierUpdate
    ) -> Customer:
        """Change a supplier's data; name and country cannot be emptied."""
        partner = await repo.supplier(db, supplier_id, lock=True)
        if partner is None or not partner.is_supplier:
            raise NotFound("supplier", field="supplier_id")
        before = audit_service.snapshot(partner)
        for key, value in data.model_dump(exclude_unset=True).items():
            if value is None and key in ("name", "country"):
                raise Invalid(f"{key} cannot be empty", field=key)
            setattr(partner, FIELD_COLUMNS.get(key, key), _fit({key: value})[key])
        await db.flush()
        await db.refresh(partner)
        await audit_service.record(
            db, who, "update", "customer", partner.id, diff(before, audit_service.snapshot(partner))
        )
        return partner

    async def make_supplier(
        self, db: AsyncSession, who: Principal, partner_id: uuid.UUID
    ) -> Customer:
        """Give an existing business partner (a customer) the supplier role and an L-number."""
        partner = await repo.supplier(db, partner_id, lock=True)
        if partner is None:
            raise NotFound("customer", field="supplier_id")
        if not partner.is_supplier:
            await self._give_supplier_role(db, who, partner)
        return partner

    async def make_customer(
        self, db: AsyncSession, who: Principal, supplier_id: uuid.UUID
    ) -> Customer:
        """Give a supplier the customer role too, so quotes and invoices can be made for it."""
        partner = await repo.supplier(db, supplier_id, lock=True)
        if partner is None or not partner.is_supplier:
            raise NotFound("supplier", field="supplier_id")
        if not partner.is_customer:
            await self._change_roles(db, who, partner, is_customer=True)
        return partner

    async def _give_supplier_role(
        self, db: AsyncSession, who: Principal, partner: Customer
    ) -> None:
        numbers = await self._numbers(db, partner)
        await self._change_roles(
            db, who, partner, is_supplier=True, supplier_number=numbers["supplier_number"]
        )

    @staticmethod
    async def _change_roles(
        db: AsyncSession, who: Principal, partner: Customer, **changes: Any
    ) -> None:
        """Set a partner's role columns, audited as a change of the business partner."""
        before = audit_service.snapshot(partner)
        for name, value in changes.items():
            setattr(partner, name, value)
        await db.flush()
        await audit_service.record(
            db, who, "update", "customer", partner.id, diff(before, audit_service.snapshot(partner))
        )

    async def list_suppliers(
        self, db: AsyncSession, q: str | None, paging: PageParams
    ) -> Page[SupplierRead]:
        """Suppliers by name, optionally matching a name, supplier number or VAT id part."""
        rows, total = await repo.suppliers_page(db, q, paging.limit, paging.offset)
        return Page(
            items=[SupplierRead.model_validate(r) for r in rows],
            total=total,
            limit=paging.limit,
            offset=paging.offset,
        )


supplier_service = SupplierService()
