"""HTTP routes for reminders (thin: validate, call the service, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="/reminders", tags=["reminders"])
