"""HTTP routes for settings (thin: validate, call the service, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="/settings", tags=["settings"])
