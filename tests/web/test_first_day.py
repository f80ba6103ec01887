"""First login on an empty database: the admin is guided through what a legal invoice needs."""

from __future__ import annotations

import io
from typing import Any

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


async def test_project_is_edited_and_moves_only_along_its_statuses(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    from tests.factories.records import make_customer, make_project

    customer = await make_customer(db)
    project = await make_project(db, customer, status="planned")
    form = (await web_admin.get(f"/projects/{project.id}/edit")).text
    assert '<option value="in_progress">' in form
    assert 'value="completed"' not in form  # planned cannot jump to completed
    saved = await web_admin.post(
        f"/projects/{project.id}/edit",
        data={"title": "Neuer Titel", "status": "in_progress", "hourly_rate": "110,50"},
    )
    assert saved.status_code == 303, saved.text
    page = (await web_admin.get(f"/projects/{project.id}?saved=1")).text
    assert "Neuer Titel" in page
    assert "110,50" in page
    assert "keine Gewinnmarge" in page


async def test_invoice_list_searches_filters_by_date_and_sums(
    web_admin: httpx.AsyncClient, as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    from tests.factories.invoicing import draft_body, line
    from tests.factories.records import make_customer, make_project

    await make_company_settings(db)
    alpha = await make_customer(db, name="Alpha Bau GmbH")
    beta = await make_customer(db, name="Beta Druck KG")
    for customer, price in ((alpha, "100.00"), (beta, "200.00")):
        r = await as_manager.post("/api/v1/invoices", json=draft_body(customer.id, line(price)))
        assert (
            await as_manager.post(f"/api/v1/invoices/{r.json()['id']}/issue")
        ).status_code == 200
    await make_project(db, beta, title="Neuauftrag", status="planned")

    page = (await web_admin.get("/invoices")).text
    assert "Beta Druck KG · Neuauftrag" in page  # a planned project can be invoiced too
    assert "357,00" in page  # 119 + 238 gross
    found = (await web_admin.get("/invoices", params={"q": "beta"})).text
    assert "Beta Druck KG" in found
    assert "Alpha Bau GmbH" not in found.split("<tbody>")[1]
    assert "238,00" in found
    assert "1 Rechnung" in found
    none = (
        await web_admin.get("/invoices", params={"from": "2000-01-01", "to": "2000-12-31"})
    ).text
    assert "Keine Rechnungen gefunden" in none or "0 Rechnungen" in none


async def _issued(as_manager: httpx.AsyncClient, db: AsyncSession, **line_extra: str) -> str:
    from tests.factories.invoicing import draft_body, line
    from tests.factories.records import make_customer

    await make_company_settings(db)
    customer = await make_customer(db)
    r = await as_manager.post(
        "/api/v1/invoices", json=draft_body(customer.id, line("100.00", **line_extra))
    )
    invoice_id: str = r.json()["id"]
    assert (await as_manager.post(f"/api/v1/invoices/{invoice_id}/issue")).status_code == 200
    return invoice_id


async def test_discount_is_shown_and_a_payment_can_be_corrected(
    web_admin: httpx.AsyncClient, as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    invoice_id = await _issued(as_manager, db, discount="10")
    page = (await web_admin.get(f"/invoices/{invoice_id}")).text
    assert "Rabatt" in page
    assert "10,00 %" in page
    paid = await web_admin.post(
        f"/invoices/{invoice_id}/payments", data={"amount": "50,00", "method": "bank_transfer"}
    )
    assert paid.status_code == 303, paid.text
    payments = (await as_manager.get(f"/api/v1/invoices/{invoice_id}/payments")).json()
    payment_id = (payments["items"] if isinstance(payments, dict) else payments)[0]["id"]
    removed = await web_admin.post(f"/invoices/{invoice_id}/payments/{payment_id}/delete")
    assert removed.status_code == 303
    page = (await web_admin.get(removed.headers["location"])).text
    assert "Zahlung entfernt" in page
    assert "Noch keine Zahlungen" in page or "No payments yet" not in page


async def test_credit_note_reads_negative_without_payment_form_or_refund_promise(
    web_admin: httpx.AsyncClient, as_manager: httpx.AsyncClient, db: AsyncSession
) -> None:
    import io

    from pypdf import PdfReader

    invoice_id = await _issued(as_manager, db)
    note = await as_manager.post(f"/api/v1/invoices/{invoice_id}/credit-note")
    assert note.status_code == 201, note.text
    page = (await web_admin.get(f"/invoices/{note.json()['id']}")).text
    assert "-119,00" in page or "−119,00" in page
    assert "Zahlung erfassen" not in page
    assert "keine Zahlungen gebucht" in page
    pdf = await as_manager.get(f"/api/v1/invoices/{note.json()['id']}/pdf")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "erstattet" not in text
    assert "nichts zu zahlen und nichts zu erstatten" in text


async def test_reminders_show_their_owner_and_say_what_happened(
    web_admin: httpx.AsyncClient, db: AsyncSession, admin: Any, employee: Any
) -> None:
    from tests.factories.crm import new_reminder

    await new_reminder(db, employee.id, title="Fremde Erinnerung")
    saved = await web_admin.post(
        "/reminders", data={"title": "Eigene", "due_date": "2026-12-01", "priority": "medium"}
    )
    assert saved.status_code == 303
    page = (await web_admin.get(saved.headers["location"])).text
    assert "Erinnerung gespeichert." in page
    listing = (await web_admin.get("/reminders?view=all")).text
    assert "Fremde Erinnerung" in listing  # an admin manages everyone's reminders
    assert "Zuständig" in listing
    assert f"{employee.firstname} {employee.lastname}" in listing


async def test_widgets_are_removed_and_added_and_the_theme_follows_the_employee(
    web_admin: httpx.AsyncClient,
) -> None:
    page = (await web_admin.get("/")).text
    assert "Widgets auswählen" in page
    assert 'data-widget="crm-stats"' in page
    saved = await web_admin.post("/dashboard/widgets", data={"widget": ["receivables"]})
    assert saved.status_code == 303
    page = (await web_admin.get("/")).text
    assert 'data-widget="crm-stats"' not in page
    assert 'data-widget="receivables"' in page
    await web_admin.post("/dashboard/widgets", data={"widget": ["receivables", "crm-stats"]})
    page = (await web_admin.get("/")).text
    assert 'data-widget="crm-stats"' in page
    assert 'data-widget="receivables"' in page
    # A dark dashboard makes every page dark in a browser that has no choice stored yet.
    assert (await web_admin.put("/api/v1/dashboards/me", json={"theme": "dark"})).status_code == 200
    web_admin.cookies.delete("wm_theme")
    first = await web_admin.get("/")
    assert first.cookies.get("wm_theme") == "dark"
    web_admin.cookies.set("wm_theme", "dark")
    assert 'data-theme="dark"' in (await web_admin.get("/customers")).text


async def test_a_new_employee_starts_with_the_least_privileged_role(
    web_admin: httpx.AsyncClient, db: AsyncSession
) -> None:
    import re

    from tests.factories.identity import role_id

    form = (await web_admin.get("/admin/employees/new")).text
    selected = re.search(r'<option value="([^"]+)" selected>', form.split('name="role_id"')[1])
    assert selected is not None
    assert selected.group(1) == str(await role_id(db, "Employee"))
