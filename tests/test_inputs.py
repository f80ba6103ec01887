"""Every request body derives from Input and every text in it has a documented maximum;
every text query parameter is bounded, every integer one too."""

from __future__ import annotations

import types
import typing
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from tests.test_route_permissions import app_routes
from workmate.inputs import Input


def _bounded(metadata: list[Any]) -> bool:
    return any(
        getattr(m, "max_length", None) is not None or getattr(m, "pattern", None) is not None
        for m in metadata
    )


def unbounded_text(annotation: Any, metadata: list[Any], where: str, seen: set[Any]) -> list[str]:
    """Where a str without max_length (or pattern) hides in an annotation; models recursed."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return unbounded_text(args[0], [*metadata, *args[1:]], where, seen)
    if annotation is str:
        return [] if _bounded(metadata) else [where]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_problems(annotation, seen)
    if origin is typing.Literal:
        return []
    # X | None keeps the field's constraints; inside containers they do not apply.
    inner = metadata if origin in (typing.Union, types.UnionType) else []
    found: list[str] = []
    for arg in args:
        found += unbounded_text(arg, inner, f"{where}[]", seen)
    return found


def model_problems(model: type[BaseModel], seen: set[Any]) -> list[str]:
    if model in seen:
        return []
    seen.add(model)
    name = f"{model.__module__}.{model.__qualname__}"
    found = [] if issubclass(model, Input) else [f"{name} does not derive from Input"]
    for field, info in model.model_fields.items():
        found += unbounded_text(info.annotation, list(info.metadata), f"{name}.{field}", seen)
    return found


def all_inputs() -> list[type[Input]]:
    found: list[type[Input]] = []
    todo = list(Input.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return found


def api_routes() -> list[tuple[str, APIRoute]]:
    return [(path, r) for path, r, _ in app_routes() if isinstance(r, APIRoute)]


def test_every_body_is_an_input_with_bounded_text() -> None:
    seen: set[Any] = set()
    problems: list[str] = []
    for path, route in api_routes():
        for param in route.dependant.body_params:
            annotation = param.field_info.annotation
            if annotation in (bytes, Any):
                continue
            where = f"{','.join(sorted(route.methods))} {path} body {param.name}"
            problems += unbounded_text(annotation, list(param.field_info.metadata), where, seen)
    assert problems == []


def test_every_input_has_bounded_text() -> None:
    import workmate.app  # noqa: F401  (imports every domain's schemas)

    seen: set[Any] = set()
    problems: list[str] = []
    for cls in all_inputs():
        if cls.__module__.startswith("workmate."):  # not the samples of the tests below
            problems += model_problems(cls, seen)
    assert problems == []


def test_text_and_integer_query_parameters_are_bounded() -> None:
    problems: list[str] = []
    for path, route in api_routes():
        params = route.dependant.query_params + [
            p for dep in route.dependant.dependencies for p in dep.query_params
        ]
        for param in params:
            info = param.field_info
            where = f"{path} ?{param.alias}"
            problems += unbounded_text(info.annotation, list(info.metadata), where, set())
            ints = [a for a in typing.get_args(info.annotation) or (info.annotation,)]
            if int in ints and not any(getattr(m, "le", None) is not None for m in info.metadata):
                problems.append(f"{where}: integer without maximum")
    assert problems == []


def test_the_walk_finds_an_unbounded_field() -> None:
    class Loose(BaseModel):
        name: str
        tags: list[str]

    class Tight(Input):
        name: str | None = None
        inner: Loose

    problems = model_problems(Tight, set())
    assert any("Tight.name" in p for p in problems)
    assert any("Loose does not derive" in p for p in problems)
    assert any("Loose.tags" in p for p in problems)


@pytest.mark.parametrize("bad", ["a\x00b", "\ud800"])
def test_input_refuses_unstorable_text(bad: str) -> None:
    class Sample(Input):
        note: str | None = None

    with pytest.raises(ValidationError, match=r"NUL|surrogate"):
        Sample.model_validate({"note": bad})
    with pytest.raises(ValidationError, match="nope"):
        Sample.model_validate({"nope": 1})


# ---- over HTTP: every bad input is a 4xx naming the field, never a 500 ----


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/customers?q=a%00b",
        "/api/v1/invoices?number=RE%00",
        "/api/v1/audit-log?entity=x%00",
        "/api/v1/audit-log?action=%00",
        "/api/v1/employees?sort=%00name",
        "/customers?q=a%00",
    ],
)
async def test_nul_in_a_query_parameter_is_422(as_admin: httpx.AsyncClient, url: str) -> None:
    answer = await as_admin.get(url)
    assert answer.status_code == 422, answer.text
    name = url.split("?")[1].split("=")[0]
    assert answer.json()["field"] == name


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url", ["/api/v1/customers?offset=9223372036854775808", "/api/v1/audit-log?offset=10000000000"]
)
async def test_huge_offsets_are_422(as_admin: httpx.AsyncClient, url: str) -> None:
    answer = await as_admin.get(url)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "offset"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "A\x00B"}, "name"),
        ({"name": "Alpha", "address": "Stra\x00e"}, "address"),
        ({"name": "Alpha", "phone": 12345678}, "phone"),
        ({"name": "Alpha", "tax_id": ["DE136695976"]}, "tax_id"),
        ({"name": "Alpha", "tax_id": 136695976}, "tax_id"),
        ({"name": "Alpha", "emial": "a@example.org"}, "emial"),
        ({"name": "Alpha", "address": "x" * 1001}, "address"),
    ],
)
async def test_bad_customer_bodies_are_422(
    as_admin: httpx.AsyncClient, payload: dict[str, Any], field: str
) -> None:
    answer = await as_admin.post("/api/v1/customers", json=payload)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field


@pytest.mark.asyncio
async def test_lone_surrogate_in_a_body_is_422(as_admin: httpx.AsyncClient) -> None:
    raw = b'{"name": "Alpha \\ud800"}'
    answer = await as_admin.post(
        "/api/v1/customers", content=raw, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "name"


@pytest.mark.asyncio
async def test_a_30_mb_note_is_refused_before_it_is_read(as_admin: httpx.AsyncClient) -> None:
    note = "x" * (30 * 1024 * 1024)
    answer = await as_admin.post("/api/v1/reminders", json={"title": "t", "note": note})
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"] == "PayloadTooLarge"


@pytest.mark.asyncio
async def test_a_chunked_body_over_the_limit_is_413(as_admin: httpx.AsyncClient) -> None:
    async def chunks() -> Any:
        yield b'{"title": "t", "note": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    answer = await as_admin.post(
        "/api/v1/reminders", content=chunks(), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"] == "PayloadTooLarge"


@pytest.mark.asyncio
async def test_a_note_over_its_maximum_is_422(as_admin: httpx.AsyncClient) -> None:
    answer = await as_admin.post(
        "/api/v1/reminders", json={"title": "t", "due_date": "2026-12-01", "note": "x" * 10_001}
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "note"


async def test_a_multipart_body_is_capped_before_any_route_reads_it(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FastAPI spools an UploadFile form before authentication; the cap bounds that spool."""
    from workmate.app import create_app
    from workmate.config import get_settings

    monkeypatch.setattr(get_settings(), "upload_max_bytes", 1000)
    app = create_app(engine=engine, check=False)
    big = b"x" * (2 * 1024 * 1024)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as anonymous:
        answer = await anonymous.post(
            "/api/v1/customers/import", files={"file": ("k.csv", big, "text/csv")}
        )
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"] == "PayloadTooLarge"
