"""VAT cases beside domestic, EU reverse charge and § 19: services to businesses outside the
EU (not taxable in Germany, EN 16931 category O) and intra-EU supplies of goods (category K).

Revision ID: 0017e
Revises: 0017d
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017e"
down_revision: str | None = "0017d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "vat_treatment IN ('regular', 'reverse_charge', 'small_business')"
NEW = (
    "vat_treatment IN ('regular', 'reverse_charge', 'small_business', 'non_taxable', "
    "'intra_eu_goods')"
)
TABLES = ("invoices", "quotes", "recurring_invoices")


def _replace(condition: str) -> None:
    for table in TABLES:
        op.drop_constraint(op.f(f"ck_{table}_vat_treatment"), table, type_="check")
        op.create_check_constraint(op.f(f"ck_{table}_vat_treatment"), table, condition)


def upgrade() -> None:
    _replace(NEW)


def downgrade() -> None:
    _replace(OLD)
