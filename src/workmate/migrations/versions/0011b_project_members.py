"""Project members (issue 13, item 7): chat membership is explicit. An employee reads and
posts in a project's chat as a member (put there by a projects.write holder), as an employee of
the project's department, or as a projects.write holder; booking time grants nothing. Earlier
bookings are not turned into memberships: whoever needs the chat is added by a manager.

Revision ID: 0011b
Revises: 0017d (follows the merged head)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011b"
down_revision: str | None = "0010b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_members",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("added_by", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["added_by"],
            ["employees.id"],
            name=op.f("fk_project_members_added_by_employees"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_project_members_employee_id_employees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_members_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "employee_id", name=op.f("pk_project_members")),
    )
    op.create_index(
        op.f("ix_project_members_employee_id"), "project_members", ["employee_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_project_members_employee_id"), table_name="project_members")
    op.drop_table("project_members")
