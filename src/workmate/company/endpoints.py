"""HTTP routes for settings (thin: validate, call the service, shape the answer)."""

from fastapi import APIRouter, UploadFile

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


@router.put("/company/logo", response_model=CompanySettingsRead)
async def put_company_logo(
    file: UploadFile, who: SettingsWrite, db: SessionDep
) -> CompanySettingsRead:
    """Set the letterhead logo of invoices: a PNG or JPEG up to 2 MB (multipart field file)."""
    from workmate.company.logo import LOGO_MAX_BYTES

    data = await file.read(LOGO_MAX_BYTES + 1)
    return await company_service.set_logo(db, who, data)
