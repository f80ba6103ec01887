"""Work contracts: the terms that decide each day's target and the year's vacation.

Contracts of one employee never overlap (exclusion constraint). A new contract that starts
while an open-ended one runs ends that one the day before, so a change of terms mid-year is
one request and the year splits there (targets per day, vacation pro rata). Changes that
would alter a closed month are refused by the database.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.audit.service import audit_service, diff
from workmate.auth.principal import Principal
from workmate.db import for_delete
from workmate.errors import Invalid, NotFound
from workmate.models import WorkContract
from workmate.models.work_contract import WEEKDAYS
from workmate.worktime import scope
from workmate.worktime.breaks import flush
from workmate.worktime.repository import worktime_repository
from workmate.worktime.schemas import ContractCreate, ContractUpdate

ENTITY = "work_contract"
FIELDS = (
    "employee_id",
    "valid_from",
    "valid_to",
    *(f"hours_{d}" for d in WEEKDAYS),
    "vacation_days",
    "federal_state",
    "note",
)


def _snapshot(c: WorkContract) -> dict[str, Any]:
    return audit_service.snapshot(c, FIELDS)


class ContractService:
    async def list(
        self, db: AsyncSession, who: Principal, employee_id: uuid.UUID | None
    ) -> list[WorkContract]:
        """An employee's contracts, oldest first (own, or in the caller's scope)."""
        owner = await scope.subject(db, who, employee_id)
        return (await worktime_repository.contracts(db, [owner])).get(owner, [])

    async def get(self, db: AsyncSession, who: Principal, contract_id: uuid.UUID) -> WorkContract:
        """One contract; another employee's only in the caller's scope."""
        found = await db.get(WorkContract, contract_id)
        if found is None or not await scope.in_scope(db, who, found.employee_id):
            raise NotFound("work contract")
        return found

    async def create(self, db: AsyncSession, who: Principal, data: ContractCreate) -> WorkContract:
        """Add a contract; an open-ended one running at its start ends the day before."""
        if not await worktime_repository.employee_exists(db, data.employee_id):
            raise Invalid("employee not found", field="employee_id")
        if data.valid_to is not None and data.valid_to < data.valid_from:
            raise Invalid("valid_to must not be before valid_from", field="valid_to")
        await worktime_repository.lock_employee(db, data.employee_id)
        running = (
            await db.scalars(
                select(WorkContract)
                .where(
                    WorkContract.employee_id == data.employee_id,
                    WorkContract.valid_to.is_(None),
                    WorkContract.valid_from < data.valid_from,
                )
                .with_for_update()
            )
        ).first()
        if running is not None:
            before = _snapshot(running)
            running.valid_to = data.valid_from - timedelta(days=1)
            await flush(db)
            await audit_service.record(
                db, who, "update", ENTITY, running.id, diff(before, _snapshot(running))
            )
        hours = data.hours()
        assert hours is not None
        contract = WorkContract(
            employee_id=data.employee_id,
            valid_from=data.valid_from,
            valid_to=data.valid_to,
            vacation_days=data.vacation_days,
            federal_state=data.federal_state,
            note=data.note,
            **{f"hours_{d}": h for d, h in zip(WEEKDAYS, hours, strict=True)},
        )
        db.add(contract)
        await flush(db)
        await db.refresh(contract)
        await audit_service.record(
            db, who, "create", ENTITY, contract.id, diff(None, _snapshot(contract))
        )
        return contract

    async def update(
        self, db: AsyncSession, who: Principal, contract_id: uuid.UUID, data: ContractUpdate
    ) -> WorkContract:
        """Change a contract's terms or dates (closed months refuse, see the module doc)."""
        contract = await self.get(db, who, contract_id)
        await worktime_repository.lock_employee(db, contract.employee_id)
        await db.refresh(contract, with_for_update=True)
        before = _snapshot(contract)
        given = data.model_dump(exclude_unset=True)
        for name in ("valid_from", "vacation_days", "federal_state"):
            if name in given and given[name] is None:
                raise Invalid(f"{name} cannot be empty", field=name)
        hours = data.hours()
        if hours is not None:
            for d, h in zip(WEEKDAYS, hours, strict=True):
                setattr(contract, f"hours_{d}", h)
        for name in ("valid_from", "valid_to", "vacation_days", "federal_state", "note"):
            if name in given:
                setattr(contract, name, given[name])
        if contract.valid_to is not None and contract.valid_to < contract.valid_from:
            raise Invalid("valid_to must not be before valid_from", field="valid_to")
        await flush(db)
        await db.refresh(contract)
        await audit_service.record(
            db, who, "update", ENTITY, contract.id, diff(before, _snapshot(contract))
        )
        return contract

    async def delete(self, db: AsyncSession, who: Principal, contract_id: uuid.UUID) -> None:
        """Delete a contract entered by mistake (refused if a closed month relies on it)."""
        contract = await self.get(db, who, contract_id)
        await worktime_repository.lock_employee(db, contract.employee_id)
        # Read again under the lock: of parallel deletes only the first still finds it.
        contract = await _for_delete(db, WorkContract, contract_id, "work contract")
        before = _snapshot(contract)
        await db.delete(contract)
        await flush(db)
        await audit_service.record(db, who, "delete", ENTITY, contract_id, diff(before, None))


contract_service = ContractService()


async def _for_delete(db: AsyncSession, model: Any, row_id: uuid.UUID, what: str) -> Any:
    row = await for_delete(db, model, row_id)
    if row is None:
        raise NotFound(what)
    return row
