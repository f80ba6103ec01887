"""`workmate invoices export`: every issued document of a period as NUMBER.pdf + NUMBER.xml."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from tests.conftest import TEMPLATE, _recreate, worker_name
from tests.einvoice.tools import validate
from tests.factories.einvoice import L, make_issued_invoice, make_seller
from workmate.cli.main import app
from workmate.config import get_settings
from workmate.einvoice.flows import einvoice_flows
from workmate.models import Employee


def cli(url: str, *args: str) -> Result:
    # Settings are cached per process; the command must see this test's database URL.
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args), env={"WORKMATE_DATABASE_URL": url})
    finally:
        get_settings.cache_clear()


async def test_export_writes_the_period_with_safe_names(
    db: AsyncSession, admin: Employee, tmp_path: Path
) -> None:
    await make_seller(db)
    line = [L("Beratung", Decimal(2), Decimal("80.00"))]
    inside = await make_issued_invoice(db, line, number="RE/2026/7", issued_date=date(2026, 4, 3))
    evil = await make_issued_invoice(db, line, number="../../x/RE 8", issued_date=date(2026, 4, 4))
    await make_issued_invoice(db, line, number="RE-OUTSIDE", issued_date=date(2026, 5, 1))

    result = await einvoice_flows.export(db, tmp_path, date(2026, 4, 1), date(2026, 4, 30))

    assert result.failed == []
    assert sorted(p.name for p in result.written) == [
        "RE_2026_7.pdf",
        "RE_2026_7.xml",
        "x_RE_8.pdf",
        "x_RE_8.xml",
    ]
    assert all(p.parent == tmp_path for p in result.written)
    for invoice in (inside, evil):
        await db.refresh(invoice)
        assert invoice.pdf_path is not None
    assert b"<ram:ID>RE/2026/7</ram:ID>" in (tmp_path / "RE_2026_7.xml").read_bytes()


def test_demo_then_export_passes_the_validator(
    request: pytest.FixtureRequest, server_url: str, tmp_path: Path
) -> None:
    url = _recreate(server_url, f"wm_test_{worker_name(request.config)}_einvoice_demo", TEMPLATE)
    demo = cli(url, "demo", "--seed", "3")
    assert demo.exit_code == 0, demo.output
    out = tmp_path / "archive"
    export = cli(url, "invoices", "export", "--out", str(out))
    assert export.exit_code == 0, export.output
    files = sorted(out.iterdir())
    pdfs = [f for f in files if f.suffix == ".pdf"]
    assert pdfs
    assert {f.stem for f in files if f.suffix == ".xml"} == {f.stem for f in pdfs}
    assert validate(*files) == {f.name: "ok" for f in files}
