"""The customer list's keyset cursor: the same rows as offset paging, in the same order, with
a constant number of queries; and the one-statement detail and search paths."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.customers.test_endpoints import count_queries
from tests.factories.crm import new_contact, new_customer

pytestmark = pytest.mark.asyncio


async def walk(client: httpx.AsyncClient, query: str, limit: int) -> list[str]:
    ids: list[str] = []
    cursor: str | None = None
    for _ in range(100):
        params = f"{query}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        r = await client.get(f"/api/v1/customers?{params}")
        assert r.status_code == 200, r.text
        ids += [c["id"] for c in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("the cursor never ended")


class TestKeyset:
    @pytest.mark.parametrize("sort", ["name", "-name", "number", "-created_at"])
    async def test_cursor_pages_equal_offset_pages(
        self, as_admin: httpx.AsyncClient, db: AsyncSession, sort: str
    ) -> None:
        # Equal names make the id tie-break matter.
        for name in ["Gleich GmbH", "Gleich GmbH", "Gleich GmbH", "Anders AG", "Zeta KG"]:
            await new_customer(db, name=name)
        await db.flush()
        everything = await as_admin.get(f"/api/v1/customers?sort={sort}&limit=200")
        expected = [c["id"] for c in everything.json()["items"]]
        assert len(expected) >= 5
        assert await walk(as_admin, f"sort={sort}", 2) == expected

    async def test_first_page_total_and_cursor(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        for n in range(3):
            await new_customer(db, name=f"Seite {n} GmbH")
        r = (await as_admin.get("/api/v1/customers?limit=2")).json()
        assert r["total"] >= 3
        assert r["next_cursor"]
        following = await as_admin.get(f"/api/v1/customers?limit=2&cursor={r['next_cursor']}")
        assert following.json()["total"] == r["total"]

    async def test_queries_do_not_grow_with_the_page_size(
        self, as_admin: httpx.AsyncClient, db: AsyncSession, engine: AsyncEngine
    ) -> None:
        for n in range(6):
            await new_customer(db, name=f"Menge {n} GmbH")
        counts = []
        for limit in (1, 5):
            first = (await as_admin.get(f"/api/v1/customers?limit={limit}")).json()
            with count_queries(engine) as seen:
                r = await as_admin.get(
                    f"/api/v1/customers?limit={limit}&cursor={first['next_cursor']}"
                )
            assert r.status_code == 200
            counts.append(len(seen))
        assert counts[0] == counts[1]

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("cursor=bm9wZQ", "cursor"),
            ("cursor=!!!", "cursor"),
            ("sort=city&cursor=WyJjaXR5IiwiQSIsIjEiXQ", "cursor"),
            ("sort=number&cursor=WyJuYW1lIiwiQSIsIjEiXQ", "cursor"),
            (
                "offset=5&cursor=WyJuYW1lIiwiQSIsIjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMCJd",
                "offset",
            ),
        ],
    )
    async def test_a_bad_cursor_is_422(
        self, as_admin: httpx.AsyncClient, query: str, field: str
    ) -> None:
        r = await as_admin.get(f"/api/v1/customers?{query}")
        assert r.status_code == 422, r.text
        assert r.json()["field"] == field

    async def test_sorts_without_a_keyset_page_by_offset_only(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        for n in range(3):
            await new_customer(db, name=f"Stadt {n} GmbH", city=f"Ort {n}")
        r = (await as_admin.get("/api/v1/customers?sort=city&limit=1")).json()
        assert r["next_cursor"] is None
        assert r["total"] >= 3


class TestSearchTotal:
    async def test_total_counts_every_match_on_any_page(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        for n in range(3):
            await new_customer(db, name=f"Quasselstrippe {n} GmbH")
        person = await new_customer(db, name="Ohne Treffer AG")
        await new_contact(db, person, lastname="Quasselstrippe")
        first = (await as_admin.get("/api/v1/customers?q=Quasselstrippe&limit=2")).json()
        assert first["total"] == 4
        assert len(first["items"]) == 2
        past = (await as_admin.get("/api/v1/customers?q=Quasselstrippe&limit=2&offset=10")).json()
        assert past["items"] == []
        assert past["total"] == 4
        none = (await as_admin.get("/api/v1/customers?q=Xylophonbauer&limit=2")).json()
        assert (none["items"], none["total"]) == ([], 0)
