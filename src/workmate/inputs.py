"""The one base of every request body, and the text types with their documented limits.

Every Create/Update/... schema derives from `Input`: unknown keys are refused (a misspelt
"emial" is a 422 naming it, not silently dropped), and no string anywhere in the body may
hold a NUL byte or a lone surrogate (PostgreSQL cannot store either; without this check the
driver fails and the request ends in a 500).

Every free-text field has a maximum length: use the aliases below (or `Field(max_length=...)`);
a test walks all `Input` subclasses and fails on a string field without one.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

# Documented maxima (characters). Names and titles fit one line of a PDF or a list column;
# notes and descriptions are paragraphs, not documents.
NAME_MAX = 200
LINE_MAX = 1_000
NOTE_MAX = 10_000
# Keys, codes and identifiers (locales, permission names, layout keys).
CODE_MAX = 100

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX)]
Line = Annotated[str, StringConstraints(max_length=LINE_MAX)]
Note = Annotated[str, StringConstraints(max_length=NOTE_MAX)]
Code = Annotated[str, StringConstraints(max_length=CODE_MAX)]


def bad_text(value: str) -> str | None:
    """Why a string cannot be stored (NUL byte, lone surrogate), or None if it can."""
    if "\x00" in value:
        return "must not contain NUL bytes"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text (lone surrogate)"
    return None


def _check_strings(value: Any) -> None:
    if isinstance(value, str):
        reason = bad_text(value)
        if reason:
            raise ValueError(reason)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)


class Input(BaseModel):
    """Base of every request body: unknown fields refused, only storable text."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        _check_strings(value)
        return value
