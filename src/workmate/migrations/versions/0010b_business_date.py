"""The database's "today" is the business day (Europe/Berlin), as workmate.clock.today().

`current_date` follows the session's TimeZone, which Workmate sets to UTC: between midnight and
01:00/02:00 German time the payment-status trigger and the expense date default were a day
behind the API and the pages. `wm_business_day(instant)` is the one SQL definition (as
clock.day_of), `wm_today()` the day of now(); the trigger and the default use it.

Revision ID: 0010b
Revises: 0010
"""

from collections.abc import Sequence

from alembic import op

from workmate.migrations.rules_0001 import PAYMENT_STATUS

revision: str = "0010b"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUSINESS_DAY = """
CREATE FUNCTION wm_business_day(instant timestamptz) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (instant AT TIME ZONE 'Europe/Berlin')::date
$$
"""
WM_TODAY = """
CREATE FUNCTION wm_today() RETURNS date LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT wm_business_day(now())
$$
"""


def _payment_status(today: str) -> str:
    body = PAYMENT_STATUS.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
    assert body.count("current_date") == 2
    return body.replace("current_date", today)


def upgrade() -> None:
    op.execute(BUSINESS_DAY)
    op.execute(WM_TODAY)
    op.execute(_payment_status("wm_today()"))
    op.execute("ALTER TABLE expenses ALTER COLUMN expense_date SET DEFAULT wm_today()")


def downgrade() -> None:
    op.execute("ALTER TABLE expenses ALTER COLUMN expense_date SET DEFAULT CURRENT_DATE")
    op.execute(_payment_status("current_date"))
    op.execute("DROP FUNCTION wm_today()")
    op.execute("DROP FUNCTION wm_business_day(timestamptz)")
