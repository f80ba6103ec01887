"""HTTP routes for exports (thin: validate, call the service, shape the answer)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import date
from pathlib import Path
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query, Response

from workmate.db import SessionDep
from workmate.errors import Invalid
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


def _zip(folder: Path, problems: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
        if problems:
            archive.writestr("NICHT-ENTHALTEN.txt", "\n".join(problems) + "\n")
    return buffer.getvalue()


@router.get(
    "/invoice-archive",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}, 422: {"description": "Bad period"}},
)
async def invoice_archive(
    who: ReportsRead,
    session: SessionDep,
    start: Annotated[date, Query(alias="from", description="First issue date (YYYY-MM-DD)")],
    end: Annotated[date, Query(alias="to", description="Last issue date (YYYY-MM-DD)")],
) -> Response:
    """ZIP of NUMBER.pdf and NUMBER.xml of every invoice and credit note issued in the period
    (what `workmate invoices export` writes); documents not yet made are made and kept."""
    from workmate.einvoice.flows import einvoice_flows

    if end < start:
        raise Invalid("'to' must not be before 'from'", field="to")
    with tempfile.TemporaryDirectory() as folder:
        result = await einvoice_flows.export(session, Path(folder), start, end)
        data = await anyio.to_thread.run_sync(_zip, Path(folder), result.failed)
    name = f"Rechnungen_{start:%Y%m%d}_{end:%Y%m%d}.zip"
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
