"""HTTP routes for payments (thin: validate, call the service, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="", tags=["payments"])
