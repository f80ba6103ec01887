"""/docs (Swagger UI) and /redoc served from an installed package, never from a CDN.

FastAPI's own pages load unpinned scripts from a CDN and start them with an inline script.
Here the assets come from the `fastapi-offline` wheel (Swagger UI and Redoc, pinned with it in
constraints.txt), Swagger UI is started by our own static file, and both pages carry the
app's Content-Security-Policy. One relaxation, on these two pages only: inline *styles*
(Redoc renders its styles into <style> elements at run time; Swagger UI sets some inline) and
Redoc's search worker from a blob. Scripts stay 'self' only.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from workmate.auth.deps import public

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSET_NAMES = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": DOCS_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

SWAGGER = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} – API</title>
<link rel="icon" href="/docs/assets/favicon.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""

REDOC = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} – API</title>
<link rel="icon" href="/docs/assets/favicon.png">
</head>
<body>
<redoc spec-url="{openapi}"></redoc>
<script src="/docs/assets/redoc.standalone.js"></script>
</body>
</html>
"""


def mount(app: FastAPI) -> None:
    """Add /docs, /redoc and their assets (create the app with docs_url=redoc_url=None)."""
    openapi = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False, dependencies=[Depends(public)])
    async def swagger_ui() -> HTMLResponse:
        """Interactive API documentation (Swagger UI, served locally)."""
        return HTMLResponse(SWAGGER.format(title=app.title, openapi=openapi), headers=HEADERS)

    @app.get("/redoc", include_in_schema=False, dependencies=[Depends(public)])
    async def redoc() -> HTMLResponse:
        """Readable API reference (Redoc, served locally)."""
        return HTMLResponse(REDOC.format(title=app.title, openapi=openapi), headers=HEADERS)

    @app.get("/docs/assets/{name}", include_in_schema=False, dependencies=[Depends(public)])
    async def docs_asset(name: str) -> FileResponse:
        """The pinned Swagger UI and Redoc files; nothing else."""
        if name not in ASSET_NAMES:
            raise StarletteHTTPException(404)
        return FileResponse(
            ASSETS / name,
            headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
        )
