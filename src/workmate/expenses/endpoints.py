"""HTTP routes for expenses (thin: validate, call the service, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="/expenses", tags=["expenses"])
