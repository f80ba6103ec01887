"""HTTP routes for invoice documents: PDF/A-3 with embedded XML, XRechnung XML."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from workmate.db import SessionDep
from workmate.einvoice.auth import InvoicesRead
from workmate.einvoice.flows import einvoice_flows

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
