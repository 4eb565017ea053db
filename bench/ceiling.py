"""The ceiling: a minimal Litestar app on the same server settings as the TMS, answering
what the framework can do on this machine with nothing behind it.

``GET /fixed`` answers a fixed JSON body, already encoded (read once from the file named by
BENCH_BODY_FILE, the TMS's own ``GET /sessions/?limit=100`` answer): server, framework and
transfer only. ``GET /encoded`` answers the same document decoded into Python objects and
encoded again by Litestar on every request: adds serialisation.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar, Response, get


def create() -> Litestar:
    body = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()
    document: Any = msgspec.json.decode(body)

    @get("/fixed", sync_to_thread=False)
    def fixed() -> Response[bytes]:
        return Response(body, media_type="application/json")

    @get("/encoded", sync_to_thread=False)
    def encoded() -> Any:
        return document

    @get("/health", sync_to_thread=False)
    def health() -> dict[str, str]:
        return {"status": "healthy"}

    return Litestar(route_handlers=[fixed, encoded, health], debug=False, openapi_config=None)
