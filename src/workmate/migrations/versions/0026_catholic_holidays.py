"""Holidays of predominantly Catholic municipalities: Mariä Himmelfahrt (15 August) in most of
Bavaria, Fronleichnam in parts of Saxony and Thuringia. They are not statutory in the whole
state, so they are stored with category `catholic` and count only when the company says its
workplace lies in such a municipality (worktime_settings.catholic_holidays).

The years already stored get their Catholic days from the `holidays` library now, as
`HolidayService.ensure` stores them for new years.

Revision ID: 0026
Revises: 0025
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "public_holidays",
        sa.Column("category", sa.String(10), server_default=sa.text("'public'"), nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_public_holidays_category"), "public_holidays", "category IN ('public', 'catholic')"
    )
    op.add_column(
        "worktime_settings",
        sa.Column(
            "catholic_holidays", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
    )
    from workmate.worktime.holidays import library_rows

    years = [
        int(y)
        for (y,) in op.get_bind().execute(
            sa.text("SELECT DISTINCT extract(year FROM day)::int FROM public_holidays")
        )
    ]
    table = sa.table(
        "public_holidays",
        sa.column("federal_state"),
        sa.column("day"),
        sa.column("name"),
        sa.column("name_en"),
        sa.column("category"),
    )
    for year in years:
        rows = [r for r in library_rows(year) if r["category"] == "catholic"]
        if rows:
            op.bulk_insert(table, rows)


def downgrade() -> None:
    op.execute("DELETE FROM public_holidays WHERE category <> 'public'")
    op.drop_column("worktime_settings", "catholic_holidays")
    op.drop_constraint(op.f("ck_public_holidays_category"), "public_holidays", type_="check")
    op.drop_column("public_holidays", "category")
