"""documents: look-up of a stored file's other users; sizes cannot be negative.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_documents_file_path"), "documents", ["file_path"])
    op.create_check_constraint(
        op.f("ck_documents_size_nonnegative"), "documents", "size_bytes >= 0"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_documents_size_nonnegative"), "documents", type_="check")
    op.drop_index(op.f("ix_documents_file_path"), table_name="documents")
