"""HTTP routes for customers (thin: validate, call the service, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="/customers", tags=["customers"])
