"""HTTP routes for dashboards (thin: validate, call the service, shape the answer)."""

from fastapi import APIRouter

router = APIRouter(prefix="/dashboards", tags=["dashboards"])
