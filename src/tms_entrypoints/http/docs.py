"""The API documentation pages, Swagger UI (/schema/swagger, /docs) and ReDoc
(/schema/redoc, /redoc), from files shipped in this package (static/docs/, with their
licences): they need no internet, and their Content-Security-Policy allows this server's
files alone, with no inline script or style. Each page is a shell that loads the tool and
a small start script, which fetches the OpenAPI document."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.openapi.plugins import RedocRenderPlugin, SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

ASSETS_PATH = "/schema/assets"
ASSETS_DIR = Path(__file__).parent / "static" / "docs"

EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
"""The hash of an empty text: ReDoc's styling (styled-components) adds empty <style>
elements and fills them through the CSSOM, which the policy does not govern; allowing
empty ones lets no style text in."""
DOCS_CSP = (
    f"default-src 'none'; script-src 'self'; style-src 'self' {EMPTY_STYLE}; "
    # ReDoc colours its code samples with style attributes on the tokens; an attribute can
    # neither run script nor load anything the rest of the policy refuses.
    "style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def _page(title: str, head: str, body: str) -> bytes:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f'<link rel="stylesheet" href="{ASSETS_PATH}/docs.css">{head}</head>'
        f"<body>{body}</body></html>"
    ).encode()


class LocalSwaggerRenderPlugin(SwaggerRenderPlugin):
    def __init__(self, path: str) -> None:
        super().__init__(
            path=path,
            js_url=f"{ASSETS_PATH}/swagger-ui/swagger-ui-bundle.js",
            css_url=f"{ASSETS_PATH}/swagger-ui/swagger-ui.css",
            favicon="",
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        spec = escape(self.get_openapi_json_route(request))
        return _page(
            openapi_schema["info"]["title"],
            f'<link rel="stylesheet" href="{self.css_url}">',
            f'<div id="swagger-ui" data-spec-url="{spec}"></div>'
            f'<script src="{self.js_url}"></script>'
            f'<script src="{ASSETS_PATH}/swagger-init.js"></script>',
        )


class LocalRedocRenderPlugin(RedocRenderPlugin):
    def __init__(self, path: str) -> None:
        super().__init__(
            path=path,
            js_url=f"{ASSETS_PATH}/redoc/redoc.standalone.js",
            google_fonts=False,
            favicon="",
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        spec = escape(self.get_openapi_json_route(request))
        # The start script imports the ReDoc module (self.js_url) beside it.
        return _page(
            openapi_schema["info"]["title"],
            "",
            f'<div id="redoc" data-spec-url="{spec}"></div>'
            f'<script type="module" src="{ASSETS_PATH}/redoc-init.js"></script>',
        )


def docs_assets() -> Router:
    return create_static_files_router(
        path=ASSETS_PATH, directories=[ASSETS_DIR], include_in_schema=False
    )
