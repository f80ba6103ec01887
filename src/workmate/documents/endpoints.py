"""HTTP routes for documents (thin: validate, call the service, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="/documents", tags=["documents"])
