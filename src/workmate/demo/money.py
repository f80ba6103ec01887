"""Invoice arithmetic for the demo, the way §14 UStG / EN 16931 expect it.

Line net amounts are rounded half-up to cents; VAT is computed once per rate on the sum of
that rate's line nets (not per line), so totals match what an e-invoice validator recomputes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from workmate.invoices import totals as invoice_totals

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# One line arithmetic for the app, the demo and the benchmark data (EN 16931 allowance).
line_net = invoice_totals.line_net


@dataclass(frozen=True)
class Totals:
    net: Decimal
    tax: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax


def totals(lines: list[tuple[Decimal, Decimal]]) -> Totals:
    """Totals of (net_amount, vat_rate) pairs: VAT per rate on that rate's net sum."""
    per_rate: dict[Decimal, Decimal] = defaultdict(Decimal)
    for net, rate in lines:
        per_rate[rate] += net
    net_total = sum(per_rate.values(), Decimal("0.00"))
    tax_total = sum(
        (cents(net * rate / HUNDRED) for rate, net in per_rate.items()), Decimal("0.00")
    )
    return Totals(net=cents(net_total), tax=cents(tax_total))
