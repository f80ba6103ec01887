"""HTTP routes for exports (thin: validate, call the service, shape the answer)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from workmate.db import SessionDep
from workmate.exports.auth import ReportsRead
from workmate.exports.service import export_service

router = APIRouter(prefix="/exports", tags=["exports"])


@router.get(
    "/datev",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, 422: {"description": "Bad period or setup"}},
)
async def datev_export(
    who: ReportsRead,
    session: SessionDep,
    start: Annotated[date, Query(alias="from", description="First day (YYYY-MM-DD)")],
    end: Annotated[date, Query(alias="to", description="Last day, same year")],
) -> Response:
    """DATEV EXTF Buchungsstapel (700/21) of the period's invoices, credit notes, payments."""
    data = await export_service.datev(session, start, end)
    name = f"EXTF_Buchungsstapel_{start:%Y%m%d}_{end:%Y%m%d}.csv"
    return Response(
        data,
        media_type="text/csv; charset=windows-1252",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
