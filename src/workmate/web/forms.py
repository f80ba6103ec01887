"""Turning form posts into service input, and every refusal into a message next to its field,
in the reader's language.

Three kinds of refusal reach a form: pydantic's (translated by error type, with the limits
formatted for the locale), the services' WorkmateError (its English template looked up in
the catalog, its params formatted: 1.261,80 and 31.03.2026 in German) and the database's
(constraint or trigger, turned into a WorkmateError by workmate.constraints). A page keeps
the exception itself in its `errors`; render() translates when the page is drawn, so no
route needs to know the language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError

from workmate.errors import InvalidValue, WorkmateError, from_database
from workmate.web.catalogs import N_
from workmate.web.i18n import Formatter

M = TypeVar("M", bound=BaseModel)
FieldErrors = dict[str, Any]  # field -> str (already in the reader's language) | WorkmateError
# The whole form, not one field (an error without a field name).
FORM = "__form__"
# What a form handler catches: a service's refusal or the database's.
REFUSALS = (WorkmateError, DBAPIError)

# pydantic error types in the reader's words; {name} are filled from the error's context.
PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "string_too_short": N_("Please enter at least {min_length} characters."),
    "string_too_long": N_("Please enter at most {max_length} characters."),
    "string_pattern_mismatch": N_("This value has the wrong format."),
    "string_type": N_("Please enter text."),
    "int_parsing": N_("Please enter a whole number."),
    "int_type": N_("Please enter a whole number."),
    "int_from_float": N_("Please enter a whole number."),
    "float_parsing": N_("Please enter a number."),
    "float_type": N_("Please enter a number."),
    "decimal_parsing": N_("Please enter a number."),
    "decimal_type": N_("Please enter a number."),
    "decimal_max_digits": N_("The number is too large."),
    "decimal_whole_digits": N_("The number is too large."),
    "decimal_max_places": N_("Please enter at most {decimal_places} decimal places."),
    "finite_number": N_("Please enter a number."),
    "greater_than": N_("Please enter a value greater than {gt}."),
    "greater_than_equal": N_("Please enter a value of at least {ge}."),
    "less_than": N_("Please enter a value less than {lt}."),
    "less_than_equal": N_("Please enter a value of at most {le}."),
    "date_parsing": N_("Please enter a valid date."),
    "date_from_datetime_parsing": N_("Please enter a valid date."),
    "date_type": N_("Please enter a valid date."),
    "datetime_parsing": N_("Please enter a valid date and time."),
    "datetime_from_date_parsing": N_("Please enter a valid date and time."),
    "datetime_type": N_("Please enter a valid date and time."),
    "time_parsing": N_("Please enter a valid time (hh:mm)."),
    "time_type": N_("Please enter a valid time (hh:mm)."),
    "uuid_parsing": N_("Please choose an entry from the list."),
    "uuid_type": N_("Please choose an entry from the list."),
    "literal_error": N_("Please choose one of the offered values."),
    "enum": N_("Please choose one of the offered values."),
    "bool_parsing": N_("Please choose yes or no."),
    "bool_type": N_("Please choose yes or no."),
    "too_long": N_("Too many entries (at most {max_length})."),
    "too_short": N_("Please give at least {min_length} entries."),
    "extra_forbidden": N_("This field is not part of the form."),
    "url_parsing": N_("Please enter a valid web address."),
    "json_invalid": N_("The input could not be read."),
}
INVALID_VALUE = N_("This value is not valid.")
INVALID_EMAIL = N_("Please enter a valid email address.")
# Fields whose pattern has a hint a user understands (instead of the regular expression).
PATTERN_HINTS: dict[str, str] = {
    "country": N_("Please enter a two-letter country code, e.g. DE."),
    "currency": N_("Please enter a three-letter currency code, e.g. EUR."),
    "color": N_("Please enter a colour like #1f5f8b."),
}


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


# A month named in a message ("2026-03", the API's form) reads "März 2026" on a page.
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def value_text(value: Any, fmt: Formatter) -> str:
    """A value inside a message, as the locale writes it."""
    if isinstance(value, list | tuple):
        return "; ".join(value_text(v, fmt) for v in value)
    if isinstance(value, bool):
        return fmt.gettext("yes") if value else fmt.gettext("no")
    if isinstance(value, Decimal | float):
        # Amounts keep their cents (5.000,00), finer values their places (up to 4).
        places = -int(Decimal(str(value)).as_tuple().exponent)
        return fmt.number(value, digits=min(max(places, 2), 4))
    if isinstance(value, int):
        return fmt.number(value, digits=0)
    if isinstance(value, dt.datetime):
        return fmt.datetime(value)
    if isinstance(value, dt.date):
        return fmt.date(value)
    if isinstance(value, dt.timedelta):
        return fmt.duration(value)
    if isinstance(value, str) and MONTH.fullmatch(value):
        return fmt.month(value)
    if isinstance(value, str):
        return fmt.gettext(value) if value else value
    return str(value)


def fill(template: str, params: Mapping[str, Any], fmt: Formatter) -> str:
    """The translated template with its {placeholders} filled for the locale."""
    text = fmt.gettext(template)
    if not params:
        return text
    try:
        return text.format(**{k: value_text(v, fmt) for k, v in params.items()})
    except (KeyError, IndexError, ValueError):
        return template.format(**params)


def translate(exc: WorkmateError, fmt: Formatter) -> str:
    """A service refusal in the reader's language."""
    return fill(exc.template, exc.params, fmt)


def _pydantic_message(err: Mapping[str, Any], field: str, fmt: Formatter) -> str:
    kind = str(err.get("type", ""))
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and err.get("input") in ("", None)):
        return fmt.gettext(PYDANTIC_MESSAGES["missing"])
    if kind == "string_pattern_mismatch" and field in PATTERN_HINTS:
        return fmt.gettext(PATTERN_HINTS[field])
    if kind == "value_error":
        message = str(err.get("msg", "")).removeprefix("Value error, ")
        if message.startswith("value is not a valid email address"):
            return fmt.gettext(INVALID_EMAIL)
        cause = ctx.get("error")
        if isinstance(cause, WorkmateError | InvalidValue):
            return fill(cause.template, cause.params, fmt)
        # Our validators' own words (ValueError("not a valid IBAN")): catalog entries.
        return fmt.gettext(message)
    template = PYDANTIC_MESSAGES.get(kind)
    if template is None:
        return fmt.gettext(INVALID_VALUE)
    limits = {k: v for k, v in ctx.items() if isinstance(v, int | float | Decimal | str)}
    return fill(template, limits, fmt)


def validation_errors(exc: ValidationError, fmt: Formatter) -> FieldErrors:
    errors: FieldErrors = {}
    for err in exc.errors():
        loc = err.get("loc") or ()
        field = str(loc[0]) if loc else FORM
        if field not in errors:
            errors[field] = _pydantic_message(err, field, fmt)
    return errors


def refusal(exc: BaseException) -> WorkmateError:
    """The WorkmateError of a service or database refusal; anything else is raised again."""
    if isinstance(exc, WorkmateError):
        return exc
    if isinstance(exc, DBAPIError):
        err = from_database(exc)
        if err is not None:
            return err
    raise exc


def domain_error(exc: BaseException, fields: tuple[str, ...]) -> FieldErrors:
    """A service or database refusal: next to its field when the form has that field, else
    on top. The exception itself is kept; render() translates it for the reader."""
    err = refusal(exc)
    field = err.field if err.field in fields else FORM
    return {field or FORM: err}


def localize(value: Any, fmt: Formatter) -> Any:
    """Errors kept as exceptions (see domain_error) in the reader's language."""
    if isinstance(value, WorkmateError):
        return translate(value, fmt)
    if isinstance(value, dict):
        return {k: localize(v, fmt) for k, v in value.items()}
    return value
