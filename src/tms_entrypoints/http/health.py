"""GET /health (and HEAD, for monitors): is the service up, and can it reach its database."""

from __future__ import annotations

from litestar import Response, get, head
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from tms_adapters.persistence.sql.probe import StorageProbe
from tms_entrypoints.http.schemas import HealthOut

RETRY_AFTER = {"Retry-After": "5"}


@get(
    "/health",
    operation_id="health",
    tags=["health"],
    responses={
        503: ResponseSpec(
            HealthOut,
            description="Unhealthy: the database cannot be reached; retry after `Retry-After`"
            " seconds",
            generate_examples=False,
        )
    },
)
async def health(probe: NamedDependency[StorageProbe]) -> Response[HealthOut]:
    """`healthy` with `database: ok`; 503 `unhealthy` when the database cannot be reached."""
    if await probe.reachable():
        return Response(HealthOut(status="healthy", database="ok"))
    return Response(
        HealthOut(status="unhealthy", database="unavailable"),
        status_code=503,
        headers=RETRY_AFTER,
    )


@head("/health", operation_id="healthHead", tags=["health"])
async def health_head(probe: NamedDependency[StorageProbe]) -> Response[None]:
    """The status of GET /health without its body: 200, or 503 when the database cannot be
    reached."""
    if await probe.reachable():
        return Response(None)
    return Response(None, status_code=503, headers=RETRY_AFTER)
