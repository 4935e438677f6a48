"""/docs that works offline: Swagger UI's files come from the swagger-ui-bundle package,
served by this server, instead of FastAPI's default CDN (a blank page without internet).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

ASSETS = "/docs/assets"


def install(app: FastAPI) -> None:
    """Serve Swagger UI at /docs with its assets under /docs/assets (app made with
    docs_url=None and redoc_url=None, so FastAPI adds no CDN page of its own)."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
            # The token typed into "Authorize" survives a reload of the page.
            swagger_ui_parameters={"persistAuthorization": True},
        )
