"""The dashboard page: widgets in the reader's language, revenue over a whole year."""

from __future__ import annotations

import datetime as dt
import re

import httpx

from workmate.dashboards.service import add_months
from workmate.web.i18n import formatter


def widget(html: str, widget_id: str) -> str:
    pattern = rf'<section class="card widget" data-widget="{widget_id}".*?</section>'
    found = re.search(pattern, html, re.S)
    assert found, widget_id
    return found[0]


async def test_revenue_shows_twelve_months(web_admin: httpx.AsyncClient) -> None:
    html = (await web_admin.get("/")).text
    revenue = widget(html, "revenue-month")
    first = add_months(dt.date.today().replace(day=1), -11)
    de = formatter("de")
    months = [de.month(add_months(first, i)) for i in range(12)]
    for name in months:
        assert name in revenue, name
    assert revenue.count("<tr><td>") == 12


async def test_expense_categories_are_translated(web_admin: httpx.AsyncClient) -> None:
    today = dt.date.today().isoformat()
    for category, amount in (("material", "10"), ("personnel", "20"), ("service", "5")):
        response = await web_admin.post(
            "/expenses", data={"category": category, "amount": amount, "expense_date": today}
        )
        assert response.status_code == 303, response.text
    expenses = widget((await web_admin.get("/")).text, "expenses-category")
    for german in ("Material", "Personal", "Dienstleistung"):
        assert f"<span>{german}</span>" in expenses
    assert "personnel" not in expenses
    assert "35,00\xa0€" in expenses


async def test_widgets_are_never_cut_off(web_admin: httpx.AsyncClient) -> None:
    """Rows are a minimum height (content makes them taller); nothing scrolls inside."""
    css = (await web_admin.get("/static/app.css")).text
    board = re.search(r"\.board \{[^}]*\}", css)
    assert board
    assert "minmax(" in board[0]
    assert "auto)" in board[0]
    widget_rule = re.search(r"\.board \.widget \{[^}]*\}", css)
    assert widget_rule
    assert "overflow: auto" not in widget_rule[0]
