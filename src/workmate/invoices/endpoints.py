"""HTTP routes for invoices (thin: validate, call the service, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="/invoices", tags=["invoices"])
