"""Matching over the API: what is booked by itself, what waits for a person, confirming,
learning the payer's IBAN, undoing, ignoring, refunds of credit notes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.banking import (
    PAYER_IBAN,
    camt,
    entry,
    make_account,
    make_open_invoice,
    upload,
)
from tests.factories.records import make_customer
from workmate.models import AuditLog, BankMatch, CustomerIban, Invoice, Payment


async def only_tx(client: httpx.AsyncClient, account: Any) -> dict[str, Any]:
    listed = (
        await client.get("/api/v1/bank-transactions", params={"account_id": str(account)})
    ).json()
    assert listed["total"] == 1, listed
    return listed["items"][0]


async def status_of(db: AsyncSession, invoice_id: Any) -> str:
    return str(await db.scalar(select(Invoice.status).where(Invoice.id == invoice_id)))


async def paid(db: AsyncSession, invoice_id: Any) -> Decimal:
    total = await db.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.invoice_id == invoice_id)
    )
    return Decimal(total)


class TestAutomatic:
    async def test_number_and_amount_book_the_payment(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await make_customer(db, name="Müller Bau GmbH")
        invoice = await make_open_invoice(db, customer, "1190.00", "RE-2026-00042")
        invoice_id = invoice.id
        account = (await make_account(db)).id
        r = await upload(
            as_admin,
            account,
            camt(
                [entry("1190.00", "Rechnung RE-2026-00042", counterparty_name="MUELLER BAU GMBH")]
            ),
        )
        assert r.status_code == 201, r.text
        assert r.json()["matching"] == {"booked_automatically": 1, "in_review": 0, "unmatched": 0}
        assert await status_of(db, invoice_id) == "paid"
        tx = await only_tx(as_admin, account)
        assert tx["state"] == "matched"
        assert tx["matches"][0]["auto"] is True
        assert tx["matches"][0]["invoice_number"] == "RE-2026-00042"
        words = [e["text"] for e in tx["proposals"][0]["evidence"]]
        assert "invoice number RE-2026-00042 is in the purpose" in words
        assert "the amount equals the open amount of 1190.00 EUR" in words
        payment = await db.scalar(select(Payment).where(Payment.invoice_id == invoice_id))
        assert payment is not None
        assert payment.idempotency_key is not None
        assert payment.idempotency_key.startswith("bank:")

    async def test_one_transfer_for_two_invoices(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await make_customer(db, name="Schmidt AG")
        a = (await make_open_invoice(db, customer, "100.00", "RE-2026-00101")).id
        b = (await make_open_invoice(db, customer, "250.00", "RE-2026-00102")).id
        account = (await make_account(db)).id
        r = await upload(
            as_admin,
            account,
            camt(
                [entry("350.00", "RE-2026-00101 und RE-2026-00102", counterparty_name="Schmidt AG")]
            ),
        )
        assert r.json()["matching"]["booked_automatically"] == 1
        assert await status_of(db, a) == "paid"
        assert await status_of(db, b) == "paid"

    async def test_partial_and_over_payments_wait_for_review(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await make_customer(db, name="Weber KG")
        partial = (await make_open_invoice(db, customer, "500.00", "RE-2026-00201")).id
        over = (await make_open_invoice(db, customer, "80.00", "RE-2026-00202")).id
        account = (await make_account(db)).id
        r = await upload(
            as_admin,
            account,
            camt([entry("200.00", "Anzahlung RE-2026-00201"), entry("100.00", "RE-2026-00202")]),
        )
        assert r.json()["matching"] == {"booked_automatically": 0, "in_review": 2, "unmatched": 0}
        assert await paid(db, partial) == 0
        assert await paid(db, over) == 0

    async def test_unrelated_money_is_left_alone(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        await make_open_invoice(db, total="119.00")
        account = (await make_account(db)).id
        r = await upload(
            as_admin, account, camt([entry("37.12", "Zinsen"), entry("-500.00", "Miete")])
        )
        assert r.json()["matching"] == {"booked_automatically": 0, "in_review": 0, "unmatched": 2}


class TestConfirm:
    async def test_confirm_a_proposal_and_learn_the_iban(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await make_customer(db, name="Weber KG")
        customer_id = customer.id
        invoice = (await make_open_invoice(db, customer, "500.00", "RE-2026-00301")).id
        account = (await make_account(db)).id
        await upload(
            as_admin,
            account,
            camt(
                [
                    entry(
                        "300.00",
                        "Teilzahlung RE-2026-00301",
                        counterparty_name="Weber KG",
                        counterparty_iban=PAYER_IBAN,
                    )
                ]
            ),
        )
        tx = await only_tx(as_admin, account)
        assert tx["state"] == "review"
        proposal = tx["proposals"][0]
        assert proposal["allocations"][0]["number"] == "RE-2026-00301"
        assert any(e["code"] == "amount_partial" for e in proposal["evidence"])
        r = await as_admin.post(
            f"/api/v1/bank-transactions/{tx['id']}/confirm",
            json={"proposal": 0, "learn_iban": True},
        )
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "matched"
        assert await paid(db, invoice) == Decimal("300.00")
        assert await status_of(db, invoice) != "paid"
        learned = await db.scalar(
            select(CustomerIban).where(CustomerIban.customer_id == customer_id)
        )
        assert learned is not None
        assert (learned.iban, learned.source) == (PAYER_IBAN, "learned")
        again = await as_admin.post(
            f"/api/v1/bank-transactions/{tx['id']}/confirm", json={"proposal": 0}
        )
        assert again.status_code == 409
        assert again.json()["error"] == "TransactionMatched"

    async def test_the_learned_iban_matches_the_next_transfer(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await make_customer(db, name="Fischer GmbH")
        await as_admin.post(
            "/api/v1/customer-ibans", json={"customer_id": str(customer.id), "iban": PAYER_IBAN}
        )
        invoice = (await make_open_invoice(db, customer, "714.00", "RE-2026-00401")).id
        account = (await make_account(db)).id
        r = await upload(
            as_admin,
            account,
            camt(
                [
                    entry(
                        "714.00",
                        "Rechnung Maerz",
                        counterparty_name="F. GmbH",
                        counterparty_iban=PAYER_IBAN,
                    )
                ]
            ),
        )
        assert r.json()["matching"]["booked_automatically"] == 1
        assert await status_of(db, invoice) == "paid"

    async def test_search_and_book_another_invoice(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await make_customer(db, name="Becker Design")
        invoice = await make_open_invoice(db, customer, "1190.00", "RE-2026-00501")
        invoice_id = invoice.id
        account = (await make_account(db)).id
        await upload(
            as_admin, account, camt([entry("1190.00", "Danke", counterparty_name="Unbekannt")])
        )
        tx = await only_tx(as_admin, account)
        found = (
            await as_admin.get(
                f"/api/v1/bank-transactions/{tx['id']}/candidates", params={"q": "Becker"}
            )
        ).json()
        assert [c["number"] for c in found] == ["RE-2026-00501"]
        by_amount = (
            await as_admin.get(
                f"/api/v1/bank-transactions/{tx['id']}/candidates", params={"q": "1.190,00"}
            )
        ).json()
        assert "RE-2026-00501" in [c["number"] for c in by_amount]
        r = await as_admin.post(
            f"/api/v1/bank-transactions/{tx['id']}/confirm",
            json={"allocations": [{"invoice_id": str(invoice_id), "amount": "1190.00"}]},
        )
        assert r.status_code == 200, r.text
        assert await status_of(db, invoice_id) == "paid"

    async def test_more_than_the_transaction_is_refused(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        invoice = (await make_open_invoice(db, total="500.00")).id
        account = (await make_account(db)).id
        await upload(as_admin, account, camt([entry("100.00", "x")]))
        tx = await only_tx(as_admin, account)
        r = await as_admin.post(
            f"/api/v1/bank-transactions/{tx['id']}/confirm",
            json={"allocations": [{"invoice_id": str(invoice), "amount": "200.00"}]},
        )
        assert r.status_code == 422
        assert r.json()["field"] == "allocations"
        assert await paid(db, invoice) == 0

    async def test_overpayment_books_the_open_amount_and_keeps_the_rest_as_credit(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        invoice = (await make_open_invoice(db, total="80.00", number="RE-2026-00601")).id
        account = (await make_account(db)).id
        await upload(as_admin, account, camt([entry("100.00", "RE-2026-00601")]))
        tx = await only_tx(as_admin, account)
        assert tx["proposals"][0]["credit"] == "20.00"
        r = await as_admin.post(
            f"/api/v1/bank-transactions/{tx['id']}/confirm", json={"proposal": 0}
        )
        assert r.status_code == 200, r.text
        assert r.json()["credit"] == "20.00"
        assert await status_of(db, invoice) == "paid"


class TestUndo:
    async def test_undo_deletes_the_payment_and_returns_to_review(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        invoice = (await make_open_invoice(db, total="119.00", number="RE-2026-00701")).id
        account = (await make_account(db)).id
        await upload(as_admin, account, camt([entry("119.00", "RE-2026-00701")]))
        tx = await only_tx(as_admin, account)
        assert tx["state"] == "matched"
        r = await as_admin.post(f"/api/v1/bank-transactions/{tx['id']}/undo")
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "review"
        assert r.json()["matches"] == []
        assert r.json()["proposals"][0]["allocations"][0]["number"] == "RE-2026-00701"
        assert await paid(db, invoice) == 0
        assert await status_of(db, invoice) != "paid"
        actions = set(
            await db.scalars(
                select(AuditLog.action).where(AuditLog.entity.in_(("bank_transaction", "payment")))
            )
        )
        assert {"match_auto", "unmatch", "delete"} <= actions
        twice = await as_admin.post(f"/api/v1/bank-transactions/{tx['id']}/undo")
        assert twice.status_code == 409

    async def test_deleting_the_payment_elsewhere_returns_the_transaction_to_review(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        invoice = (await make_open_invoice(db, total="119.00", number="RE-2026-00801")).id
        account = (await make_account(db)).id
        await upload(as_admin, account, camt([entry("119.00", "RE-2026-00801")]))
        payment = await db.scalar(select(Payment.id).where(Payment.invoice_id == invoice))
        r = await as_admin.delete(f"/api/v1/payments/{payment}")
        assert r.status_code == 204
        tx = await only_tx(as_admin, account)
        assert tx["state"] == "review"
        assert await db.scalar(select(func.count()).select_from(BankMatch)) == 0

    async def test_a_manager_may_confirm_but_not_undo(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        await make_open_invoice(db, total="119.00", number="RE-2026-00901")
        account = (await make_account(db)).id
        r = await upload(as_manager, account, camt([entry("119.00", "RE-2026-00901")]))
        assert r.json()["matching"]["booked_automatically"] == 1
        tx = await only_tx(as_manager, account)
        assert (
            await as_manager.post(f"/api/v1/bank-transactions/{tx['id']}/undo")
        ).status_code == 403


class TestIgnoreAndRefunds:
    async def test_ignore_and_take_back(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        await make_open_invoice(db, total="119.00")
        account = (await make_account(db)).id
        await upload(as_admin, account, camt([entry("119.00", "Spende")]))
        tx = await only_tx(as_admin, account)
        r = await as_admin.post(f"/api/v1/bank-transactions/{tx['id']}/ignore")
        assert r.json()["state"] == "ignored"
        queue = await as_admin.get(
            "/api/v1/bank-transactions", params={"state": ["open", "review"]}
        )
        assert queue.json()["total"] == 0
        back = await as_admin.post(f"/api/v1/bank-transactions/{tx['id']}/unignore")
        assert back.json()["state"] == "review"

    async def test_money_paid_out_for_a_credit_note(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await make_customer(db, name="Klein OHG")
        original = await make_open_invoice(db, customer, "238.00", "RE-2026-01001")
        note = (
            await make_open_invoice(
                db, customer, "238.00", "GS-2026-00001", kind="credit_note", cancels=original
            )
        ).id
        account = (await make_account(db)).id
        r = await upload(
            as_admin,
            account,
            camt([entry("-238.00", "Erstattung GS-2026-00001", counterparty_name="Klein OHG")]),
        )
        assert r.json()["matching"]["booked_automatically"] == 1
        tx = await only_tx(as_admin, account)
        assert tx["matches"][0]["kind"] == "refund"
        assert tx["matches"][0]["invoice_id"] == str(note)
        assert tx["matches"][0]["payment_id"] is None
