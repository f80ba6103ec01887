"""HTTP routes for authentication (thin: validate, call the service, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="/auth", tags=["authentication"])
