"""Bank accounts (the company's own) and the IBANs customers pay from. Flushes, never commits."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.banking import repository as repo
from workmate.banking.schemas import BankAccountCreate, BankAccountUpdate, CustomerIbanCreate
from workmate.errors import Conflict, NotFound
from workmate.models import BankAccount, CustomerIban

_AUDITED = ("name", "iban", "bic", "bank_name", "currency", "csv_mapping", "archived_at")


class BankAccountService:
    async def create(
        self, db: AsyncSession, who: Principal, data: BankAccountCreate
    ) -> BankAccount:
        """Record one of the company's accounts; its IBAN is checked and unique."""
        account = BankAccount(**data.model_dump())
        db.add(account)
        await db.flush()
        await db.refresh(account)
        await audit_service.record(
            db,
            who,
            "create",
            "bank_account",
            account.id,
            diff(None, audit_service.snapshot(account, _AUDITED)),
        )
        return account

    async def all(self, db: AsyncSession, *, archived: bool = False) -> list[BankAccount]:
        """The company's accounts by name; archived ones only when asked."""
        return await repo.accounts(db, archived=archived)

    async def get(self, db: AsyncSession, account_id: uuid.UUID) -> BankAccount:
        """One account; 404 when there is none."""
        account = await repo.account(db, account_id)
        if account is None:
            raise NotFound("bank account", field="account_id")
        return account

    async def update(
        self, db: AsyncSession, who: Principal, account_id: uuid.UUID, data: BankAccountUpdate
    ) -> BankAccount:
        """Rename, set BIC/bank, save the CSV mapping, archive or reopen."""
        account = await repo.account(db, account_id, lock=True)
        if account is None:
            raise NotFound("bank account", field="account_id")
        before = audit_service.snapshot(account, _AUDITED)
        changes = data.model_dump(exclude_unset=True, exclude={"csv_mapping", "archived"})
        for key, value in changes.items():
            if key == "name" and value is None:
                continue
            setattr(account, key, value)
        if "csv_mapping" in data.model_fields_set:
            account.csv_mapping = data.csv_mapping.stored() if data.csv_mapping else None
        if data.archived is not None:
            account.archived_at = clock.now() if data.archived else None
        await db.flush()
        await db.refresh(account)
        await audit_service.record(
            db,
            who,
            "update",
            "bank_account",
            account.id,
            diff(before, audit_service.snapshot(account, _AUDITED)),
        )
        return account

    async def save_mapping(
        self, db: AsyncSession, account: BankAccount, mapping: dict[str, object]
    ) -> None:
        """Remember how this account's CSV exports are read."""
        if account.csv_mapping != mapping:
            account.csv_mapping = dict(mapping)
            await db.flush()

    async def delete(self, db: AsyncSession, who: Principal, account_id: uuid.UUID) -> None:
        """Delete an account without imports; one with statements is archived instead (409)."""
        account = await repo.account(db, account_id, lock=True)
        if account is None:
            raise NotFound("bank account", field="account_id")
        if await repo.account_in_use(db, account_id):
            raise Conflict(
                "the bank account has imported statements; archive it instead", field="account_id"
            )
        before = audit_service.snapshot(account, _AUDITED)
        await db.delete(account)
        await db.flush()
        await audit_service.record(
            db, who, "delete", "bank_account", account_id, diff(before, None)
        )

    async def ibans(self, db: AsyncSession, customer_id: uuid.UUID | None) -> list[CustomerIban]:
        """The IBANs known for a customer (or all)."""
        return await repo.customer_ibans(db, customer_id)

    async def add_iban(
        self, db: AsyncSession, who: Principal, data: CustomerIbanCreate
    ) -> CustomerIban:
        """Record an IBAN a customer pays from; 409 when it is known for them already."""
        if not await repo.customer_exists(db, data.customer_id):
            raise NotFound("customer", field="customer_id")
        if not await repo.remember_iban(db, data.customer_id, data.iban, "manual", who.employee_id):
            raise Conflict("this IBAN is already known for the customer", field="iban")
        await audit_service.record(
            db, who, "create", "customer_iban", data.customer_id, {"iban": [None, data.iban]}
        )
        found = [i for i in await repo.customer_ibans(db, data.customer_id) if i.iban == data.iban]
        return found[0]

    async def remove_iban(self, db: AsyncSession, who: Principal, iban_id: uuid.UUID) -> None:
        """Forget an IBAN of a customer (transfers from it no longer count as theirs)."""
        row = await repo.customer_iban(db, iban_id, lock=True)
        if row is None:
            raise NotFound("customer IBAN", field="iban_id")
        await db.delete(row)
        await db.flush()
        await audit_service.record(
            db, who, "delete", "customer_iban", row.customer_id, {"iban": [row.iban, None]}
        )

    async def learn_iban(
        self, db: AsyncSession, who: Principal | None, customer_id: uuid.UUID, iban: str
    ) -> bool:
        """Store the IBAN of a confirmed match for the customer; False when known already."""
        by = who.employee_id if who else None
        learned = await repo.remember_iban(db, customer_id, iban, "learned", by)
        if learned:
            await audit_service.record(
                db, who, "create", "customer_iban", customer_id, {"iban": [None, iban]}
            )
        return learned


bank_account_service = BankAccountService()
