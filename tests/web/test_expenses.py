"""Expenses through the expense service."""

from __future__ import annotations

import httpx


async def test_record_and_list(web_admin: httpx.AsyncClient) -> None:
    response = await web_admin.post(
        "/expenses",
        data={"category": "material", "amount": "1.234,56", "expense_date": "2026-03-02"},
    )
    assert response.status_code == 303, response.text
    page = (await web_admin.get("/expenses?category=material")).text
    assert "1.234,56\xa0€" in page
    assert "02.03.2026" in page


async def test_expense_errors_inline(web_admin: httpx.AsyncClient) -> None:
    response = await web_admin.post("/expenses", data={"category": "urlaub", "amount": "-5"})
    assert response.status_code == 422
    assert 'id="e-category"' in response.text
    assert 'id="e-amount"' in response.text


async def test_employee_has_no_expenses(web_employee: httpx.AsyncClient) -> None:
    assert (await web_employee.get("/expenses")).status_code == 403
    assert 'href="/expenses"' not in (await web_employee.get("/")).text
