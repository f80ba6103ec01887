"""Request and response shapes for bank accounts, statement imports and matching."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import schwifty
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from schwifty.exceptions import SchwiftyException

from workmate.banking import evidence
from workmate.banking.formats.csv_export import PRESETS
from workmate.errors import InvalidValue
from workmate.inputs import Input, Name

TransactionState = Literal["open", "review", "matched", "ignored"]
Direction = Literal["in", "out"]
StatementFormat = Literal["camt053", "mt940", "csv"]
Column = Field(None, min_length=1, max_length=100)


def check_iban(value: str) -> str:
    try:
        return str(schwifty.IBAN(value).compact)
    except SchwiftyException:
        raise ValueError("not a valid IBAN (check digits or length wrong)") from None


def check_bic(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return str(schwifty.BIC(value).compact)
    except SchwiftyException:
        raise ValueError("not a valid BIC") from None


class CsvMapping(Input):
    """Which CSV column holds what: a preset (`preset`) or the columns by their header."""

    preset: str | None = Field(None, max_length=40)
    booking_date: str | None = Column
    value_date: str | None = Column
    amount: str | None = Column
    debit: str | None = Column
    credit: str | None = Column
    currency: str | None = Column
    counterparty_name: str | None = Column
    payer: str | None = Column
    payee: str | None = Column
    counterparty_iban: str | None = Column
    counterparty_bic: str | None = Column
    purpose: str | None = Column
    booking_text: str | None = Column
    end_to_end_id: str | None = Column
    mandate_id: str | None = Column
    creditor_id: str | None = Column
    balance: str | None = Column
    status: str | None = Column
    account: str | None = Column
    decimal_comma: bool = True
    delimiter: Literal[";", ",", "\t"] | None = None

    @model_validator(mode="after")
    def _complete(self) -> CsvMapping:
        if self.preset is not None:
            if self.preset not in PRESETS:
                raise InvalidValue("unknown preset; known: {values}", values=", ".join(PRESETS))
            return self
        if not self.booking_date:
            raise ValueError("name the booking date column (booking_date) or a preset")
        if not self.amount and not (self.debit or self.credit):
            raise ValueError("name the amount column (amount, or debit and credit)")
        return self

    def stored(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class BankAccountCreate(Input):
    name: Name
    iban: str = Field(max_length=42)
    bic: str | None = Field(None, max_length=11)
    bank_name: str | None = Field(None, max_length=100)
    currency: Literal["EUR"] = "EUR"

    _iban = field_validator("iban")(check_iban)
    _bic = field_validator("bic")(check_bic)


class BankAccountUpdate(Input):
    name: Name | None = None
    bic: str | None = Field(None, max_length=11)
    bank_name: str | None = Field(None, max_length=100)
    csv_mapping: CsvMapping | None = None
    archived: bool | None = None

    _bic = field_validator("bic")(check_bic)


class BankAccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    iban: str
    bic: str | None
    bank_name: str | None
    currency: str
    csv_mapping: dict[str, Any] | None
    archived_at: datetime | None
    created_at: datetime


class NoteRead(BaseModel):
    code: str
    params: dict[str, Any]
    text: str

    @classmethod
    def of(cls, code: str, params: dict[str, Any]) -> NoteRead:
        return cls(code=code, params=params, text=note_text(code, params))


NOTES = {
    "pending_skipped": "{count} entries not yet booked (pending) were left out",
    "no_balances": "the file gives no balances; they could not be checked",
    "running_balance_breaks": "the running balance does not follow the amounts in {count} rows",
    "balance_mismatch": (
        "opening balance {opening} + entries {entries} = {computed}, but the closing balance "
        "is {closing} (difference {difference})"
    ),
    "gap_before": (
        "the opening balance {opening} differs from the closing balance {previous} of the "
        "previous statement: a statement is missing, or one does not add up"
    ),
    "overlap": "the period overlaps statements already imported; {skipped} transactions were "
    "already there and were not added again",
    "statement_known": "statement {period} was already imported and is skipped",
    "other_account": "{count} statements of another account ({account}) were skipped",
}


def note_text(code: str, params: dict[str, Any]) -> str:
    template = NOTES.get(code, code)
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


class StatementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    account_id: uuid.UUID
    file_id: uuid.UUID
    format: str
    external_id: str | None
    sequence: str | None
    period_start: date
    period_end: date
    currency: str
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    entries_sum: Decimal
    entry_count: int
    # closing - (opening + entries); 0 when it adds up, None without balances.
    balance_difference: Decimal | None
    transactions_added: int
    transactions_skipped: int
    notes: list[NoteRead]
    # The previous statement's closing balance (None for the first), and whether this
    # opening balance continues it.
    previous_closing: Decimal | None = None
    continuous: bool | None = None
    created_at: datetime

    @classmethod
    def of(cls, statement: Any, previous: Decimal | None) -> StatementRead:
        """A stored statement with the closing balance of the one before it."""
        read = cls.model_validate(statement)
        read.previous_closing = previous
        if previous is not None and statement.opening_balance is not None:
            read.continuous = previous == statement.opening_balance
        return read

    @field_validator("notes", mode="before")
    @classmethod
    def _notes(cls, value: Any) -> Any:
        return [
            NoteRead.of(n["code"], n.get("params", {})) if isinstance(n, dict) else n
            for n in value or []
        ]


class FileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    account_id: uuid.UUID
    sha256: str
    filename: str
    size_bytes: int
    format: str
    statements: int
    transactions_added: int
    transactions_skipped: int
    created_at: datetime


class MatchingSummary(BaseModel):
    booked_automatically: int = 0
    in_review: int = 0
    unmatched: int = 0


class ImportResult(BaseModel):
    file: FileRead
    # True when these exact bytes were imported into the account before: nothing was added.
    already_imported: bool
    statements: list[StatementRead]
    transactions_added: int
    transactions_skipped: int
    # The CSV preset recognised, if any.
    csv_preset: str | None = None
    problems: list[NoteRead]
    matching: MatchingSummary


class EvidenceRead(BaseModel):
    code: str
    params: dict[str, Any]
    points: int
    text: str


class AllocationRead(BaseModel):
    # The invoice, credit note or supplier bill (kind `supplier_bill`) the share books on.
    invoice_id: uuid.UUID
    # The invoice's number; for a supplier bill the supplier's invoice number.
    number: str
    kind: str
    # The customer, or the supplier of a bill.
    customer_id: uuid.UUID
    customer: str
    amount: Decimal
    open: Decimal
    # A supplier bill's own number (ER-...).
    reference: str | None = None


class ProposalRead(BaseModel):
    index: int
    score: int
    auto: bool
    credit: Decimal
    allocations: list[AllocationRead]
    evidence: list[EvidenceRead]

    @classmethod
    def of(cls, index: int, raw: dict[str, Any]) -> ProposalRead:
        return cls(
            index=index,
            score=raw["score"],
            auto=raw["auto"],
            credit=Decimal(raw.get("credit", "0")),
            allocations=[AllocationRead.model_validate(a) for a in raw["allocations"]],
            evidence=[
                EvidenceRead(**e, text=evidence.text(e["code"], e["params"]))
                for e in raw["evidence"]
            ],
        )


class MatchRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    invoice_id: uuid.UUID | None
    # The invoice's number, or the supplier bill's own number (ER-...).
    invoice_number: str | None = None
    payment_id: uuid.UUID | None
    bill_id: uuid.UUID | None = None
    supplier_payment_id: uuid.UUID | None = None
    amount: Decimal
    kind: str
    auto: bool
    created_by: uuid.UUID | None
    created_at: datetime


class TransactionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    account_id: uuid.UUID
    statement_id: uuid.UUID
    key: str
    booking_date: date
    value_date: date | None
    amount: Decimal
    currency: str
    counterparty_name: str | None
    counterparty_iban: str | None
    counterparty_bic: str | None
    purpose: str | None
    booking_text: str | None
    booking_code: str | None
    bank_reference: str | None
    end_to_end_id: str | None
    mandate_id: str | None
    creditor_id: str | None
    state: str
    matched_at: datetime | None
    proposals: list[ProposalRead]
    matches: list[MatchRead] = []
    # Matched less than the transaction brought: kept as the customer's credit.
    credit: Decimal = Decimal(0)

    @field_validator("proposals", mode="before")
    @classmethod
    def _proposals(cls, value: Any) -> Any:
        return [
            ProposalRead.of(i, p) if isinstance(p, dict) else p for i, p in enumerate(value or [])
        ]


class Allocation(Input):
    """A share on an invoice or credit note (`invoice_id`) or on a supplier bill (`bill_id`)."""

    invoice_id: uuid.UUID | None = None
    bill_id: uuid.UUID | None = None
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)

    @model_validator(mode="after")
    def _one(self) -> Allocation:
        if (self.invoice_id is None) == (self.bill_id is None):
            raise ValueError("give either invoice_id or bill_id")
        return self


class ConfirmRequest(Input):
    """Confirm a proposal by its index, or book explicit allocations (another invoice)."""

    proposal: int | None = Field(None, ge=0, le=10)
    allocations: list[Allocation] | None = Field(None, min_length=1, max_length=20)
    # Remember the payer's IBAN for the customer, so the next transfer matches on it.
    learn_iban: bool = False

    @model_validator(mode="after")
    def _one(self) -> ConfirmRequest:
        if (self.proposal is None) == (self.allocations is None):
            raise ValueError("give either proposal or allocations")
        return self


class MatchingRun(Input):
    account_id: uuid.UUID | None = None


class CustomerIbanCreate(Input):
    customer_id: uuid.UUID
    iban: str = Field(max_length=42)

    _iban = field_validator("iban")(check_iban)


class CustomerIbanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    iban: str
    source: str
    created_by: uuid.UUID | None
    created_at: datetime


class CandidateRead(BaseModel):
    """An invoice, credit note or supplier bill (kind `supplier_bill`: `number` is the
    supplier's, `reference` ours) one might book a transaction on (the review search)."""

    invoice_id: uuid.UUID
    number: str
    kind: str
    customer_id: uuid.UUID
    customer: str
    total: Decimal
    open: Decimal
    issued_date: date
    due_date: date | None
    status: str
    reference: str | None = None
