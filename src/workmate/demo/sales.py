"""The demo company's sales cycle, written through the services (so every rule holds): a few
quotes (one billed with a down payment and a final invoice), a recurring hosting contract
with its invoices, dunning letters for overdue invoices, invoices e-mailed into the outbox
(they wait there until a mail server is configured), and the purchase side (demo/purchases.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from workmate import clock
from workmate.auth.principal import Principal
from workmate.demo.purchases import load_purchases
from workmate.dunning.schemas import RunRequest
from workmate.dunning.service import dunning_service
from workmate.invoices.schemas import LineIn
from workmate.invoices.sending import invoice_sending
from workmate.invoices.service import invoice_service
from workmate.models import Customer, Employee, Invoice, Role
from workmate.outbox.schemas import SendByEmail
from workmate.quotes.billing import quote_billing
from workmate.quotes.schemas import DownPayments, QuoteCreate
from workmate.quotes.service import quote_service
from workmate.recurring.schemas import RecurringCreate
from workmate.recurring.service import recurring_service


def _line(description: str, quantity: str, price: str, rate: int = 19, unit: str = "HUR") -> LineIn:
    return LineIn(
        description=description,
        quantity=Decimal(quantity),
        unit=unit,
        unit_price=Decimal(price),
        vat_rate=Decimal(rate),
    )


async def load_sales(conn: AsyncConnection) -> None:
    """Add the sales demo inside the caller's transaction."""
    db = AsyncSession(bind=conn, expire_on_commit=False)
    try:
        who = await _admin(db)
        customers = list(
            await db.scalars(
                select(Customer)
                .where(Customer.is_customer, Customer.email.is_not(None))
                .order_by(Customer.number)
                .limit(5)
            )
        )
        if who is None or len(customers) < 5:
            return
        await _quotes(db, who, customers[:3])
        await _recurring(db, who, customers[3])
        await _dunning(db, who)
        await _outbox(db, who)
        await load_purchases(db, who)
        await db.flush()
    finally:
        await db.close()


async def _admin(db: AsyncSession) -> Principal | None:
    row = (
        await db.execute(
            select(Employee, Role)
            .join(Role, Role.id == Employee.role_id)
            .where(Role.name == "Admin", Employee.is_active)
            .order_by(Employee.email)
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    employee, role = row
    return Principal(
        employee_id=employee.id,
        email=employee.email,
        role_id=role.id,
        role_name=role.name,
        permissions=role.permissions,
        via="cli",
    )


async def _quotes(db: AsyncSession, who: Principal, customers: list[Customer]) -> None:
    draft, sent, accepted = customers
    await quote_service.create(
        db,
        who,
        QuoteCreate(
            customer_id=draft.id,
            title="Wartungsvertrag 2027",
            lines=[_line("Wartung und Updates", "12", "180.00", unit="MON")],
        ),
    )
    offer = await quote_service.create(
        db,
        who,
        QuoteCreate(
            customer_id=sent.id,
            title="Schulung Mitarbeitende",
            lines=[_line("Schulungstag vor Ort", "2", "1200.00", unit="DAY")],
        ),
    )
    await quote_service.issue(db, who, offer.id)
    project = await quote_service.create(
        db,
        who,
        QuoteCreate(
            customer_id=accepted.id,
            title="Relaunch Webshop",
            lines=[
                _line("Konzeption und Design", "40", "95.00"),
                _line("Umsetzung", "120", "95.00"),
                _line("Fachbuch E-Commerce", "2", "49.90", rate=7, unit="C62"),
            ],
        ),
    )
    await quote_service.issue(db, who, project.id)
    await quote_service.decide(db, who, project.id, "accepted")
    [down] = await quote_billing.down_payments(
        db, who, project.id, DownPayments(shares=[Decimal(30)])
    )
    await invoice_service.issue(db, who, down.id)
    await quote_billing.final_invoice(db, who, project.id)


async def _recurring(db: AsyncSession, who: Principal, customer: Customer) -> None:
    today = clock.today()
    first = (today.replace(day=1) - timedelta(days=62)).replace(day=1)
    await recurring_service.create(
        db,
        who,
        RecurringCreate(
            customer_id=customer.id,
            title="Hosting Webshop (Managed Server)",
            interval="monthly",
            first_date=first,
            mode="issue",
            lines=[
                _line("Managed Server inkl. Backup", "1", "89.00", unit="MON"),
                _line("SSL-Zertifikat und Monitoring", "1", "15.00", unit="MON"),
            ],
        ),
    )
    await recurring_service.run_due(db, today)


async def _dunning(db: AsyncSession, who: Principal) -> None:
    proposals = await dunning_service.proposals(db)
    chosen = [p for p in proposals if p.has_email][:3]
    if chosen:
        await dunning_service.run(
            db, who, RunRequest(invoice_ids=[p.invoice_id for p in chosen], channel="email")
        )


async def _outbox(db: AsyncSession, who: Principal) -> None:
    recent = await db.scalars(
        select(Invoice.id)
        .where(Invoice.kind == "invoice", Invoice.status == "sent", Invoice.billing == "standard")
        .order_by(Invoice.issued_date.desc(), Invoice.number.desc())
        .limit(2)
    )
    for invoice_id in list(recent):
        await invoice_sending.send_by_email(db, who, invoice_id, SendByEmail())
