"""Every draft the API accepts is issuable (issue 13, item 5): amounts that do not fit are
refused with a 422 naming the field; a description of the documented maximum lays out."""

from __future__ import annotations

import io

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.invoicing import draft_body, line, make_company_settings, money
from tests.factories.records import make_customer

URL = "/api/v1/invoices"
HUGE = {"qty": "999999999.999", "price": "9999999999.99"}


async def test_an_overflowing_line_amount_is_a_422_naming_the_field(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    customer_id = (await make_customer(db)).id
    r = await as_manager.post(URL, json=draft_body(customer_id, line(), line(**HUGE)))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "lines.1.unit_price"
    inv = (await as_manager.post(URL, json=draft_body(customer_id))).json()
    r = await as_manager.post(f"{URL}/{inv['id']}/lines", json=line(**HUGE))
    assert r.status_code == 422
    assert r.json()["field"] == "unit_price"
    line_id = inv["lines"][0]["id"]
    r = await as_manager.patch(f"{URL}/{inv['id']}/lines/{line_id}", json={"quantity": "999999999"})
    assert r.status_code == 422
    assert r.json()["field"] == "quantity"
    r = await as_manager.patch(f"{URL}/{inv['id']}", json={"lines": [line(**HUGE)]})
    assert r.status_code == 422
    assert r.json()["field"] == "lines.0.unit_price"
    unchanged = (await as_manager.get(f"{URL}/{inv['id']}")).json()
    assert money(unchanged["total"]) == money("119.00")


async def test_a_total_too_large_to_store_is_a_422_on_the_lines(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    customer_id = (await make_customer(db)).id
    big = line(qty="1", price="9000000000.00")
    r = await as_manager.post(URL, json=draft_body(customer_id, big))
    assert r.status_code == 422, r.text  # 9e9 net + 19 % VAT does not fit
    assert r.json()["field"] == "lines"
    r = await as_manager.post(
        URL, json=draft_body(customer_id, *[line("6000000000.00", vat="0")] * 2)
    )
    assert r.status_code == 422
    assert r.json()["field"] == "lines"


@pytest.mark.parametrize(
    "description",
    [
        ("Beratung und Umsetzung " * 100)[:2000],
        "x" * 2000,
        "Zeile\n" * 333 + "xx",
    ],
    ids=["words", "one-word", "many-lines"],
)
async def test_a_draft_with_the_longest_description_issues(
    as_manager: httpx.AsyncClient, db: AsyncSession, description: str
) -> None:
    assert len(description) == 2000
    await make_company_settings(db)
    customer_id = (await make_customer(db)).id
    body = draft_body(customer_id, line(description=description), line(description=description))
    inv = (await as_manager.post(URL, json=body)).json()
    r = await as_manager.post(f"{URL}/{inv['id']}/issue")
    assert r.status_code == 200, r.text
    pdf = PdfReader(io.BytesIO((await as_manager.get(f"{URL}/{inv['id']}/pdf")).content))
    assert len(pdf.pages) >= 2
    texts = [page.extract_text() for page in pdf.pages]
    # The table heading repeats once at the top of each page, never in the middle of one,
    # and no part of the description is lost where it breaks across pages.
    assert [t.count("Einzelpreis") for t in texts] == [1] * len(pdf.pages)
    if "Zeile" in description:
        assert sum(t.count("Zeile") for t in texts) == 2 * 333
    too_long = line(description="x" * 2001)
    refused = await as_manager.post(URL, json=draft_body(customer_id, too_long))
    assert refused.status_code == 422


async def test_any_numeric_overflow_from_the_database_is_a_422(db: AsyncSession) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from workmate.errors import Invalid, from_database

    with pytest.raises(DBAPIError) as caught:
        async with db.begin_nested():
            await db.execute(text("SELECT CAST(1e12 AS numeric(12, 2))"))
    assert isinstance(from_database(caught.value), Invalid)
