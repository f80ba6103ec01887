"""Build the demo company in memory: plain row dicts per table, no database access.

Everything derives from one `random.Random(seed)` and the reference day, so the same seed on
the same day gives the same company. Row ids are random UUIDs on purpose: they carry no
meaning, and a second run with --force must not collide with the first one's keys. Running
timers are the one thing placed relative to the clock (a timer started "in the future" or
12 hours ago would look broken or stale).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from schwifty import IBAN
from stdnum.iso7064 import mod_11_10

from workmate import clock
from workmate.demo import names
from workmate.demo.money import cents, line_net, totals

Row = dict[str, Any]

BERLIN = clock.BUSINESS_ZONE
DEMO_DOMAIN = "demo.workmate.de"
DEMO_PASSWORD = "workmate-demo"  # noqa: S105 (documented demo login, printed by the command)
HISTORY_DAYS = 183
N_CUSTOMERS = 200
# Fixed public holidays (nationwide); movable feasts are left out, a demo needs no more.
HOLIDAYS = {(1, 1), (5, 1), (10, 3), (12, 24), (12, 25), (12, 26), (12, 31)}

# Invoice states to produce and how many of each.
INVOICE_PLAN = (
    ("draft", 10),
    ("sent", 14),
    ("overdue", 12),
    ("paid", 85),
    ("partial_sent", 5),
    ("partial_overdue", 6),
    ("cancelled", 3),
)
PROJECT_PLAN = (("planned", 10), ("in_progress", 24), ("completed", 28), ("cancelled", 8))


@dataclass(frozen=True)
class Login:
    email: str
    role: str
    name: str


@dataclass(frozen=True)
class Context:
    """What the database already holds and the generator must fit around."""

    today: date
    now: datetime
    role_ids: dict[str, uuid.UUID]
    department_ids: dict[str, uuid.UUID]
    password_hash: str
    customer_start: int = 1
    # (scope, year) -> next free number
    counters: dict[tuple[str, int], int] = field(default_factory=dict)
    # lower(email) -> id of employees that exist already (reused, not inserted)
    existing_employees: dict[str, uuid.UUID] = field(default_factory=dict)


@dataclass
class DemoCompany:
    logins: list[Login] = field(default_factory=list)
    employees: list[Row] = field(default_factory=list)
    department_managers: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    company: Row = field(default_factory=dict)
    customers: list[Row] = field(default_factory=list)
    contacts: list[Row] = field(default_factory=list)
    projects: list[Row] = field(default_factory=list)
    time_entries: list[Row] = field(default_factory=list)
    invoices: list[Row] = field(default_factory=list)
    credit_notes: list[Row] = field(default_factory=list)
    invoice_lines: list[Row] = field(default_factory=list)
    # Applied after the lines are in: draft -> issued (number, dates, frozen buyer).
    issues: list[Row] = field(default_factory=list)
    payments: list[Row] = field(default_factory=list)
    cancelled_ids: list[uuid.UUID] = field(default_factory=list)
    expenses: list[Row] = field(default_factory=list)
    reminders: list[Row] = field(default_factory=list)
    dashboards: list[Row] = field(default_factory=list)
    chat_messages: list[Row] = field(default_factory=list)
    project_members: list[Row] = field(default_factory=list)
    counters: list[Row] = field(default_factory=list)
    # Working time (demo/worktime.py): table key -> rows.
    worktime: dict[str, list[Row]] = field(default_factory=dict)


def vat_id(rng: random.Random) -> str:
    """A German USt-IdNr with a valid ISO 7064 MOD 11,10 check digit."""
    body = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
    return f"DE{body}{mod_11_10.calc_check_digit(body)}"


def _phone(rng: random.Random, area: str) -> str:
    return f"+49 {area[1:]} {rng.randint(100000, 9999999)}"


def _mobile(rng: random.Random) -> str:
    return f"+49 1{rng.choice(('51', '60', '70', '76', '52'))} {rng.randint(1000000, 99999999)}"


def _address(street: str, postal_code: str, city: str) -> str:
    return f"{street}\n{postal_code} {city}"


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=BERLIN)


def build(seed: int, ctx: Context) -> DemoCompany:
    """The whole demo company for `seed` on `ctx.today`."""
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not secrets)
    demo = DemoCompany()
    employees = _employees(rng, ctx, demo)
    demo.company = _company(rng)
    customers = _customers(rng, ctx, demo)
    projects = _projects(rng, ctx, customers, demo)
    _time_entries(rng, ctx, employees, projects, demo)
    open_invoices = _invoices(rng, ctx, customers, projects, demo)
    _expenses(rng, ctx, projects, demo)
    _reminders(rng, ctx, employees, customers, projects, open_invoices, demo)
    _dashboards(rng, employees, demo)
    _chat(rng, ctx, employees, projects, demo)
    from workmate.demo import worktime  # it builds on this module's rows

    worktime.add(seed, ctx, employees, demo)
    return demo


# ---- people --------------------------------------------------------------------------------

CORE_TEAM = (
    ("Katharina", "Vogel", f"admin@{DEMO_DOMAIN}", "Admin", "Management", "Geschäftsführerin"),
    ("Thomas", "Berger", f"manager@{DEMO_DOMAIN}", "Manager", "Sales", "Vertriebsleiter"),
    ("Jonas", "Keller", f"jonas.keller@{DEMO_DOMAIN}", "Manager", "Development", "Teamleiter"),
    ("Lena", "Hoffmann", f"mitarbeiter@{DEMO_DOMAIN}", "Employee", "Development", "Entwicklerin"),
)


def _employees(rng: random.Random, ctx: Context, demo: DemoCompany) -> list[Row]:
    """All demo employees (new and reused); only new ones go into demo.employees."""
    people: list[tuple[str, str, str, str, str]] = [
        (first, last, email, role, dept) for first, last, email, role, dept, _ in CORE_TEAM
    ]
    used = {p[2] for p in people}
    for i in range(11):
        first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
        email = f"{names.slug(first)}.{names.slug(last)}@{DEMO_DOMAIN}"
        while email in used:
            email = email.replace("@", f"{len(used)}@", 1)
        used.add(email)
        people.append((first, last, email, "Employee", "Development" if i < 7 else "Sales"))
    everyone: list[Row] = []
    for first, last, email, role, dept in people:
        existing = ctx.existing_employees.get(email.lower())
        row: Row = {
            "id": existing or uuid.uuid4(),
            "firstname": first,
            "lastname": last,
            "email": email,
            "role_id": ctx.role_ids[role],
            "department_id": ctx.department_ids[dept],
            "password_hash": ctx.password_hash,
            "is_active": True,
            "locale": "de",
        }
        everyone.append({**row, "_role": role, "_dept": dept, "_new": existing is None})
        if existing is None:
            demo.employees.append(row)
    # One former colleague: deactivated, keeps the history of the first half of the period.
    everyone[-1]["is_active"] = False
    if everyone[-1]["_new"]:
        demo.employees[-1]["is_active"] = False
    for first, last, email, role, _dept, _title in CORE_TEAM:
        demo.logins.append(Login(email=email, role=role, name=f"{first} {last}"))
    for row in everyone[:3]:
        demo.department_managers[row["department_id"]] = row["id"]
    return everyone


def _company(rng: random.Random) -> Row:
    iban = IBAN.generate(
        "DE", bank_code="20050550", account_code=str(rng.randint(10**9, 10**10 - 1))
    )
    return {
        "id": 1,
        "name": "Nordlicht Software GmbH",
        "street": "Am Sandtorkai 54",
        "postal_code": "20457",
        "city": "Hamburg",
        "country": "DE",
        "tax_number": f"22/{rng.randint(100, 999)}/{rng.randint(10000, 99999)}",
        "vat_id": vat_id(rng),
        "iban": str(iban),
        "bic": str(iban.bic),
        "bank_name": "Hamburger Sparkasse",
        "contact_name": "Katharina Vogel",
        "contact_email": f"buchhaltung@{DEMO_DOMAIN}",
        "contact_phone": "+49 40 30 12 34 50",
        "payment_terms_days": 14,
        "vat_mode": "regular",
    }


# ---- CRM -----------------------------------------------------------------------------------


def _company_name(rng: random.Random, city: str) -> str:
    pattern = rng.randrange(6)
    last, other = rng.choice(names.LAST_NAMES), rng.choice(names.LAST_NAMES)
    trade, form = rng.choice(names.TRADES), rng.choice(names.LEGAL_FORMS)
    if pattern == 0:
        return f"{last} {trade} {form}"
    if pattern == 1:
        return f"{last} & {other} {rng.choice(('KG', 'GmbH & Co. KG', 'OHG'))}"
    if pattern == 2:
        return f"{rng.choice(names.BRANDS)} {trade} {rng.choice(('AG', 'GmbH', 'SE'))}"
    if pattern == 3:
        return f"{trade} {city.split()[0]} {form}"
    if pattern == 4:
        return f"Ingenieurbüro {last}"
    return f"{rng.choice(names.BRANDS)} {form}"


def _customers(rng: random.Random, ctx: Context, demo: DemoCompany) -> list[Row]:
    seen: set[str] = set()
    for i in range(N_CUSTOMERS):
        city, postal_code, area = rng.choice(names.CITIES)
        street = (
            f"{rng.choice(names.STREETS)} {rng.randint(1, 120)}{rng.choice(('', '', '', 'a', 'b'))}"
        )
        b2b = rng.random() < 0.65
        first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
        if b2b:
            name = _company_name(rng, city)
            while name in seen:
                name = _company_name(rng, city)
            domain = names.slug(name.split(" GmbH")[0].split(" AG")[0])[:40] + ".de"
            email = f"{rng.choice(('info', 'kontakt', 'buchhaltung', 'office'))}@{domain}"
            phone = _phone(rng, area)
            tax_id = vat_id(rng) if rng.random() < 0.75 else None
        else:
            name = f"{first} {last}"
            while name in seen:
                first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
                name = f"{first} {last}"
            domain = rng.choice(names.MAIL_PROVIDERS)
            email = f"{names.slug(first)}.{names.slug(last)}{rng.randint(1, 99)}@{domain}"
            phone = _mobile(rng) if rng.random() < 0.6 else _phone(rng, area)
            tax_id = None
        seen.add(name)
        # From the reference day, not the clock: the same seed on the same day, the same rows.
        created = datetime.combine(ctx.today, time(7), tzinfo=UTC) - timedelta(
            days=rng.randint(1, 900), minutes=rng.randint(0, 600)
        )
        archived = created + timedelta(days=30)
        customer: Row = {
            "id": uuid.uuid4(),
            "number": f"K-{ctx.customer_start + i:05d}",
            "name": name,
            "type": "B2B" if b2b else "B2C",
            "email": email,
            "phone": phone,
            "tax_id": tax_id,
            "address": _address(street, postal_code, city),
            "street": street,
            "postal_code": postal_code,
            "city": city,
            "country": "DE",
            "buyer_reference": None,
            # A few old customers are archived (kept for their invoices, GoBD).
            "archived_at": archived if rng.random() < 0.03 and archived < ctx.now else None,
            "created_at": created,
            "updated_at": created,
        }
        demo.customers.append(customer)
        _contacts(rng, customer, first, last, area, domain, demo)
    return demo.customers


def _contacts(
    rng: random.Random,
    customer: Row,
    first: str,
    last: str,
    area: str,
    domain: str,
    demo: DemoCompany,
) -> None:
    people: list[tuple[str, str, str | None, str | None, str | None]]
    if customer["type"] == "B2C":
        people = [(first, last, None, customer["email"], customer["phone"])]
    else:
        people = []
        for k in range(rng.choice((1, 1, 2, 2, 3))):
            f, la = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
            role = names.CONTACT_POSITIONS[0] if k == 0 else rng.choice(names.CONTACT_POSITIONS)
            mail = f"{names.slug(f)[0]}.{names.slug(la)}@{domain}"
            people.append((f, la, role, mail, _phone(rng, area)))
    for k, (f, la, position, email, phone) in enumerate(people):
        demo.contacts.append(
            {
                "id": uuid.uuid4(),
                "customer_id": customer["id"],
                "firstname": f,
                "lastname": la,
                "email": email,
                "phone": phone,
                "position": position,
                "is_primary": k == 0,
            }
        )


B2C_TITLES = ("Heimnetzwerk einrichten", "Smart-Home-Beratung", "Datenrettung Laptop")


def _projects(
    rng: random.Random, ctx: Context, customers: list[Row], demo: DemoCompany
) -> list[Row]:
    b2b = [c for c in customers if c["type"] == "B2B" and c["archived_at"] is None]
    b2c = [c for c in customers if c["type"] == "B2C" and c["archived_at"] is None]
    today = ctx.today
    for status, count in PROJECT_PLAN:
        for _ in range(count):
            private = rng.random() < 0.12
            customer = rng.choice(b2c if private else b2b)
            title = rng.choice(B2C_TITLES if private else names.PROJECT_TITLES)
            start: date
            end: date | None
            if status == "planned":
                start = today + timedelta(days=rng.randint(7, 90))
                end = start + timedelta(days=rng.randint(30, 120))
            elif status == "in_progress":
                start = today - timedelta(days=rng.randint(14, 200))
                end = today + timedelta(days=rng.randint(14, 180)) if rng.random() < 0.7 else None
            elif status == "completed":
                start = today - timedelta(days=rng.randint(40, 330))
                end = min(start + timedelta(days=rng.randint(20, 150)), today - timedelta(days=1))
            else:
                start = today - timedelta(days=rng.randint(30, 250))
                end = min(start + timedelta(days=rng.randint(5, 40)), today - timedelta(days=1))
            rate = Decimal(rng.choice((85, 90, 95, 105, 110, 120, 135, 150)))
            demo.projects.append(
                {
                    "id": uuid.uuid4(),
                    "customer_id": customer["id"],
                    "department_id": ctx.department_ids[
                        "Sales" if rng.random() < 0.2 else "Development"
                    ],
                    "title": f"{title} {customer['name'].split()[0]}" if not private else title,
                    "status": status,
                    "start_date": start,
                    "end_date": end,
                    "description": f"{title} für {customer['name']}.",
                    "hourly_rate": None if status == "planned" and rng.random() < 0.3 else rate,
                    "_customer": customer,
                }
            )
    return demo.projects


# ---- time ----------------------------------------------------------------------------------


def _workdays(today: date) -> list[date]:
    days = [today - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]
    return [d for d in days if d.weekday() < 5 and (d.month, d.day) not in HOLIDAYS]


def _project_window(project: Row, today: date) -> tuple[date, date]:
    end = project["end_date"] or today
    return project["start_date"], min(end, today - timedelta(days=1))


def _time_entries(
    rng: random.Random,
    ctx: Context,
    employees: list[Row],
    projects: list[Row],
    demo: DemoCompany,
) -> None:
    workable = [p for p in projects if p["status"] != "planned"]
    days = _workdays(ctx.today)
    for emp in employees:
        mine = rng.sample(workable, rng.randint(3, 6))
        emp["_projects"] = mine
        # Those who work on a project are put on it (its chat); booking time alone is not.
        demo.project_members.extend({"project_id": p["id"], "employee_id": emp["id"]} for p in mine)
        if not emp["_new"]:
            continue  # a reused employee has a history already; ours would overlap it
        last_day = days[len(days) // 2] if not emp["is_active"] else days[-1]
        share = 0.35 if emp["_role"] == "Admin" else 1.0
        for day in days:
            if day > last_day or rng.random() > 0.9 * share:
                continue
            active = [
                p
                for p in mine
                if _project_window(p, ctx.today)[0] <= day <= _project_window(p, ctx.today)[1]
            ]
            if not active:
                continue
            t = _at(day, time(7, 30)) + timedelta(minutes=15 * rng.randint(0, 6))
            worked = timedelta()
            for _ in range(rng.choice((1, 2, 2, 3, 3))):
                length = timedelta(minutes=15 * rng.randint(6, 18))
                if worked + length > timedelta(hours=9):
                    break
                project = rng.choice(active)
                billable = rng.random() < 0.88
                demo.time_entries.append(
                    {
                        "id": uuid.uuid4(),
                        "employee_id": emp["id"],
                        "project_id": project["id"],
                        "start_time": t,
                        "end_time": t + length,
                        "note": rng.choice(names.WORK_NOTES),
                        "billable": billable,
                        "hourly_rate": None,
                    }
                )
                worked += length
                # ArbZG: 30 minutes break once six hours are reached.
                pause = rng.randint(30, 60) if worked >= timedelta(hours=4) else rng.randint(0, 15)
                t += length + timedelta(minutes=pause)
    # Two colleagues have a timer running right now.
    running = [e for e in employees if e["_new"] and e["is_active"] and e["_role"] == "Employee"]
    for emp in running[:2]:
        start = (ctx.now - timedelta(minutes=rng.randint(20, 150))).replace(second=0, microsecond=0)
        demo.time_entries.append(
            {
                "id": uuid.uuid4(),
                "employee_id": emp["id"],
                "project_id": rng.choice(
                    [p for p in emp["_projects"] if p["status"] == "in_progress"]
                    or emp["_projects"]
                )["id"],
                "start_time": start,
                "end_time": None,
                "note": "Implementierung",
                "billable": True,
                "hourly_rate": None,
            }
        )


# ---- invoices ------------------------------------------------------------------------------


def _month_before(day: date) -> tuple[date, date]:
    last = day.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _lines(
    rng: random.Random, invoice_id: uuid.UUID, project: Row | None, issued: date
) -> list[Row]:
    rows: list[Row] = []
    if project is not None:
        start, _ = _month_before(issued)
        rate = project["hourly_rate"] or Decimal(95)
        rows.append(
            {
                "description": f"{project['title']}: Beratung und Umsetzung "
                f"{start.month:02d}/{start.year}",
                "quantity": Decimal(rng.randint(8, 240)) / 4,
                "unit": "HUR",
                "unit_price": Decimal(rate).quantize(Decimal("0.01")),
                "vat_rate": Decimal(19),
                "discount_percent": Decimal(rng.choice((5, 10)) if rng.random() < 0.1 else 0),
            }
        )
    for description, unit, (low, high), vat in rng.sample(
        names.EXTRA_LINES, rng.randint(0 if rows else 1, 3)
    ):
        quantity = Decimal(rng.randint(1, 12 if unit == "MON" else 3))
        rows.append(
            {
                "description": description,
                "quantity": quantity,
                "unit": unit,
                "unit_price": Decimal(rng.randint(low * 100, high * 100)) / 100,
                "vat_rate": Decimal(vat),
                "discount_percent": Decimal(0),
            }
        )
    for position, row in enumerate(rows, start=1):
        row["id"] = uuid.uuid4()
        row["invoice_id"] = invoice_id
        row["position"] = position
        row["net_amount"] = line_net(row["quantity"], row["unit_price"], row["discount_percent"])
    return rows


def _issue_date(rng: random.Random, state: str, today: date) -> tuple[date, int]:
    """Issue date and payment terms that put an invoice of `state` where it belongs today."""
    if state in ("sent", "partial_sent"):
        return today - timedelta(days=rng.randint(0, 12)), 14
    if state in ("overdue", "partial_overdue"):
        age = rng.randint(20, 150)
        return today - timedelta(days=age), 30 if age > 45 and rng.random() < 0.3 else 14
    if state == "cancelled":
        return today - timedelta(days=rng.randint(30, 120)), 14
    return today - timedelta(days=rng.randint(3, HISTORY_DAYS)), rng.choice((14, 14, 14, 30))


def _invoices(
    rng: random.Random,
    ctx: Context,
    customers: list[Row],
    projects: list[Row],
    demo: DemoCompany,
) -> list[Row]:
    """Invoices in every state; returns the open (sent/overdue) ones for reminders."""
    today = ctx.today
    billable = [p for p in projects if p["status"] != "planned"]
    b2b = [c for c in customers if c["type"] == "B2B"]
    planned: list[tuple[str, Row, Row | None, date | None, int]] = []
    for state, count in INVOICE_PLAN:
        for _ in range(count):
            on, terms = _issue_date(rng, state, today)
            candidates = [p for p in billable if p["start_date"] <= on - timedelta(days=7)]
            project = rng.choice(candidates) if candidates and rng.random() < 0.85 else None
            customer = project["_customer"] if project else rng.choice(b2b)
            planned.append((state, customer, project, None if state == "draft" else on, terms))
    # Numbers are gapless in issue order, as if every invoice had been issued on its day.
    order = sorted(
        (i for i, p in enumerate(planned) if p[3] is not None),
        key=lambda i: (planned[i][3], i),
    )
    numbers: dict[int, str] = {}
    next_seq = dict(ctx.counters)
    for i in order:
        issued_on = planned[i][3]
        assert issued_on is not None
        year = issued_on.year
        seq = next_seq.get(("invoice", year), 1)
        numbers[i] = f"RE-{year}-{seq:05d}"
        next_seq[("invoice", year)] = seq + 1

    open_invoices: list[Row] = []
    cancelled: list[tuple[Row, list[Row], date]] = []
    for i, (state, customer, project, issued, terms) in enumerate(planned):
        invoice_id = uuid.uuid4()
        lines = _lines(rng, invoice_id, project, issued or today)
        demo.invoice_lines.extend(lines)
        sums = totals([(line["net_amount"], line["vat_rate"]) for line in lines])
        service_start, service_end = _month_before(issued or today)
        invoice: Row = {
            "id": invoice_id,
            "customer_id": customer["id"],
            "project_id": project["id"] if project else None,
            "net_total": sums.net,
            "tax_total": sums.tax,
            "total": sums.gross,
            "status": "draft",
            "kind": "invoice",
            "cancels_id": None,
            "currency": "EUR",
            "vat_treatment": "regular",
            "service_start": service_start,
            "service_end": service_end,
            "payment_terms_days": terms,
            "note": "Vielen Dank für Ihren Auftrag.",
        }
        demo.invoices.append(invoice)
        if issued is None:
            continue
        due = issued + timedelta(days=terms)
        issue = _issue_row(invoice_id, numbers[i], issued, due, customer, today)
        demo.issues.append(issue)
        if state == "cancelled":
            # Cancelled within days of issue: never reached a dunning letter.
            issue.update(dunning_level=0, last_dunned_on=None)
            cancelled.append((invoice, lines, issued))
        elif state == "paid":
            _pay_fully(rng, invoice, issued, due, today, demo)
        elif state.startswith("partial"):
            share = Decimal(rng.randint(20, 70)) / 100
            _pay(rng, invoice_id, cents(sums.gross * share), issued, today, demo)
            open_invoices.append(invoice)
        else:
            open_invoices.append(invoice)

    for original, lines, issued in cancelled:
        _credit_note(rng, ctx, original, lines, issued, next_seq, demo)

    for (scope, year), value in sorted(next_seq.items()):
        demo.counters.append({"scope": scope, "year": year, "next_value": value})
    demo.counters.append(
        {"scope": "customer", "year": 0, "next_value": ctx.customer_start + len(customers)}
    )
    return open_invoices


def _issue_row(
    invoice_id: uuid.UUID, number: str, issued: date, due: date, customer: Row, today: date
) -> Row:
    overdue_days = (today - due).days
    dunning = 2 if overdue_days > 28 else 1 if overdue_days > 14 else 0
    return {
        "b_id": invoice_id,
        "status": "overdue" if due < today else "sent",
        "number": number,
        "issued_date": issued,
        "due_date": due,
        "buyer_name": customer["name"],
        "buyer_address": customer["address"],
        "buyer_street": customer["street"],
        "buyer_postal_code": customer["postal_code"],
        "buyer_city": customer["city"],
        "buyer_country": customer["country"],
        "buyer_tax_id": customer["tax_id"],
        "buyer_reference": customer["buyer_reference"],
        "dunning_level": dunning,
        "last_dunned_on": due + timedelta(days=14 * dunning) if dunning else None,
    }


METHODS = ("bank_transfer",) * 16 + ("paypal", "paypal", "credit_card", "cash")


def _pay(
    rng: random.Random,
    invoice_id: uuid.UUID,
    amount: Decimal,
    issued: date,
    latest: date,
    demo: DemoCompany,
) -> date:
    paid_on = issued + timedelta(days=rng.randint(0, max(0, (latest - issued).days)))
    demo.payments.append(
        {
            "id": uuid.uuid4(),
            "invoice_id": invoice_id,
            "amount": amount,
            "payment_date": paid_on,
            "method": rng.choice(METHODS),
            "note": None,
        }
    )
    return paid_on


def _pay_fully(
    rng: random.Random, invoice: Row, issued: date, due: date, today: date, demo: DemoCompany
) -> None:
    total: Decimal = invoice["total"]
    latest = min(today, due + timedelta(days=10))
    if rng.random() < 0.15 and total >= Decimal("10.00"):
        first = cents(total * Decimal(rng.randint(40, 80)) / 100)
        first_on = _pay(rng, invoice["id"], first, issued, latest, demo)
        _pay(rng, invoice["id"], total - first, first_on, latest, demo)
    else:
        _pay(rng, invoice["id"], total, issued, latest, demo)


def _credit_note(
    rng: random.Random,
    ctx: Context,
    original: Row,
    lines: list[Row],
    issued: date,
    next_seq: dict[tuple[str, int], int],
    demo: DemoCompany,
) -> None:
    """A credit note with the original's (positive) amounts; the original becomes cancelled."""
    note_id = uuid.uuid4()
    on = min(issued + timedelta(days=rng.randint(3, 20)), ctx.today)
    seq = next_seq.get(("credit_note", on.year), 1)
    next_seq[("credit_note", on.year)] = seq + 1
    original_issue = next(r for r in demo.issues if r["b_id"] == original["id"])
    customer = next(c for c in demo.customers if c["id"] == original["customer_id"])
    demo.credit_notes.append(
        {
            **original,
            "id": note_id,
            "kind": "credit_note",
            "cancels_id": original["id"],
            "note": f"Gutschrift zur Rechnung {original_issue['number']} (Storno).",
        }
    )
    demo.invoice_lines.extend({**line, "id": uuid.uuid4(), "invoice_id": note_id} for line in lines)
    issue = _issue_row(note_id, f"GS-{on.year}-{seq:05d}", on, on, customer, ctx.today)
    # A credit note is settled by being booked: no due date, no payments, no dunning.
    demo.issues.append(
        {**issue, "status": "sent", "due_date": None, "dunning_level": 0, "last_dunned_on": None}
    )
    demo.cancelled_ids.append(original["id"])


# ---- back office ---------------------------------------------------------------------------

EXPENSE_RANGES = {"material": (15, 900), "personnel": (50, 2500), "service": (30, 4000),
                  "other": (5, 300)}  # fmt: skip


def _expenses(rng: random.Random, ctx: Context, projects: list[Row], demo: DemoCompany) -> None:
    active = [p for p in projects if p["status"] in ("in_progress", "completed")]
    issued_ids = [r["b_id"] for r in demo.issues if r["number"].startswith("RE-")]
    for category in names.EXPENSE_NOTES:
        for _ in range(25):
            low, high = EXPENSE_RANGES[category]
            project = rng.choice(active) if rng.random() < 0.4 else None
            rebilled = category == "service" and project is None and rng.random() < 0.15
            demo.expenses.append(
                {
                    "id": uuid.uuid4(),
                    "project_id": project["id"] if project else None,
                    "invoice_id": rng.choice(issued_ids) if rebilled else None,
                    "category": category,
                    "amount": Decimal(rng.randint(low * 100, high * 100)) / 100,
                    "note": rng.choice(names.EXPENSE_NOTES[category]),
                    "expense_date": ctx.today - timedelta(days=rng.randint(0, HISTORY_DAYS)),
                }
            )


def _reminders(
    rng: random.Random,
    ctx: Context,
    employees: list[Row],
    customers: list[Row],
    projects: list[Row],
    open_invoices: list[Row],
    demo: DemoCompany,
) -> None:
    numbers = {r["b_id"]: r["number"] for r in demo.issues}
    owners = [e for e in employees if e["is_active"]]
    for i in range(45):
        # The documented logins get the first reminders, so every demo user sees some.
        owner = owners[i % 4] if i < 20 else rng.choice(owners)
        due = ctx.today + timedelta(days=rng.randint(-20, 40))
        kind = rng.random()
        linked_to: str | None
        linked_id: uuid.UUID | None
        if kind < 0.4:
            customer = rng.choice(customers)
            linked_to, linked_id = "customer", customer["id"]
            title = f"{rng.choice(names.REMINDER_TITLES)}: {customer['name']}"
        elif kind < 0.65:
            project = rng.choice(projects)
            linked_to, linked_id = "project", project["id"]
            title = f"Projektstand prüfen: {project['title']}"
        elif kind < 0.8 and open_invoices:
            invoice = rng.choice(open_invoices)
            linked_to, linked_id = "invoice", invoice["id"]
            title = f"Zahlungseingang prüfen: {numbers[invoice['id']]}"
        else:
            linked_to, linked_id = None, None
            title = rng.choice(("Reisekosten abrechnen", "Urlaubsplanung abgeben",
                                "Team-Meeting vorbereiten", "Jahresgespräche planen"))  # fmt: skip
        done = due < ctx.today and rng.random() < 0.35
        demo.reminders.append(
            {
                "id": uuid.uuid4(),
                "title": title,
                "due_date": due,
                "priority": rng.choice(("low", "medium", "medium", "high")),
                "linked_to": linked_to,
                "linked_id": linked_id,
                "owner_id": owner["id"],
                "is_done": done,
                "note": None,
                "done_at": datetime.combine(due, time(9, 30), tzinfo=UTC) if done else None,
            }
        )


# Widget ids of the dashboards domain (a test checks them against its registry).
LAYOUTS = {
    "Admin": ["crm-stats", "receivables", "revenue-month", "expenses-category",
              "recent-customers", "my-reminders"],
    "Manager": ["crm-stats", "project-timeline", "receivables", "my-reminders",
                "recent-customers", "my-hours-week"],
    "Employee": ["my-timer", "my-hours-week", "my-reminders", "project-timeline"],
}  # fmt: skip


def _dashboards(rng: random.Random, employees: list[Row], demo: DemoCompany) -> None:
    for emp in employees:
        if not emp["_new"]:
            continue
        # Two widgets per row of a 12-column grid, 6 wide and 3 high: never overlapping.
        widgets = [
            {"id": wid, "x": 6 * (k % 2), "y": 3 * (k // 2), "w": 6, "h": 3}
            for k, wid in enumerate(LAYOUTS[emp["_role"]])
        ]
        demo.dashboards.append(
            {
                "id": uuid.uuid4(),
                "user_id": emp["id"],
                "layout_json": {"widgets": widgets},
                "theme": "dark" if rng.random() < 0.3 else "light",
            }
        )


def _chat(
    rng: random.Random,
    ctx: Context,
    employees: list[Row],
    projects: list[Row],
    demo: DemoCompany,
) -> None:
    for project in projects:
        if project["status"] not in ("in_progress", "completed"):
            continue
        team = [
            e for e in employees if any(p["id"] == project["id"] for p in e.get("_projects", []))
        ] or employees[:3]
        # Whoever writes in a project's chat is on the project (chat access is explicit).
        known = {(m["project_id"], m["employee_id"]) for m in demo.project_members}
        demo.project_members.extend(
            {"project_id": project["id"], "employee_id": e["id"]}
            for e in team
            if (project["id"], e["id"]) not in known
        )
        start = _at(project["start_date"], time(9))
        end = min(_at(_project_window(project, ctx.today)[1], time(17)), ctx.now)
        span = max(int((end - start).total_seconds()), 60)
        moments = sorted(rng.randrange(span) for _ in range(rng.randint(2, 8)))
        for offset in moments:
            demo.chat_messages.append(
                {
                    "id": uuid.uuid4(),
                    "project_id": project["id"],
                    "author_id": rng.choice(team)["id"],
                    "message": rng.choice(names.CHAT_LINES),
                    "created_at": start + timedelta(seconds=offset),
                }
            )


def strip_private(row: Row) -> Row:
    """Drop the generator's bookkeeping keys (leading underscore) before an insert."""
    return {k: v for k, v in row.items() if not k.startswith("_")}
