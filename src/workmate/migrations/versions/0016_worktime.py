"""worktime: work contracts, public holidays, absences, breaks and break deductions, the
overtime and vacation accounts' bookings, month closings, settings and calendar feeds; the
month lock (triggers) and the seed roles' grants of the new permission module.

Revision ID: 0016
Revises: 0013
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _tables()
    _rules()
    _grants()


def _tables() -> None:
    op.create_table(
        "public_holidays",
        sa.Column("federal_state", sa.String(length=2), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "federal_state IN ('BW', 'BY', 'BE', 'BB', 'HB', 'HH', 'HE', 'MV', 'NI', 'NW', 'RP', 'SL', 'SN', 'ST', 'SH', 'TH')",
            name=op.f("ck_public_holidays_federal_state"),
        ),
        sa.PrimaryKeyConstraint("federal_state", "day", name=op.f("pk_public_holidays")),
    )
    op.create_table(
        "worktime_settings",
        sa.Column("id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "break_mode", sa.String(length=10), server_default=sa.text("'deduct'"), nullable=False
        ),
        sa.Column(
            "half_days",
            postgresql.ARRAY(sa.String(length=5)),
            server_default=sa.text("'{12-24,12-31}'"),
            nullable=False,
        ),
        sa.Column(
            "carry_over_expiry",
            sa.String(length=5),
            server_default=sa.text("'03-31'"),
            nullable=True,
        ),
        sa.Column("locked_through", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "array_to_string(half_days, ',') ~ '^((0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(,|$))*$'",
            name=op.f("ck_worktime_settings_half_days"),
        ),
        sa.CheckConstraint(
            "break_mode IN ('deduct', 'warn')", name=op.f("ck_worktime_settings_break_mode")
        ),
        sa.CheckConstraint(
            "carry_over_expiry IS NULL OR carry_over_expiry ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'",
            name=op.f("ck_worktime_settings_carry_over_expiry"),
        ),
        sa.CheckConstraint(
            "locked_through IS NULL OR locked_through = (date_trunc('month', locked_through) + interval '1 month - 1 day')::date",
            name=op.f("ck_worktime_settings_locked_through_month_end"),
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_worktime_settings_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worktime_settings")),
    )
    op.create_table(
        "absences",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("employee_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("half_day_start", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("half_day_end", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("certificate", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "status", sa.String(length=20), server_default=sa.text("'requested'"), nullable=False
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.UUID(), nullable=True),
        sa.Column("decided_by", sa.UUID(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        postgresql.ExcludeConstraint(
            (sa.column("employee_id"), "="),
            (sa.text("daterange(start_date, end_date, '[]')"), "&&"),
            where=sa.text("status IN ('requested', 'approved')"),
            using="gist",
            name="ex_absences_no_overlap",
        ),
        sa.CheckConstraint(
            "kind = 'sick' OR NOT certificate", name=op.f("ck_absences_certificate")
        ),
        sa.CheckConstraint(
            "kind IN ('vacation', 'sick', 'special_leave', 'overtime_compensation', 'training')",
            name=op.f("ck_absences_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('requested', 'approved', 'declined', 'cancelled')",
            name=op.f("ck_absences_status"),
        ),
        sa.CheckConstraint(
            "status IN ('requested', 'cancelled') OR decided_at IS NOT NULL",
            name=op.f("ck_absences_decided"),
        ),
        sa.CheckConstraint(
            "end_date > start_date OR NOT (half_day_start AND half_day_end)",
            name=op.f("ck_absences_half_days"),
        ),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_absences_dates")),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["employees.id"],
            name=op.f("fk_absences_decided_by_employees"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_absences_employee_id_employees"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["employees.id"],
            name=op.f("fk_absences_requested_by_employees"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absences")),
    )
    op.create_index(
        "ix_absences_employee_id_start_date",
        "absences",
        ["employee_id", "start_date"],
        unique=False,
    )
    op.create_index("ix_absences_start_date", "absences", ["start_date"], unique=False)
    op.create_table(
        "account_bookings",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("employee_id", sa.UUID(), nullable=False),
        sa.Column("account", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "account IN ('overtime', 'vacation')", name=op.f("ck_account_bookings_account")
        ),
        sa.CheckConstraint(
            "kind <> 'payout' OR quantity > 0", name=op.f("ck_account_bookings_payout_positive")
        ),
        sa.CheckConstraint(
            "kind IN ('opening', 'payout', 'correction')", name=op.f("ck_account_bookings_kind")
        ),
        sa.CheckConstraint("quantity <> 0", name=op.f("ck_account_bookings_quantity")),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["employees.id"],
            name=op.f("fk_account_bookings_created_by_employees"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_account_bookings_employee_id_employees"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_bookings")),
    )
    op.create_index(
        "ix_account_bookings_employee_id_day",
        "account_bookings",
        ["employee_id", "day"],
        unique=False,
    )
    op.create_index(
        "uq_account_bookings_opening",
        "account_bookings",
        ["employee_id", "account"],
        unique=True,
        postgresql_where=sa.text("kind = 'opening'"),
    )
    op.create_table(
        "break_deductions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("employee_id", sa.UUID(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("worked_minutes", sa.Integer(), nullable=False),
        sa.Column("break_minutes", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reversed_by", sa.UUID(), nullable=True),
        sa.Column("reversal_reason", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(reversed_at IS NULL) = (reversed_by IS NULL)",
            name=op.f("ck_break_deductions_reversal_complete"),
        ),
        sa.CheckConstraint("minutes > 0", name=op.f("ck_break_deductions_minutes")),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_break_deductions_employee_id_employees"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reversed_by"],
            ["employees.id"],
            name=op.f("fk_break_deductions_reversed_by_employees"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_deductions")),
        sa.UniqueConstraint("employee_id", "day", name=op.f("uq_break_deductions_employee_id_day")),
    )
    op.create_table(
        "calendar_feeds",
        sa.Column("employee_id", sa.UUID(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_calendar_feeds_employee_id_employees"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("employee_id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )
    op.create_table(
        "month_closings",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("employee_id", sa.UUID(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by", sa.UUID(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.UUID(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("target_hours", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("actual_hours", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("balance_hours", sa.Numeric(precision=9, scale=2), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status <> 'approved' OR (decided_at IS NOT NULL AND decided_by IS NOT NULL)",
            name=op.f("ck_month_closings_approval_signed"),
        ),
        sa.CheckConstraint(
            "status IN ('submitted', 'approved', 'returned', 'reopened')",
            name=op.f("ck_month_closings_status"),
        ),
        sa.CheckConstraint(
            "extract(day FROM month) = 1", name=op.f("ck_month_closings_first_of_month")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["employees.id"],
            name=op.f("fk_month_closings_decided_by_employees"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_month_closings_employee_id_employees"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"],
            ["employees.id"],
            name=op.f("fk_month_closings_submitted_by_employees"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_month_closings")),
        sa.UniqueConstraint(
            "employee_id", "month", name=op.f("uq_month_closings_employee_id_month")
        ),
    )
    op.create_index(
        "ix_month_closings_month_status", "month_closings", ["month", "status"], unique=False
    )
    op.create_table(
        "work_contracts",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("employee_id", sa.UUID(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column(
            "hours_mon",
            sa.Numeric(precision=4, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "hours_tue",
            sa.Numeric(precision=4, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "hours_wed",
            sa.Numeric(precision=4, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "hours_thu",
            sa.Numeric(precision=4, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "hours_fri",
            sa.Numeric(precision=4, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "hours_sat",
            sa.Numeric(precision=4, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "hours_sun",
            sa.Numeric(precision=4, scale=2),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "weekly_hours",
            sa.Numeric(precision=5, scale=2),
            sa.Computed(
                "hours_mon + hours_tue + hours_wed + hours_thu + hours_fri + hours_sat + hours_sun",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column("vacation_days", sa.Numeric(precision=4, scale=1), nullable=False),
        sa.Column("federal_state", sa.String(length=2), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        postgresql.ExcludeConstraint(
            (sa.column("employee_id"), "="),
            (sa.text("daterange(valid_from, valid_to, '[]')"), "&&"),
            using="gist",
            name="ex_work_contracts_no_overlap",
        ),
        sa.CheckConstraint(
            "federal_state IN ('BW', 'BY', 'BE', 'BB', 'HB', 'HH', 'HE', 'MV', 'NI', 'NW', 'RP', 'SL', 'SN', 'ST', 'SH', 'TH')",
            name=op.f("ck_work_contracts_federal_state"),
        ),
        sa.CheckConstraint(
            "hours_mon BETWEEN 0 AND 10 AND hours_tue BETWEEN 0 AND 10 AND hours_wed BETWEEN 0 AND 10 AND hours_thu BETWEEN 0 AND 10 AND hours_fri BETWEEN 0 AND 10 AND hours_sat BETWEEN 0 AND 10 AND hours_sun BETWEEN 0 AND 10",
            name=op.f("ck_work_contracts_day_hours"),
        ),
        sa.CheckConstraint(
            "vacation_days BETWEEN 0 AND 100", name=op.f("ck_work_contracts_vacation_days")
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_work_contracts_dates")
        ),
        sa.CheckConstraint("weekly_hours > 0", name=op.f("ck_work_contracts_weekly_hours")),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_work_contracts_employee_id_employees"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_contracts")),
    )
    op.create_index(
        "ix_work_contracts_employee_id_valid_from",
        "work_contracts",
        ["employee_id", "valid_from"],
        unique=False,
    )
    op.create_table(
        "breaks",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("employee_id", sa.UUID(), nullable=False),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "duration",
            sa.Interval(),
            sa.Computed("end_time - start_time", persisted=True),
            nullable=True,
        ),
        sa.Column("paused_entry_id", sa.UUID(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        postgresql.ExcludeConstraint(
            (sa.column("employee_id"), "="),
            (sa.text("tstzrange(start_time, COALESCE(end_time, 'infinity'), '[)')"), "&&"),
            using="gist",
            name="ex_breaks_no_overlap",
        ),
        sa.CheckConstraint(
            "end_time IS NULL OR end_time > start_time", name=op.f("ck_breaks_end_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_breaks_employee_id_employees"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["paused_entry_id"],
            ["time_entries.id"],
            name=op.f("fk_breaks_paused_entry_id_time_entries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breaks")),
    )
    op.create_index(
        "ix_breaks_employee_id_start_time", "breaks", ["employee_id", "start_time"], unique=False
    )
    op.create_index(
        "uq_breaks_running_per_employee",
        "breaks",
        ["employee_id"],
        unique=True,
        postgresql_where=sa.text("end_time IS NULL"),
    )


def downgrade() -> None:
    _revoke()
    for fn in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {fn} CASCADE")
    op.execute("DROP FUNCTION IF EXISTS wm_worktime_truncate_guard() CASCADE")
    op.drop_index(
        "uq_breaks_running_per_employee",
        table_name="breaks",
        postgresql_where=sa.text("end_time IS NULL"),
    )
    op.drop_index("ix_breaks_employee_id_start_time", table_name="breaks")
    op.drop_table("breaks")
    op.drop_index("ix_work_contracts_employee_id_valid_from", table_name="work_contracts")
    op.drop_table("work_contracts")
    op.drop_index("ix_month_closings_month_status", table_name="month_closings")
    op.drop_table("month_closings")
    op.drop_table("calendar_feeds")
    op.drop_table("break_deductions")
    op.drop_index(
        "uq_account_bookings_opening",
        table_name="account_bookings",
        postgresql_where=sa.text("kind = 'opening'"),
    )
    op.drop_index("ix_account_bookings_employee_id_day", table_name="account_bookings")
    op.drop_table("account_bookings")
    op.drop_index("ix_absences_start_date", table_name="absences")
    op.drop_index("ix_absences_employee_id_start_date", table_name="absences")
    op.drop_table("absences")
    op.drop_table("worktime_settings")
    op.drop_table("public_holidays")


# Tables of this migration whose updated_at the trigger of 0001 keeps true.
TIMESTAMPED = (
    "work_contracts",
    "absences",
    "breaks",
    "break_deductions",
    "account_bookings",
    "month_closings",
    "worktime_settings",
    "calendar_feeds",
)

# The Berlin calendar day of an instant: months are the company's, not UTC's.
DAY = "(({0}) AT TIME ZONE 'Europe/Berlin')::date"

# The first locked month of an employee between two days (last NULL: open-ended), or NULL.
# A month is locked when its closing is approved, or when it lies on or before the
# company-wide `locked_through` and no manager has reopened it for this employee (a closing
# row in any other state).
LOCKED_MONTH = """
CREATE FUNCTION wm_locked_month(emp uuid, first_day date, last_day date) RETURNS date
LANGUAGE sql STABLE AS $$
    SELECT min(m) FROM (
        SELECT c.month AS m FROM month_closings c
         WHERE c.employee_id = emp AND c.status = 'approved'
           AND c.month >= date_trunc('month', first_day::timestamp)::date
           AND c.month <= COALESCE(last_day, 'infinity'::date)
        UNION ALL
        SELECT g::date FROM worktime_settings s,
               generate_series(date_trunc('month', first_day::timestamp),
                               LEAST(COALESCE(last_day, 'infinity'::date),
                                     s.locked_through)::timestamp,
                               interval '1 month') g
         WHERE s.locked_through IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM month_closings c
                            WHERE c.employee_id = emp AND c.month = g::date
                              AND c.status <> 'approved')
    ) locked
$$;
"""

REFUSE = """
CREATE FUNCTION wm_refuse_locked(emp uuid, first_day date, last_day date) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
    locked date := wm_locked_month(emp, first_day, last_day);
BEGIN
    IF locked IS NOT NULL THEN
        RAISE EXCEPTION 'month % of this employee is closed; a manager must reopen it first',
            to_char(locked, 'YYYY-MM') USING ERRCODE = 'WM409';
    END IF;
END $$;
"""


def lock_trigger(name: str, first: str, last: str, free: tuple[str, ...] = ()) -> str:
    """A row trigger refusing any change to rows whose days touch a locked month; an UPDATE
    that changes only the `free` columns (and the timestamps) passes."""
    free_sql = ", ".join(f"'{c}'" for c in (*free, "updated_at", "created_at"))
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    free text[] := ARRAY[{free_sql}];
BEGIN
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - free) = (to_jsonb(OLD) - free) THEN
        RETURN NEW;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM wm_refuse_locked(OLD.employee_id, {first.format("OLD")}, {last.format("OLD")});
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM wm_refuse_locked(NEW.employee_id, {first.format("NEW")}, {last.format("NEW")});
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
"""


def _day(column: str) -> str:
    return DAY.format("{0}." + column)


# Billing binds entries to invoices (and releases them when a draft is deleted) in locked
# and open months alike; `duration` is generated and not yet computed in a BEFORE trigger.
TIME_ENTRY_LOCK = lock_trigger(
    "wm_time_entry_month_lock",
    _day("start_time"),
    _day("start_time"),
    ("invoice_id", "duration"),
)
BREAK_LOCK = lock_trigger(
    "wm_break_month_lock", _day("start_time"), _day("start_time"), ("paused_entry_id", "duration")
)
ABSENCE_LOCK = lock_trigger("wm_absence_month_lock", "{0}.start_date", "{0}.end_date")
DEDUCTION_LOCK = lock_trigger("wm_break_deduction_month_lock", "{0}.day", "{0}.day")
BOOKING_LOCK = lock_trigger("wm_account_booking_month_lock", "{0}.day", "{0}.day")

# A contract's terms decide the targets of its days. Changing the terms touches all its
# days; moving only its start or end touches only the days that come or go (so closing an
# open-ended contract after the locked months is fine).
CONTRACT_LOCK = """
CREATE FUNCTION wm_work_contract_month_lock() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    -- weekly_hours is generated (not yet computed in a BEFORE trigger) from the day hours.
    dates text[] := ARRAY['valid_from', 'valid_to', 'weekly_hours', 'updated_at', 'created_at'];
BEGIN
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - dates) = (to_jsonb(OLD) - dates) THEN
        IF NEW.valid_from <> OLD.valid_from THEN
            PERFORM wm_refuse_locked(NEW.employee_id, LEAST(NEW.valid_from, OLD.valid_from),
                                     GREATEST(NEW.valid_from, OLD.valid_from) - 1);
        END IF;
        IF NEW.valid_to IS DISTINCT FROM OLD.valid_to THEN
            PERFORM wm_refuse_locked(
                NEW.employee_id,
                LEAST(COALESCE(NEW.valid_to, 'infinity'), COALESCE(OLD.valid_to, 'infinity')) + 1,
                NULLIF(GREATEST(COALESCE(NEW.valid_to, 'infinity'),
                                COALESCE(OLD.valid_to, 'infinity')), 'infinity'));
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM wm_refuse_locked(OLD.employee_id, OLD.valid_from, OLD.valid_to);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM wm_refuse_locked(NEW.employee_id, NEW.valid_from, NEW.valid_to);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
"""

# An approved month is reopened (status 'reopened', with the reason), never silently edited
# back or deleted; the company-wide lock only moves forward.
CLOSING_GUARD = """
CREATE FUNCTION wm_month_closing_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'approved' THEN
            RAISE EXCEPTION 'an approved month cannot be deleted; reopen it'
                USING ERRCODE = 'WM409';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'approved' AND NEW.status <> 'approved'
       AND (NEW.status <> 'reopened' OR NEW.comment IS NULL OR btrim(NEW.comment) = '') THEN
        RAISE EXCEPTION 'an approved month is only reopened, with a reason'
            USING ERRCODE = 'WM409';
    END IF;
    IF OLD.status = 'approved' AND NEW.status = 'approved'
       AND (to_jsonb(NEW) - 'updated_at') <> (to_jsonb(OLD) - 'updated_at') THEN
        RAISE EXCEPTION 'an approved month cannot change; reopen it first'
            USING ERRCODE = 'WM409';
    END IF;
    RETURN NEW;
END $$;
"""

SETTINGS_GUARD = """
CREATE FUNCTION wm_worktime_settings_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.locked_through IS NOT NULL
       AND (NEW.locked_through IS NULL OR NEW.locked_through < OLD.locked_through) THEN
        RAISE EXCEPTION 'months are locked through %; the lock only moves forward (reopen single months instead)',
            to_char(OLD.locked_through, 'YYYY-MM') USING ERRCODE = 'WM409';
    END IF;
    RETURN NEW;
END $$;
"""

TRIGGERS = (
    ("time_entries", "wm_time_entry_month_lock", "INSERT OR UPDATE OR DELETE"),
    ("breaks", "wm_break_month_lock", "INSERT OR UPDATE OR DELETE"),
    ("absences", "wm_absence_month_lock", "INSERT OR UPDATE OR DELETE"),
    ("break_deductions", "wm_break_deduction_month_lock", "INSERT OR UPDATE OR DELETE"),
    ("account_bookings", "wm_account_booking_month_lock", "INSERT OR UPDATE OR DELETE"),
    ("work_contracts", "wm_work_contract_month_lock", "INSERT OR UPDATE OR DELETE"),
    ("month_closings", "wm_month_closing_guard", "UPDATE OR DELETE"),
    ("worktime_settings", "wm_worktime_settings_guard", "UPDATE"),
)

FUNCTIONS = (
    "wm_time_entry_month_lock()",
    "wm_break_month_lock()",
    "wm_absence_month_lock()",
    "wm_break_deduction_month_lock()",
    "wm_account_booking_month_lock()",
    "wm_work_contract_month_lock()",
    "wm_month_closing_guard()",
    "wm_worktime_settings_guard()",
    "wm_refuse_locked(uuid, date, date)",
    "wm_locked_month(uuid, date, date)",
)

# The new permission module for the seed roles: an employee keeps their own time account,
# a manager approves for the departments they lead, the admin does everything.
GRANTS = {
    "Admin": ["read", "write", "approve", "manage", "configure"],
    "Manager": ["read", "write", "approve"],
    "Employee": ["read", "write"],
}


def _rules() -> None:
    for table in TIMESTAMPED:
        op.execute(
            f"CREATE TRIGGER wm_touch BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION wm_touch()"
        )
    for ddl in (
        LOCKED_MONTH,
        REFUSE,
        TIME_ENTRY_LOCK,
        BREAK_LOCK,
        ABSENCE_LOCK,
        DEDUCTION_LOCK,
        BOOKING_LOCK,
        CONTRACT_LOCK,
        CLOSING_GUARD,
        SETTINGS_GUARD,
    ):
        op.execute(ddl)
    for table, fn, events in TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {fn} BEFORE {events} ON {table} FOR EACH ROW EXECUTE FUNCTION {fn}()"
        )
    # Row triggers do not fire on TRUNCATE; locked months must not vanish in bulk either.
    op.execute(
        """
CREATE FUNCTION wm_worktime_truncate_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM month_closings WHERE status = 'approved')
       OR EXISTS (SELECT 1 FROM worktime_settings WHERE locked_through IS NOT NULL) THEN
        RAISE EXCEPTION 'closed months exist; their records cannot be removed in bulk'
            USING ERRCODE = 'WM409';
    END IF;
    RETURN NULL;
END $$;
"""
    )
    for table in (
        "time_entries",
        "breaks",
        "absences",
        "break_deductions",
        "account_bookings",
        "work_contracts",
        "month_closings",
    ):
        op.execute(
            f"CREATE TRIGGER wm_worktime_truncate_guard BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION wm_worktime_truncate_guard()"
        )
    op.execute("INSERT INTO worktime_settings (id) VALUES (1) ON CONFLICT DO NOTHING")


def _grants() -> None:
    for role, actions in GRANTS.items():
        op.execute(
            sa.text(
                "UPDATE roles SET permissions = permissions || jsonb_build_object('worktime', "
                "CAST(:actions AS jsonb)) WHERE name = :role AND NOT permissions ? 'worktime'"
            ).bindparams(role=role, actions=json.dumps(actions))
        )


def _revoke() -> None:
    op.execute("UPDATE roles SET permissions = permissions - 'worktime'")
