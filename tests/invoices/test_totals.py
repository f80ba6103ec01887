"""Invoice arithmetic: one rounding rule, checked by examples and by properties."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from workmate.invoices.totals import cents, compute, line_allowance, line_gross, line_net

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10000), places=3)
prices = st.decimals(min_value=Decimal(0), max_value=Decimal(100000), places=2)
discounts = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2)
rates = st.sampled_from([Decimal(0), Decimal(7), Decimal(19)])


def test_half_up_not_bankers() -> None:
    assert cents(Decimal("0.125")) == Decimal("0.13")
    assert cents(Decimal("0.135")) == Decimal("0.14")
    assert line_net(Decimal("3"), Decimal("0.335"), Decimal(0)) == Decimal("1.01")


def test_vat_on_the_rates_net_sum_not_per_line() -> None:
    # Three lines of 0.10 at 19 %: per line 0.02 each (0.06), on the sum 0.057 -> 0.06;
    # 0.05 + 0.05 + 0.05 at 19 %: per line 0.01 each (0.03), on the sum 0.0285 -> 0.03.
    totals = compute([(Decimal("0.05"), Decimal(19))] * 3 + [(Decimal("10.00"), Decimal(7))])
    assert totals.net == Decimal("10.15")
    assert [(r.rate, r.net, r.tax) for r in totals.per_rate] == [
        (Decimal(19), Decimal("0.15"), Decimal("0.03")),
        (Decimal(7), Decimal("10.00"), Decimal("0.70")),
    ]
    assert totals.gross == Decimal("10.88")


def test_discount() -> None:
    assert line_net(Decimal("2"), Decimal("49.99"), Decimal("10")) == Decimal("89.98")


def test_discount_is_the_rounded_allowance_off_the_gross() -> None:
    # 10.10 at 5 %: allowance round(0.505) = 0.51, net 9.59 (not round(9.595) = 9.60).
    assert line_allowance(Decimal(1), Decimal("10.10"), Decimal(5)) == Decimal("0.51")
    assert line_net(Decimal(1), Decimal("10.10"), Decimal(5)) == Decimal("9.59")


@given(quantities | quantities.map(lambda q: -q), prices, discounts)
def test_line_arithmetic_is_en16931(quantity: Decimal, price: Decimal, discount: Decimal) -> None:
    """BT-131 = round(BT-129 x BT-146) - BT-136 and BT-136 = round(BT-137 x BT-138 / 100)."""
    gross, allowance = line_gross(quantity, price), line_allowance(quantity, price, discount)
    net = line_net(quantity, price, discount)
    assert gross == (quantity * price).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert allowance == (gross * discount / 100).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert net + allowance == gross
    assert all(x == cents(x) for x in (gross, allowance, net))


@given(st.lists(st.tuples(quantities, prices, discounts, rates), min_size=1, max_size=20))
def test_totals_equal_sum_of_rounded_lines(
    lines: list[tuple[Decimal, Decimal, Decimal, Decimal]],
) -> None:
    nets = [(line_net(q, p, d), r) for q, p, d, r in lines]
    totals = compute(nets)
    assert all(n == cents(n) for n, _ in nets)
    assert totals.net == sum((n for n, _ in nets), Decimal(0))
    for rt in totals.per_rate:
        rate_net = sum((n for n, r in nets if r == rt.rate), Decimal(0))
        assert rt.net == rate_net
        assert rt.tax == cents(rate_net * rt.rate / 100)
    assert totals.tax == sum((rt.tax for rt in totals.per_rate), Decimal(0))
    assert totals.gross == totals.net + totals.tax
    assert totals.gross.as_tuple().exponent == -2
