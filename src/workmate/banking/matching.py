"""Proposing which invoices a bank transaction pays, with a score and the evidence in words.

Pure and in memory: the caller loads the open invoices, credit notes and known IBANs once
(three queries, however many transactions) and asks for proposals per transaction. Look-ups
are dictionaries by number digits, by number groups, by one-digit-off variants (typos), by
amount and by IBAN, so a year of transactions is matched without a query or a scan of all
invoices per transaction.

Money in is matched to invoices, money out to credit notes (refunds) and to supplier bills
(kind `supplier_bill`: the supplier's invoice number, the supplier as the "customer", the
supplier's IBANs in `Index.payees`). Their evidence reads as the bill's (`BILL_CODES`).

Automatic booking needs all of: the amount equals the open amount (or the sum of the open
amounts named); each invoice is identified (its number in the purpose; or the payer's IBAN
known for the customer and the only open invoice of that customer with this amount; or a
number one typo away with the customer confirmed by IBAN); the date is plausible; no other
number is named; no second proposal qualifies; and the score reaches AUTO_THRESHOLD.
Everything else waits in the review queue with its proposals.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import combinations
from typing import Any

AUTO_THRESHOLD = 80
MAX_PROPOSALS = 3
CREDIT_KINDS = ("invoice",)
# Kinds money out can settle.
DEBIT_KINDS = ("credit_note", "supplier_bill")
# Evidence that speaks of the invoice's number, customer or IBAN reads differently for a
# supplier bill: the code gets the prefix "bill_" (same points, its own words).
BILL_CODES = frozenset(
    (
        *("number_exact", "number_reformatted", "number_similar"),
        *("amount_sum", "amount_unique", "iban_known", "iban_other", "name_similar"),
        *("name_differs",),
    )
)
SKONTO_PERCENTS = (Decimal(2), Decimal(3), Decimal(1))
# Subset sums over one customer's open invoices stay small.
MAX_SUBSET_ITEMS = 12
MAX_AMOUNT_ONLY = 3
CENT = Decimal("0.01")

POINTS = {
    "number_exact": 50,
    "number_reformatted": 50,
    "number_similar": 25,
    "bill_reference": 50,
    "amount_open": 30,
    "amount_sum": 30,
    "amount_partial": 10,
    "amount_over": 10,
    "amount_skonto": 15,
    "amount_total_paid": 5,
    "amount_unique": 20,
    "iban_known": 25,
    "iban_other": -20,
    "name_strong": 15,
    "name_weak": 8,
    "name_differs": -10,
    "date_after": 5,
    "date_before": -40,
    "numbers_other": -10,
}
NUMBER_RANK = {"number_exact": 3, "number_reformatted": 3, "bill_reference": 3, "number_similar": 1}
IDENTIFYING = ("number_exact", "number_reformatted", "bill_reference")
# Legal forms and fillers carry no identity ("Müller GmbH" vs "MUELLER").
NAME_NOISE = frozenset(
    (
        *("gmbh", "ag", "kg", "co", "ohg", "ug", "mbh", "ek", "e", "k", "gbr", "se", "kgaa"),
        *("haftungsbeschrankt", "und", "and", "the", "der", "die", "das", "firma", "herr"),
        *("frau", "dr", "ltd", "inc"),
    )
)
_SEPARATOR = re.compile(r"^[ \-/._]{1,2}$")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[a-z0-9]+")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


def compact(text: str) -> str:
    """Upper case letters and digits only: how a payment reference is compared."""
    return _NOT_ALNUM.sub("", text.upper())


@dataclass(slots=True)
class Item:
    """An issued invoice (open for payments), credit note (open for a refund) or supplier
    bill (open for our payment; `number` is the supplier's, `reference` our ER number)."""

    id: uuid.UUID
    number: str
    kind: str
    customer_id: uuid.UUID
    customer_name: str
    total: Decimal
    open: Decimal
    issued: date
    due: date | None = None
    reference: str | None = None
    # A supplier bill's payment reference (BT-83), which a transfer to the supplier carries.
    payment_reference: str | None = None

    @property
    def paid(self) -> Decimal:
        return self.total - self.open


@dataclass(frozen=True, slots=True)
class Tx:
    id: uuid.UUID
    booking_date: date
    amount: Decimal
    counterparty_name: str | None
    counterparty_iban: str | None
    text: str  # purpose and end-to-end reference: where numbers are looked for


@dataclass(frozen=True, slots=True)
class Evidence:
    code: str
    params: dict[str, Any]
    points: int


@dataclass(slots=True)
class Proposal:
    allocations: list[tuple[Item, Decimal]]
    evidence: list[Evidence] = field(default_factory=list)
    score: int = 0
    auto: bool = False
    # What the transaction brings beyond the allocations (an overpayment kept as credit).
    credit: Decimal = Decimal(0)
    qualifies: bool = False

    def key(self) -> tuple[uuid.UUID, ...]:
        return tuple(sorted(item.id for item, _ in self.allocations))

    def as_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "auto": self.auto,
            "credit": str(self.credit),
            "allocations": [
                {
                    "invoice_id": str(item.id),
                    "number": item.number,
                    "kind": item.kind,
                    "customer_id": str(item.customer_id),
                    "customer": item.customer_name,
                    "amount": str(amount),
                    "open": str(item.open),
                    **({"reference": item.reference} if item.reference else {}),
                }
                for item, amount in self.allocations
            ],
            "evidence": [
                {"code": e.code, "params": e.params, "points": e.points} for e in self.evidence
            ],
        }


@dataclass(frozen=True, slots=True)
class Hit:
    item: Item
    code: str  # number_exact, number_reformatted, number_similar
    found: str


def digits_of(number: str) -> str:
    return "".join(_DIGITS.findall(number))


def groups_of(number: str) -> tuple[int, ...]:
    return tuple(int(g) for g in _DIGITS.findall(number))


def deletions(digits: str) -> set[str]:
    return {digits[:i] + digits[i + 1 :] for i in range(len(digits))}


def one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance exactly 1 (a typo: one digit wrong, missing, extra or two
    neighbours swapped)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def mentions(text: str) -> list[tuple[str, tuple[int, ...], str, bool]]:
    """(digits, groups, as written, whole run) for every run of digit groups in the text and
    each of its contiguous parts: "RE 2026-00042" gives "202600042", (2026, 42), the parts."""
    runs: list[list[re.Match[str]]] = []
    for match in _DIGITS.finditer(text):
        previous = runs[-1][-1] if runs else None
        if previous is not None and _SEPARATOR.match(text[previous.end() : match.start()]):
            runs[-1].append(match)
        else:
            runs.append([match])
    found = []
    for run in runs:
        for i in range(len(run)):
            for j in range(i, min(len(run), i + 4)):
                part = run[i : j + 1]
                found.append(
                    (
                        "".join(m.group() for m in part),
                        tuple(int(m.group()) for m in part),
                        text[part[0].start() : part[-1].end()],
                        len(part) == len(run),
                    )
                )
    return found


def fold(text: str) -> str:
    text = text.casefold()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


@lru_cache(maxsize=65536)
def name_tokens(name: str) -> tuple[str, ...]:
    return tuple(t for t in _WORD.findall(fold(name)) if t not in NAME_NOISE and len(t) > 1)


@lru_cache(maxsize=65536)
def name_similarity(a: str, b: str) -> float:
    """0..1; order and legal forms do not matter, and a bank's cut-off name still resembles."""
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return 0.0
    sa, sb = set(ta), set(tb)
    if sa <= sb or sb <= sa:
        return 0.95 if sa == sb else 0.9
    return SequenceMatcher(None, " ".join(sorted(ta)), " ".join(sorted(tb))).ratio()


class Index:
    """Everything the matcher looks up, built once per run."""

    def __init__(
        self,
        items: Iterable[Item],
        ibans: dict[str, set[uuid.UUID]] | None = None,
        payees: dict[str, set[uuid.UUID]] | None = None,
    ) -> None:
        self.items = list(items)
        self.ibans = ibans or {}
        # Where we pay suppliers (their IBAN, a bill's IBAN): known for money out only.
        self.payees = payees or {}
        self.by_digits: dict[str, list[Item]] = defaultdict(list)
        self.by_groups: dict[tuple[int, ...], list[Item]] = defaultdict(list)
        self.by_variant: dict[str, list[Item]] = defaultdict(list)
        self.by_amount: dict[Decimal, list[Item]] = defaultdict(list)
        self.by_customer: dict[uuid.UUID, list[Item]] = defaultdict(list)
        self.by_token: dict[str, set[uuid.UUID]] = defaultdict(set)
        self.by_reference: dict[str, list[Item]] = defaultdict(list)
        for item in self.items:
            ref = compact(item.payment_reference or "")
            # Short or digit-poor references ("Rechnung", "4711") would name too much.
            if len(ref) >= 6 and len(digits_of(ref)) >= 4:
                self.by_reference[ref].append(item)
            digits = digits_of(item.number)
            if len(digits) >= 5:
                self.by_digits[digits].append(item)
            groups = groups_of(item.number)
            if len(groups) >= 2:
                self.by_groups[groups].append(item)
            if len(digits) >= 6:
                for variant in {digits} | deletions(digits):
                    self.by_variant[variant].append(item)
            self.by_amount[item.open].append(item)
            self.by_customer[item.customer_id].append(item)
            for token in name_tokens(item.customer_name):
                if len(token) >= 3:
                    self.by_token[token].add(item.customer_id)

    def hits(self, text: str, kinds: tuple[str, ...]) -> dict[uuid.UUID, Hit]:
        """Items whose number the text names, the best way each is named."""
        best: dict[uuid.UUID, Hit] = {}
        folded = text.upper()

        def keep(item: Item, code: str, found: str) -> None:
            if item.kind not in kinds or item.open <= 0:
                return
            current = best.get(item.id)
            if current is None or NUMBER_RANK[code] > NUMBER_RANK[current.code]:
                best[item.id] = Hit(item, code, found)

        for digits, groups, written, whole in mentions(text):
            exact = self.by_digits.get(digits, [])
            for item in exact:
                code = "number_exact" if item.number.upper() in folded else "number_reformatted"
                keep(item, code, written)
            # Without the zeros only a whole run counts: a date 2026-03-05 is no RE-2026-00003.
            if len(groups) >= 2 and whole:
                for item in self.by_groups.get(groups, []):
                    keep(item, "number_reformatted", written)
            if len(digits) >= 6:
                near = {
                    i.id: i
                    for v in {digits} | deletions(digits)
                    for i in self.by_variant.get(v, [])
                }
                for item in near.values():
                    if item not in exact and one_edit(digits, digits_of(item.number)):
                        keep(item, "number_similar", written)
        if self.by_reference:
            compacted = compact(text)
            for ref, items in self.by_reference.items():
                if ref in compacted:
                    for item in items:
                        keep(item, "bill_reference", item.payment_reference or ref)
        return best


def _amount_evidence(tx_amount: Decimal, items: list[Item]) -> tuple[list[Evidence], bool]:
    """Evidence on how the amount relates to the open amounts; True when it is exact."""
    open_sum = sum((i.open for i in items), Decimal(0))
    if tx_amount == open_sum:
        if len(items) == 1:
            return [_ev("amount_open", open=open_sum)], True
        return [_ev("amount_sum", count=len(items), open=open_sum)], True
    if len(items) == 1:
        item = items[0]
        if item.paid > 0 and tx_amount == item.total:
            return [_ev("amount_total_paid", total=item.total, paid=item.paid)], False
        if tx_amount < open_sum:
            for percent in SKONTO_PERCENTS:
                discounted = (open_sum * (100 - percent) / 100).quantize(CENT)
                if abs(discounted - tx_amount) <= CENT:
                    return [
                        _ev("amount_skonto", percent=percent, discount=open_sum - tx_amount)
                    ], False
    if tx_amount < open_sum:
        return [_ev("amount_partial", amount=tx_amount, open=open_sum)], False
    return [_ev("amount_over", excess=tx_amount - open_sum, open=open_sum)], False


def _ev(code: str, points_key: str | None = None, **params: Any) -> Evidence:
    plain = {k: str(v) if isinstance(v, Decimal | date) else v for k, v in params.items()}
    return Evidence(code, plain, POINTS[points_key or code])


def _allocate(items: list[Item], amount: Decimal) -> tuple[list[tuple[Item, Decimal]], Decimal]:
    """Fill the items oldest first up to their open amounts; what is left is credit."""
    allocations = []
    rest = amount
    for item in sorted(items, key=lambda i: (i.issued, i.number)):
        if rest <= 0:
            break
        share = min(item.open, rest)
        allocations.append((item, share))
        rest -= share
    return allocations, rest


class Matcher:
    def __init__(self, index: Index) -> None:
        self.index = index

    def propose(self, tx: Tx) -> list[Proposal]:
        """The best proposals for one transaction, best first; the first may be automatic."""
        incoming = tx.amount > 0
        kinds = CREDIT_KINDS if incoming else DEBIT_KINDS
        amount = abs(tx.amount)
        hits = self.index.hits(tx.text, kinds)
        known = self.index.ibans.get(tx.counterparty_iban or "", set())
        if not incoming:
            known = known | self.index.payees.get(tx.counterparty_iban or "", set())
        candidates: dict[tuple[uuid.UUID, ...], list[Item]] = {}

        def add(items: list[Item]) -> None:
            live = [i for i in items if i.open > 0 and i.kind in kinds]
            if live:
                candidates.setdefault(tuple(sorted(i.id for i in live)), live)

        strong = [h.item for h in hits.values() if h.code != "number_similar"]
        for hit in hits.values():
            # A number one typo away is worth proposing only with the exact open amount:
            # sequential numbers have many neighbours, and the typo is the customer's.
            if hit.code != "number_similar" or hit.item.open == amount:
                add([hit.item])
        if len(strong) >= 2:
            add(strong)
        for customer in known:
            mine = [i for i in self.index.by_customer.get(customer, []) if i.kind in kinds]
            for item in mine:
                if item.open == amount:
                    add([item])
            if not any(i.open == amount for i in mine):
                subset = _subset(mine, amount)
                if subset:
                    add(subset)
        same_amount = [
            i for i in self.index.by_amount.get(amount, []) if i.open == amount and i.kind in kinds
        ]
        if tx.counterparty_name:
            similar = self._similar_customers(tx.counterparty_name)
            for item in same_amount:
                if item.customer_id in similar:
                    add([item])
        if not candidates and 0 < len(same_amount) <= MAX_AMOUNT_ONLY:
            for item in same_amount:
                add([item])
        proposals = [self._score(tx, items, hits, known) for items in candidates.values()]
        proposals.sort(key=lambda p: (-p.score, p.key()))
        qualifying = [p for p in proposals if p.qualifies]
        if len(qualifying) == 1 and qualifying[0] is proposals[0]:
            proposals[0].auto = proposals[0].score >= AUTO_THRESHOLD
        return proposals[:MAX_PROPOSALS]

    def _similar_customers(self, name: str) -> set[uuid.UUID]:
        found: set[uuid.UUID] = set()
        for token in name_tokens(name):
            found |= self.index.by_token.get(token, set())
        return found

    def _score(
        self,
        tx: Tx,
        items: list[Item],
        hits: dict[uuid.UUID, Hit],
        known: set[uuid.UUID],
    ) -> Proposal:
        amount = abs(tx.amount)
        allocations, credit = _allocate(items, amount)
        proposal = Proposal(allocations, credit=max(credit, Decimal(0)))
        evidence = proposal.evidence
        codes = [hits[i.id].code if i.id in hits else None for i in items]
        by_number = all(c in IDENTIFYING for c in codes)
        if all(codes):
            # The weakest identification among the items counts, once.
            weakest = min((c for c in codes if c), key=lambda c: NUMBER_RANK[c])
            for n, item in enumerate(items):
                hit = hits[item.id]
                params: dict[str, Any] = {"number": item.number}
                if hit.code != "number_exact":
                    params["found"] = hit.found
                points = POINTS[weakest] if n == 0 else 0
                evidence.append(Evidence(hit.code, params, points))
        ids = {i.id for i in items}
        others = sorted(
            h.item.number
            for h in hits.values()
            if h.item.id not in ids and h.code != "number_similar"
        )
        if others:
            evidence.append(_ev("numbers_other", numbers=", ".join(others)))
        amount_evidence, exact = _amount_evidence(amount, items)
        evidence += amount_evidence
        first = items[0]
        customers = {i.customer_id for i in items}
        iban_ok = bool(known) and customers <= known
        if tx.counterparty_iban and known:
            if iban_ok:
                evidence.append(
                    _ev("iban_known", iban=tx.counterparty_iban, customer=first.customer_name)
                )
            elif not customers & known:
                evidence.append(_ev("iban_other", iban=tx.counterparty_iban))
        unique = False
        if len(items) == 1 and exact and iban_ok:
            same = [
                i
                for i in self.index.by_customer.get(first.customer_id, [])
                if i.open == amount and i.kind == first.kind
            ]
            unique = len(same) == 1
            if unique:
                evidence.append(_ev("amount_unique"))
        # A payer whose IBAN is known may hold the account under another name (a parent
        # company, a private account): the name then says nothing against the match.
        name_ok = self._name_evidence(tx, items, evidence, penalise=not iban_ok)
        early = [i for i in items if tx.booking_date < i.issued]
        if early:
            evidence.append(_ev("date_before", issued=min(i.issued for i in early)))
        else:
            last = max(items, key=lambda i: i.issued)
            days = (tx.booking_date - last.issued).days
            evidence.append(_ev("date_after", days=days, issued=last.issued))
        proposal.score = max(0, min(100, sum(e.points for e in evidence)))
        if all(i.kind == "supplier_bill" for i in items):
            evidence[:] = [
                Evidence(f"bill_{e.code}", e.params, e.points) if e.code in BILL_CODES else e
                for e in evidence
            ]
        typo_ok = len(items) == 1 and codes == ["number_similar"] and iban_ok
        identified = by_number or unique or typo_ok
        proposal.qualifies = (
            exact and identified and not early and not others and (name_ok or iban_ok or by_number)
        )
        return proposal

    def _name_evidence(
        self, tx: Tx, items: list[Item], evidence: list[Evidence], *, penalise: bool
    ) -> bool:
        """How the account holder's name compares with the customer's; True when alike."""
        name = tx.counterparty_name
        if not name:
            return False
        similarity, best = max(
            ((name_similarity(name, i.customer_name), i) for i in items), key=lambda p: p[0]
        )
        params: dict[str, Any] = {
            "name": name,
            "customer": best.customer_name,
            "percent": round(similarity * 100),
        }
        if similarity >= 0.85:
            evidence.append(_ev("name_similar", "name_strong", **params))
            return True
        if similarity >= 0.6:
            evidence.append(_ev("name_similar", "name_weak", **params))
        else:
            del params["percent"]
            differs = _ev("name_differs", **params)
            evidence.append(differs if penalise else Evidence(differs.code, differs.params, 0))
        return False


def _subset(items: list[Item], amount: Decimal) -> list[Item] | None:
    """Open invoices of one customer that together make the amount (smallest set first)."""
    live = sorted((i for i in items if i.open > 0), key=lambda i: (i.issued, i.number))
    if len(live) > MAX_SUBSET_ITEMS or len(live) < 2:
        return None
    for size in range(2, len(live) + 1):
        for combo in combinations(live, size):
            if sum((i.open for i in combo), Decimal(0)) == amount:
                return list(combo)
    return None


def tx_text(purpose: str | None, end_to_end_id: str | None) -> str:
    return " ".join(p for p in (purpose, end_to_end_id) if p)
