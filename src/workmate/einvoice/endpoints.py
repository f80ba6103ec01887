"""HTTP routes for invoice documents: PDF/A-3 with embedded XML, XRechnung XML."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import anyio.to_thread
from fastapi import APIRouter, Path, Response

from workmate.db import SessionDep
from workmate.einvoice import xrechnung
from workmate.einvoice.auth import InvoicesRead
from workmate.einvoice.flows import einvoice_flows
from workmate.einvoice.service import einvoice_service, safe_filename

router = APIRouter(prefix="/invoices", tags=["invoice documents"])

DOCUMENT_ERRORS: dict[int | str, dict[str, str]] = {
    404: {"description": "No such invoice"},
    409: {"description": "The invoice is a draft, or the company settings are incomplete"},
}


@router.get(
    "/{invoice_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **DOCUMENT_ERRORS},
)
async def invoice_pdf(invoice_id: uuid.UUID, who: InvoicesRead, session: SessionDep) -> Response:
    """The issued invoice as PDF/A-3 with embedded EN 16931 XML; generated once, then stored."""
    stored = await einvoice_flows.stored_pdf(session, who, invoice_id)
    return Response(
        stored.data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{stored.filename}.pdf"',
            "ETag": f'"{stored.key.rsplit("/", 1)[-1]}"',
        },
    )


@router.get(
    "/{invoice_id}/preview.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **DOCUMENT_ERRORS},
)
async def draft_preview(invoice_id: uuid.UUID, who: InvoicesRead, session: SessionDep) -> Response:
    """A draft as its PDF will look (marked ENTWURF, not stored, no number taken)."""
    data = await einvoice_service.draft_preview(session, invoice_id)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="Entwurf.pdf"'},
    )


@router.get(
    "/{invoice_id}/xrechnung",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}, **DOCUMENT_ERRORS},
)
async def invoice_xml(invoice_id: uuid.UUID, who: InvoicesRead, session: SessionDep) -> Response:
    """The issued invoice as CII XML (EN 16931), identical to the XML inside its PDF."""
    filename, xml = await einvoice_flows.stored_xml(session, who, invoice_id)
    return Response(
        xml,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{filename}.xml"'},
    )


@router.get(
    "/{invoice_id}/xrechnung/{syntax}",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}, **DOCUMENT_ERRORS},
)
async def invoice_xrechnung(
    invoice_id: uuid.UUID,
    syntax: Annotated[Literal["cii", "ubl"], Path()],
    who: InvoicesRead,
    session: SessionDep,
) -> Response:
    """XRechnung 3.0 in CII or UBL for public-sector buyers; 409 naming what is missing
    (Leitweg-ID as buyer reference, seller contact, buyer e-mail)."""
    doc = await einvoice_service.document(session, invoice_id)
    build = xrechnung.cii if syntax == "cii" else xrechnung.ubl
    xml = await anyio.to_thread.run_sync(build, doc)
    return Response(
        xml,
        media_type="application/xml",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{safe_filename(doc.number, str(invoice_id))}'
                f'-xrechnung-{syntax}.xml"'
            )
        },
    )
