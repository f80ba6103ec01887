"""Liveness that means something: 200 only when the database answers."""

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text

from workmate.auth.deps import public
from workmate.db import SessionDep

router = APIRouter(tags=["health"])


@router.get("/healthz", dependencies=[Depends(public)])
async def healthz(db: SessionDep) -> JSONResponse:
    """200 when PostgreSQL answers a query, 503 otherwise."""
    try:
        await db.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})
