"""First login on an empty database: the admin is guided through what a legal invoice needs."""

from __future__ import annotations

import io

import httpx
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.invoicing import make_company_settings


def png(width: int = 300, height: int = 100, alpha: bool = True) -> bytes:
    image = Image.new("RGBA" if alpha else "RGB", (width, height), (200, 30, 30, 128))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def test_checklist_on_an_empty_database(web_admin: httpx.AsyncClient) -> None:
    page = (await web_admin.get("/")).text
    assert "Vor Ihrer ersten Rechnung" in page
    for step in ("Firmenname und Anschrift", "Steuernummer oder USt-IdNr.", "Bankverbindung"):
        assert step in page
    assert 'href="/admin/company#f-iban"' in page


async def test_checklist_follows_the_settings_and_disappears_when_complete(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db, iban=None, legal_form="gmbh")
    page = (await web_admin.get("/")).text
    assert 'href="/admin/company#f-iban"' in page
    assert 'href="/admin/company#f-name"' not in page  # done
    assert "Handelsregister und Geschäftsführung" in page
    await make_company_settings(
        db,
        legal_form="gmbh",
        register_court="Amtsgericht Köln",
        register_number="HRB 1234",
        managing_directors="Anna Muster",
    )
    assert "Vor Ihrer ersten Rechnung" not in (await web_admin.get("/")).text


async def test_employees_never_see_the_checklist(web_employee: httpx.AsyncClient) -> None:
    assert "Vor Ihrer ersten Rechnung" not in (await web_employee.get("/")).text


async def test_company_page_names_missing_fields_in_german_and_saves_legal_details(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    page = (await web_admin.get("/admin/company")).text
    assert "Firmenname" in page
    assert "tax_number or vat_id" not in page
    ok = await web_admin.post(
        "/admin/company",
        data={
            "name": "Muster GmbH",
            "legal_form": "gmbh",
            "register_court": "Amtsgericht Köln",
            "register_number": "HRB 1234",
            "managing_directors": "Anna Muster",
        },
    )
    assert ok.status_code == 303, ok.text
    page = (await web_admin.get("/admin/company")).text
    assert 'value="HRB 1234"' in page
    assert '<option value="gmbh" selected>' in page


async def test_logo_upload_is_normalised_and_refuses_other_files(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    r = await web_admin.put(
        "/api/v1/settings/company/logo", files={"file": ("logo.png", png(), "image/png")}
    )
    assert r.status_code == 200, r.text
    assert r.json()["has_logo"] is True
    assert "Ein Logo ist hinterlegt." in (await web_admin.get("/admin/company")).text
    bad = await web_admin.put(
        "/api/v1/settings/company/logo", files={"file": ("logo.pdf", b"%PDF-1.4", "image/png")}
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "logo"


async def test_favicon_is_linked_and_served(web_admin: httpx.AsyncClient) -> None:
    assert '<link rel="icon" href="/static/favicon.svg"' in (await web_admin.get("/")).text
    icon = await web_admin.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
