"""Banking pages: accounts and statement upload, statements with their checks, transactions,
the review queue with the evidence in words, confirming, searching another invoice, undo.

Uploads go from the page's script to the statements API (streamed, size and type checked
there), as document uploads do; the pages call the banking services for the rest.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import quote

from babel.numbers import NumberFormatError, parse_decimal
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from workmate.auth.deps import require
from workmate.auth.principal import Principal
from workmate.banking import repository as repo
from workmate.banking.formats.csv_export import PRESETS
from workmate.banking.queries import banking_queries
from workmate.banking.reconcile import reconcile_service
from workmate.banking.schemas import (
    BankAccountCreate,
    BankAccountUpdate,
    ConfirmRequest,
    CsvMapping,
)
from workmate.banking.service import bank_account_service
from workmate.db import SessionDep
from workmate.errors import WorkmateError
from workmate.web.catalogs import N_
from workmate.web.forms import (
    REFUSALS,
    FieldErrors,
    blank_to_none,
    domain_error,
    parse,
    refusal,
    validation_errors,
)
from workmate.web.i18n import Formatter, formatter
from workmate.web.render import render
from workmate.web.routes.common import form_data, page_numbers, safe_next, see_other, undo
from workmate.web.routes.timer import timer_context

router = APIRouter(prefix="/banking")

BankingRead = Annotated[Principal, Depends(require("banking", "read"))]
BankingWrite = Annotated[Principal, Depends(require("banking", "write"))]
BankingDelete = Annotated[Principal, Depends(require("banking", "delete"))]
PaymentsWrite = Annotated[Principal, Depends(require("payments", "write"))]
PaymentsDelete = Annotated[Principal, Depends(require("payments", "delete"))]
PER_PAGE = 25
STATES = ("review", "open", "matched", "ignored")
STATE_LABELS = (N_("review"), N_("open"), N_("matched"), N_("ignored"))
ACCOUNT_FIELDS = ("name", "iban", "bic", "bank_name")
MONEY_PARAMS = frozenset({"open", "amount", "excess", "discount", "total", "paid", "opening",
                          "previous", "entries", "computed", "closing", "difference"})  # fmt: skip
DATE_PARAMS = frozenset({"issued"})

# The evidence and import notes in the reader's language: the domain's English templates
# (banking/evidence.py, banking/schemas.NOTES), marked here for the catalog. A test checks
# that both lists say exactly the same.
EVIDENCE_TEXTS = {
    "number_exact": N_("invoice number {number} is in the purpose"),
    "number_reformatted": N_("invoice number {number} is in the purpose, written as “{found}”"),
    "number_similar": N_(
        "the purpose has “{found}”, one character away from invoice number {number}"
    ),
    "numbers_other": N_("the purpose also names {numbers}, which this proposal does not pay"),
    "amount_open": N_("the amount equals the open amount of {open} EUR"),
    "amount_sum": N_(
        "the amount equals the open amounts of {count} invoices together ({open} EUR)"
    ),
    "amount_partial": N_("the amount pays {amount} EUR of the open {open} EUR (partial payment)"),
    "amount_over": N_(
        "the amount is {excess} EUR more than the open {open} EUR; the rest stays as a credit"
    ),
    "amount_skonto": N_(
        "the amount is the open amount less {percent} % ({discount} EUR), a cash discount "
        "the invoice does not grant; booked as a partial payment"
    ),
    "amount_total_paid": N_(
        "the amount equals the invoice total of {total} EUR, but {paid} EUR of it is already paid"
    ),
    "amount_unique": N_("the only open invoice of this customer with this amount"),
    "iban_known": N_("the payer's IBAN {iban} is known for customer {customer}"),
    "iban_other": N_("the payer's IBAN {iban} is known for another customer"),
    "name_similar": N_("the account holder “{name}” resembles customer {customer} ({percent} %)"),
    "name_differs": N_("the account holder “{name}” does not resemble customer {customer}"),
    "date_after": N_("booked {days} days after the invoice date {issued}"),
    "date_before": N_("booked before the invoice date {issued}"),
    "refund": N_("money paid out for credit note {number}"),
    "bill_number_exact": N_("the supplier's invoice number {number} is in the purpose"),
    "bill_number_reformatted": N_(
        "the supplier's invoice number {number} is in the purpose, written as “{found}”"
    ),
    "bill_number_similar": N_(
        "the purpose has “{found}”, one character away from the supplier's invoice number {number}"
    ),
    "bill_reference": N_("the bill's payment reference “{found}” is in the purpose"),
    "bill_amount_sum": N_(
        "the amount equals the open amounts of {count} supplier bills together ({open} EUR)"
    ),
    "bill_amount_unique": N_("the only open bill of this supplier with this amount"),
    "bill_iban_known": N_("the payee's IBAN {iban} is known for supplier {customer}"),
    "bill_iban_other": N_("the payee's IBAN {iban} is known for another business partner"),
    "bill_name_similar": N_(
        "the account holder “{name}” resembles supplier {customer} ({percent} %)"
    ),
    "bill_name_differs": N_("the account holder “{name}” does not resemble supplier {customer}"),
}
NOTE_TEXTS = {
    "pending_skipped": N_("{count} entries not yet booked (pending) were left out"),
    "no_balances": N_("the file gives no balances; they could not be checked"),
    "running_balance_breaks": N_("the running balance does not follow the amounts in {count} rows"),
    "balance_mismatch": N_(
        "opening balance {opening} + entries {entries} = {computed}, but the closing balance "
        "is {closing} (difference {difference})"
    ),
    "gap_before": N_(
        "the opening balance {opening} differs from the closing balance {previous} of the "
        "previous statement: a statement is missing, or one does not add up"
    ),
    "overlap": N_(
        "the period overlaps statements already imported; {skipped} transactions were "
        "already there and were not added again"
    ),
    "statement_known": N_("statement {period} was already imported and is skipped"),
    "other_account": N_("{count} statements of another account ({account}) were skipped"),
}


def words(fmt: Formatter, texts: dict[str, str], code: str, params: dict[str, Any]) -> str:
    """One piece of evidence (or an import note) in the reader's language and formats."""
    shown: dict[str, Any] = {}
    for key, value in params.items():
        try:
            if key in MONEY_PARAMS and value is not None:
                shown[key] = fmt.number(Decimal(str(value)))
            elif key in DATE_PARAMS and value:
                shown[key] = fmt.date(date.fromisoformat(str(value)))
            else:
                shown[key] = value
        except (InvalidOperation, ValueError):
            shown[key] = value
    template = fmt.gettext(texts.get(code, code))
    try:
        return template.format(**shown)
    except (KeyError, IndexError, ValueError):
        return template


def _texts(fmt: Formatter) -> dict[str, Any]:
    return {
        "evidence": lambda e: words(fmt, EVIDENCE_TEXTS, e.code, e.params),
        "note": lambda n: words(fmt, NOTE_TEXTS, n.code, n.params),
    }


# ---- overview: accounts and upload ----------------------------------------------------------


@router.get("")
async def overview(request: Request, who: BankingRead, db: SessionDep) -> Response:
    """Accounts with their latest statement, the upload, and how many wait for review."""
    return await _overview(request, who, db)


async def _overview(
    request: Request,
    who: Principal,
    db: AsyncSession,
    *,
    values: dict[str, Any] | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    accounts = await bank_account_service.all(db)
    latest = {}
    for account in accounts:
        items, _ = await banking_queries.statements(
            db, account_id=account.id, file_id=None, limit=1, offset=0
        )
        latest[account.id] = items[0] if items else None
    _, waiting = await repo.transactions(db, repo.TxFilter(states=("open", "review")), 1, 0)
    return render(
        request,
        "banking/overview.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        accounts=accounts,
        latest=latest,
        waiting=waiting,
        values=values or {},
        errors=errors or {},
    )


@router.post("/accounts")
async def create_account(request: Request, who: BankingWrite, db: SessionDep) -> Response:
    """Record a bank account of the company (IBAN checked)."""
    fmt = formatter(who.locale)
    raw = {k: v for k, v in (await form_data(request)).items() if k in ACCOUNT_FIELDS}
    data, errors = parse(BankAccountCreate, blank_to_none(raw, keep=("name", "iban")), fmt)
    if data is not None:
        try:
            await bank_account_service.create(db, who, data)
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, ACCOUNT_FIELDS)
        else:
            return see_other("/banking")
    return await _overview(request, who, db, values=raw, errors=errors, status_code=422)


MAPPING_FIELDS = (
    ("booking_date", N_("Booking date")),
    ("value_date", N_("Value date")),
    ("amount", N_("Amount (signed)")),
    ("debit", N_("Debit (money out)")),
    ("credit", N_("Credit (money in)")),
    ("counterparty_name", N_("Counterparty")),
    ("counterparty_iban", N_("Counterparty IBAN")),
    ("purpose", N_("Purpose")),
    ("booking_text", N_("Booking text")),
    ("balance", N_("Balance after booking")),
    ("currency", N_("Currency")),
)


@router.get("/accounts/{account_id}")
async def account_page(
    request: Request, account_id: uuid.UUID, who: BankingRead, db: SessionDep
) -> Response:
    """One account and how its CSV exports are read (a preset or the columns by name)."""
    return await _account(request, who, db, account_id)


async def _account(
    request: Request,
    who: Principal,
    db: AsyncSession,
    account_id: uuid.UUID,
    *,
    values: dict[str, Any] | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    account = await bank_account_service.get(db, account_id)
    mapping = values if values is not None else dict(account.csv_mapping or {})
    return render(
        request,
        "banking/account.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        account=account,
        presets=[(k, p.label) for k, p in PRESETS.items()],
        fields=MAPPING_FIELDS,
        values={k: str(v) for k, v in mapping.items()},
        errors=errors or {},
    )


@router.post("/accounts/{account_id}/mapping")
async def save_mapping(
    request: Request, account_id: uuid.UUID, who: BankingWrite, db: SessionDep
) -> Response:
    """Save which CSV column holds what for this account (or a bank's preset)."""
    fmt = formatter(who.locale)
    form = await form_data(request)
    names = {"preset", *(name for name, _ in MAPPING_FIELDS)}
    raw = {k: v.strip() for k, v in form.items() if k in names and v.strip()}
    raw["decimal_comma"] = "true" if form.get("decimal_comma", "on") == "on" else "false"
    if raw.get("preset"):
        raw = {"preset": raw["preset"]}
    mapping, errors = parse(CsvMapping, raw, fmt)
    if mapping is not None:
        try:
            await bank_account_service.update(
                db, who, account_id, BankAccountUpdate(csv_mapping=mapping)
            )
        except REFUSALS as exc:
            await undo(db, exc)
            errors = domain_error(exc, tuple(names))
        else:
            return see_other(f"/banking/accounts/{account_id}")
    return await _account(request, who, db, account_id, values=raw, errors=errors, status_code=422)


# ---- statements -----------------------------------------------------------------------------


@router.get("/statements")
async def statements(
    request: Request,
    who: BankingRead,
    db: SessionDep,
    account: uuid.UUID | None = None,
    file: uuid.UUID | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Statements newest first: period, balances, whether they add up and continue."""
    items, total = await banking_queries.statements(
        db, account_id=account, file_id=file, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
    )
    accounts = {a.id: a for a in await bank_account_service.all(db, archived=True)}
    base = "/banking/statements?" + (f"account={account}&" if account else "")
    base += f"file={file}&" if file else ""
    return render(
        request,
        "banking/statements.html",
        who,
        timer=await timer_context(db, who),
        statements=items,
        accounts=accounts,
        file=file,
        paging=page_numbers(page, PER_PAGE, total),
        base=base,
        **_texts(formatter(who.locale)),
    )


# ---- transactions and the review queue ------------------------------------------------------


@router.get("/transactions")
async def transactions(
    request: Request,
    who: BankingRead,
    db: SessionDep,
    state: Annotated[str, Query(max_length=20)] = "review",
    account: uuid.UUID | None = None,
    statement: uuid.UUID | None = None,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Transactions by state; `review` (the default) is the queue of what waits for a person,
    with the best proposal and its evidence on each line."""
    chosen = state if state in STATES else ""
    states: tuple[str, ...] = (
        ("open", "review") if chosen == "review" else (chosen,) if chosen else ()
    )
    f = repo.TxFilter(
        account_id=account, statement_id=statement, states=states, search=q.strip() or None
    )
    items, total = await banking_queries.transactions(db, f, PER_PAGE, (page - 1) * PER_PAGE)
    query = f"state={chosen}&" + (f"account={account}&" if account else "")
    query += (f"statement={statement}&" if statement else "") + (f"q={q}&" if q else "")
    return render(
        request,
        "banking/transactions.html",
        who,
        timer=await timer_context(db, who),
        items=items,
        state=chosen,
        states=STATES,
        q=q,
        paging=page_numbers(page, PER_PAGE, total),
        base=f"/banking/transactions?{query}",
        back=str(request.url.path) + ("?" + request.url.query if request.url.query else ""),
        **_texts(formatter(who.locale)),
    )


@router.get("/transactions/{transaction_id}")
async def transaction_detail(
    request: Request,
    transaction_id: uuid.UUID,
    who: BankingRead,
    db: SessionDep,
    q: Annotated[str, Query(max_length=100)] = "",
    back: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    """One transaction: its data, proposals with evidence, matches, and a search for
    another invoice to book it on."""
    return await _detail(request, who, db, transaction_id, q=q, back=back)


async def _detail(
    request: Request,
    who: Principal,
    db: AsyncSession,
    transaction_id: uuid.UUID,
    *,
    q: str = "",
    back: str = "",
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    tx = await banking_queries.transaction(db, transaction_id)
    candidates = []
    if q.strip() and who.can("invoices", "read"):
        candidates = await banking_queries.candidates(
            db, transaction_id, q, bills=who.can("purchases", "read")
        )
    known = False
    if tx.counterparty_iban:
        found = await repo.known_ibans(db, [tx.counterparty_iban])
        known = bool(found.get(tx.counterparty_iban))
        if tx.amount < 0 and not known:
            # A supplier's own IBAN (or a bill's) needs no remembering.
            payees = await repo.payee_ibans(db, [tx.counterparty_iban])
            known = bool(payees.get(tx.counterparty_iban))
    return render(
        request,
        "banking/detail.html",
        who,
        status_code=status_code,
        timer=await timer_context(db, who),
        tx=tx,
        q=q,
        candidates=candidates,
        iban_known=known,
        back=safe_next(back, "/banking/transactions"),
        errors=errors or {},
        **_texts(formatter(who.locale)),
    )


async def _act(
    request: Request, who: Principal, db: AsyncSession, transaction_id: uuid.UUID, action: Any
) -> Response:
    """Run one action from a form; on a refusal show the transaction with the reason."""
    form = await form_data(request)
    back = safe_next(form.get("back"), "/banking/transactions")
    here = f"/banking/transactions/{transaction_id}?back={quote(back, safe='')}"
    target = safe_next(form.get("next"), here)
    try:
        await action(form)
    except REFUSALS as exc:
        await undo(db, exc)
        return await _detail(
            request,
            who,
            db,
            transaction_id,
            back=back,
            errors=domain_error(exc, ("amount", "invoice_id", "bill_id")),
            status_code=refusal(exc).status_code if refusal(exc).status_code < 500 else 422,
        )
    return see_other(target)


class _Invalid(WorkmateError):
    status_code = 422

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, field=field)


@router.post("/transactions/{transaction_id}/confirm")
async def confirm(
    request: Request,
    transaction_id: uuid.UUID,
    who: BankingWrite,
    booker: PaymentsWrite,
    db: SessionDep,
) -> Response:
    """Book a proposal (one click) or an invoice or supplier bill found by the search."""
    fmt = formatter(who.locale)

    async def act(form: dict[str, str]) -> None:
        learn = form.get("learn_iban") == "on"
        body: dict[str, Any] = {"learn_iban": learn}
        target = "bill_id" if form.get("bill_id") else "invoice_id"
        if form.get(target):
            try:
                amount = parse_decimal(form.get("amount", ""), locale=fmt.babel_locale, strict=True)
            except NumberFormatError:
                raise _Invalid(
                    fmt.gettext("Enter an amount like %(example)s.", example="1.234,56"), "amount"
                ) from None
            body["allocations"] = [{target: form[target], "amount": str(amount)}]
        else:
            body["proposal"] = form.get("proposal", "0")
        try:
            data = ConfirmRequest.model_validate(body)
        except ValidationError as exc:
            first = next(iter(validation_errors(exc, fmt).values()))
            raise _Invalid(first, "amount") from None
        await reconcile_service.confirm(db, who, transaction_id, data)

    return await _act(request, who, db, transaction_id, act)


@router.post("/transactions/{transaction_id}/undo")
async def undo_match(
    request: Request,
    transaction_id: uuid.UUID,
    who: BankingDelete,
    remover: PaymentsDelete,
    db: SessionDep,
) -> Response:
    """Undo a match: its payments are deleted, the transaction waits for review again."""

    async def act(_form: dict[str, str]) -> None:
        await reconcile_service.undo(db, who, transaction_id)

    return await _act(request, who, db, transaction_id, act)


@router.post("/transactions/{transaction_id}/ignore")
async def ignore(
    request: Request, transaction_id: uuid.UUID, who: BankingWrite, db: SessionDep
) -> Response:
    """Mark as paying no invoice (or, with undo=1, take that back)."""

    async def act(form: dict[str, str]) -> None:
        await reconcile_service.ignore(db, who, transaction_id, form.get("undo") != "1")

    return await _act(request, who, db, transaction_id, act)
