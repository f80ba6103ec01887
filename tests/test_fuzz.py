"""A bounded schemathesis run over /openapi.json, as an Admin and as an Employee: whatever the
generated input, no answer is a server error (5xx).

A real server process on a database of its own (the fuzzing writes there, and nowhere else);
a few examples per operation keep the run to minutes (`FUZZ_EXAMPLES`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import NullPool

from tests.conftest import TEMPLATE, _recreate, free_port, start_server, worker_name
from tests.factories.identity import make_employee
from workmate.auth.service import auth_service
from workmate.db import make_engine

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
ROLES = ("Admin", "Employee")
# Requests that end the caller's own access would only make the rest of the run a row of 401s
# (they are tested by hand in tests/auth): logging out, revoking, changing the own password.
SKIP = {
    ("POST", "/api/v1/auth/logout"),
    ("PUT", "/api/v1/auth/me/password"),
    ("DELETE", "/api/v1/auth/sessions"),
    ("POST", "/api/v1/auth/sessions/revoke-all"),
    ("POST", "/api/v1/auth/tokens/revoke-all"),
}


async def _tokens(url: str) -> dict[str, str]:
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as db:
            tokens = {}
            for role in ROLES:
                employee = await make_employee(db, role)
                token = await auth_service.create_token(db, employee.id, f"fuzz {role}")
                tokens[role] = token.secret
            await db.commit()
            return tokens
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def fuzz_server(request: pytest.FixtureRequest, server_url: str) -> Iterator[dict[str, Any]]:
    url = _recreate(server_url, f"wm_test_{worker_name(request.config)}_fuzz", TEMPLATE)
    tokens = asyncio.run(_tokens(url))
    patch = pytest.MonkeyPatch()
    patch.setenv("WORKMATE_JOBS_IN_PROCESS", "false")
    port = free_port()
    try:
        proc = start_server(url, port)
    finally:
        patch.undo()
    yield {"base": f"http://127.0.0.1:{port}", "tokens": tokens}
    proc.terminate()
    proc.wait(10)


def fuzz(server: dict[str, Any], role: str) -> list[str]:
    """Every operation, positive and negative examples; the 5xx answers found."""
    schema = schemathesis.openapi.from_url(f"{server['base']}/openapi.json")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {server['tokens'][role]}"
    found: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            probe(server["base"], session, operation, mode, found)
    return found


def probe(
    base: str, session: requests.Session, operation: Any, mode: GenerationMode, found: list[str]
) -> None:
    @FUZZ
    @given(operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        answer = case.call(base_url=base, session=session, timeout=60)
        if answer.status_code >= 500:
            found.append(
                f"{answer.status_code} {case.method} {case.formatted_path} {mode.value}: "
                f"{answer.text[:200]}"
            )

    # Unsatisfiable: no invalid input exists for it (e.g. no parameters at all).
    with contextlib.suppress(Unsatisfiable):
        run()


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.live
def test_no_request_of_an_admin_is_a_server_error(fuzz_server: dict[str, Any]) -> None:
    assert fuzz(fuzz_server, "Admin") == []


@pytest.mark.live
def test_no_request_of_an_employee_is_a_server_error(fuzz_server: dict[str, Any]) -> None:
    assert fuzz(fuzz_server, "Employee") == []
