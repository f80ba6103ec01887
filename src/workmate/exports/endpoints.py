"""HTTP routes for exports (thin: validate, call the service, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="/exports", tags=["exports"])
