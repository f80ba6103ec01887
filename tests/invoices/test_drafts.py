"""Invoice drafts through the API: lines, totals, edits, deletion, permissions."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.invoicing import draft_body, line, make_company_settings, money
from tests.factories.records import make_customer, make_project
from workmate.models import AuditLog, Invoice

URL = "/api/v1/invoices"


async def test_create_draft_computes_totals(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    customer = await make_customer(db)
    body = draft_body(
        customer.id,
        line("0.05", vat="19"),
        line("0.05", vat="19"),
        line("0.05", vat="19"),
        line("33.33", qty="3", vat="7", discount="10"),
    )
    r = await as_manager.post(URL, json=body)
    assert r.status_code == 201, r.text
    inv = r.json()
    assert inv["status"] == "draft"
    assert inv["number"] is None
    # 3 x 33.33 - 10 % = 89.991 -> 89.99; VAT 7 % = 6.2993 -> 6.30; 0.15 at 19 % -> 0.03
    assert [money(ln["net_amount"]) for ln in inv["lines"]][-1] == money("89.99")
    assert money(inv["net_total"]) == money("90.14")
    assert money(inv["tax_total"]) == money("6.33")
    assert money(inv["total"]) == money("96.47")
    assert {money(r["rate"]): money(r["tax"]) for r in inv["per_rate"]} == {
        money(19): money("0.03"),
        money(7): money("6.30"),
    }
    assert await db.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.entity_id == inv["id"])
    )


async def test_edit_lines_recomputes(as_manager: httpx.AsyncClient, db: AsyncSession) -> None:
    customer = await make_customer(db)
    inv = (await as_manager.post(URL, json=draft_body(customer.id, line("100.00")))).json()
    r = await as_manager.post(f"{URL}/{inv['id']}/lines", json=line("50.00", vat="7"))
    assert r.status_code == 201
    assert money(r.json()["total"]) == money("172.50")
    line_id = r.json()["lines"][0]["id"]
    r = await as_manager.patch(f"{URL}/{inv['id']}/lines/{line_id}", json={"quantity": "2"})
    assert money(r.json()["total"]) == money("291.50")
    r = await as_manager.delete(f"{URL}/{inv['id']}/lines/{line_id}")
    assert money(r.json()["total"]) == money("53.50")
    r = await as_manager.patch(f"{URL}/{inv['id']}", json={"lines": [line("10.00")]})
    assert money(r.json()["total"]) == money("11.90")
    assert len(r.json()["lines"]) == 1


async def test_reverse_charge_and_small_business_carry_no_vat_and_a_note(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    customer = await make_customer(db)
    for treatment, note in (("reverse_charge", "13b"), ("small_business", "§ 19")):
        body = draft_body(customer.id, line("100.00", vat="19"), vat_treatment=treatment)
        inv = (await as_manager.post(URL, json=body)).json()
        assert money(inv["tax_total"]) == 0
        assert money(inv["total"]) == money("100.00")
        assert money(inv["lines"][0]["vat_rate"]) == 0
        assert note in inv["legal_note"]


async def test_small_business_company_defaults_drafts_to_small_business(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db, vat_mode="small_business")
    customer = await make_customer(db)
    inv = (await as_manager.post(URL, json=draft_body(customer.id))).json()
    assert inv["vat_treatment"] == "small_business"
    assert money(inv["total"]) == money("100.00")


async def test_invalid_lines_name_the_field(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    cid = (await make_customer(db)).id
    for bad, field in (
        (line(vat="16"), "vat_rate"),
        (line(qty="0"), "quantity"),
        (line(discount="101"), "discount_percent"),
        (line(price="-1"), "unit_price"),
    ):
        r = await as_manager.post(URL, json=draft_body(cid, bad))
        assert r.status_code == 422, r.text
        assert field in r.text
    r = await as_manager.post(URL, json=draft_body("00000000-0000-0000-0000-000000000000"))
    assert r.status_code == 422
    assert r.json()["field"] == "customer_id"


async def test_drafts_can_be_deleted(as_admin: httpx.AsyncClient, db: AsyncSession) -> None:
    customer = await make_customer(db)
    inv = (await as_admin.post(URL, json=draft_body(customer.id))).json()
    assert (await as_admin.delete(f"{URL}/{inv['id']}")).status_code == 204
    assert (await as_admin.get(f"{URL}/{inv['id']}")).status_code == 404
    assert await db.get(Invoice, inv["id"]) is None


async def test_list_filters_and_counts_alike(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    a, b = await make_customer(db), await make_customer(db)
    for c in (a, a, b):
        await as_manager.post(URL, json=draft_body(c.id))
    page = (await as_manager.get(URL, params={"customer_id": str(a.id), "limit": 1})).json()
    assert page["total"] == 2
    assert len(page["items"]) == 1
    assert page["items"][0]["customer_id"] == str(a.id)


async def test_employee_cannot_see_invoices(as_employee: httpx.AsyncClient) -> None:
    assert (await as_employee.get(URL)).status_code == 403


async def test_manager_cannot_delete(as_manager: httpx.AsyncClient, db: AsyncSession) -> None:
    customer = await make_customer(db)
    inv = (await as_manager.post(URL, json=draft_body(customer.id))).json()
    assert (await as_manager.delete(f"{URL}/{inv['id']}")).status_code == 403


async def test_project_must_belong_to_the_customer(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    customer = await make_customer(db)
    other_project = await make_project(db)
    body = draft_body(customer.id, project_id=str(other_project.id))
    r = await as_manager.post(URL, json=body)
    assert r.status_code == 422
    assert r.json()["field"] == "project_id"


line_strategy = st.fixed_dictionaries(
    {
        "quantity": st.decimals(min_value=Decimal("0.001"), max_value=Decimal(999), places=3),
        "unit_price": st.decimals(min_value=Decimal(0), max_value=Decimal(99999), places=2),
        "discount_percent": st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2),
        "vat_rate": st.sampled_from([0, 7, 19]),
    }
)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(lines=st.lists(line_strategy, min_size=1, max_size=8))
async def test_stored_totals_equal_the_sum_of_rounded_lines(
    as_manager: httpx.AsyncClient, db: AsyncSession, lines: list[dict[str, Any]]
) -> None:
    customer = await make_customer(db)
    body = draft_body(
        customer.id,
        *[
            line(
                str(x["unit_price"]),
                str(x["quantity"]),
                str(x["vat_rate"]),
                str(x["discount_percent"]),
            )
            for x in lines
        ],
    )
    r = await as_manager.post(URL, json=body)
    assert r.status_code == 201, r.text
    inv = r.json()
    nets = [money(ln["net_amount"]) for ln in inv["lines"]]
    assert all(n == n.quantize(Decimal("0.01")) for n in nets)
    assert money(inv["net_total"]) == sum(nets, Decimal(0))
    tax = Decimal(0)
    for rate in {money(ln["vat_rate"]) for ln in inv["lines"]}:
        rate_net = sum(
            (money(ln["net_amount"]) for ln in inv["lines"] if money(ln["vat_rate"]) == rate),
            Decimal(0),
        )
        tax += (rate_net * rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert money(inv["tax_total"]) == tax
    assert money(inv["total"]) == money(inv["net_total"]) + tax
    stored = await db.get(Invoice, inv["id"])
    assert stored is not None
    assert stored.total == money(inv["total"])
