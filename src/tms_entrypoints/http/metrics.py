"""GET /metrics: the Prometheus text format, for a scraper holding the metrics token.

- Requests are counted and timed by route template (`/sessions/{session_id}`, never a raw
  path: no id, no user data in a label) and method and status; a path that matches no route
  is `unmatched`, a method the API does not use `other`, so no client can grow the series.
- Open WebSockets and database connections in use are gauges kept as they change.
- Background jobs queued, running and failed are read from the job store when scraped (one
  indexed count).

Under `tms serve` the server sets PROMETHEUS_MULTIPROC_DIR before any worker process starts
(`tms_entrypoints.cli.serve.prepare_metrics_dir`): each process writes its samples there
and a scrape, served by any one of them, adds them up. Served otherwise (an app built in a
test, another ASGI server without that variable), the figures are this process's.

/metrics needs `Authorization: Bearer <TMS_METRICS_TOKEN>` (401 otherwise, compared in
constant time); without a token set there is no /metrics (404): it tells more about the
service than an anonymous caller should know.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterator
from typing import Any, cast

from litestar import Request, Response, get
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tms_adapters.jobs import Foreground
from tms_domain.kernel.jobs import JobStatus
from tms_domain.unit_of_work import UnitOfWorkFactory
from tms_entrypoints.http.deps import Core

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"
TEXT_FORMAT = "text/plain; version=0.0.4"
"""The text format every Prometheus reads (the framework adds the charset, utf-8)."""
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "WS"})
JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "tms_http_requests",
    "HTTP requests and WebSocket connections answered, by method, route template and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "tms_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
WEBSOCKETS = Gauge(
    "tms_websockets_open", "WebSocket connections open now", multiprocess_mode="livesum"
)
POOL_IN_USE = Gauge(
    "tms_db_pool_connections_in_use",
    "Database connections checked out of the pool now",
    multiprocess_mode="livesum",
)


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROCESS_DIR))


def process_ended() -> None:
    """This process's live gauges leave the sum (its other samples stay counted)."""
    if multiprocess_mode():
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def _method(scope: Scope) -> str:
    if scope["type"] == ScopeType.WEBSOCKET:
        return "WS"
    method = str(scope.get("method", ""))
    return method if method in METHODS else "other"


class RequestMetrics:
    """Counts and times every request and WebSocket connection (wraps the app's ASGI
    handler, inside the request edge; the route template is in the scope once routed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in (ScopeType.HTTP, ScopeType.WEBSOCKET):
            await self.app(scope, receive, send)
            return
        status = 0
        accepted = False

        async def watched(message: Message) -> None:
            nonlocal status, accepted
            kind = message["type"]
            if kind in ("http.response.start", "websocket.http.response.start"):
                status = cast("dict[str, Any]", message)["status"]
            elif kind == "websocket.accept":
                status, accepted = 101, True
                WEBSOCKETS.inc()
            elif kind == "websocket.close" and not status:
                status = 403
            await send(message)

        began = time.perf_counter()
        try:
            await self.app(scope, receive, watched)
        except BaseException:
            status = status or 500
            raise
        finally:
            if accepted:
                WEBSOCKETS.dec()
            method = _method(scope)
            route = str(scope.get("path_template") or UNMATCHED)
            REQUESTS.labels(method, route, str(status or 499)).inc()
            if scope["type"] == ScopeType.HTTP:
                LATENCY.labels(method, route).observe(time.perf_counter() - began)


class ForegroundRequests:
    """Tells the process's job workers while HTTP requests are in flight, so that they
    start fewer jobs meanwhile (``Foreground``; WebSockets, which stay open, do not count)."""

    def __init__(self, app: ASGIApp, foreground: Foreground) -> None:
        self.app = app
        self._foreground = foreground

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        self._foreground.begin()
        try:
            await self.app(scope, receive, send)
        finally:
            self._foreground.end()


def count_pool_checkouts(engine: AsyncEngine | None) -> None:
    """Keep the pool gauge as connections are checked out and back in: set from the pool's
    own count each time (not added up), so that a connection the pool drops without a
    check-in (invalidated, detached) cannot leave it wrong for good."""
    if engine is None:
        return
    sync_engine = engine.sync_engine

    def in_use() -> int:
        # Looked up each time: disposing of the engine gives it a new pool.
        count = getattr(sync_engine.pool, "checkedout", None)
        return int(count()) if callable(count) else 0

    @event.listens_for(sync_engine, "checkout")
    def _checked_out(*_: Any) -> None:
        POOL_IN_USE.set(in_use())

    @event.listens_for(sync_engine, "checkin")
    def _checked_in(*_: Any) -> None:
        # The event comes just before the connection is back in the pool.
        POOL_IN_USE.set(max(in_use() - 1, 0))


class _Figures(Collector):
    """Figures read just before a scrape, handed to the registry as they are."""

    def __init__(self, metrics: list[Metric]) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        yield from self._metrics


async def job_figures(uow: UnitOfWorkFactory) -> list[Metric]:
    async with uow(read_only=True) as work:
        counts = await work.jobs.counts(JOB_STATUSES)
    jobs = GaugeMetricFamily(
        "tms_jobs", "Background jobs by status (succeeded ones are not counted)", labels=["status"]
    )
    for status in JOB_STATUSES:
        jobs.add_metric([status.value], counts[status])
    return [jobs]


async def exposition(uow: UnitOfWorkFactory) -> bytes:
    """Every figure in the Prometheus text format: all processes' (multiprocess mode) or
    this one's, and the job store's."""
    registry = CollectorRegistry()
    if multiprocess_mode():
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    extra = CollectorRegistry()
    extra.register(_Figures(await job_figures(uow)))
    return text + generate_latest(extra)


def _token_matches(request: Request[Any, Any, Any], expected: str) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    given = token.strip().encode() if scheme.lower() == "bearer" else b""
    return hmac.compare_digest(given, expected.encode())


@get("/metrics", include_in_schema=False)
async def metrics(request: Request[Any, Any, Any], core: Core) -> Response[bytes]:
    """The figures, for a scraper with the metrics token."""
    expected = core.settings().metrics_token
    if not expected:
        raise NotFoundException()
    if not _token_matches(request, expected):
        return Response(
            b'{"detail":"The metrics token is missing or wrong"}',
            status_code=401,
            media_type="application/json",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    return Response(await exposition(core.uow()), media_type=TEXT_FORMAT)
