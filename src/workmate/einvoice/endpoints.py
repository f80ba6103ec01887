"""HTTP routes for invoice documents: PDF/A-3 with embedded XML, XRechnung XML."""

from fastapi import APIRouter

router = APIRouter(prefix="/invoices", tags=["invoice documents"])
