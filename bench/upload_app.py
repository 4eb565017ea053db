"""The app the upload bench serves until `POST /lessons/{id}/file` exists: the upload and
download helpers of tms_entrypoints.http.files mounted as the lesson routes will mount them
(`received_upload` recorded through a unit of work over the in-memory store, the bytes in a
folder or on S3 as BENCH_FILES_URL says, like TMS_STORAGE_URL, with BENCH_S3_ENDPOINT_URL;
the upload limit lifted on the route), under the app's usual 1 MiB body limit for
everything else.

    BENCH_FILES_URL=/tmp/files BENCH_UPLOAD_MAX_BYTES=600000000 \\
        uvicorn bench.upload_app:create --factory \\
        --http tms_entrypoints.http.protocol:LimitedHttpToolsProtocol
"""

from __future__ import annotations

import os
from typing import Any

from litestar import Litestar, Request, get, post

from tms_adapters.bootstrap import storage_at
from tms_adapters.clock import SystemClock
from tms_adapters.storage import file_storage_at
from tms_entrypoints.http.errors import EXCEPTION_HANDLERS
from tms_entrypoints.http.files import received_upload


class NoPublisher:
    async def publish(self, events: Any) -> None:
        return None


def create() -> Litestar:
    files = file_storage_at(
        os.environ["BENCH_FILES_URL"], endpoint_url=os.environ.get("BENCH_S3_ENDPOINT_URL")
    )
    limit = int(os.environ.get("BENCH_UPLOAD_MAX_BYTES", str(600 * 1024 * 1024)))
    clock = SystemClock()
    store = storage_at("memory://", clock=clock, publisher=NoPublisher())

    @post("/upload", request_max_body_size=None, status_code=201)
    async def upload(request: Request[Any, Any, Any]) -> dict[str, Any]:
        async with (
            received_upload(
                request, files, max_bytes=limit, now=clock.now(), created_by=None
            ) as received,
            store.uow() as uow,
        ):
            added = await uow.files.add(received)
            await uow.commit()
        return {"id": added.id, "size": added.size, "sha256": added.sha256}

    @get("/health", sync_to_thread=False)
    def health() -> dict[str, str]:
        return {"status": "healthy"}

    return Litestar(
        [upload, health],
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=1024 * 1024,
        openapi_config=None,
        debug=False,
    )
