"""The seller's legal details every business letter of a firm must show (§ 35a GmbHG,
§ 37a HGB): legal form, register court and number, managing directors.

Revision ID: 0012
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept in step with models/company_settings.LEGAL_FORMS (a migration never imports the models).
LEGAL_FORMS = (
    "sole_proprietor",
    "freelancer",
    "gbr",
    "ohg",
    "kg",
    "gmbh",
    "ug",
    "gmbh_co_kg",
    "ag",
    "ev",
    "other",
)


def upgrade() -> None:
    op.add_column("company_settings", sa.Column("legal_form", sa.String(20)))
    op.add_column("company_settings", sa.Column("register_court", sa.String(100)))
    op.add_column("company_settings", sa.Column("register_number", sa.String(40)))
    op.add_column("company_settings", sa.Column("managing_directors", sa.String(300)))
    quoted = ", ".join(f"'{v}'" for v in LEGAL_FORMS)
    op.create_check_constraint(
        op.f("ck_company_settings_legal_form"),
        "company_settings",
        f"legal_form IS NULL OR legal_form IN ({quoted})",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_company_settings_legal_form"), "company_settings", type_="check")
    for column in ("managing_directors", "register_number", "register_court", "legal_form"):
        op.drop_column("company_settings", column)
