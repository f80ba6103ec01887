"""Outgoing debits matched to supplier bills over the API, on a real statement file: the exact
ones booked as supplier payments by themselves, a partial one waiting for review, confirming,
undoing (the supplier payment is deleted), money that pays no bill, rights, and the rules the
database keeps whoever writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.banking import OTHER_IBAN, PAYER_IBAN, camt, entry, make_account, upload
from tests.factories.identity import make_employee, make_role, token_client
from tests.factories.purchases import bill_body, make_supplier
from workmate.models import AuditLog, BankMatch, SupplierPayment

SUPPLIER_IBAN = OTHER_IBAN


async def make_bill(
    client: httpx.AsyncClient,
    supplier: dict[str, Any] | None = None,
    number: str = "RE-2026-0815",
    net: str = "100.00",
) -> dict[str, Any]:
    """An open supplier bill of `net` plus 19 % VAT (100.00 net: 119.00 due)."""
    supplier = supplier or await make_supplier(client, iban=SUPPLIER_IBAN)
    tax = (Decimal(net) * Decimal("0.19")).quantize(Decimal("0.01"))
    body = bill_body(
        supplier["id"],
        invoice_number=number,
        taxes=[{"category": "S", "rate": "19", "net": net, "tax": str(tax)}],
    )
    r = await client.post("/api/v1/supplier-bills", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def bill_of(client: httpx.AsyncClient, bill: dict[str, Any]) -> dict[str, Any]:
    return dict((await client.get(f"/api/v1/supplier-bills/{bill['id']}")).json())


async def only_tx(client: httpx.AsyncClient, account: Any) -> dict[str, Any]:
    listed = (
        await client.get("/api/v1/bank-transactions", params={"account_id": str(account)})
    ).json()
    assert listed["total"] == 1, listed
    return dict(listed["items"][0])


def words(tx: dict[str, Any], index: int = 0) -> list[str]:
    return [e["text"] for e in tx["proposals"][index]["evidence"]]


class TestAutomatic:
    async def test_number_and_amount_book_the_supplier_payment(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        bill = await make_bill(as_admin)
        account = (await make_account(db)).id
        r = await upload(
            as_admin,
            account,
            camt(
                [
                    entry(
                        "-119.00",
                        "Rechnung RE-2026-0815 Kd-Nr 4711",
                        counterparty_name="PAPIER MUELLER GMBH",
                        counterparty_iban=SUPPLIER_IBAN,
                    )
                ]
            ),
        )
        assert r.status_code == 201, r.text
        assert r.json()["matching"] == {"booked_automatically": 1, "in_review": 0, "unmatched": 0}
        after = await bill_of(as_admin, bill)
        assert after["status"] == "paid"
        assert Decimal(after["open_amount"]) == 0
        tx = await only_tx(as_admin, account)
        assert tx["state"] == "matched"
        [match] = tx["matches"]
        assert match["kind"] == "bill"
        assert match["bill_id"] == bill["id"]
        assert match["invoice_id"] is None
        assert match["invoice_number"] == bill["number"]
        assert match["auto"] is True
        assert "the supplier's invoice number RE-2026-0815 is in the purpose" in words(tx)
        assert "the amount equals the open amount of 119.00 EUR" in words(tx)
        assert (
            f"the payee's IBAN {SUPPLIER_IBAN} is known for supplier Papier Müller GmbH"
            in words(tx)
        )
        [allocation] = tx["proposals"][0]["allocations"]
        assert allocation["kind"] == "supplier_bill"
        assert allocation["reference"] == bill["number"]
        payment = await db.scalar(
            select(SupplierPayment).where(SupplierPayment.id == match["supplier_payment_id"])
        )
        assert payment is not None
        assert payment.amount == Decimal("119.00")
        assert payment.idempotency_key == f"bank:{account}:{tx['key']}:{bill['id']}"

    async def test_known_iban_and_the_only_open_bill_with_this_amount(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        supplier = await make_supplier(as_admin, iban=SUPPLIER_IBAN)
        bill = await make_bill(as_admin, supplier, "RE-2026-0815", "100.00")
        other = await make_bill(as_admin, supplier, "RE-2026-0816", "50.00")
        account = (await make_account(db)).id
        r = await upload(
            as_admin,
            account,
            camt(
                [
                    entry(
                        "-119.00",
                        "Lieferung Maerz",
                        counterparty_name="Mueller Holding",
                        counterparty_iban=SUPPLIER_IBAN,
                    )
                ]
            ),
        )
        assert r.json()["matching"]["booked_automatically"] == 1
        assert (await bill_of(as_admin, bill))["status"] == "paid"
        assert (await bill_of(as_admin, other))["status"] == "open"
        tx = await only_tx(as_admin, account)
        assert "the only open bill of this supplier with this amount" in words(tx)

    async def test_the_bills_payment_reference_identifies_it(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        supplier = await make_supplier(as_admin, iban=SUPPLIER_IBAN)
        body = bill_body(supplier["id"], payment_reference="RF18 5390 0754 7034")
        bill = (await as_admin.post("/api/v1/supplier-bills", json=body)).json()
        account = (await make_account(db)).id
        r = await upload(
            as_admin, account, camt([entry("-172.50", "RF18539007547034", counterparty_iban=None)])
        )
        assert r.json()["matching"]["booked_automatically"] == 1
        assert (await bill_of(as_admin, bill))["status"] == "paid"
        tx = await only_tx(as_admin, account)
        assert "the bill's payment reference “RF18 5390 0754 7034” is in the purpose" in words(tx)

    async def test_two_open_bills_of_the_amount_wait_for_review(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        supplier = await make_supplier(as_admin, iban=SUPPLIER_IBAN)
        await make_bill(as_admin, supplier, "RE-2026-0815", "100.00")
        await make_bill(as_admin, supplier, "RE-2026-0816", "100.00")
        account = (await make_account(db)).id
        r = await upload(
            as_admin,
            account,
            camt([entry("-119.00", "Lieferung", counterparty_iban=SUPPLIER_IBAN)]),
        )
        assert r.json()["matching"] == {"booked_automatically": 0, "in_review": 1, "unmatched": 0}
        tx = await only_tx(as_admin, account)
        assert len(tx["proposals"]) == 2
        assert await db.scalar(select(func.count()).select_from(SupplierPayment)) == 0

    async def test_money_paid_for_nothing_known_and_money_received_are_left_alone(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        bill = await make_bill(as_admin)
        account = (await make_account(db)).id
        r = await upload(
            as_admin,
            account,
            camt(
                [
                    entry("-119.01", "Miete April", counterparty_iban=PAYER_IBAN),
                    # Money in never pays a supplier bill, even naming its number.
                    entry("119.00", "Gutschrift RE-2026-0815", counterparty_iban=SUPPLIER_IBAN),
                ]
            ),
        )
        assert r.json()["matching"] == {"booked_automatically": 0, "in_review": 0, "unmatched": 2}
        assert (await bill_of(as_admin, bill))["status"] == "open"


class TestReview:
    async def _partial(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        bill = await make_bill(as_admin)
        account = (await make_account(db)).id
        r = await upload(
            as_admin,
            account,
            camt(
                [
                    entry(
                        "-50.00",
                        "Abschlag RE-2026-0815",
                        counterparty_name="Papier Müller GmbH",
                        counterparty_iban=SUPPLIER_IBAN,
                    )
                ]
            ),
        )
        assert r.json()["matching"] == {"booked_automatically": 0, "in_review": 1, "unmatched": 0}
        return bill, await only_tx(as_admin, account)

    async def test_a_partial_payment_is_confirmed_and_undone(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        bill, tx = await self._partial(as_admin, db)
        assert tx["state"] == "review"
        assert "the amount pays 50.00 EUR of the open 119.00 EUR (partial payment)" in words(tx)
        r = await as_admin.post(
            f"/api/v1/bank-transactions/{tx['id']}/confirm", json={"proposal": 0}
        )
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "matched"
        after = await bill_of(as_admin, bill)
        assert after["status"] == "partly_paid"
        assert Decimal(after["open_amount"]) == Decimal("69.00")
        again = await as_admin.post(
            f"/api/v1/bank-transactions/{tx['id']}/confirm", json={"proposal": 0}
        )
        assert again.status_code == 409
        assert again.json()["error"] == "TransactionMatched"

        undone = await as_admin.post(f"/api/v1/bank-transactions/{tx['id']}/undo")
        assert undone.status_code == 200, undone.text
        assert undone.json()["state"] == "review"
        assert undone.json()["matches"] == []
        assert (await bill_of(as_admin, bill))["status"] == "open"
        assert await db.scalar(select(func.count()).select_from(SupplierPayment)) == 0
        assert await db.scalar(select(func.count()).select_from(BankMatch)) == 0
        deleted = await db.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.entity == "supplier_payment", AuditLog.action == "delete")
        )
        assert deleted == 1
        # Undone, it waits again and can be booked once more.
        rebooked = await as_admin.post(
            f"/api/v1/bank-transactions/{tx['id']}/confirm", json={"proposal": 0}
        )
        assert rebooked.status_code == 200, rebooked.text

    async def test_book_on_a_bill_by_allocation(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        bill, tx = await self._partial(as_admin, db)
        url = f"/api/v1/bank-transactions/{tx['id']}/confirm"
        too_much = await as_admin.post(
            url, json={"allocations": [{"bill_id": bill["id"], "amount": "60.00"}]}
        )
        assert too_much.status_code == 422, too_much.text
        both = await as_admin.post(
            url,
            json={
                "allocations": [
                    {"bill_id": bill["id"], "invoice_id": bill["id"], "amount": "50.00"}
                ]
            },
        )
        assert both.status_code == 422, both.text
        wrong = await as_admin.post(
            url, json={"allocations": [{"invoice_id": bill["id"], "amount": "50.00"}]}
        )
        assert wrong.status_code == 404, wrong.text
        r = await as_admin.post(
            url, json={"allocations": [{"bill_id": bill["id"], "amount": "50.00"}]}
        )
        assert r.status_code == 200, r.text
        assert r.json()["matches"][0]["bill_id"] == bill["id"]

    async def test_a_bill_in_another_currency_is_not_paid_from_a_euro_account(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        supplier = await make_supplier(as_admin, iban=SUPPLIER_IBAN)
        r = await as_admin.post(
            "/api/v1/supplier-bills", json=bill_body(supplier["id"], currency="USD")
        )
        assert r.status_code == 201, r.text
        account = (await make_account(db)).id
        await upload(as_admin, account, camt([entry("-172.50", "RE-2026-0815")]))
        tx = await only_tx(as_admin, account)
        assert tx["proposals"] == []  # only bills in euros are proposed
        refused = await as_admin.post(
            f"/api/v1/bank-transactions/{tx['id']}/confirm",
            json={"allocations": [{"bill_id": r.json()["id"], "amount": "172.50"}]},
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"] == "the supplier bill is in USD, the transaction in EUR"

    async def test_money_received_cannot_pay_a_bill(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        bill = await make_bill(as_admin)
        account = (await make_account(db)).id
        await upload(as_admin, account, camt([entry("30.00", "Erstattung")]))
        tx = await only_tx(as_admin, account)
        r = await as_admin.post(
            f"/api/v1/bank-transactions/{tx['id']}/confirm",
            json={"allocations": [{"bill_id": bill["id"], "amount": "30.00"}]},
        )
        assert r.status_code == 422, r.text
        assert r.json()["field"] == "bill_id"


class TestSearchAndRights:
    async def test_search_finds_open_bills_for_money_out(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        bill = await make_bill(as_admin)
        account = (await make_account(db)).id
        await upload(as_admin, account, camt([entry("-20.00", "Sammelueberweisung")]))
        tx = await only_tx(as_admin, account)
        url = f"/api/v1/bank-transactions/{tx['id']}/candidates"
        for q in ("0815", "Papier", bill["number"], "119,00"):
            found = (await as_admin.get(url, params={"q": q})).json()
            assert [(c["invoice_id"], c["kind"]) for c in found] == [
                (bill["id"], "supplier_bill")
            ], q
            assert found[0]["reference"] == bill["number"]

    async def test_without_purchases_rights_nothing_is_paid_to_suppliers(
        self, app: Any, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        bill = await make_bill(as_admin)
        role = await make_role(db, banking=["read", "write"], payments=["read", "write"])
        clerk = await make_employee(db, role_id=role.id)
        account = (await make_account(db)).id
        async with await token_client(app, db, clerk) as client:
            r = await upload(
                client,
                account,
                camt([entry("-119.00", "RE-2026-0815", counterparty_iban=SUPPLIER_IBAN)]),
            )
            assert r.json()["matching"] == {
                "booked_automatically": 0,
                "in_review": 1,
                "unmatched": 0,
            }
            tx = await only_tx(client, account)
            assert tx["proposals"][0]["auto"] is False
            refused = await client.post(
                f"/api/v1/bank-transactions/{tx['id']}/confirm", json={"proposal": 0}
            )
            assert refused.status_code == 403, refused.text
            found = await client.get(
                f"/api/v1/bank-transactions/{tx['id']}/candidates", params={"q": "0815"}
            )
            assert found.status_code == 403  # no invoices.read either
        assert (await bill_of(as_admin, bill))["status"] == "open"


class TestDatabaseRules:
    async def test_a_bill_share_is_money_out_and_exactly_its_supplier_payment(
        self, as_admin: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        bill = await make_bill(as_admin)
        pay = await as_admin.post(
            f"/api/v1/supplier-bills/{bill['id']}/payments",
            json={"amount": "10.00", "payment_date": "2026-03-10"},
        )
        assert pay.status_code == 201, pay.text
        payment = pay.json()["id"]
        account = (await make_account(db)).id
        await upload(as_admin, account, camt([entry("-10.00", "x"), entry("10.00", "y")]))
        listed = (await as_admin.get("/api/v1/bank-transactions")).json()["items"]
        out = next(t["id"] for t in listed if Decimal(t["amount"]) < 0)
        into = next(t["id"] for t in listed if Decimal(t["amount"]) > 0)

        async def refused(values: dict[str, Any], words: str) -> None:
            columns = ", ".join(values)
            params = ", ".join(f":{k}" for k in values)
            with pytest.raises(DBAPIError, match=words):
                async with db.begin_nested():
                    await db.execute(
                        text(f"INSERT INTO bank_matches ({columns}) VALUES ({params})"),
                        values,
                    )

        share = {"transaction_id": out, "bill_id": bill["id"], "amount": "10.00", "kind": "bill"}
        await refused(share, "exactly its payment")
        await refused({**share, "kind": "refund"}, "ck_bank_matches_target")
        await refused({**share, "supplier_payment_id": payment, "amount": "5.00"}, "exactly")
        await refused(
            {**share, "transaction_id": into, "supplier_payment_id": payment},
            "only money paid out",
        )
        await db.execute(
            text(
                "INSERT INTO bank_matches (transaction_id, bill_id, supplier_payment_id, amount, "
                "kind) VALUES (:t, :b, :p, 10.00, 'bill')"
            ),
            {"t": out, "b": bill["id"], "p": payment},
        )
        state = "SELECT state FROM bank_transactions WHERE id = :t"
        assert await db.scalar(text(state), {"t": out}) == "matched"
        # The supplier payment deleted by any path takes the match with it.
        await db.execute(text("DELETE FROM supplier_payments WHERE id = :p"), {"p": payment})
        assert await db.scalar(text(state), {"t": out}) == "review"
