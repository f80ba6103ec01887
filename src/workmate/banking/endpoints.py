"""HTTP routes for banking (thin: validate, call the service, shape the answer)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.banking import repository as repo
from workmate.banking.auth import (
    BankingDelete,
    BankingRead,
    BankingUpload,
    BankingWrite,
    CrmRead,
    InvoicesRead,
    PaymentsDelete,
    PaymentsWrite,
)
from workmate.banking.formats.csv_export import PRESETS, preset_columns
from workmate.banking.imports import statement_import_service
from workmate.banking.queries import banking_queries
from workmate.banking.reconcile import reconcile_service
from workmate.banking.schemas import (
    BankAccountCreate,
    BankAccountRead,
    BankAccountUpdate,
    CandidateRead,
    ConfirmRequest,
    CustomerIbanCreate,
    CustomerIbanRead,
    Direction,
    ImportResult,
    MatchingRun,
    MatchingSummary,
    StatementRead,
    TransactionRead,
    TransactionState,
)
from workmate.banking.service import bank_account_service
from workmate.db import SessionDep
from workmate.documents.endpoints import StorageDep, content_disposition
from workmate.models import BankAccount, CustomerIban
from workmate.pagination import Page, Paging

router = APIRouter(tags=["banking"])

MULTIPART = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "account_id"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "account_id": {"type": "string", "format": "uuid"},
                        "format": {"type": "string", "enum": ["camt053", "mt940", "csv"]},
                        "csv_mapping": {"type": "string", "description": "JSON CsvMapping"},
                        "save_mapping": {"type": "boolean"},
                        "match": {"type": "boolean"},
                    },
                }
            }
        },
    }
}


# ---- accounts -------------------------------------------------------------------------------


@router.get("/bank-accounts", response_model=list[BankAccountRead])
async def list_accounts(
    who: BankingRead, db: SessionDep, archived: bool = False
) -> list[BankAccount]:
    """The company's bank accounts by name (archived ones with archived=true)."""
    return await bank_account_service.all(db, archived=archived)


@router.post("/bank-accounts", response_model=BankAccountRead, status_code=201)
async def create_account(data: BankAccountCreate, who: BankingWrite, db: SessionDep) -> BankAccount:
    """Record a bank account of the company; the IBAN must be valid and new."""
    return await bank_account_service.create(db, who, data)


@router.get("/bank-accounts/csv-presets")
async def csv_presets(who: BankingRead) -> dict[str, dict[str, object]]:
    """The CSV exports recognised without a mapping, with their columns."""
    return {k: {"label": p.label, "columns": preset_columns(k)} for k, p in PRESETS.items()}


@router.get("/bank-accounts/{account_id}", response_model=BankAccountRead)
async def get_account(account_id: uuid.UUID, who: BankingRead, db: SessionDep) -> BankAccount:
    """One bank account."""
    return await bank_account_service.get(db, account_id)


@router.patch("/bank-accounts/{account_id}", response_model=BankAccountRead)
async def update_account(
    account_id: uuid.UUID, data: BankAccountUpdate, who: BankingWrite, db: SessionDep
) -> BankAccount:
    """Rename, set BIC or bank name, save the CSV mapping, archive (archived=true)."""
    return await bank_account_service.update(db, who, account_id, data)


@router.delete("/bank-accounts/{account_id}", status_code=204)
async def delete_account(account_id: uuid.UUID, who: BankingDelete, db: SessionDep) -> Response:
    """Delete an account that has no imports (409 otherwise: archive it)."""
    await bank_account_service.delete(db, who, account_id)
    return Response(status_code=204)


# ---- statements -----------------------------------------------------------------------------


@router.post(
    "/bank-statements",
    response_model=ImportResult,
    status_code=201,
    openapi_extra=MULTIPART,
    responses={200: {"model": ImportResult, "description": "file imported before; nothing added"}},
)
async def import_statement(
    request: Request,
    response: Response,
    upload: BankingUpload,
    db: SessionDep,
    storage: StorageDep,
) -> ImportResult:
    """Import a camt.053 (also ZIP), MT940 or CSV file into an account: balances checked,
    each transaction stored once, exact payments booked, the rest queued for review. The same
    file again answers 200 and adds nothing."""
    outcome = await statement_import_service.upload(
        db,
        upload.who,
        storage,
        upload.body,
        content_type=request.headers.get("content-type"),
        content_length=request.headers.get("content-length"),
    )
    if not outcome.created:
        response.status_code = status.HTTP_200_OK
    return outcome.result


@router.get("/bank-statements", response_model=Page[StatementRead])
async def list_statements(
    who: BankingRead,
    db: SessionDep,
    paging: Paging,
    account_id: uuid.UUID | None = None,
    file_id: uuid.UUID | None = None,
) -> Page[StatementRead]:
    """Statements newest period first, each with the previous closing balance and whether
    its opening balance continues it."""
    items, total = await banking_queries.statements(
        db, account_id=account_id, file_id=file_id, limit=paging.limit, offset=paging.offset
    )
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.get("/bank-statements/{statement_id}", response_model=StatementRead)
async def get_statement(statement_id: uuid.UUID, who: BankingRead, db: SessionDep) -> StatementRead:
    """One statement with its balance checks."""
    return await banking_queries.statement(db, statement_id)


@router.get(
    "/bank-files/{file_id}/download",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download_file(
    file_id: uuid.UUID, who: BankingRead, db: SessionDep, storage: StorageDep
) -> StreamingResponse:
    """The original statement file, unchanged, after its SHA-256 is checked again."""
    bank_file, chunks = await banking_queries.original(db, storage, file_id)
    return StreamingResponse(
        chunks,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": content_disposition(bank_file.filename),
            "Content-Length": str(bank_file.size_bytes),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
            "X-Checksum-SHA256": bank_file.sha256,
        },
    )


# ---- transactions and matching --------------------------------------------------------------


@router.get("/bank-transactions", response_model=Page[TransactionRead])
async def list_transactions(
    who: BankingRead,
    db: SessionDep,
    paging: Paging,
    account_id: uuid.UUID | None = None,
    statement_id: uuid.UUID | None = None,
    state: Annotated[list[TransactionState] | None, Query()] = None,
    direction: Direction | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
) -> Page[TransactionRead]:
    """Transactions newest first; state=review&state=open is the review queue."""
    f = repo.TxFilter(
        account_id=account_id,
        statement_id=statement_id,
        states=tuple(state or ()),
        direction=direction,
        search=q,
        date_from=date_from,
        date_to=date_to,
    )
    items, total = await banking_queries.transactions(db, f, paging.limit, paging.offset)
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.get("/bank-transactions/{transaction_id}", response_model=TransactionRead)
async def get_transaction(
    transaction_id: uuid.UUID, who: BankingRead, db: SessionDep
) -> TransactionRead:
    """One transaction with its proposals (score, evidence in words) and matches."""
    return await banking_queries.transaction(db, transaction_id)


@router.get("/bank-transactions/{transaction_id}/candidates", response_model=list[CandidateRead])
async def search_candidates(
    transaction_id: uuid.UUID,
    who: BankingRead,
    reader: InvoicesRead,
    db: SessionDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> list[CandidateRead]:
    """Open invoices (money in) or credit notes and, for a role that reads purchases, supplier
    bills (money out) by number, customer or supplier, or amount."""
    return await banking_queries.candidates(
        db, transaction_id, q, bills=who.can("purchases", "read")
    )


async def _answer(db: AsyncSession, transaction_id: uuid.UUID) -> TransactionRead:
    return await banking_queries.transaction(db, transaction_id)


@router.post("/bank-transactions/{transaction_id}/confirm", response_model=TransactionRead)
async def confirm_match(
    transaction_id: uuid.UUID,
    data: ConfirmRequest,
    who: BankingWrite,
    booker: PaymentsWrite,
    db: SessionDep,
) -> TransactionRead:
    """Book a proposal (or other invoices) as payments; 409 when already matched."""
    await reconcile_service.confirm(db, who, transaction_id, data)
    return await _answer(db, transaction_id)


@router.post("/bank-transactions/{transaction_id}/undo", response_model=TransactionRead)
async def undo_match(
    transaction_id: uuid.UUID, who: BankingDelete, remover: PaymentsDelete, db: SessionDep
) -> TransactionRead:
    """Delete the match's payments (audited); the transaction returns to the review queue."""
    await reconcile_service.undo(db, who, transaction_id)
    return await _answer(db, transaction_id)


@router.post("/bank-transactions/{transaction_id}/ignore", response_model=TransactionRead)
async def ignore_transaction(
    transaction_id: uuid.UUID, who: BankingWrite, db: SessionDep
) -> TransactionRead:
    """Mark a transaction as paying no invoice; it leaves the review queue."""
    await reconcile_service.ignore(db, who, transaction_id, True)
    return await _answer(db, transaction_id)


@router.post("/bank-transactions/{transaction_id}/unignore", response_model=TransactionRead)
async def unignore_transaction(
    transaction_id: uuid.UUID, who: BankingWrite, db: SessionDep
) -> TransactionRead:
    """Take an ignore back; the transaction is matched again (nothing booked by itself)."""
    await reconcile_service.ignore(db, who, transaction_id, False)
    return await _answer(db, transaction_id)


@router.post("/bank-matching/run", response_model=MatchingSummary)
async def run_matching(
    data: MatchingRun, who: BankingWrite, booker: PaymentsWrite, db: SessionDep
) -> MatchingSummary:
    """Match every unmatched transaction again (new invoices, learned IBANs) and book the
    exact ones."""
    return await reconcile_service.run(db, who, account_id=data.account_id)


# ---- customers' IBANs -----------------------------------------------------------------------


@router.get("/customer-ibans", response_model=list[CustomerIbanRead])
async def list_ibans(
    who: BankingRead, reader: CrmRead, db: SessionDep, customer_id: uuid.UUID | None = None
) -> list[CustomerIban]:
    """IBANs known to belong to customers (learned from confirmed matches or entered)."""
    return await bank_account_service.ibans(db, customer_id)


@router.post("/customer-ibans", response_model=CustomerIbanRead, status_code=201)
async def add_iban(
    data: CustomerIbanCreate, who: BankingWrite, reader: CrmRead, db: SessionDep
) -> CustomerIban:
    """Record an IBAN a customer pays from."""
    return await bank_account_service.add_iban(db, who, data)


@router.delete("/customer-ibans/{iban_id}", status_code=204)
async def remove_iban(iban_id: uuid.UUID, who: BankingDelete, db: SessionDep) -> Response:
    """Forget a customer's IBAN (banking.delete, like every deletion)."""
    await bank_account_service.remove_iban(db, who, iban_id)
    return Response(status_code=204)
