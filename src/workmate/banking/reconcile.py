"""Matching bank transactions to invoices and supplier bills, and booking the matches.

Every booking goes through the payment service (invoice row locked, never more than the open
amount, Idempotency-Key derived from the transaction's key), or for a supplier bill through
the bill service's payment path (the same rules on the bill), so a transaction can never pay
twice: the transaction row is locked first, a second confirmation finds it matched (409), and
the database refuses matches beyond the transaction's amount (triggers, migrations 0015, 0027).
Undo deletes the payments through the same services; the transaction returns to the queue.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service
from workmate.auth.principal import Principal
from workmate.banking import repository as repo
from workmate.banking.matching import Index, Matcher, Proposal, Tx, tx_text
from workmate.banking.schemas import ConfirmRequest, MatchingSummary
from workmate.banking.service import bank_account_service
from workmate.errors import Conflict, Forbidden, Invalid, NotFound, WorkmateError, from_database
from workmate.models import BankTransaction
from workmate.payments.schemas import PaymentCreate
from workmate.payments.service import payment_service
from workmate.purchases import schemas as purchases
from workmate.purchases.bills import bill_service

NOTE_MAX = 2000
MATCH_KIND = {"invoice": "payment", "credit_note": "refund", "supplier_bill": "bill"}
ID_KEY = {"invoice": "invoice_id", "credit_note": "invoice_id", "supplier_bill": "bill_id"}


class TransactionMatched(Conflict):
    """The transaction is booked already (by someone else, or automatically)."""

    def __init__(self) -> None:
        super().__init__(
            "the bank transaction is already matched; undo the match first", field="transaction"
        )


class TransactionIgnored(Conflict):
    def __init__(self) -> None:
        super().__init__("the bank transaction is marked as ignored", field="transaction")


@dataclass(frozen=True, slots=True)
class Share:
    invoice_id: uuid.UUID  # the invoice, credit note or supplier bill
    amount: Decimal
    # invoice (money in: a payment), credit_note (money out: a refund) or supplier_bill
    # (money out: a supplier payment)
    kind: str


class TxLike(Protocol):
    """A transaction as booking reads it (an ORM row or a plain TxRow)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def account_id(self) -> uuid.UUID: ...
    @property
    def key(self) -> str: ...
    @property
    def booking_date(self) -> date: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def counterparty_name(self) -> str | None: ...
    @property
    def purpose(self) -> str | None: ...


def idempotency_key(tx: TxLike, invoice_id: uuid.UUID) -> str:
    """The payment's Idempotency-Key: the transaction's key (unique per account) and the
    invoice or bill, so a retry or a second confirmation can never book a second payment."""
    return f"bank:{tx.account_id}:{tx.key}:{invoice_id}"


def _note(tx: TxLike) -> str:
    parts = [tx.counterparty_name, tx.purpose]
    return ("Bank: " + " · ".join(p for p in parts if p))[:NOTE_MAX]


def _as_tx(tx: repo.TxRow) -> Tx:
    return Tx(
        tx.id,
        tx.booking_date,
        tx.amount,
        tx.counterparty_name,
        tx.counterparty_iban,
        tx_text(tx.purpose, tx.end_to_end_id),
    )


def _pays_bills(proposal: Proposal) -> bool:
    return any(item.kind == "supplier_bill" for item, _ in proposal.allocations)


def _refused(exc: Exception) -> bool:
    """A refusal by our rules (domain error or a constraint/trigger), not a failure."""
    if isinstance(exc, WorkmateError):
        return True
    return isinstance(exc, DBAPIError) and from_database(exc) is not None


class ReconcileService:
    async def run(
        self,
        db: AsyncSession,
        who: Principal | None,
        *,
        account_id: uuid.UUID | None = None,
        ids: list[uuid.UUID] | None = None,
        book: bool = True,
    ) -> MatchingSummary:
        """Propose matches for every transaction not yet matched or ignored (of the account,
        or the ones given) and book the exact ones automatically; the rest wait for review.
        Candidates come from one load of the open invoices (no query per transaction); the
        automatic bookings go to the payment service together."""
        txs = await repo.unsettled(db, account_id, ids)
        summary = MatchingSummary()
        if not txs:
            return summary
        items = await repo.open_items(db)
        debits = [t.counterparty_iban or "" for t in txs if t.amount < 0]
        if debits:
            items += await repo.open_bills(db)
        ibans = await repo.known_ibans(db, (t.counterparty_iban or "" for t in txs))
        matcher = Matcher(Index(items, ibans, await repo.payee_ibans(db, debits)))
        results: list[tuple[repo.TxRow, list[Proposal]]] = []
        automatic: list[tuple[repo.TxRow, Proposal]] = []
        for tx in txs:
            proposals = matcher.propose(_as_tx(tx))
            results.append((tx, proposals))
            if book and who is not None and proposals and proposals[0].auto:
                if _pays_bills(proposals[0]) and not who.can("purchases", "write"):
                    proposals[0].auto = False  # a person with the right confirms it
                    continue
                automatic.append((tx, proposals[0]))
                # Later transactions see what this one pays.
                for item, amount in proposals[0].allocations:
                    item.open -= amount
        booked = await self._book_automatic(db, who, automatic) if who else set()
        updates: list[dict[str, Any]] = []
        for tx, proposals in results:
            if proposals and proposals[0].auto and tx.id not in booked:
                proposals[0].auto = False
            state = "matched" if tx.id in booked else "review" if proposals else "open"
            summary.booked_automatically += state == "matched"
            summary.in_review += state == "review"
            summary.unmatched += state == "open"
            if state == "open" and not tx.had_proposals:
                continue  # nothing to say, nothing changed: no write for most of a year
            updates.append(
                {"b_id": tx.id, "b_state": state, "b_proposals": [p.as_json() for p in proposals]}
            )
        await repo.save_proposals(db, updates)
        return summary

    async def _book_automatic(
        self, db: AsyncSession, who: Principal, automatic: list[tuple[repo.TxRow, Proposal]]
    ) -> set[uuid.UUID]:
        """Book all exact proposals together; if any is refused (an invoice paid meanwhile by
        someone else), book them one by one and leave the refused ones for review."""
        if not automatic:
            return set()
        waiting = await repo.lock_unsettled(db, [tx.id for tx, _ in automatic])
        batch: list[tuple[TxLike, list[Share]]] = [
            (tx, [Share(item.id, amount, item.kind) for item, amount in p.allocations])
            for tx, p in automatic
            if tx.id in waiting
        ]
        if not batch:
            return set()
        try:
            async with db.begin_nested():
                await self._book(db, who, batch, auto=True)
            return {tx.id for tx, _ in batch}
        except Exception as exc:
            if not _refused(exc):
                raise
        booked = set()
        for tx, shares in batch:
            try:
                async with db.begin_nested():
                    await self._book(db, who, [(tx, shares)], auto=True)
            except Exception as exc:
                if not _refused(exc):
                    raise
                continue
            booked.add(tx.id)
        return booked

    async def _book(
        self,
        db: AsyncSession,
        who: Principal,
        batch: list[tuple[TxLike, list[Share]]],
        *,
        auto: bool,
    ) -> None:
        """Payments through the payment service (supplier payments through the bill
        service), then the matches linking them (the database keeps the matches within each
        transaction's amount)."""
        requests = []
        bill_payments: dict[str, uuid.UUID] = {}
        for tx, shares in batch:
            for share in shares:
                if share.kind == "supplier_bill":
                    key = idempotency_key(tx, share.invoice_id)
                    paid = await bill_service.pay(
                        db,
                        who,
                        share.invoice_id,
                        purchases.PaymentCreate(
                            amount=share.amount,
                            payment_date=min(tx.booking_date, clock.today()),
                            method="bank_transfer",
                            note=_note(tx),
                        ),
                        idempotency_key=key,
                    )
                    bill_payments[key] = paid.id
                elif share.kind == "invoice":
                    data = PaymentCreate(
                        amount=share.amount,
                        payment_date=min(tx.booking_date, clock.today()),
                        method="bank_transfer",
                        note=_note(tx),
                    )
                    requests.append((share.invoice_id, data, idempotency_key(tx, share.invoice_id)))
        payments = await payment_service.create_many(db, who, requests)
        by_key = {p.idempotency_key: p.id for p in payments}
        matches: list[dict[str, Any]] = []
        audit: list[tuple[object, dict[str, Any] | None]] = []
        for tx, shares in batch:
            for share in shares:
                key = idempotency_key(tx, share.invoice_id)
                bill = share.kind == "supplier_bill"
                matches.append(
                    {
                        "id": uuid.uuid4(),
                        "transaction_id": tx.id,
                        "invoice_id": None if bill else share.invoice_id,
                        "bill_id": share.invoice_id if bill else None,
                        "payment_id": by_key.get(key) if share.kind == "invoice" else None,
                        "supplier_payment_id": bill_payments.get(key),
                        "amount": share.amount,
                        "kind": MATCH_KIND[share.kind],
                        "auto": auto,
                        "created_by": None if auto else who.employee_id,
                    }
                )
            shared = [{ID_KEY[s.kind]: str(s.invoice_id), "amount": str(s.amount)} for s in shares]
            audit.append((tx.id, {"matches": [None, shared]}))
        await repo.add_matches(db, matches)
        action = "match_auto" if auto else "match"
        await audit_service.record_many(db, who, action, "bank_transaction", audit)

    async def confirm(
        self, db: AsyncSession, who: Principal, transaction_id: uuid.UUID, data: ConfirmRequest
    ) -> BankTransaction:
        """Book a proposal (by index) or other invoices; 409 when the transaction is matched
        already: of two people confirming at once, one books and the other is told."""
        tx = await repo.transaction(db, transaction_id, lock=True)
        if tx is None:
            raise NotFound("bank transaction", field="transaction_id")
        if tx.state == "matched":
            raise TransactionMatched()
        if tx.state == "ignored":
            raise TransactionIgnored()
        wanted = self._wanted(tx, data)
        total = sum((amount for _, amount, _ in wanted), Decimal(0))
        if total > abs(tx.amount):
            raise Invalid(
                "the shares ({total} EUR) exceed the transaction amount of {amount} EUR",
                field="allocations",
                params={"total": total, "amount": abs(tx.amount)},
            )
        if len({item_id for item_id, _, _ in wanted}) != len(wanted):
            raise Invalid("an invoice appears twice in the allocations", field="allocations")
        shares, customers = await self._shares(db, tx, wanted)
        if any(s.kind == "supplier_bill" for s in shares) and not who.can("purchases", "write"):
            raise Forbidden("your role may not pay supplier bills", field="bill_id")
        if data.learn_iban and (tx.counterparty_iban is None or len(set(customers)) != 1):
            raise Invalid(
                "an IBAN is learned from a transfer with the payer's IBAN for one customer",
                field="learn_iban",
            )
        await self._book(db, who, [(tx, shares)], auto=False)
        if data.learn_iban and tx.counterparty_iban is not None:
            await bank_account_service.learn_iban(db, who, customers[0], tx.counterparty_iban)
        await db.refresh(tx)
        return tx

    async def _shares(
        self, db: AsyncSession, tx: BankTransaction, wanted: list[tuple[uuid.UUID, Decimal, bool]]
    ) -> tuple[list[Share], list[uuid.UUID]]:
        """The shares to book and the customers (or suppliers) they belong to: money received
        pays invoices, money paid out refunds credit notes or pays supplier bills."""
        invoices = await repo.invoices(db, [i for i, _, bill in wanted if not bill])
        bills = await repo.bills(db, [i for i, _, bill in wanted if bill])
        shares, customers = [], []
        for item_id, amount, is_bill in wanted:
            if is_bill:
                found = bills.get(item_id)
                if found is None:
                    raise NotFound("supplier bill", field="bill_id")
                if tx.amount > 0 or found.kind != "invoice":
                    raise Invalid(
                        "money paid out pays supplier bills; money received pays invoices",
                        field="bill_id",
                    )
                if found.currency != tx.currency:
                    raise Invalid(
                        "the supplier bill is in {currency}, the transaction in {paid}",
                        field="bill_id",
                        params={"currency": found.currency, "paid": tx.currency},
                    )
                shares.append(Share(item_id, amount, "supplier_bill"))
                customers.append(found.supplier_id)
                continue
            invoice = invoices.get(item_id)
            if invoice is None:
                raise NotFound("invoice", field="invoice_id")
            if invoice.kind != ("invoice" if tx.amount > 0 else "credit_note"):
                raise Invalid(
                    "money received pays invoices; money paid out refunds credit notes "
                    "or pays supplier bills",
                    field="invoice_id",
                )
            shares.append(Share(item_id, amount, invoice.kind))
            customers.append(invoice.customer_id)
        return shares, customers

    def _wanted(
        self, tx: BankTransaction, data: ConfirmRequest
    ) -> list[tuple[uuid.UUID, Decimal, bool]]:
        """(invoice or bill id, amount, whether it is a supplier bill) per share."""
        if data.allocations is not None:
            wanted = []
            for a in data.allocations:
                item_id = a.bill_id or a.invoice_id
                assert item_id is not None  # the schema wants exactly one of them
                wanted.append((item_id, a.amount, a.bill_id is not None))
            return wanted
        assert data.proposal is not None
        if data.proposal >= len(tx.proposals):
            raise Invalid(
                "there is no proposal {index}", field="proposal", params={"index": data.proposal}
            )
        raw = tx.proposals[data.proposal]["allocations"]
        return [
            (uuid.UUID(a["invoice_id"]), Decimal(a["amount"]), a.get("kind") == "supplier_bill")
            for a in raw
        ]

    async def undo(
        self, db: AsyncSession, who: Principal, transaction_id: uuid.UUID
    ) -> BankTransaction:
        """Delete the match's payments (payment service, audited) and return the transaction
        to the review queue with fresh proposals (nothing is booked again by itself)."""
        tx = await repo.transaction(db, transaction_id, lock=True)
        if tx is None:
            raise NotFound("bank transaction", field="transaction_id")
        if tx.state != "matched":
            raise Conflict("the bank transaction is not matched", field="transaction")
        found = (await repo.matches_of(db, [tx.id])).get(tx.id, [])
        if any(m.bill_id for m, _ in found) and not who.can("purchases", "delete"):
            raise Forbidden("your role may not delete supplier payments", field="transaction")
        for match, _number in found:
            if match.payment_id is not None:
                await payment_service.delete(db, who, match.payment_id)
            elif match.supplier_payment_id is not None:
                await bill_service.delete_payment(db, who, match.supplier_payment_id)
            else:
                await repo.delete_match(db, match)
        await audit_service.record(
            db,
            who,
            "unmatch",
            "bank_transaction",
            tx.id,
            {
                "matches": [
                    [
                        {
                            "bill_id" if m.bill_id else "invoice_id": str(
                                m.bill_id or m.invoice_id
                            ),
                            "amount": str(m.amount),
                        }
                        for m, _ in found
                    ],
                    None,
                ]
            },
        )
        await self.run(db, who, ids=[tx.id], book=False)
        await db.refresh(tx)
        return tx

    async def ignore(
        self, db: AsyncSession, who: Principal, transaction_id: uuid.UUID, ignored: bool
    ) -> BankTransaction:
        """Mark a transaction as paying no invoice (it leaves the queue), or take that back."""
        tx = await repo.transaction(db, transaction_id, lock=True)
        if tx is None:
            raise NotFound("bank transaction", field="transaction_id")
        if tx.state == "matched":
            raise TransactionMatched()
        if ignored and tx.state != "ignored":
            await repo.set_state(db, tx, "ignored")
            await audit_service.record(db, who, "ignore", "bank_transaction", tx.id, None)
        elif not ignored and tx.state == "ignored":
            await repo.set_state(db, tx, "open")
            await audit_service.record(db, who, "unignore", "bank_transaction", tx.id, None)
            await self.run(db, who, ids=[tx.id], book=False)
        await db.refresh(tx)
        return tx

    async def get(self, db: AsyncSession, transaction_id: uuid.UUID) -> BankTransaction:
        """One transaction; 404 when there is none."""
        tx = await repo.transaction(db, transaction_id)
        if tx is None:
            raise NotFound("bank transaction", field="transaction_id")
        return tx


reconcile_service = ReconcileService()
