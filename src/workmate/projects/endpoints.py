"""HTTP routes for projects (thin: validate, call the service, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="/projects", tags=["projects"])
