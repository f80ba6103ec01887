"""Documents over HTTP: storage safety, type detection, limits, integrity, visibility, deletion."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.documents import HTML, PDF, PNG, make_document, multipart, office_zip
from tests.factories.files import StoredFiles
from tests.factories.identity import make_employee, session_client, token_client
from tests.factories.records import make_customer, make_invoice
from workmate.config import Settings
from workmate.models import AuditLog, Document, Employee

KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}$")


def stored_files(settings: Settings) -> list[str]:
    """Every stored key as files/<key>, and every other file left in the test's data folder
    (with S3 there must be none: uploads are spooled there only while they stream)."""
    files = StoredFiles(settings)
    root = settings.data_dir
    local = {str(p.relative_to(root)) for p in files.local_files()}
    return sorted({f"files/{key}" for key in files.stored_keys()} | local)


async def upload(client: httpx.AsyncClient, content: bytes, **kwargs: Any) -> httpx.Response:
    body, headers = multipart(content, **kwargs)
    return await client.post("/api/v1/documents", content=body, headers=headers)


class TestUpload:
    async def test_stores_by_content_with_checksum_and_metadata(
        self, as_employee: httpx.AsyncClient, employee: Employee, files_settings: Settings
    ) -> None:
        response = await upload(as_employee, PDF, filename="Angebot März.pdf", title="Angebot")
        assert response.status_code == 201, response.text
        doc = response.json()
        sha = hashlib.sha256(PDF).hexdigest()
        assert doc["checksum"] == sha
        assert doc["type"] == "pdf"
        assert doc["content_type"] == "application/pdf"
        assert doc["size_bytes"] == len(PDF)
        assert doc["original_filename"] == "Angebot März.pdf"
        assert doc["owner_id"] == str(employee.id)
        assert "file_path" not in doc
        assert stored_files(files_settings) == [f"files/{sha[:2]}/{sha}"]
        assert StoredFiles(files_settings).read(f"{sha[:2]}/{sha}") == PDF

    async def test_identical_files_are_stored_once(
        self, as_employee: httpx.AsyncClient, files_settings: Settings
    ) -> None:
        assert (await upload(as_employee, PDF, filename="a.pdf")).status_code == 201
        assert (await upload(as_employee, PDF, filename="b.pdf")).status_code == 201
        assert len(stored_files(files_settings)) == 1

    async def test_hostile_names_never_leave_the_storage_folder(
        self, as_employee: httpx.AsyncClient, db: AsyncSession, files_settings: Settings
    ) -> None:
        names: list[bytes] = [
            b"../../x",
            b"..\\x",
            b"..\\..\\..\\x",
            b"%2e%2e%2f",
            b"%2e%2e%2fx",
            b"a\x00b/../../x",
            b"\x00",
            b"/etc/passwd",
            b"C:\\Windows\\x",
            b"....//x",
            b"..",
        ]
        for n, name in enumerate(names):
            content = b"plain text number %d\n" % n
            response = await upload(as_employee, content, filename=name)
            assert response.status_code == 201, (name, response.text)
            shown = response.json()["original_filename"]
            assert "/" not in shown
            assert "\\" not in shown
            assert "\x00" not in shown
            assert not shown.startswith(".")
        files = stored_files(files_settings)
        assert len(files) == len(names)
        for path in files:
            assert path.startswith("files/")
            assert KEY.fullmatch(path.removeprefix("files/"))
        root = files_settings.data_dir.parent
        outside = [
            p for p in root.rglob("*") if p.is_file() and files_settings.files_dir not in p.parents
        ]
        assert outside == []
        keys = (await db.scalars(select(Document.file_path))).all()
        assert all(KEY.fullmatch(k) for k in keys)

    async def test_html_sent_as_pdf_is_refused(
        self, as_employee: httpx.AsyncClient, files_settings: Settings
    ) -> None:
        response = await upload(
            as_employee, HTML, filename="rechnung.pdf", content_type="application/pdf"
        )
        assert response.status_code == 415
        assert response.json()["field"] == "file"
        assert stored_files(files_settings) == []

    async def test_html_is_refused_whatever_it_is_called(
        self, as_employee: httpx.AsyncClient, files_settings: Settings
    ) -> None:
        for declared in ("text/plain", "text/html", "application/octet-stream"):
            response = await upload(as_employee, HTML, filename="x.txt", content_type=declared)
            assert response.status_code == 415
        assert stored_files(files_settings) == []

    async def test_content_contradicting_a_declared_binary_type_is_refused(
        self, as_employee: httpx.AsyncClient
    ) -> None:
        response = await upload(as_employee, PNG, filename="x.pdf", content_type="application/pdf")
        assert response.status_code == 415

    async def test_types_by_their_bytes(self, as_employee: httpx.AsyncClient) -> None:
        cases = {
            "pdf": PDF,
            "png": PNG,
            "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20,
            "gif": b"GIF89a" + b"\x00" * 20,
            "webp": b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 20,
            "docx": office_zip("docx"),
            "xlsx": office_zip("xlsx"),
            "odt": office_zip("odt"),
            "txt": "Grüße aus Köln\nZeile zwei\n".encode(),
            "csv": b"name;betrag\nMuster;12,50\n",
        }
        for expected, content in cases.items():
            response = await upload(as_employee, content, filename="upload.bin")
            assert response.status_code == 201, (expected, response.text)
            assert response.json()["type"] == expected

    async def test_unknown_binaries_and_plain_zips_are_refused(
        self, as_employee: httpx.AsyncClient
    ) -> None:
        for content in (office_zip("zip"), b"MZ\x90\x00\x03binary", b"\xff\xfe\x00bad utf8 \x81"):
            response = await upload(as_employee, content, filename="x.docx")
            assert response.status_code == 415, content[:10]

    async def test_empty_file_is_refused(self, as_employee: httpx.AsyncClient) -> None:
        response = await upload(as_employee, b"", filename="leer.txt")
        assert response.status_code == 422
        assert response.json()["field"] == "file"

    async def test_one_byte_over_the_limit_is_413(
        self, as_employee: httpx.AsyncClient, files_settings: Settings, monkeypatch: Any
    ) -> None:
        monkeypatch.setattr(files_settings, "upload_max_bytes", 1000)
        exact = PDF + b"%" * (1000 - len(PDF))
        assert (await upload(as_employee, exact)).status_code == 201
        response = await upload(as_employee, exact + b"%")
        assert response.status_code == 413
        assert response.json()["field"] == "file"
        assert len(stored_files(files_settings)) == 1

    async def test_limit_holds_without_content_length(
        self, as_employee: httpx.AsyncClient, files_settings: Settings, monkeypatch: Any
    ) -> None:
        """A chunked body (no Content-Length) is cut off while streaming."""
        monkeypatch.setattr(files_settings, "upload_max_bytes", 1000)
        body, headers = multipart(PDF + b"%" * 5000)
        sent: list[int] = []

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(body), 256):
                sent.append(start)
                yield body[start : start + 256]

        response = await as_employee.post("/api/v1/documents", content=chunks(), headers=headers)
        assert response.status_code == 413
        assert stored_files(files_settings) == []
        # Refused as soon as the limit was passed, not after reading the whole body.
        assert len(sent) < len(range(0, len(body), 256))

    async def test_declared_length_far_over_the_limit_is_413_up_front(
        self, as_employee: httpx.AsyncClient, files_settings: Settings, monkeypatch: Any
    ) -> None:
        monkeypatch.setattr(files_settings, "upload_max_bytes", 1000)
        body, headers = multipart(PDF + b"%" * 200_000)
        response = await as_employee.post("/api/v1/documents", content=body, headers=headers)
        assert response.status_code == 413
        assert stored_files(files_settings) == []

    async def test_the_body_is_streamed_never_read_whole(
        self, as_employee: httpx.AsyncClient, files_settings: Settings, monkeypatch: Any
    ) -> None:
        """Neither Request.body() nor Request.form() (both buffer everything) is used."""
        from starlette.requests import Request

        def forbidden(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("the upload was buffered whole")

        monkeypatch.setattr(Request, "body", forbidden)
        monkeypatch.setattr(Request, "form", forbidden)
        content = b"zeile;wert\n" + b"x;1\n" * 300_000
        body, headers = multipart(content, filename="gross.csv")

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(body), 65536):
                yield body[start : start + 65536]

        response = await as_employee.post("/api/v1/documents", content=chunks(), headers=headers)
        assert response.status_code == 201, response.text
        assert response.json()["size_bytes"] == len(content)
        assert response.json()["type"] == "csv"

    async def test_two_files_are_refused_and_leave_nothing(
        self, as_employee: httpx.AsyncClient, files_settings: Settings
    ) -> None:
        first, headers = multipart(PDF)
        second, _ = multipart(PNG, filename="b.png")
        body = first.removesuffix(b"--\r\n") + b"\r\n" + second.split(b"\r\n", 1)[1]
        response = await as_employee.post("/api/v1/documents", content=body, headers=headers)
        assert response.status_code == 422
        assert response.json()["field"] == "file"
        assert stored_files(files_settings) == []

    async def test_not_multipart_is_415(self, as_employee: httpx.AsyncClient) -> None:
        response = await as_employee.post("/api/v1/documents", json={"file": "x"})
        assert response.status_code == 415

    async def test_form_without_file_is_422(self, as_employee: httpx.AsyncClient) -> None:
        body = b'--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--b--\r\n'
        response = await as_employee.post(
            "/api/v1/documents",
            content=body,
            headers={"Content-Type": "multipart/form-data; boundary=b"},
        )
        assert response.status_code == 422
        assert response.json()["field"] == "file"

    async def test_cookie_session_needs_the_csrf_header(
        self, app: Any, db: AsyncSession, employee: Employee
    ) -> None:
        body, headers = multipart(PDF)
        async with await session_client(app, db, employee) as browser:
            ok = await browser.post("/api/v1/documents", content=body, headers=headers)
            assert ok.status_code == 201
            del browser.headers["X-CSRF-Token"]
            refused = await browser.post("/api/v1/documents", content=body, headers=headers)
            assert refused.status_code == 403


class TestLinks:
    async def test_link_to_missing_object_is_422_naming_linked_id(
        self, as_manager: httpx.AsyncClient, files_settings: Settings
    ) -> None:
        response = await upload(
            as_manager,
            PDF,
            linked_module="customer",
            linked_id="00000000-0000-0000-0000-000000000001",
        )
        assert response.status_code == 422
        assert response.json()["field"] == "linked_id"
        assert stored_files(files_settings) == []

    async def test_half_a_link_is_422(self, as_manager: httpx.AsyncClient) -> None:
        response = await upload(as_manager, PDF, linked_module="customer")
        assert response.status_code == 422
        assert response.json()["field"] == "linked_id"

    async def test_unknown_category_is_422(self, as_manager: httpx.AsyncClient) -> None:
        response = await upload(as_manager, PDF, category="secret")
        assert response.status_code == 422
        assert response.json()["field"] == "category"

    async def test_list_by_linked_object(
        self, as_manager: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        customer = await make_customer(db)
        other = await make_customer(db)
        for target, content in ((customer, PDF), (customer, PNG), (other, b"text\n")):
            response = await upload(
                as_manager,
                content,
                linked_module="customer",
                linked_id=str(target.id),
                category="contract",
            )
            assert response.status_code == 201, response.text
        listed = await as_manager.get(
            "/api/v1/documents", params={"linked_module": "customer", "linked_id": str(customer.id)}
        )
        assert listed.status_code == 200
        page = listed.json()
        assert page["total"] == 2
        assert {d["linked_id"] for d in page["items"]} == {str(customer.id)}
        assert {d["category"] for d in page["items"]} == {"contract"}

    async def test_linking_to_a_module_the_role_cannot_read_is_403(
        self, as_employee: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        invoice = await make_invoice(db)
        response = await upload(
            as_employee, PDF, linked_module="invoice", linked_id=str(invoice.id)
        )
        assert response.status_code == 403

    async def test_employee_may_link_their_own_record(
        self, as_employee: httpx.AsyncClient, employee: Employee, manager: Employee
    ) -> None:
        own = await upload(as_employee, PDF, linked_module="employee", linked_id=str(employee.id))
        assert own.status_code == 201
        other = await upload(as_employee, PDF, linked_module="employee", linked_id=str(manager.id))
        assert other.status_code == 403


class TestDownload:
    async def test_download_sends_the_bytes_safely(self, as_employee: httpx.AsyncClient) -> None:
        created = (await upload(as_employee, PDF, filename='Ü "böse"; x.pdf')).json()
        response = await as_employee.get(f"/api/v1/documents/{created['id']}/download")
        assert response.status_code == 200
        assert response.content == PDF
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=UTF-8''%C3%9C%20%22b%C3%B6se%22%3B%20x.pdf" in disposition
        fallback = re.search(r'filename="([^"]*)"', disposition)
        assert fallback is not None
        assert fallback.group(1).isascii()

    async def test_text_named_html_downloads_with_a_text_ending(
        self, as_employee: httpx.AsyncClient
    ) -> None:
        created = (await upload(as_employee, b"hello\n", filename="page.html")).json()
        response = await as_employee.get(f"/api/v1/documents/{created['id']}/download")
        assert "page.html.txt" in response.headers["content-disposition"]
        assert response.headers["content-type"].startswith("text/plain")

    async def test_file_altered_on_disk_is_detected_and_audited(
        self,
        as_employee: httpx.AsyncClient,
        db: AsyncSession,
        files_settings: Settings,
    ) -> None:
        created = (await upload(as_employee, PDF)).json()
        key = f"{created['checksum'][:2]}/{created['checksum']}"
        StoredFiles(files_settings).overwrite(key, PDF.replace(b"Catalog", b"Katalog"))
        response = await as_employee.get(f"/api/v1/documents/{created['id']}/download")
        assert response.status_code == 500
        assert response.json()["error"] == "IntegrityFailure"
        assert b"Katalog" not in response.content
        audit = await db.scalar(
            select(AuditLog).where(
                AuditLog.action == "integrity_failure", AuditLog.entity_id == created["id"]
            )
        )
        assert audit is not None
        assert audit.changes is not None
        assert audit.changes["checksum"][0] == created["checksum"]

    async def test_missing_file_is_an_integrity_failure(
        self, as_employee: httpx.AsyncClient, files_settings: Settings
    ) -> None:
        created = (await upload(as_employee, PDF)).json()
        StoredFiles(files_settings).remove(f"{created['checksum'][:2]}/{created['checksum']}")
        response = await as_employee.get(f"/api/v1/documents/{created['id']}/download")
        assert response.status_code == 500
        assert response.json()["error"] == "IntegrityFailure"

    async def test_reupload_heals_an_altered_file(
        self, as_employee: httpx.AsyncClient, files_settings: Settings
    ) -> None:
        created = (await upload(as_employee, PDF)).json()
        key = f"{created['checksum'][:2]}/{created['checksum']}"
        StoredFiles(files_settings).overwrite(key, b"garbage")
        assert (await upload(as_employee, PDF)).status_code == 201
        response = await as_employee.get(f"/api/v1/documents/{created['id']}/download")
        assert response.status_code == 200
        assert response.content == PDF


class TestConfidential:
    async def test_only_owner_and_confidential_roles_see_it(
        self,
        app: Any,
        db: AsyncSession,
        employee: Employee,
        as_employee: httpx.AsyncClient,
        as_manager: httpx.AsyncClient,
        as_admin: httpx.AsyncClient,
    ) -> None:
        secret = (await upload(as_employee, PDF, is_confidential="true")).json()
        public = (await upload(as_employee, PNG)).json()
        assert secret["is_confidential"] is True
        url = f"/api/v1/documents/{secret['id']}"
        colleague = await make_employee(db, "Employee")
        async with await token_client(app, db, colleague) as other:
            for client in (other, as_manager):
                assert (await client.get(url)).status_code == 404
                assert (await client.get(url + "/download")).status_code == 404
                listed = (await client.get("/api/v1/documents")).json()
                ids = {d["id"] for d in listed["items"]}
                assert secret["id"] not in ids
                assert public["id"] in ids
                assert listed["total"] == len(ids)
            patched = await other.patch(url, json={"title": "x"})
            assert patched.status_code == 404
        assert (await as_employee.get(url)).status_code == 200
        assert (await as_employee.get(url + "/download")).status_code == 200
        assert (await as_admin.get(url)).status_code == 200
        assert (await as_admin.get(url + "/download")).status_code == 200

    async def test_admin_cannot_be_outdone_by_a_manager_delete(
        self, as_employee: httpx.AsyncClient, as_admin: httpx.AsyncClient
    ) -> None:
        secret = (await upload(as_employee, PDF, is_confidential="true")).json()
        assert (await as_admin.delete(f"/api/v1/documents/{secret['id']}")).status_code == 204

    async def test_only_the_owner_may_change_confidentiality(
        self, as_employee: httpx.AsyncClient, as_manager: httpx.AsyncClient
    ) -> None:
        doc = (await upload(as_employee, PDF)).json()
        url = f"/api/v1/documents/{doc['id']}"
        refused = await as_manager.patch(url, json={"is_confidential": True})
        assert refused.status_code == 403
        assert refused.json()["field"] == "is_confidential"
        assert (await as_manager.patch(url, json={"title": "Neu"})).json()["title"] == "Neu"
        owner = await as_employee.patch(url, json={"is_confidential": True})
        assert owner.status_code == 200
        assert owner.json()["is_confidential"] is True


class TestDelete:
    async def test_document_of_an_issued_invoice_is_kept(
        self, as_admin: httpx.AsyncClient, db: AsyncSession, files_settings: Settings
    ) -> None:
        invoice = await make_invoice(db, issued=True)
        doc = (
            await upload(as_admin, PDF, linked_module="invoice", linked_id=str(invoice.id))
        ).json()
        response = await as_admin.delete(f"/api/v1/documents/{doc['id']}")
        assert response.status_code == 409
        assert len(stored_files(files_settings)) == 1

    async def test_delete_removes_row_and_unshared_file(
        self, as_admin: httpx.AsyncClient, db: AsyncSession, files_settings: Settings
    ) -> None:
        invoice = await make_invoice(db)
        doc = (
            await upload(as_admin, PDF, linked_module="invoice", linked_id=str(invoice.id))
        ).json()
        response = await as_admin.delete(f"/api/v1/documents/{doc['id']}")
        assert response.status_code == 204
        assert await db.get(Document, doc["id"]) is None
        assert stored_files(files_settings) == []
        audit = await db.scalar(
            select(AuditLog).where(AuditLog.action == "delete", AuditLog.entity_id == doc["id"])
        )
        assert audit is not None

    async def test_shared_file_stays_while_another_row_uses_it(
        self, as_admin: httpx.AsyncClient, files_settings: Settings
    ) -> None:
        first = (await upload(as_admin, PDF, filename="a.pdf")).json()
        second = (await upload(as_admin, PDF, filename="b.pdf")).json()
        assert (await as_admin.delete(f"/api/v1/documents/{first['id']}")).status_code == 204
        assert len(stored_files(files_settings)) == 1
        download = await as_admin.get(f"/api/v1/documents/{second['id']}/download")
        assert download.content == PDF
        assert (await as_admin.delete(f"/api/v1/documents/{second['id']}")).status_code == 204
        assert stored_files(files_settings) == []

    async def test_roles_without_delete_permission_get_403(
        self, as_employee: httpx.AsyncClient, db: AsyncSession, employee: Employee
    ) -> None:
        doc = await make_document(db, employee.id)
        response = await as_employee.delete(f"/api/v1/documents/{doc.id}")
        assert response.status_code == 403
