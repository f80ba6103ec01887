"""Bank statements for the demo company, generated deterministically: for a period, the
transfers that pay its invoices as real customers would, and the rest of a business account.

Customers pay exactly with the number in the purpose (most), write the number their own way
(no dashes, spaces, lower case, no leading zeros), pay two invoices with one transfer, pay
part, mistype a digit or swap two, deduct 2 % cash discount, pay a little more, or write no
number at all from an account whose IBAN is known (or not). Refunds of credit notes go out;
interest, tax refunds, rent, salaries and card payments are unrelated. Each generated
transaction carries the truth (which invoices it pays, with which amounts), so matching can
be measured: `measure()` gives precision and recall of the automatic bookings.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from schwifty import IBAN
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from workmate.banking.formats import camt_write
from workmate.banking.formats.common import Entry, Statement
from workmate.banking.matching import fold
from workmate.demo.generate import DemoCompany
from workmate.models import BankAccount, CustomerIban

CENT = Decimal("0.01")
# Share of invoices per behaviour (per mille); the rest of the account is added on top.
BEHAVIOURS = (
    ("exact", 540),
    ("reformatted", 100),
    ("combined", 90),
    ("iban_only", 80),
    ("partial", 50),
    ("typo", 50),
    ("skonto", 40),
    ("overpaid", 25),
    ("name_only", 25),
)
PURPOSES = (
    "{n}",
    "Rechnung {n}",
    "Rechnungsnr. {n}",
    "RE {n} vom {d}",
    "{n} Kd-Nr. {c}",
    "Zahlung {n} Danke",
    "Ihre Rechnung {n}",
)
BANK_CODES = ("37040044", "10070000", "20050550", "50010517", "12030000", "70020270")
UNRELATED_IN = (
    ("Finanzamt Hamburg", "Erstattung USt {y}"),
    ("Hamburger Sparkasse", "Zinsen"),
    ("Versicherung AG", "Schadenregulierung {r}"),
    ("Privat", "Rueckzahlung Auslage"),
)
UNRELATED_OUT = (
    ("Immobilien Nord GmbH", "Miete Buero {m}"),
    ("Gehalt", "Lohn/Gehalt {m}"),
    ("AWS EMEA SARL", "Rechnung EUINDE{r}"),
    ("Deutsche Telekom", "Kundenkonto {r}"),
    ("Tankstelle", "Kartenzahlung {d}"),
    ("Finanzamt Hamburg", "USt-Voranmeldung {m}"),
)


@dataclass(frozen=True, slots=True)
class Invoice:
    """What the generator needs to know of an invoice or credit note of the demo company."""

    id: uuid.UUID
    number: str
    kind: str
    customer_id: uuid.UUID
    customer_number: str
    customer_name: str
    total: Decimal
    issued: date


@dataclass(frozen=True, slots=True)
class Truth:
    behaviour: str
    # (invoice id, amount) the transaction pays; empty for unrelated ones.
    pays: tuple[tuple[uuid.UUID, Decimal], ...]


@dataclass
class Generated:
    statements: list[Statement]
    # By the bank reference each generated entry carries.
    truth: dict[str, Truth]
    # IBANs of customers the company already knows (as a confirmed match would have stored).
    known_ibans: list[tuple[uuid.UUID, str]] = field(default_factory=list)

    def camt_zip(self, message_id: str = "demo") -> dict[str, bytes]:
        """One camt.053.001.08 file per day, as banks deliver them in a ZIP."""
        return {
            f"{s.period()[1].isoformat()}_camt053.xml": camt_write.document(
                f"{message_id}-{s.period()[1].isoformat()}", s.period()[1], [s]
            )
            for s in self.statements
        }


def payer_iban(customer_number: str) -> str:
    """The account a customer pays from, the same for every run."""
    rng = random.Random(customer_number)  # noqa: S311 (demo data)
    return str(
        IBAN.generate(
            "DE",
            bank_code=rng.choice(BANK_CODES),
            account_code=str(rng.randint(10**8, 10**10 - 1)),
        ).compact
    )


def iban_known(customer_number: str) -> bool:
    """Whether the company already knows the customer's IBAN (about a third of them)."""
    return random.Random(f"{customer_number}/iban").random() < 0.35  # noqa: S311 (demo data)


def bank_name(name: str, rng: random.Random) -> str:
    """How a bank shows the payer: often upper case, umlauts spelt out, cut at 27 characters."""
    style = rng.random()
    if style < 0.5:
        return fold(name).upper()[:27]
    if style < 0.8:
        return name[:27]
    return name


def _reformat(number: str, rng: random.Random) -> str:
    style = rng.randrange(4)
    if style == 0:
        return number.replace("-", "")
    if style == 1:
        return number.replace("-", " ")
    if style == 2:
        return number.lower()
    prefix, year, seq = number.split("-")
    return f"{prefix}-{year}-{int(seq)}"


def _typo(number: str, rng: random.Random) -> str:
    prefix, year, seq = number.split("-")
    digits = list(seq)
    i = rng.randrange(len(digits) - 1, len(digits))  # the last digits are the ones mistyped
    if rng.random() < 0.5 and len(digits) > 1:
        j = i - 1
        if digits[i] == digits[j]:
            digits[i] = str((int(digits[i]) + 1) % 10)
        else:
            digits[i], digits[j] = digits[j], digits[i]
    else:
        digits[i] = str((int(digits[i]) + rng.randint(1, 9)) % 10)
    return f"{prefix}-{year}-{''.join(digits)}"


def generate(
    seed: int,
    account_iban: str,
    invoices: Iterable[Invoice],
    *,
    today: date,
    opening: Decimal = Decimal("25000.00"),
    noise: int | None = None,
) -> Generated:
    """Statements from the earliest invoice to `today` paying `invoices` (credit notes are
    refunded), with the truth of every transaction. `noise`: unrelated payments out (card,
    rent, salaries), default half the number of invoices."""
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data)
    items = sorted(invoices, key=lambda i: (i.issued, i.number))
    bills = [i for i in items if i.kind == "invoice"]
    notes = [i for i in items if i.kind == "credit_note"]
    entries: list[tuple[Entry, Truth]] = []
    known: dict[uuid.UUID, str] = {}
    start = min((i.issued for i in items), default=today)

    def day_after(issued: date) -> date:
        return min(today, issued + timedelta(days=rng.randint(1, 25)))

    def add(entry: Entry, truth: Truth) -> None:
        ref = f"GEN{seed:04d}{len(entries):07d}"
        entries.append((_with_ref(entry, ref), truth))

    weights = [w for _, w in BEHAVIOURS]
    names = [b for b, _ in BEHAVIOURS]
    by_customer: dict[uuid.UUID, list[Invoice]] = defaultdict(list)
    for bill in bills:
        by_customer[bill.customer_id].append(bill)
    done: set[uuid.UUID] = set()
    for bill in bills:
        if bill.id in done:
            continue
        behaviour = rng.choices(names, weights)[0]
        mates = [b for b in by_customer[bill.customer_id] if b.id not in done and b.id != bill.id]
        if (behaviour == "combined" and not mates) or (
            behaviour == "iban_only" and not iban_known(bill.customer_number)
        ):
            behaviour = "exact"
        iban = payer_iban(bill.customer_number)
        if iban_known(bill.customer_number):
            known[bill.customer_id] = iban
        payer = bank_name(bill.customer_name, rng)
        template = rng.choice(PURPOSES)

        def purpose(number: str, bill: Invoice = bill, template: str = template) -> str:
            return template.format(
                n=number, d=bill.issued.strftime("%d.%m.%Y"), c=bill.customer_number
            )

        group = [bill]
        amount = bill.total
        text = purpose(bill.number)
        if behaviour == "reformatted":
            text = purpose(_reformat(bill.number, rng))
        elif behaviour == "combined":
            group = [bill, *mates[: rng.choice((1, 1, 2))]]
            amount = sum((b.total for b in group), Decimal(0))
            text = rng.choice((", ", " + ", " und ", " ")).join(b.number for b in group)
        elif behaviour == "partial":
            amount = (bill.total * Decimal(rng.randint(25, 70)) / 100).quantize(CENT)
            text = f"Teilzahlung {bill.number}"
        elif behaviour == "typo":
            text = purpose(_typo(bill.number, rng))
        elif behaviour == "skonto":
            amount = (bill.total * Decimal("0.98")).quantize(CENT)
            text = f"{bill.number} abzgl. 2% Skonto"
        elif behaviour == "overpaid":
            amount = bill.total + rng.choice((Decimal("5.00"), Decimal("10.00"), Decimal("0.50")))
            text = purpose(bill.number)
        elif behaviour == "iban_only":
            text = rng.choice(("Rechnung vom {d}", "Zahlung", "Danke fuer die gute Arbeit")).format(
                d=bill.issued.strftime("%d.%m.%Y")
            )
        elif behaviour == "name_only":
            text = "Rechnung"
            iban = payer_iban(bill.customer_number + "-other")
        paid = min(amount, sum((b.total for b in group), Decimal(0)))
        shares = _shares(group, paid)
        done.update(b.id for b in group)
        on = day_after(max(b.issued for b in group))
        add(
            Entry(
                booking_date=on,
                value_date=on,
                amount=amount,
                currency="EUR",
                counterparty_name=payer,
                counterparty_iban=iban,
                purpose=text,
                booking_text="GUTSCHR. UEBERWEISUNG",
            ),
            Truth(behaviour, shares),
        )
    for note in notes:
        on = day_after(note.issued)
        add(
            Entry(
                booking_date=on,
                amount=-note.total,
                currency="EUR",
                counterparty_name=bank_name(note.customer_name, rng),
                counterparty_iban=payer_iban(note.customer_number),
                purpose=f"Erstattung Gutschrift {note.number}",
                booking_text="UEBERWEISUNG",
            ),
            Truth("refund", ((note.id, note.total),)),
        )
    days = max(1, (today - start).days)
    for _ in range(max(4, len(bills) // 8)):
        name, pattern = rng.choice(UNRELATED_IN)
        on = start + timedelta(days=rng.randrange(days))
        # Some unrelated credits happen to have the amount of an open invoice.
        amount = (
            rng.choice(bills).total
            if bills and rng.random() < 0.3
            else Decimal(rng.randint(500, 300000)) / 100
        )
        add(
            Entry(
                booking_date=on,
                amount=amount,
                currency="EUR",
                counterparty_name=name,
                purpose=pattern.format(y=on.year - 1, r=rng.randint(10**5, 10**6), m=on.month),
                booking_text="GUTSCHRIFT",
            ),
            Truth("unrelated", ()),
        )
    for _ in range(max(10, len(bills) // 2) if noise is None else noise):
        name, pattern = rng.choice(UNRELATED_OUT)
        on = start + timedelta(days=rng.randrange(days))
        add(
            Entry(
                booking_date=on,
                amount=-Decimal(rng.randint(300, 800000)) / 100,
                currency="EUR",
                counterparty_name=name,
                purpose=pattern.format(
                    m=f"{on.month:02d}/{on.year}", r=rng.randint(10**6, 10**7), d=on.isoformat()
                ),
                booking_text="LASTSCHRIFT",
            ),
            Truth("unrelated", ()),
        )
    statements = _daily(account_iban, entries, opening)
    return Generated(
        statements,
        {e.bank_reference or "": t for e, t in entries},
        sorted(known.items(), key=lambda kv: str(kv[0])),
    )


def _shares(group: list[Invoice], amount: Decimal) -> tuple[tuple[uuid.UUID, Decimal], ...]:
    rest = amount
    shares = []
    for bill in group:
        share = min(bill.total, rest)
        if share > 0:
            shares.append((bill.id, share))
        rest -= share
    return tuple(shares)


def _with_ref(entry: Entry, ref: str) -> Entry:
    return replace(entry, bank_reference=ref)


def _daily(iban: str, entries: list[tuple[Entry, Truth]], opening: Decimal) -> list[Statement]:
    by_day: dict[date, list[Entry]] = defaultdict(list)
    for entry, _ in entries:
        by_day[entry.booking_date].append(entry)
    statements = []
    balance = opening
    for n, day in enumerate(sorted(by_day), 1):
        day_entries = sorted(by_day[day], key=lambda e: e.bank_reference or "")
        closing = balance + sum((e.amount for e in day_entries), Decimal(0))
        statements.append(
            Statement(
                "camt053",
                iban,
                "EUR",
                day_entries,
                opening=balance,
                closing=closing,
                period_start=day,
                period_end=day,
                external_id=f"STMT-{day.isoformat()}",
                sequence=str(n),
            )
        )
        balance = closing
    return statements


@dataclass
class Measured:
    """Automatic booking on a generated statement: how often right, how much of the work."""

    transactions: int = 0
    paying: int = 0  # transactions that pay invoices or refund credit notes
    booked: int = 0
    booked_right: int = 0
    booked_wrong: int = 0
    by_behaviour: Counter[str] = field(default_factory=Counter)
    booked_by_behaviour: Counter[str] = field(default_factory=Counter)

    @property
    def precision(self) -> float:
        return self.booked_right / self.booked if self.booked else 1.0

    @property
    def recall(self) -> float:
        return self.booked_right / self.paying if self.paying else 0.0


def measure(
    truth: dict[str, Truth], booked: dict[str, list[tuple[uuid.UUID, Decimal]]]
) -> Measured:
    """Compare automatic bookings (by bank reference) with the truth."""
    m = Measured()
    for ref, t in truth.items():
        m.transactions += 1
        m.by_behaviour[t.behaviour] += 1
        if t.pays:
            m.paying += 1
        got = booked.get(ref)
        if not got:
            continue
        m.booked += 1
        m.booked_by_behaviour[t.behaviour] += 1
        if sorted(got) == sorted(t.pays):
            m.booked_right += 1
        else:
            m.booked_wrong += 1
    return m


async def load_demo(conn: AsyncConnection, demo: DemoCompany) -> None:
    """The company's bank account and the IBANs some customers are known to pay from (as if
    earlier matches had been confirmed), so a generated statement matches as it would."""
    iban = demo.company.get("iban")
    if not iban:
        return
    await conn.execute(
        pg_insert(BankAccount)
        .values(id=uuid.uuid4(), name="Geschäftskonto", iban=iban, bic=demo.company.get("bic"),
                bank_name=demo.company.get("bank_name"))
        .on_conflict_do_nothing(index_elements=["iban"])
    )  # fmt: skip
    rows = [
        {
            "id": uuid.uuid4(),
            "customer_id": c["id"],
            "iban": payer_iban(c["number"]),
            "source": "manual",
        }
        for c in demo.customers
        if iban_known(c["number"])
    ]
    if rows:
        await conn.execute(pg_insert(CustomerIban).on_conflict_do_nothing(), rows)
