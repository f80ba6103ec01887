"""Day one: an invoice that asks for a transfer needs the seller's bank account, and a
registered firm's invoice its register entry and managing directors."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.invoicing import draft_body, line, make_company_settings
from tests.factories.records import make_customer

URL = "/api/v1/invoices"


async def _issue(
    client: httpx.AsyncClient, db: AsyncSession, price: str = "100.00"
) -> httpx.Response:
    customer = await make_customer(db)
    r = await client.post(URL, json=draft_body(customer.id, line(price=price)))
    assert r.status_code == 201, r.text
    return await client.post(f"{URL}/{r.json()['id']}/issue")


async def test_no_iban_refuses_an_invoice_asking_for_a_transfer(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db, iban=None, bic=None)
    r = await _issue(as_manager, db)
    assert r.status_code == 409
    assert "bank details (IBAN)" in r.json()["detail"]
    await make_company_settings(db)
    assert (await _issue(as_manager, db)).status_code == 200


async def test_an_invoice_of_nothing_needs_no_bank_account(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db, iban=None, bic=None)
    assert (await _issue(as_manager, db, price="0.00")).status_code == 200


async def test_a_gmbh_needs_register_and_managing_directors(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db, legal_form="gmbh")
    r = await _issue(as_manager, db)
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert "register_court" in detail
    assert "register_number" in detail
    assert "managing_directors" in detail
    await make_company_settings(
        db,
        legal_form="gmbh",
        register_court="Amtsgericht Berlin-Charlottenburg",
        register_number="HRB 123456 B",
        managing_directors="Anna Muster",
    )
    assert (await _issue(as_manager, db)).status_code == 200


async def test_settings_name_the_missing_legal_details(
    as_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    await make_company_settings(db, iban=None, legal_form="ug")
    body = (await as_admin.get("/api/v1/settings/company")).json()
    assert body["missing_for_invoicing"] == [
        "iban",
        "register_court",
        "register_number",
        "managing_directors",
    ]
    r = await as_admin.put("/api/v1/settings/company", json={"legal_form": "llc"})
    assert r.status_code == 422
    assert r.json()["field"] == "legal_form"


async def test_pdf_shows_logo_and_register_in_the_footer(
    as_admin: httpx.AsyncClient, as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    import io

    from PIL import Image
    from pypdf import PdfReader

    await make_company_settings(
        db,
        legal_form="gmbh",
        register_court="Amtsgericht Köln",
        register_number="HRB 1234",
        managing_directors="Anna Muster",
    )
    logo = io.BytesIO()
    Image.new("RGBA", (400, 100), (10, 20, 200, 255)).save(logo, format="PNG")
    r = await as_admin.put(
        "/api/v1/settings/company/logo", files={"file": ("l.png", logo.getvalue(), "image/png")}
    )
    assert r.status_code == 200, r.text
    r = await _issue(as_manager, db)
    assert r.status_code == 200, r.text
    pdf = await as_manager.get(f"{URL}/{r.json()['id']}/pdf")
    assert pdf.status_code == 200
    page = PdfReader(io.BytesIO(pdf.content)).pages[0]
    text = page.extract_text()
    assert "Registergericht: Amtsgericht Köln HRB 1234" in text
    assert "Geschäftsführung: Anna Muster" in text
    assert len(page.images) == 1


async def test_a_draft_is_previewed_as_pdf_without_taking_a_number(
    as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    import io

    from pypdf import PdfReader

    await make_company_settings(db)
    customer = await make_customer(db)
    draft = (await as_manager.post(URL, json=draft_body(customer.id, line("80.00")))).json()
    preview = await as_manager.get(f"{URL}/{draft['id']}/preview.pdf")
    assert preview.status_code == 200, preview.text
    text = PdfReader(io.BytesIO(preview.content)).pages[0].extract_text()
    assert "ENTWURF" in text
    assert "95,20" in text
    issued = await as_manager.post(f"{URL}/{draft['id']}/issue")
    assert issued.json()["number"].endswith("00001")  # the preview took no number
    assert (await as_manager.get(f"{URL}/{draft['id']}/preview.pdf")).status_code == 409
