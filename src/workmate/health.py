"""Liveness, readiness and metrics.

/healthz   200 while the process serves and PostgreSQL answers (liveness).
/readyz    200 only when the database answers at this Workmate's migration head and the file
           store can be reached (readiness: a load balancer sends traffic only then).
/metrics   Prometheus text for monitoring; needs `system.read` (an API token of a monitoring
           account), so request figures never leak to the public.
"""

from functools import lru_cache

import anyio.to_thread
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text

from workmate.auth.deps import public
from workmate.db import SessionDep
from workmate.documents.storage import get_storage
from workmate.jobs.auth import SystemRead
from workmate.migrate import head_revision
from workmate.observability import imports_text, jobs_text, mails_text, record_pool, render

router = APIRouter(tags=["health"])


@lru_cache(maxsize=1)
def _head() -> str | None:
    return head_revision()


@router.get("/healthz", dependencies=[Depends(public)])
async def healthz(db: SessionDep) -> JSONResponse:
    """200 when PostgreSQL answers a query, 503 otherwise."""
    try:
        await db.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


@router.get("/readyz", dependencies=[Depends(public)])
async def readyz(db: SessionDep) -> JSONResponse:
    """200 when the database answers at the migration head and the file store is reachable;
    503 naming what is not ready otherwise."""
    checks: dict[str, str] = {}
    try:
        current = await db.scalar(text("SELECT version_num FROM alembic_version"))
        checks["database"] = "up"
        head = _head()
        checks["migration"] = "head" if current == head else f"at {current}, needs {head}"
    except Exception:
        checks["database"] = "down"
        checks["migration"] = "unknown"
    try:
        await anyio.to_thread.run_sync(get_storage().ready)
        checks["storage"] = "up"
    except Exception as exc:
        checks["storage"] = f"down ({type(exc).__name__})"
    ready = checks == {"database": "up", "migration": "head", "storage": "up"}
    return JSONResponse(
        {"status": "ready" if ready else "not ready", **checks}, status_code=200 if ready else 503
    )


@router.get("/metrics", response_class=Response)
async def metrics(request: Request, who: SystemRead, db: SessionDep) -> Response:
    """Prometheus text: requests by route and status with latency histograms, the connection
    pool (in use, idle, waiting), background jobs by status, e-mails by state and imported
    files by kind."""
    record_pool(getattr(request.app.state, "engine", None))
    rows = await db.execute(
        text("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY 1")
    )
    imports = await db.execute(
        text(
            "SELECT 'bank_statement', count(*) FROM bank_files "
            "UNION ALL SELECT 'supplier_invoice', count(*) FROM incoming_invoices"
        )
    )
    mails = await db.execute(text("SELECT state, count(*) FROM outbox_messages GROUP BY 1"))
    body, content_type = render(
        jobs_text({str(s): int(n) for s, n in rows.all()})
        + imports_text({str(k): int(n) for k, n in imports.all()})
        + mails_text({str(s): int(n) for s, n in mails.all()})
    )
    return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})
