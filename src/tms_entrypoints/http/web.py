"""The web client's static files at /app/ (client-side routes answer index.html), the root
redirect, and short paths to the API docs."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from litestar import Request, Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.response import File, Redirect
from litestar.static_files import create_static_files_router

from tms_entrypoints.http.errors import http_error

WEB_CLIENT = "/app"
ASSETS = "/app/assets"
"""Vite's hashed bundles: a changed file gets a new name, so each name is cached for good."""
IMMUTABLE = CacheControlHeader(public=True, max_age=31536000, immutable=True)
REVALIDATE = CacheControlHeader(no_cache=True)
"""index.html and the other unhashed files: asked again each time, so a release shows at once."""


@get("/docs", include_in_schema=False)
async def docs() -> Redirect:
    return Redirect("/schema/swagger")


@get("/redoc", include_in_schema=False)
async def redoc() -> Redirect:
    return Redirect("/schema/redoc")


@get("/openapi.json", include_in_schema=False)
async def openapi_json() -> Redirect:
    return Redirect("/schema/openapi.json")


@get("/", include_in_schema=False)
async def root_without_client() -> Response[dict[str, str]]:
    return Response(
        {
            "message": "Training Management System API. The web client is not built "
            "(install Node.js and run `make web`).",
            "docs": "/docs",
        }
    )


@get("/", include_in_schema=False)
async def root() -> Redirect:
    return Redirect(f"{WEB_CLIENT}/")


def _not_found(request: Request[Any, Any, Any], _error: NotFoundException) -> Response[Any]:
    """A missing file, without the framework's message (it names the folder on disk)."""
    return http_error(request, NotFoundException("Not found"))


def _client_side_routes(index: Path) -> Any:
    """What the static files do not hold: a path with a file extension is a missing file
    (404); any other is one of the client's own routes, which index.html answers."""

    def answer(request: Request[Any, Any, Any], _error: NotFoundException) -> Response[Any]:
        if PurePosixPath(request.url.path).suffix:
            return _not_found(request, _error)
        return File(
            index,
            filename="index.html",
            content_disposition_type="inline",
            headers={REVALIDATE.HEADER_NAME: REVALIDATE.to_header()},
        )

    return answer


def web_client_routes(dist: Path | None) -> list[BaseRouteHandler | Router]:
    if dist is None:
        return [root_without_client, docs, redoc, openapi_json]
    return [
        root,
        create_static_files_router(
            path=WEB_CLIENT,
            directories=[dist],
            html_mode=True,
            name="web-client",
            cache_control=REVALIDATE,
            exception_handlers={
                NotFoundException: _client_side_routes(dist.resolve() / "index.html")
            },
        ),
        create_static_files_router(
            path=ASSETS,
            directories=[dist / "assets"],
            name="web-client-assets",
            cache_control=IMMUTABLE,
            exception_handlers={NotFoundException: _not_found},
        ),
        docs,
        redoc,
        openapi_json,
    ]
