"""Swagger UI at /docs and ReDoc at /redoc, with every asset served by the app itself.

FastAPI's own pages load their JavaScript and CSS from a CDN, which a machine without internet
access cannot reach. The assets come from the pinned `fastapi-offline` package (it bundles
swagger-ui-dist and redoc); we serve its files and build the pages with FastAPI's helpers.
"""

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount, Route

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
ASSETS_URL = "/docs/assets"


def assets_directory() -> Path:
    return Path(str(files("fastapi_offline") / "static"))


def _is_cdn_page(route: BaseRoute) -> bool:
    paths = (DOCS_URL, REDOC_URL, OAUTH2_REDIRECT_URL)
    return isinstance(route, Route | Mount) and route.path in paths


def mount_docs(app: FastAPI) -> None:
    """Adds /docs, /redoc and their assets, replacing FastAPI's CDN pages if it made them."""
    app.router.routes[:] = [route for route in app.router.routes if not _is_cdn_page(route)]
    app.docs_url = app.redoc_url = None
    app.mount(ASSETS_URL, StaticFiles(directory=assets_directory()), name="docs-assets")
    app.add_route(DOCS_URL, _swagger_ui, include_in_schema=False)
    app.add_route(OAUTH2_REDIRECT_URL, _oauth2_redirect, include_in_schema=False)
    app.add_route(REDOC_URL, _redoc, include_in_schema=False)


def _urls(request: Request) -> tuple[FastAPI, str, str]:
    """The app, its document's URL and the assets' URL, under the request's root path."""
    app: FastAPI = request.app
    root = request.scope.get("root_path", "")
    return app, f"{root}{app.openapi_url or '/openapi.json'}", f"{root}{ASSETS_URL}"


async def _swagger_ui(request: Request) -> HTMLResponse:
    app, document, assets = _urls(request)
    return get_swagger_ui_html(
        openapi_url=document,
        title=f"{app.title} - Swagger UI",
        swagger_js_url=f"{assets}/swagger-ui-bundle.js",
        swagger_css_url=f"{assets}/swagger-ui.css",
        swagger_favicon_url=f"{assets}/favicon.png",
        oauth2_redirect_url=f"{request.scope.get('root_path', '')}{OAUTH2_REDIRECT_URL}",
        swagger_ui_parameters=app.swagger_ui_parameters,
    )


async def _oauth2_redirect(_: Request) -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


async def _redoc(request: Request) -> HTMLResponse:
    app, document, assets = _urls(request)
    return get_redoc_html(
        openapi_url=document,
        title=f"{app.title} - ReDoc",
        redoc_js_url=f"{assets}/redoc.standalone.js",
        redoc_favicon_url=f"{assets}/favicon.png",
        with_google_fonts=False,
    )
