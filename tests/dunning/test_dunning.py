"""Dunning: the run proposes letters due, writes them with § 288 BGB fees and interest,
e-mails them through the outbox, honours stop flags, keeps them on the invoice's timeline."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.einvoice import L, make_buyer, make_issued_invoice, make_seller
from workmate import clock
from workmate.dunning.interest import default_interest
from workmate.models import DunningLetter, OutboxMessage

API = "/api/v1"
RATES = [(date(2024, 7, 1), Decimal("3.37")), (date(2025, 1, 1), Decimal("2.27"))]


def test_interest_follows_the_base_rate_day_by_day() -> None:
    # 10 days at 3.37 + 9 and 10 days at 2.27 + 9 on 10,000 EUR, act/365.
    owed, days, rate = default_interest(
        Decimal(10000), date(2024, 12, 22), date(2025, 1, 10), RATES, Decimal(9)
    )
    expected = Decimal(10000) * (Decimal("12.37") * 10 + Decimal("11.27") * 10) / 100 / 365
    assert owed == expected.quantize(Decimal("0.01"))
    assert (days, rate) == (20, Decimal("11.27"))


async def _overdue(db: AsyncSession, days: int = 46, **buyer: Any) -> Any:
    await make_seller(db)
    customer = await make_buyer(db, email="buchhaltung@kunde.example", **buyer)
    issued = clock.today() - timedelta(days=days + 14)
    return await make_issued_invoice(
        db, [L("Beratung", Decimal(10), Decimal(100))], customer, issued_date=issued
    )


async def _proposals(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get(f"{API}/dunning/proposals")
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


async def _run(client: httpx.AsyncClient, invoice_id: Any, channel: str = "email") -> Any:
    response = await client.post(
        f"{API}/dunning/run", json={"invoice_ids": [str(invoice_id)], "channel": channel}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _age_letters(db: AsyncSession, invoice_id: Any, days: int) -> None:
    await db.execute(
        update(DunningLetter)
        .where(DunningLetter.invoice_id == invoice_id)
        .values(letter_date=clock.today() - timedelta(days=days))
    )
    await db.commit()


class TestRun:
    async def test_reminder_then_mahnung_with_flat_fee_once_and_interest(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        invoice = await _overdue(db)
        [proposal] = await _proposals(as_admin)
        assert (proposal["level"], proposal["level_name"]) == (1, "Zahlungserinnerung")
        assert (proposal["flat_fee"], proposal["interest"]) == ("0.00", "0.00")
        [reminder] = await _run(as_admin, invoice.id)
        assert reminder["message_id"] is not None
        message = await db.get(OutboxMessage, reminder["message_id"])
        assert message is not None
        assert message.subject == f"Zahlungserinnerung zu Rechnung {invoice.number}"
        # The next letter waits a week.
        assert await _proposals(as_admin) == []
        await _age_letters(db, invoice.id, 8)
        [second] = await _proposals(as_admin)
        assert (second["level"], second["flat_fee"]) == (2, "40.00")
        # Business: base rate (1.27 % since 2025-07-01) plus 9 points, from the day after due.
        assert second["interest_rate"] == "10.27"
        assert second["interest_days"] == 46
        expected = (Decimal(1190) * Decimal("10.27") / 100 * 46 / 365).quantize(Decimal("0.01"))
        assert Decimal(second["interest"]) == expected
        assert Decimal(second["total"]) == Decimal(1190) + 40 + expected
        await _run(as_admin, invoice.id, "print")
        await _age_letters(db, invoice.id, 8)
        [third] = await _proposals(as_admin)
        assert (third["level"], third["flat_fee"]) == (3, "0.00")  # the 40 EUR once only
        [letter] = await _run(as_admin, invoice.id, "print")
        pdf = await as_admin.get(f"{API}/dunning/letters/{letter['id']}/pdf")
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF-")
        assert await _proposals(as_admin) == []
        timeline = await db.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE entity = 'invoice' AND entity_id = :id "
                "AND action = 'dunning_letter'"
            ),
            {"id": str(invoice.id)},
        )
        assert timeline.scalar() == 3

    async def test_consumer_gets_five_points_and_no_flat_fee(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        invoice = await _overdue(db, type="B2C")
        await _run(as_admin, invoice.id, "print")
        await _age_letters(db, invoice.id, 8)
        [second] = await _proposals(as_admin)
        assert (second["flat_fee"], second["interest_rate"]) == ("0.00", "6.27")
        assert second["level_fee"] == "5.00"

    async def test_the_flat_fee_twice_is_refused_by_the_database(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        invoice = await _overdue(db)
        for level in (2, 3):
            db.add(
                DunningLetter(
                    invoice_id=invoice.id,
                    level=level,
                    letter_date=clock.today(),
                    open_amount=Decimal(1190),
                    flat_fee=Decimal(40),
                    interest_rate=Decimal("10.27"),
                    interest_days=1,
                    interest=Decimal(0),
                    channel="print",
                )
            )
        with pytest.raises(IntegrityError, match="uq_dunning_letters_one_flat_fee"):
            await db.flush()

    async def test_stop_flags_per_customer_and_invoice(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        invoice = await _overdue(db)
        stop = await as_admin.put(f"{API}/dunning/stops/invoices/{invoice.id}", json={})
        assert stop.status_code == 204
        assert await _proposals(as_admin) == []
        await as_admin.delete(f"{API}/dunning/stops/invoices/{invoice.id}")
        await as_admin.put(
            f"{API}/dunning/stops/customers/{invoice.customer_id}", json={"note": "Streitfall"}
        )
        assert await _proposals(as_admin) == []
        refused = await as_admin.post(f"{API}/dunning/run", json={"invoice_ids": [str(invoice.id)]})
        assert refused.status_code == 409

    async def test_not_yet_due_is_not_proposed(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        await _overdue(db, days=3)
        assert await _proposals(as_admin) == []

    async def test_base_rate_is_a_setting_from_a_date(
        self, db: AsyncSession, as_admin: httpx.AsyncClient
    ) -> None:
        response = await as_admin.put(
            f"{API}/dunning/base-rates", json={"valid_from": "2026-01-01", "rate": "1.27"}
        )
        assert response.status_code == 200, response.text
        rates = (await as_admin.get(f"{API}/dunning/base-rates")).json()
        assert rates[-1] == {"valid_from": "2026-01-01", "rate": "1.27"}
        letters = (await db.scalars(select(DunningLetter))).all()
        assert letters == []
