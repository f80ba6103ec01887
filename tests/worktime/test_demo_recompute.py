"""The demo company's working time, recomputed independently in SQL from the stored records
(contracts, holidays, absences, time entries, break deductions, bookings), equals what the
service computes: the overtime balance of every employee at every month end and yesterday,
to the microsecond, and the vacation account of the first year."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from tests.conftest import TEMPLATE, _recreate, worker_name
from workmate import clock
from workmate.app import create_app
from workmate.auth.service import auth_service
from workmate.cli.main import app as cli
from workmate.config import get_settings
from workmate.db import make_engine
from workmate.worktime.accounts import account_service
from workmate.worktime.calc import hours
from workmate.worktime.holidays import holiday_service

pytestmark = pytest.mark.live

# Day by day: the contract's hours of the weekday, the holiday (1, or ½ for a company half
# day), the credited absence, worked time of entries started that day, active deductions.
DAILY = """
WITH s AS (SELECT half_days, catholic_holidays FROM worktime_settings WHERE id = 1),
cal AS (
    SELECT c.employee_id, g::date AS day, c.federal_state,
           (ARRAY[c.hours_mon, c.hours_tue, c.hours_wed, c.hours_thu, c.hours_fri,
                  c.hours_sat, c.hours_sun])[extract(isodow FROM g)::int] AS h
      FROM work_contracts c
     CROSS JOIN LATERAL generate_series(c.valid_from::timestamp,
                                        LEAST(COALESCE(c.valid_to, :last), :last)::timestamp,
                                        interval '1 day') g
),
plan AS (
    SELECT cal.employee_id, cal.day, cal.h,
           CASE WHEN EXISTS (SELECT 1 FROM public_holidays p
                              WHERE p.federal_state = cal.federal_state AND p.day = cal.day
                                AND (p.category = 'public'
                                     OR (SELECT catholic_holidays FROM s)))
                THEN 1
                WHEN to_char(cal.day, 'MM-DD') = ANY ((SELECT half_days FROM s)::text[])
                THEN 0.5
                ELSE 0 END AS hol,
           COALESCE((SELECT CASE WHEN a.kind = 'overtime_compensation' THEN 0
                                 WHEN (cal.day = a.start_date AND a.half_day_start)
                                   OR (cal.day = a.end_date AND a.half_day_end) THEN 0.5
                                 ELSE 1 END
                       FROM absences a
                      WHERE a.employee_id = cal.employee_id AND a.status = 'approved'
                        AND cal.day BETWEEN a.start_date AND a.end_date), 0) AS credit
      FROM cal
),
worked AS (
    SELECT employee_id, (start_time AT TIME ZONE 'Europe/Berlin')::date AS day,
           sum(extract(epoch FROM duration)) AS s
      FROM time_entries WHERE end_time IS NOT NULL GROUP BY 1, 2
),
deducted AS (
    SELECT employee_id, day, minutes * 60 AS s FROM break_deductions WHERE reversed_at IS NULL
)
SELECT p.employee_id, p.day,
       COALESCE(w.s, 0) - COALESCE(d.s, 0) - p.h * 3600 * GREATEST(0, 1 - p.hol - p.credit)
         AS diff
  FROM plan p
  LEFT JOIN worked w USING (employee_id, day)
  LEFT JOIN deducted d USING (employee_id, day)
"""

BALANCES = f"""
WITH daily AS ({DAILY}),
running AS (
    SELECT employee_id, day,
           sum(diff) OVER (PARTITION BY employee_id ORDER BY day) AS balance
      FROM daily
)
SELECT r.employee_id, r.day,
       r.balance + COALESCE((
           SELECT sum(CASE WHEN b.kind = 'payout' THEN -b.quantity ELSE b.quantity END) * 3600
             FROM account_bookings b
            WHERE b.employee_id = r.employee_id AND b.account = 'overtime' AND b.day <= r.day
       ), 0) AS balance
  FROM running r
 WHERE r.day = :last
    OR r.day = (date_trunc('month', r.day) + interval '1 month - 1 day')::date
"""

# Vacation of one year: pro-rata entitlement with §5 (2) BUrlG rounding, and the working days
# approved vacation uses (contract days, less holidays; half days ½).
ENTITLEMENT = """
SELECT employee_id,
       CASE WHEN e - floor(e) >= 0.5 THEN floor(e) + 1 ELSE round(e, 2) END
  FROM (SELECT employee_id,
               sum(vacation_days
                   * ((LEAST(COALESCE(valid_to, make_date(:y, 12, 31)), make_date(:y, 12, 31))
                       - GREATEST(valid_from, make_date(:y, 1, 1)) + 1))
                   / (make_date(:y, 12, 31) - make_date(:y, 1, 1) + 1)::numeric) AS e
          FROM work_contracts
         WHERE valid_from <= make_date(:y, 12, 31)
           AND COALESCE(valid_to, make_date(:y, 12, 31)) >= make_date(:y, 1, 1)
         GROUP BY employee_id) x
"""
VACATION_USED = """
WITH s AS (SELECT half_days, catholic_holidays FROM worktime_settings WHERE id = 1)
SELECT a.employee_id,
       sum(CASE WHEN (ARRAY[c.hours_mon, c.hours_tue, c.hours_wed, c.hours_thu, c.hours_fri,
                             c.hours_sat, c.hours_sun])[extract(isodow FROM g)::int] = 0 THEN 0
                ELSE GREATEST(0, LEAST(
                    CASE WHEN (g::date = a.start_date AND a.half_day_start)
                           OR (g::date = a.end_date AND a.half_day_end) THEN 0.5 ELSE 1 END,
                    1 - CASE WHEN EXISTS (SELECT 1 FROM public_holidays p
                                           WHERE p.federal_state = c.federal_state
                                             AND p.day = g::date
                                             AND (p.category = 'public'
                                                  OR (SELECT catholic_holidays FROM s)))
                             THEN 1
                             WHEN to_char(g, 'MM-DD') = ANY ((SELECT half_days FROM s)::text[])
                             THEN 0.5
                             ELSE 0 END)) END)
  FROM absences a
 CROSS JOIN LATERAL generate_series(a.start_date::timestamp, a.end_date::timestamp,
                                    interval '1 day') g
  JOIN work_contracts c ON c.employee_id = a.employee_id AND g::date >= c.valid_from
                       AND g::date <= COALESCE(c.valid_to, 'infinity'::date)
 WHERE a.kind = 'vacation' AND a.status = 'approved' AND extract(year FROM g) = :y
 GROUP BY a.employee_id
"""


@pytest.fixture(scope="module")
def demo_url(request: pytest.FixtureRequest, server_url: str) -> str:
    url = _recreate(server_url, f"wm_test_{worker_name(request.config)}_wt_demo", TEMPLATE)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            cli, ["demo", "--seed", "5"], env={"WORKMATE_DATABASE_URL": url}
        )
    finally:
        get_settings.cache_clear()
    if result.exit_code != 0:
        pytest.fail(f"workmate demo failed: {result.output[-300:]}")
    return url


@pytest_asyncio.fixture
async def engine(demo_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(demo_url, poolclass=NullPool)
    # The service stores a year's holidays when it first needs them; SQL reads only what is
    # stored, so store every year of the demo first, whichever test runs first (xdist may
    # spread this module's tests over workers).
    async with AsyncSession(eng, expire_on_commit=False) as db:
        first = await db.scalar(text("SELECT min(valid_from) FROM work_contracts"))
        await holiday_service.ensure(db, first, clock.today())
        await db.commit()
    yield eng
    await eng.dispose()


async def rows(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(text(sql), params)).all())


async def test_overtime_balances_recompute_in_sql(engine: AsyncEngine) -> None:
    yesterday = clock.today() - timedelta(days=1)
    async with AsyncSession(engine, expire_on_commit=False) as db:
        ids = [
            r[0]
            for r in (
                await db.execute(text("SELECT DISTINCT employee_id FROM work_contracts"))
            ).all()
        ]
        first = await db.scalar(text("SELECT min(valid_from) FROM work_contracts"))
        accounts = await account_service.accounts(db, ids, first, yesterday)
        await db.commit()  # the holidays the service stored, for SQL to read
    expected = await rows(engine, BALANCES, last=yesterday)
    assert len(ids) >= 10
    checked = 0
    for employee_id, day, balance in expected:
        mine = account_service.balance(accounts[employee_id], day)
        assert mine == Decimal(balance), (employee_id, day, mine, balance)
        checked += 1
    # Every employee at every month end of the period and yesterday.
    assert checked >= len(ids) * 5
    # The demo's records are not trivial: holidays, absences, deductions, bookings all count.
    facts = (
        await rows(
            engine,
            "SELECT (SELECT count(*) FROM absences WHERE status = 'approved'), "
            "(SELECT count(*) FROM break_deductions), "
            "(SELECT count(DISTINCT federal_state) FROM work_contracts), "
            "(SELECT count(*) FROM month_closings WHERE status = 'approved'), "
            "(SELECT count(*) FROM account_bookings)",
        )
    )[0]
    assert facts[0] >= 20
    assert facts[1] >= 1
    assert facts[2] == 2
    assert facts[3] >= 40
    assert facts[4] >= 3


async def test_vacation_recomputes_in_sql(engine: AsyncEngine) -> None:
    first = (await rows(engine, "SELECT min(valid_from) FROM work_contracts"))[0][0]
    year = first.year
    entitlement = dict(await rows(engine, ENTITLEMENT, y=year))
    used = dict(await rows(engine, VACATION_USED, y=year))
    opening = dict(
        await rows(
            engine,
            "SELECT employee_id, sum(quantity) FROM account_bookings WHERE account = 'vacation' "
            "AND kind = 'opening' AND extract(year FROM day) = :y GROUP BY 1",
            y=year,
        )
    )
    async with AsyncSession(engine, expire_on_commit=False) as db:
        accounts = await account_service.vacations(db, list(entitlement), year)
    for employee_id, account in accounts.items():
        assert account.entitlement == entitlement[employee_id]
        assert account.taken + account.planned == used.get(employee_id, 0)
        assert account.left == entitlement[employee_id] + opening.get(employee_id, 0) - used.get(
            employee_id, 0
        )


async def test_approved_months_show_the_same_through_http(engine: AsyncEngine) -> None:
    """The month view of each approved month ends on the SQL balance of its last day."""
    app = create_app(engine=engine, check=False)
    admin = (
        await rows(
            engine,
            "SELECT e.id FROM employees e JOIN roles r ON r.id = e.role_id "
            "WHERE r.name = 'Admin' ORDER BY e.email LIMIT 1",
        )
    )[0][0]
    async with AsyncSession(engine, expire_on_commit=False) as session:
        token = await auth_service.create_token(session, admin, "recompute test")
        await session.commit()
    closings = await rows(
        engine,
        # Months whose last day a contract covers (a former colleague's months after leaving
        # are approved too, but have no days on the account).
        "SELECT m.employee_id, m.month FROM month_closings m JOIN work_contracts c "
        "ON c.employee_id = m.employee_id AND c.valid_from <= m.month "
        "AND COALESCE(c.valid_to, 'infinity') >= (m.month + interval '1 month - 1 day')::date "
        "WHERE m.status = 'approved' ORDER BY m.month DESC, m.employee_id",
    )
    yesterday = clock.today() - timedelta(days=1)
    expected = {(e, d): b for e, d, b in await rows(engine, BALANCES, last=yesterday)}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://test",
        headers={"Authorization": f"Bearer {token.secret}"},
    ) as client:
        for employee_id, month in closings:
            r = await client.get(f"/api/v1/worktime/months/{month:%Y-%m}?employee_id={employee_id}")
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["status"] == "approved"
            end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            assert Decimal(body["balance_end_hours"]) == hours(
                Decimal(expected[(employee_id, end)])
            )
            assert date.fromisoformat(body["days"][-1]["day"]) == end
