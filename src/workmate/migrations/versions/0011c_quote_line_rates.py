"""Quote lines keep the rate the user chose (issue 13, item 1, its class): as on invoice lines,
quote_lines.chosen_vat_rate survives treatment switches and vat_rate is the effective rate.
Existing lines take their stored rate as the chosen one.

Revision ID: 0011c
Revises: 0011b
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011c"
down_revision: str | None = "0011b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT = """
CREATE FUNCTION wm_quote_line_chosen_rate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.chosen_vat_rate := COALESCE(NEW.chosen_vat_rate, NEW.vat_rate);
    RETURN NEW;
END $$;
"""
TRIGGER = """
CREATE TRIGGER wm_quote_line_chosen_rate BEFORE INSERT ON quote_lines
    FOR EACH ROW EXECUTE FUNCTION wm_quote_line_chosen_rate();
"""


def upgrade() -> None:
    op.add_column("quote_lines", sa.Column("chosen_vat_rate", sa.Numeric(precision=5, scale=2)))
    op.execute("ALTER TABLE quote_lines DISABLE TRIGGER USER")
    op.execute("UPDATE quote_lines SET chosen_vat_rate = vat_rate")
    op.execute("ALTER TABLE quote_lines ENABLE TRIGGER USER")
    op.alter_column("quote_lines", "chosen_vat_rate", nullable=False)
    op.create_check_constraint(
        op.f("ck_quote_lines_chosen_vat_rate"), "quote_lines", "chosen_vat_rate IN (0, 7, 19)"
    )
    op.create_check_constraint(
        op.f("ck_quote_lines_effective_vat_rate"),
        "quote_lines",
        "vat_rate = chosen_vat_rate OR vat_rate = 0",
    )
    op.execute(DEFAULT)
    op.execute(TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER wm_quote_line_chosen_rate ON quote_lines")
    op.execute("DROP FUNCTION wm_quote_line_chosen_rate()")
    op.drop_constraint(op.f("ck_quote_lines_effective_vat_rate"), "quote_lines", type_="check")
    op.drop_constraint(op.f("ck_quote_lines_chosen_vat_rate"), "quote_lines", type_="check")
    op.drop_column("quote_lines", "chosen_vat_rate")
