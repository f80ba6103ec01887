"""HTTP routes for dunning: the run, letters, stop flags, base rates."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from workmate.db import SessionDep
from workmate.dunning.schemas import (
    BaseRateRead,
    BaseRateWrite,
    BlockWrite,
    LetterRead,
    Proposal,
    RunRequest,
)
from workmate.dunning.service import dunning_service
from workmate.invoices.auth import InvoicesRead, InvoicesWrite

router = APIRouter(prefix="/dunning", tags=["dunning"])


@router.get("/proposals", response_model=list[Proposal])
async def dunning_proposals(who: InvoicesRead, db: SessionDep) -> list[Proposal]:
    """The letters due today with what each would claim (fees, interest)."""
    return await dunning_service.proposals(db)


@router.post("/run", response_model=list[LetterRead], status_code=201)
async def dunning_run(data: RunRequest, who: InvoicesWrite, db: SessionDep) -> list[LetterRead]:
    """Write the letters of the chosen invoices still due; e-mail them or leave to print."""
    return await dunning_service.run(db, who, data)


@router.get("/letters", response_model=list[LetterRead])
async def dunning_letters(
    who: InvoicesRead, db: SessionDep, invoice_id: uuid.UUID | None = None
) -> list[LetterRead]:
    """Letters newest first, of one invoice or all."""
    return await dunning_service.letters(db, invoice_id)


@router.get("/letters/{letter_id}/pdf")
async def dunning_letter_pdf(letter_id: uuid.UUID, who: InvoicesRead, db: SessionDep) -> Response:
    """A letter's PDF as written (for printing or the file)."""
    filename, data = await dunning_service.letter_pdf(db, letter_id)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.put("/stops/customers/{customer_id}", status_code=204)
async def stop_customer(
    customer_id: uuid.UUID, data: BlockWrite, who: InvoicesWrite, db: SessionDep
) -> Response:
    """No dunning letters for this customer until allowed again."""
    await dunning_service.set_block(db, who, customer_id=customer_id, note=data.note)
    return Response(status_code=204)


@router.delete("/stops/customers/{customer_id}", status_code=204)
async def allow_customer(customer_id: uuid.UUID, who: InvoicesWrite, db: SessionDep) -> Response:
    """Dunning letters for this customer again."""
    await dunning_service.set_block(db, who, customer_id=customer_id, stop=False)
    return Response(status_code=204)


@router.put("/stops/invoices/{invoice_id}", status_code=204)
async def stop_invoice(
    invoice_id: uuid.UUID, data: BlockWrite, who: InvoicesWrite, db: SessionDep
) -> Response:
    """No dunning letters for this invoice (e.g. disputed) until allowed again."""
    await dunning_service.set_block(db, who, invoice_id=invoice_id, note=data.note)
    return Response(status_code=204)


@router.delete("/stops/invoices/{invoice_id}", status_code=204)
async def allow_invoice(invoice_id: uuid.UUID, who: InvoicesWrite, db: SessionDep) -> Response:
    """Dunning letters for this invoice again."""
    await dunning_service.set_block(db, who, invoice_id=invoice_id, stop=False)
    return Response(status_code=204)


@router.get("/base-rates", response_model=list[BaseRateRead])
async def list_base_rates(who: InvoicesRead, db: SessionDep) -> list[BaseRateRead]:
    """The base rates (§ 247 BGB) by the date each applies from."""
    return await dunning_service.base_rates(db)


@router.put("/base-rates", response_model=BaseRateRead)
async def put_base_rate(data: BaseRateWrite, who: InvoicesWrite, db: SessionDep) -> BaseRateRead:
    """Record the base rate from a date on (published by the Bundesbank each half-year)."""
    return await dunning_service.set_base_rate(db, who, data)
