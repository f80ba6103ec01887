"""One paging shape for every list: stable order, a total, limit/offset or a keyset cursor."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

T = TypeVar("T")

MAX_LIMIT = 200
# Far beyond any list Workmate keeps, and inside PostgreSQL's bigint: a larger offset is a 422,
# not a driver overflow (500).
MAX_OFFSET = 1_000_000_000


class Page(BaseModel, Generic[T]):
    items: list[T]
    # Counted with the same filters as the items (one query builder for both).
    total: int
    limit: int
    offset: int
    # Opaque keyset cursor for the next page where the list supports it.
    next_cursor: str | None = None


class PageParams(BaseModel):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


# async: FastAPI runs a plain-def dependency in a worker thread, a thread hop per request.
async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


Paging = Annotated[PageParams, Depends(page_params)]
