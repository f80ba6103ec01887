"""Request and response shapes for customers and contacts."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator
from stdnum.de import stnr
from stdnum.eu import vat
from stdnum.exceptions import ValidationError

from workmate.inputs import Input, Line

CustomerType = Literal["B2B", "B2C"]

# Digits with the usual separators, optionally international: +49 (0)30 / 123-456.
PHONE = re.compile(r"^\+?[0-9][0-9 ()/.\-]{3,48}[0-9]$")


# A before-validator sees the raw JSON value: anything but a string (or an overlong one) is left
# for pydantic's own type and length checks, which answer 422 naming the field.
RAW_MAX = 100


def check_phone(value: Any) -> Any:
    """A phone number as typed (trimmed); blank is none."""
    if not isinstance(value, str) or len(value) > RAW_MAX:
        return value
    if not value.strip():
        return None
    value = value.strip()
    if not PHONE.match(value) or sum(c.isdigit() for c in value) < 5:
        raise ValueError("not a phone number (digits, spaces, + ( ) / - allowed)")
    return value


def check_tax_id(value: Any) -> Any:
    """A German Steuernummer (any Land format) or an EU VAT ID; VAT IDs stored compact."""
    if not isinstance(value, str) or len(value) > RAW_MAX:
        return value
    if not value.strip():
        return None
    value = value.strip()
    try:
        # validate() answers the compact form: one stdnum pass, not is_valid() + compact().
        return str(vat.validate(value))
    except ValidationError:
        pass
    if stnr.is_valid(value):
        return value
    raise ValueError("not a valid German Steuernummer or EU VAT ID (e.g. DE136695976)")


def blank_to_none(value: str | None) -> str | None:
    return value.strip() or None if isinstance(value, str) else value


class ContactFields(Input):
    """Phone and e-mail checks shared by contacts and customers."""

    @field_validator("phone", mode="before", check_fields=False)
    @classmethod
    def _phone(cls, v: Any) -> Any:
        return check_phone(v)

    @field_validator("email", mode="before", check_fields=False)
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        return blank_to_none(v)


class CustomerFields(ContactFields):
    """A customer is reached like a contact and has a tax id besides."""

    @field_validator("tax_id", mode="before", check_fields=False)
    @classmethod
    def _tax_id(cls, v: Any) -> Any:
        return check_tax_id(v)


class CustomerCreate(CustomerFields):
    name: str = Field(min_length=1, max_length=200)
    type: CustomerType = "B2B"
    email: EmailStr | None = None
    phone: str | None = Field(None, max_length=50)
    tax_id: str | None = Field(None, max_length=30)
    address: Line | None = None
    street: str | None = Field(None, max_length=200)
    postal_code: str | None = Field(None, max_length=20)
    city: str | None = Field(None, max_length=100)
    country: str = Field("DE", pattern=r"^[A-Z]{2}$")
    buyer_reference: str | None = Field(None, max_length=100)
    # The e-invoice XML as a file of its own beside the PDF when invoices are e-mailed.
    send_xml: bool = False


class CustomerUpdate(CustomerFields):
    name: str | None = Field(None, min_length=1, max_length=200)
    type: CustomerType | None = None
    email: EmailStr | None = None
    phone: str | None = Field(None, max_length=50)
    tax_id: str | None = Field(None, max_length=30)
    address: Line | None = None
    street: str | None = Field(None, max_length=200)
    postal_code: str | None = Field(None, max_length=20)
    city: str | None = Field(None, max_length=100)
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    buyer_reference: str | None = Field(None, max_length=100)
    send_xml: bool | None = None


class CustomerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: str
    name: str
    type: str
    email: str | None
    phone: str | None
    tax_id: str | None
    address: str | None
    street: str | None
    postal_code: str | None
    city: str | None
    country: str
    buyer_reference: str | None
    send_xml: bool
    archived_at: datetime | None
    anonymized_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ContactCreate(ContactFields):
    firstname: str = Field(min_length=1, max_length=100)
    lastname: str = Field(min_length=1, max_length=100)
    email: EmailStr | None = None
    phone: str | None = Field(None, max_length=50)
    position: str | None = Field(None, max_length=100)
    is_primary: bool = False


class ContactUpdate(ContactFields):
    firstname: str | None = Field(None, min_length=1, max_length=100)
    lastname: str | None = Field(None, min_length=1, max_length=100)
    email: EmailStr | None = None
    phone: str | None = Field(None, max_length=50)
    position: str | None = Field(None, max_length=100)
    is_primary: bool | None = None


class ContactRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    firstname: str
    lastname: str
    email: str | None
    phone: str | None
    position: str | None
    is_primary: bool
    anonymized_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ProjectSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    status: str
    start_date: date | None
    end_date: date | None


class OpenInvoice(BaseModel):
    id: uuid.UUID
    number: str | None
    status: str
    due_date: date | None
    total: Decimal
    paid: Decimal
    open_amount: Decimal


class CustomerDetail(CustomerRead):
    contacts: list[ContactRead]
    projects: list[ProjectSummary]
    open_invoices: list[OpenInvoice]
    # Gross amount still expected from this customer over its open invoices.
    open_receivables: Decimal


class ImportRowError(BaseModel):
    row: int
    field: str | None
    message: str


class ImportResult(BaseModel):
    customers: int
    contacts: int


class ContactGdprExport(BaseModel):
    """Everything Workmate stores about a contact person."""

    contact: ContactRead
    customer: CustomerRead
    audit: list[dict[str, object]]
