"""HTTP routes for chat (thin: validate, call the service, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="/projects", tags=["chat"])
