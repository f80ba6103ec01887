"""HTTP routes for time entries (thin: validate, call the service, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="/time-entries", tags=["time entries"])
