"""The figures a VAT return needs: net and VAT per rate, sales and purchases, per month and
quarter, summed in SQL.

Sales: issued invoices and credit notes (negative) by issue date; VAT per invoice and rate
as the invoice states it. Purchases: supplier bills in EUR by invoice date, from their VAT
rows (credit notes negative). Input VAT is counted in the period of the invoice date: the
firm is assumed to tax by agreed amounts (Soll-Versteuerung), where input VAT is deductible
once invoice and supply are there.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from workmate.errors import Invalid
from workmate.purchases import repository as repo
from workmate.purchases.schemas import VatLine, VatPeriod, VatReport

ZERO = Decimal("0.00")


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _lines(rows: list[Any], months: set[date], with_vat: bool = True) -> list[VatLine]:
    sums: dict[tuple[Decimal, str], list[Decimal]] = {}
    for row in rows:
        if row.month not in months:
            continue
        total = sums.setdefault((Decimal(row.rate), row.category), [ZERO, ZERO])
        total[0] += Decimal(row.net)
        total[1] += Decimal(row.vat) if with_vat else ZERO
    return [
        VatLine(rate=rate, category=category, net=net, vat=vat)
        for (rate, category), (net, vat) in sorted(
            sums.items(), key=lambda kv: (-kv[0][0], kv[0][1])
        )
    ]


def _period(
    name: str, start: date, end: date, rows: tuple[list[Any], list[Any], list[Any]]
) -> VatPeriod:
    sales_rows, purchase_rows, left_rows = rows
    months = {date(start.year, m, 1) for m in range(start.month, end.month + 1)}
    sales = _lines(sales_rows, months)
    purchases = _lines(purchase_rows, months)
    output = sum((s.vat for s in sales), ZERO)
    input_ = sum((p.vat for p in purchases), ZERO)
    left = sum(int(r.n) for r in left_rows if r.month in months)
    return VatPeriod(
        period=name,
        start=start,
        end=end,
        sales=sales,
        purchases=purchases,
        output_vat=output,
        input_vat=input_,
        balance=output - input_,
        purchases_not_included=left,
    )


class VatService:
    async def report(self, db: AsyncSession, year: int) -> VatReport:
        """Months and quarters of one year (three statements in all, whatever the size)."""
        if not 2000 <= year <= 2100:
            raise Invalid("year must be between 2000 and 2100", field="year")
        rows = await repo.vat_rows(db, date(year, 1, 1), date(year, 12, 31))
        months = [
            _period(f"{year}-{m:02d}", date(year, m, 1), _month_end(year, m), rows)
            for m in range(1, 13)
        ]
        quarters = [
            _period(f"{year}-Q{q}", date(year, 3 * q - 2, 1), _month_end(year, 3 * q), rows)
            for q in range(1, 5)
        ]
        return VatReport(year=year, months=months, quarters=quarters)


vat_service = VatService()
