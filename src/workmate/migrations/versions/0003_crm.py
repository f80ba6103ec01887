"""crm: trigram search over customer e-mail, number and contact names; contact anonymisation.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRGM_INDEXES = (
    ("ix_customers_email_trgm", "customers", "email"),
    ("ix_customers_number_trgm", "customers", "number"),
    ("ix_contacts_lastname_trgm", "contacts", "lastname"),
    ("ix_contacts_firstname_trgm", "contacts", "firstname"),
)


def upgrade() -> None:
    op.add_column("contacts", sa.Column("anonymized_at", sa.DateTime(timezone=True)))
    for name, table, column in TRGM_INDEXES:
        op.create_index(
            name,
            table,
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def downgrade() -> None:
    for name, table, _ in TRGM_INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_column("contacts", "anonymized_at")
