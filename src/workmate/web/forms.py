"""Turning form posts into service input, and service errors into messages next to fields."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from workmate.errors import WorkmateError
from workmate.web.i18n import Formatter

M = TypeVar("M", bound=BaseModel)
FieldErrors = dict[str, str]
# The whole form, not one field (an error without a field name).
FORM = "__form__"


def blank_to_none(values: dict[str, str], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """An empty input means "no value"; required fields in `keep` stay "" so the schema
    reports them as missing instead of silently taking a default."""
    return {k: (v.strip() or (v if k in keep else None)) for k, v in values.items()}


def parse(model: type[M], data: dict[str, Any], fmt: Formatter) -> tuple[M | None, FieldErrors]:
    """Validate with the API's own schema, so the browser gets the same rules as the API."""
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        return None, validation_errors(exc, fmt)


def validation_errors(exc: ValidationError, fmt: Formatter) -> FieldErrors:
    errors: FieldErrors = {}
    for err in exc.errors():
        loc = err.get("loc") or ()
        field = str(loc[0]) if loc else FORM
        if field in errors:
            continue
        kind = err.get("type", "")
        if kind == "missing" or (kind == "string_too_short" and err.get("input") in ("", None)):
            errors[field] = fmt.gettext("This field is required.")
        else:
            message = str(err.get("msg", ""))
            # pydantic prefixes errors raised by our validators; the rest is our own words.
            errors[field] = message.removeprefix("Value error, ")
    return errors


def domain_error(exc: WorkmateError, fields: tuple[str, ...]) -> FieldErrors:
    """A service refusal: next to its field when the form has that field, else on top."""
    field = exc.field if exc.field in fields else FORM
    return {field or FORM: exc.detail}
