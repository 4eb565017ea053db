"""Health for monitors and orchestrators.

- GET /health (and HEAD): is the service up, and can it reach its database (part one's
  contract).
- GET /health/live: the process answers (a liveness probe: restart it when this fails). It
  reads nothing, so a database outage never gets every instance restarted.
- GET /health/ready: should traffic come here (a readiness probe): 503 while the database
  or, when configured, Redis cannot be reached, or migrations are pending; the body says
  which.
"""

from __future__ import annotations

import asyncio

from litestar import Response, get, head
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from tms_adapters.persistence.sql.probe import SchemaProbe, StorageProbe
from tms_adapters.redis_probe import RedisProbe
from tms_entrypoints.http.schemas import HealthOut, LivenessOut, ReadinessOut

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


@get("/health/live", operation_id="healthLive", tags=["health"])
async def health_live() -> LivenessOut:
    """The process is up and serving (a liveness probe); it reads nothing."""
    return LivenessOut(status="alive")


@get(
    "/health/ready",
    operation_id="healthReady",
    tags=["health"],
    responses={
        503: ResponseSpec(
            ReadinessOut,
            description="Not ready: the database or Redis cannot be reached, or migrations"
            " are pending (the body says which); retry after `Retry-After` seconds",
            generate_examples=False,
        )
    },
)
async def health_ready(
    probe: NamedDependency[StorageProbe],
    schema_probe: NamedDependency[SchemaProbe],
    redis_probe: NamedDependency[RedisProbe],
) -> Response[ReadinessOut]:
    """`ready` when the database and (when configured) Redis answer and no migration is
    pending; 503 `not ready` otherwise, with the state of each."""
    database, pending, redis = await asyncio.gather(
        probe.reachable(), schema_probe.pending(), redis_probe.reachable()
    )
    readiness = ReadinessOut(
        status="ready" if database and pending is False and redis else "not ready",
        database="ok" if database else "unavailable",
        migrations="unknown" if pending is None else "pending" if pending else "ok",
        redis="ok" if redis else "unavailable",
    )
    if not redis_probe.configured:
        readiness.redis = "not configured"
    if readiness.status == "ready":
        return Response(readiness)
    return Response(readiness, status_code=503, headers=RETRY_AFTER)
