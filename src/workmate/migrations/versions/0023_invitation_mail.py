"""invitation e-mails: the outbox carries invitations, and keeps their one-time link apart
from the body (secret_link) only while the message waits.

Revision ID: 0023
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PURPOSES = "('invoice', 'quote', 'dunning', 'invitation', 'other')"
OLD_PURPOSES = "('invoice', 'quote', 'dunning', 'other')"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_outbox_messages_purpose"), "outbox_messages", type_="check")
    op.create_check_constraint(
        op.f("ck_outbox_messages_purpose"), "outbox_messages", f"purpose IN {PURPOSES}"
    )
    op.add_column("outbox_messages", sa.Column("secret_link", sa.Text(), nullable=True))
    op.create_check_constraint(
        op.f("ck_outbox_messages_secret_link"),
        "outbox_messages",
        "secret_link IS NULL OR state = 'queued'",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_outbox_messages_secret_link"), "outbox_messages", type_="check")
    op.drop_column("outbox_messages", "secret_link")
    # Waiting invitations would go out without their link: withdraw them.
    op.execute(
        "UPDATE outbox_messages SET state = 'cancelled' "
        "WHERE purpose = 'invitation' AND state = 'queued'"
    )
    op.execute("UPDATE outbox_messages SET purpose = 'other' WHERE purpose = 'invitation'")
    op.drop_constraint(op.f("ck_outbox_messages_purpose"), "outbox_messages", type_="check")
    op.create_check_constraint(
        op.f("ck_outbox_messages_purpose"), "outbox_messages", f"purpose IN {OLD_PURPOSES}"
    )
