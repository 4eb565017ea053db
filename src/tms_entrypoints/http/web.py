"""The web client's static files at /app/ (client-side routes fall back to index.html),
the root redirect, and short paths to the API docs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.params import PathParameter
from litestar.response import File, Redirect

IMMUTABLE = "public, max-age=31536000, immutable"


@get("/docs", include_in_schema=False)
async def docs() -> Redirect:
    return Redirect("/schema/swagger")


@get("/redoc", include_in_schema=False)
async def redoc() -> Redirect:
    return Redirect("/schema/redoc")


@get("/openapi.json", include_in_schema=False)
async def openapi_json() -> Redirect:
    return Redirect("/schema/openapi.json")


def web_client_routes(dist: Path | None) -> list[BaseRouteHandler]:
    if dist is None:

        @get("/", include_in_schema=False)
        async def root_without_client() -> Response[dict[str, str]]:
            return Response(
                {
                    "message": "Training Management System API. The web client is not built "
                    "(install Node.js and run `make web`).",
                    "docs": "/docs",
                }
            )

        return [root_without_client, docs, redoc, openapi_json]

    root_dir = dist.resolve()
    index = root_dir / "index.html"

    @get("/", include_in_schema=False)
    async def root() -> Redirect:
        return Redirect("/app/")

    @get(["/app", "/app/"], include_in_schema=False)
    async def app_index() -> File:
        return File(
            index,
            filename="index.html",
            content_disposition_type="inline",
            headers={"Cache-Control": "no-cache"},
        )

    @get("/app/{asset:path}", include_in_schema=False)
    async def app_file(asset: Annotated[str, PathParameter()]) -> File:
        candidate = (root_dir / asset.lstrip("/")).resolve()
        if not candidate.is_relative_to(root_dir):
            raise NotFoundException("Not found")
        if candidate.is_file():
            cache = IMMUTABLE if "/assets/" in f"/{asset}" else "no-cache"
            return File(
                candidate,
                filename=candidate.name,
                content_disposition_type="inline",
                headers={"Cache-Control": cache},
            )
        if Path(asset).suffix:
            raise NotFoundException("Not found")
        return File(
            index,
            filename="index.html",
            content_disposition_type="inline",
            headers={"Cache-Control": "no-cache"},
        )

    return [root, app_index, app_file, docs, redoc, openapi_json]
