"""Request ids (header, logs, audit rows), /metrics, /readyz and JSON logs."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.documents import PDF, multipart
from workmate.config import Settings, get_settings
from workmate.models import AuditLog
from workmate.observability import REQUEST_ID, JsonFormatter


@pytest.fixture
def files_settings(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = get_settings()
    monkeypatch.setattr(settings, "data_dir", tmp_path / "data")
    return settings


class TestRequestId:
    async def test_every_answer_carries_one_and_a_plain_incoming_one_is_kept(
        self, client: httpx.AsyncClient
    ) -> None:
        made = (await client.get("/healthz")).headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", made)
        assert (await client.get("/healthz")).headers["x-request-id"] != made
        kept = await client.get("/healthz", headers={"X-Request-ID": "lb-4711-abcdef"})
        assert kept.headers["x-request-id"] == "lb-4711-abcdef"
        for hostile in ("x", "a" * 65, "bad id with spaces", "line\\nbreak-xxxxx"):
            answer = await client.get("/healthz", headers={"X-Request-ID": hostile})
            assert answer.headers["x-request-id"] != hostile
        refused = await client.get("/api/v1/jobs")
        assert refused.status_code == 401
        assert "x-request-id" in refused.headers

    async def test_is_written_into_the_audit_row_of_that_request(
        self, as_employee: httpx.AsyncClient, db: AsyncSession, files_settings: Settings
    ) -> None:
        body, headers = multipart(PDF)
        response = await as_employee.post(
            "/api/v1/documents",
            content=body,
            headers={**headers, "X-Request-ID": "req-audit-0001"},
        )
        assert response.status_code == 201
        row = await db.scalar(
            select(AuditLog).where(
                AuditLog.entity == "documents", AuditLog.entity_id == response.json()["id"]
            )
        )
        assert row is not None
        assert row.request_id == "req-audit-0001"


class TestMetrics:
    async def test_only_for_system_read(
        self, client: httpx.AsyncClient, as_employee: httpx.AsyncClient
    ) -> None:
        anonymous = await client.get("/metrics")
        assert anonymous.status_code in (401, 303)  # outside /api/v1: sent to the login page
        assert "workmate_http" not in anonymous.text
        assert (await as_employee.get("/metrics")).status_code == 403

    async def test_requests_by_route_template_status_latency_pool_and_jobs(
        self, as_admin: httpx.AsyncClient
    ) -> None:
        await as_admin.get("/healthz")
        missing = "00000000-0000-0000-0000-000000000000"
        assert (await as_admin.get(f"/api/v1/documents/{missing}")).status_code == 404
        response = await as_admin.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        text = response.text
        assert re.search(
            r'workmate_http_requests_total\{method="GET",route="/healthz",status="200"\} \d', text
        )
        assert 'route="/api/v1/documents/{document_id}",status="404"' in text, (
            "labelled by the route template, not by the raw path"
        )
        assert missing not in text
        assert 'workmate_http_request_duration_seconds_bucket{le="0.1",method="GET"' in text
        for state in ("in_use", "idle", "waiting"):
            assert f'workmate_db_pool_connections{{state="{state}"}}' in text
        for status in ("todo", "doing", "failed"):
            assert f'workmate_jobs{{status="{status}"}}' in text
        assert 'workmate_imported_files{kind="bank_statement"} ' in text
        assert 'workmate_mails{state="queued"} ' in text


class TestReadiness:
    async def test_ready_when_database_migrations_and_storage_are(
        self, client: httpx.AsyncClient, files_settings: Settings
    ) -> None:
        response = await client.get("/readyz")
        assert response.status_code == 200, response.text
        assert response.json() == {
            "status": "ready",
            "database": "up",
            "migration": "head",
            "storage": "up",
        }

    async def test_not_ready_when_the_store_cannot_be_reached(
        self, client: httpx.AsyncClient, files_settings: Settings, monkeypatch: Any
    ) -> None:
        monkeypatch.setattr(files_settings, "storage_url", "s3://workmate/files")
        monkeypatch.setattr(files_settings, "s3_endpoint_url", "http://127.0.0.1:9")
        monkeypatch.setattr(files_settings, "s3_access_key_id", "x")
        monkeypatch.setattr(files_settings, "s3_secret_access_key", "y")
        monkeypatch.setattr(files_settings, "s3_region", "us-east-1")
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["storage"].startswith("down")
        assert response.json()["database"] == "up"


def test_json_log_lines_carry_the_request_id_and_extras() -> None:
    record = logging.makeLogRecord(
        {"name": "workmate.access", "levelno": 20, "levelname": "INFO", "msg": "GET /x 200"}
    )
    record.status = 200
    token = REQUEST_ID.set("req-log-0001")
    try:
        line = JsonFormatter().format(record)
    finally:
        REQUEST_ID.reset(token)
    data = json.loads(line)
    assert data["request_id"] == "req-log-0001"
    assert data["message"] == "GET /x 200"
    assert data["status"] == 200
    assert data["level"] == "INFO"


async def test_an_unexpected_error_is_logged_and_answered_with_the_request_id(
    app: Any, as_employee: httpx.AsyncClient, monkeypatch: Any, caplog: Any, files_settings: Any
) -> None:
    from workmate.documents import service as documents_service

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(documents_service.audit_service, "record", broken)
    body, headers = multipart(PDF)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=dict(as_employee.headers)
    ) as client:
        with caplog.at_level(logging.ERROR):
            response = await client.post(
                "/api/v1/documents",
                content=body,
                headers={**headers, "X-Request-ID": "req-500-0001"},
            )
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-500-0001"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors
    assert all('"request_id": "req-500-0001"' in JsonFormatter().format(r) for r in errors)
