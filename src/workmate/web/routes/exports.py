"""Exports for the tax advisor and the office, in one place: each card downloads from the
API (session cookie) or uploads to it (CSV import through the page's script)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from workmate import clock
from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.db import SessionDep
from workmate.web.render import render
from workmate.web.routes.timer import timer_context

router = APIRouter(prefix="/exports")

ReportsRead = Annotated[Principal, Depends(require("reports", "read"))]


def last_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


@router.get("")
async def exports_page(request: Request, who: ReportsRead, db: SessionDep) -> Response:
    """DATEV, invoice archive, time report, customer CSV, working-time sheets and dunning."""
    start, end = last_month(clock.today())
    return render(
        request,
        "exports.html",
        who,
        timer=await timer_context(db, who),
        start=start,
        end=end,
        year_start=end.replace(month=1, day=1),
    )
