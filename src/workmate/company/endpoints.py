"""HTTP routes for settings (thin: validate, call the service, shape the answer)."""

from fastapi import APIRouter

from workmate.company.auth import SettingsRead, SettingsWrite
from workmate.company.schemas import CompanySettingsRead, CompanySettingsUpdate
from workmate.company.service import company_service
from workmate.db import SessionDep

router = APIRouter(prefix="/settings", tags=["settings"])


@router.get("/company", response_model=CompanySettingsRead)
async def get_company_settings(who: SettingsRead, db: SessionDep) -> CompanySettingsRead:
    """The seller's data printed on invoices, and what is still missing to issue one."""
    return await company_service.read(db)


@router.put("/company", response_model=CompanySettingsRead)
async def put_company_settings(
    data: CompanySettingsUpdate, who: SettingsWrite, db: SessionDep
) -> CompanySettingsRead:
    """Change the seller's data; IBAN, BIC, tax number and VAT id are validated."""
    return await company_service.update(db, who, data)
