"""upload_slots: uploads in progress per employee, capped across all app processes.

Revision ID: 0010
Revises: 0017d
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0017e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "upload_slots",
        sa.Column(
            "id",
            postgresql.UUID(as_uuid=True),
            server_default=sa.text("gen_random_uuid()"),
            nullable=False,
        ),
        sa.Column("employee_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_upload_slots"),
        prefixes=["UNLOGGED"],
    )
    op.create_index("ix_upload_slots_employee_id", "upload_slots", ["employee_id"])


def downgrade() -> None:
    op.drop_table("upload_slots")
