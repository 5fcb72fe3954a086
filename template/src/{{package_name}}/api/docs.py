"""Interactive API docs (Swagger UI and ReDoc) served with the service's own assets.

FastAPI's built-in pages load their JavaScript and CSS from a public CDN: they break
on networks without internet access and tell a third party who reads the docs. Here
the pages load the same assets from this service. The files come from the
`fastapi-offline` package (Swagger UI, Apache-2.0; ReDoc, MIT; their licences are
in the package), so `uv lock --upgrade-package fastapi-offline` updates them.
"""

from importlib.resources import files
from typing import Final

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse

DOCS_URL: Final = "/docs"
REDOC_URL: Final = "/redoc"
ASSETS_URL: Final = "/docs-assets"
ASSETS_DIRECTORY: Final = str(files("fastapi_offline") / "static")


def add_docs(app: FastAPI) -> None:
    """Serve Swagger UI at /docs and ReDoc at /redoc for the app's OpenAPI schema.

    Call it only when the schema is served (`app.openapi_url` is set); the pages and
    their assets stay out of the schema itself.
    """
    openapi_url = app.openapi_url
    if openapi_url is None:
        msg = "add_docs needs the OpenAPI schema to be served"
        raise ValueError(msg)
    oauth2_redirect_url = app.swagger_ui_oauth2_redirect_url or f"{DOCS_URL}/oauth2-redirect"

    # check_dir: a missing asset directory fails at startup, not on the first page view.
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIRECTORY, check_dir=True), name="docs")

    async def swagger_ui(request: Request) -> HTMLResponse:
        # Behind a proxy that strips a path prefix, URLs must carry it back.
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{root}{oauth2_redirect_url}",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    async def swagger_ui_oauth2_redirect(_: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )

    app.add_route(DOCS_URL, swagger_ui, include_in_schema=False)
    app.add_route(oauth2_redirect_url, swagger_ui_oauth2_redirect, include_in_schema=False)
    app.add_route(REDOC_URL, redoc, include_in_schema=False)
