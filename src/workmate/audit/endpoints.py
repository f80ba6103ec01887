"""HTTP routes for audit (thin: validate, call the service, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="/audit-log", tags=["audit"])
