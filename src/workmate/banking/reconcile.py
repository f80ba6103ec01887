"""Matching bank transactions to invoices, and booking the matches.

Every booking goes through the payment service (invoice row locked, never more than the open
amount, Idempotency-Key derived from the transaction's key), so a transaction can never pay
twice: the transaction row is locked first, a second confirmation finds it matched (409), and
the database refuses matches beyond the transaction's amount (trigger, migration 0015).
Undo deletes the payments through the same service; the transaction returns to the queue.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate import clock
from workmate.audit.service import audit_service
from workmate.auth.principal import Principal
from workmate.banking import repository as repo
from workmate.banking.matching import Index, Matcher, Proposal, Tx, tx_text
from workmate.banking.schemas import ConfirmRequest, MatchingSummary
from workmate.banking.service import bank_account_service
from workmate.errors import Conflict, Invalid, NotFound, WorkmateError
from workmate.models import BankMatch, BankTransaction
from workmate.payments.schemas import PaymentCreate
from workmate.payments.service import payment_service

NOTE_MAX = 2000


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
    invoice_id: uuid.UUID
    amount: Decimal


def idempotency_key(tx: BankTransaction, invoice_id: uuid.UUID) -> str:
    """The payment's Idempotency-Key: the transaction's key (unique per account) and the
    invoice, so a retry or a second confirmation can never book a second payment."""
    return f"bank:{tx.account_id}:{tx.key}:{invoice_id}"


def _note(tx: BankTransaction) -> str:
    parts = [tx.counterparty_name, tx.purpose]
    return ("Bank: " + " · ".join(p for p in parts if p))[:NOTE_MAX]


def _as_tx(tx: BankTransaction) -> Tx:
    return Tx(
        tx.id,
        tx.booking_date,
        tx.amount,
        tx.counterparty_name,
        tx.counterparty_iban,
        tx_text(tx.purpose, tx.end_to_end_id),
    )


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
        or the ones given) and book the exact ones automatically; the rest wait for review."""
        txs = await repo.unsettled(db, account_id, ids)
        summary = MatchingSummary()
        if not txs:
            return summary
        items = await repo.open_items(db)
        ibans = await repo.known_ibans(db, (t.counterparty_iban or "" for t in txs))
        matcher = Matcher(Index(items, ibans))
        updates: list[dict[str, Any]] = []
        for tx in txs:
            proposals = matcher.propose(_as_tx(tx))
            state = "review" if proposals else "open"
            if book and who is not None and proposals and proposals[0].auto:
                if await self._book_auto(db, who, tx, proposals[0]):
                    state = "matched"
                else:
                    proposals[0].auto = False
            summary.booked_automatically += state == "matched"
            summary.in_review += state == "review"
            summary.unmatched += state == "open"
            updates.append(
                {"b_id": tx.id, "b_state": state, "b_proposals": [p.as_json() for p in proposals]}
            )
        await repo.save_proposals(db, updates)
        return summary

    async def _book_auto(
        self, db: AsyncSession, who: Principal, tx: BankTransaction, proposal: Proposal
    ) -> bool:
        """Book an exact proposal in a savepoint; a refusal (someone paid the invoice
        meanwhile) leaves the transaction for review instead of failing the import."""
        shares = [Share(item.id, amount) for item, amount in proposal.allocations]
        try:
            async with db.begin_nested():
                await self._book(db, who, tx, shares, auto=True)
        except WorkmateError:
            return False
        for item, amount in proposal.allocations:
            item.open -= amount
        return True

    async def _book(
        self,
        db: AsyncSession,
        who: Principal,
        tx: BankTransaction,
        shares: list[Share],
        *,
        auto: bool,
    ) -> list[BankMatch]:
        total = sum((s.amount for s in shares), Decimal(0))
        if total > abs(tx.amount):
            raise Invalid(
                "the shares ({total} EUR) exceed the transaction amount of {amount} EUR",
                field="allocations",
                params={"total": total, "amount": abs(tx.amount)},
            )
        if len({s.invoice_id for s in shares}) != len(shares):
            raise Invalid("an invoice appears twice in the allocations", field="allocations")
        matches = []
        for share in shares:
            invoice = await repo.invoice(db, share.invoice_id)
            if invoice is None:
                raise NotFound("invoice", field="invoice_id")
            if tx.amount > 0:
                if invoice.kind != "invoice":
                    raise Invalid(
                        "money received pays invoices, not credit notes", field="invoice_id"
                    )
                booked = await payment_service.create(
                    db,
                    who,
                    invoice.id,
                    PaymentCreate(
                        amount=share.amount,
                        payment_date=min(tx.booking_date, clock.today()),
                        method="bank_transfer",
                        note=_note(tx),
                    ),
                    idempotency_key(tx, invoice.id),
                )
                match = BankMatch(
                    transaction_id=tx.id,
                    invoice_id=invoice.id,
                    payment_id=booked.payment.id,
                    amount=share.amount,
                    kind="payment",
                )
            else:
                if invoice.kind != "credit_note":
                    raise Invalid(
                        "money paid out refunds credit notes; supplier bills are not matched yet",
                        field="invoice_id",
                    )
                match = BankMatch(
                    transaction_id=tx.id, invoice_id=invoice.id, amount=share.amount, kind="refund"
                )
            match.auto = auto
            match.created_by = None if auto else who.employee_id
            await repo.add_match(db, match)
            matches.append(match)
        await audit_service.record(
            db,
            who,
            "match_auto" if auto else "match",
            "bank_transaction",
            tx.id,
            {
                "matches": [
                    None,
                    [{"invoice_id": str(s.invoice_id), "amount": str(s.amount)} for s in shares],
                ]
            },
        )
        return matches

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
        shares = self._shares(tx, data)
        customers: set[uuid.UUID] = set()
        for share in shares:
            invoice = await repo.invoice(db, share.invoice_id)
            if invoice is not None:
                customers.add(invoice.customer_id)
        if data.learn_iban and (tx.counterparty_iban is None or len(customers) != 1):
            raise Invalid(
                "an IBAN is learned from a transfer with the payer's IBAN for one customer",
                field="learn_iban",
            )
        await self._book(db, who, tx, shares, auto=False)
        if data.learn_iban and tx.counterparty_iban is not None:
            await bank_account_service.learn_iban(db, who, customers.pop(), tx.counterparty_iban)
        await db.refresh(tx)
        return tx

    def _shares(self, tx: BankTransaction, data: ConfirmRequest) -> list[Share]:
        if data.allocations is not None:
            return [Share(a.invoice_id, a.amount) for a in data.allocations]
        assert data.proposal is not None
        if data.proposal >= len(tx.proposals):
            raise Invalid(
                "there is no proposal {index}", field="proposal", params={"index": data.proposal}
            )
        raw = tx.proposals[data.proposal]["allocations"]
        return [Share(uuid.UUID(a["invoice_id"]), Decimal(a["amount"])) for a in raw]

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
        for match, _number in found:
            if match.payment_id is not None:
                await payment_service.delete(db, who, match.payment_id)
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
                    [{"invoice_id": str(m.invoice_id), "amount": str(m.amount)} for m, _ in found],
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
