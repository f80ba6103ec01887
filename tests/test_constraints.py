"""The one table of constraint messages (workmate.constraints) against the migrated schema."""

from __future__ import annotations

import ast
import inspect

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from workmate import constraints
from workmate.constraints import ForeignKey, error_for


def test_each_constraint_is_listed_once_in_the_source() -> None:
    """A dict literal silently keeps the last of two equal keys; the source must have none."""
    tree = ast.parse(inspect.getsource(constraints))
    keys = [
        k.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for k in node.keys
        if isinstance(k, ast.Constant)
    ]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


async def test_every_listed_name_exists_in_the_database(db: AsyncSession) -> None:
    names = set(
        (
            await db.execute(
                text(
                    "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = "
                    "c.connamespace WHERE n.nspname = 'public' "
                    "UNION SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
                )
            )
        ).scalars()
    )
    assert set(constraints.MESSAGES) - names == set()


def test_foreign_keys_answer_by_direction() -> None:
    name = "fk_invoices_customer_id_customers"
    entry = constraints.MESSAGES[name]
    assert isinstance(entry, ForeignKey)
    missing = error_for(name, still_referenced=False)
    in_use = error_for(name, still_referenced=True)
    assert missing is not None
    assert missing.status_code == 422
    assert missing.field == "customer_id"
    assert in_use is not None
    assert in_use.status_code == 409
    assert "has invoices" in in_use.detail


NAMED = text(
    """
    SELECT c.conname, c.contype::text,
           (SELECT a.attname FROM pg_attribute a
             WHERE a.attrelid = c.conrelid AND a.attnum = c.conkey[1]) AS first_column
      FROM pg_constraint c
      JOIN pg_class t ON t.oid = c.conrelid
      JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE n.nspname = 'public' AND c.contype IN ('c', 'u', 'f', 'x')
       AND t.relname NOT LIKE 'procrastinate%'
    UNION
    SELECT ic.relname, 'i', NULL
      FROM pg_index x
      JOIN pg_class ic ON ic.oid = x.indexrelid
      JOIN pg_class t ON t.oid = x.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = 'public' AND x.indisunique AND NOT x.indisprimary
       AND t.relname NOT LIKE 'procrastinate%'
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = ic.oid)
    """
)


async def test_every_named_constraint_in_the_database_has_exactly_one_entry(
    db: AsyncSession,
) -> None:
    """Check, unique, exclusion, foreign key and unique index: each refusal has our words."""
    rows = (await db.execute(NAMED)).all()
    names = [row.conname for row in rows]
    assert len(names) == len(set(names))
    assert sorted(set(names) - set(constraints.MESSAGES)) == []


async def test_foreign_keys_name_their_column_and_both_directions(db: AsyncSession) -> None:
    rows = (await db.execute(NAMED)).all()
    for row in rows:
        entry = constraints.MESSAGES[row.conname]
        if row.contype == "f":
            assert isinstance(entry, ForeignKey), row.conname
            assert entry.field == row.first_column, row.conname
            assert entry.missing != entry.referenced, row.conname
            missing = error_for(row.conname, still_referenced=False)
            in_use = error_for(row.conname, still_referenced=True)
            assert missing is not None
            assert in_use is not None
            assert (missing.status_code, in_use.status_code) == (422, 409)
        else:
            assert not isinstance(entry, ForeignKey), row.conname
