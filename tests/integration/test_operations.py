"""What an operator relies on, through real `tms serve` processes on loopback.

- /metrics answers only the metrics token; its counts move with the requests served, by
  route template (never an id from a path), and add up across `--workers 2`.
- /health/ready is 503 while migrations are pending, while the database or Redis is away,
  and 200 again once they are back; /health/live stays 200; /health keeps its contract.
- `tms backup` copies the database consistently while the server writes; `tms restore`
  puts it back in a fresh place where the data reads back, and refuses the served database.
- On SIGTERM a slow request in flight completes, a WebSocket is closed with 1001 and the job
  running is handed back, then run again once by the next server (long before its lease).
- JSON log lines of a job carry the id of the request that caused it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url
from test_faults import TcpProxy
from test_security_server import ADMIN_PASSWORD, Frames, bearer, server_env, sign_in

from conftest import REDIS_URL, make_settings, require_mariadb, require_redis
from job_handlers import HOLD_ONCE, REFUSED, effects
from servers import GRACEFUL_SHUTDOWN_SECONDS, TMS, TmsServer
from support import api_client
from tms_adapters.persistence.sql import migrations as schema
from tms_adapters.tracing import REQUEST_ID
from tms_domain.kernel.jobs import Job, JobStatus
from tms_entrypoints.container import Container, build_container

TESTS = Path(__file__).resolve().parents[1]
METRICS_TOKEN = "metrics-" + secrets.token_hex(16)
WAIT_SECONDS = 30


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'tms.db'}"


def with_jobs(**settings: str) -> dict[str, str]:
    """Settings for a server that runs the test job handlers."""
    return {
        "PYTHONPATH": str(TESTS),
        "TMS_JOB_PLUGINS": "job_handlers",
        "TMS_JOBS_WORKERS": "1",
        "TMS_JOBS_POLL_MS": "200",
        **settings,
    }


@contextlib.asynccontextmanager
async def serving(server: TmsServer) -> AsyncIterator[TmsServer]:
    await server.start_async()
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)


async def eventually(
    check: Callable[[], Awaitable[bool]], what: str, log: Callable[[], str]
) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"{what} did not happen within {WAIT_SECONDS} s:\n{log()}")


async def run_tms(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        TMS,
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


async def jobs_in(database_url: str) -> list[Job]:
    container = build_container(make_settings(database_url=database_url))
    try:
        async with container.uow()(read_only=True) as uow:
            return await uow.jobs.page(None, skip=0, limit=10)
    finally:
        await container.engine().dispose()


async def enqueue(database_url: str, kind: str, payload: dict[str, Any], request_id: str) -> None:
    """As a use case serving request ``request_id`` enqueues a job."""
    container = build_container(make_settings(database_url=database_url))
    marker = REQUEST_ID.set(request_id)
    try:
        async with container.uow()() as uow:
            uow.jobs.enqueue(kind, payload, idempotency_key=request_id)
            await uow.commit()
    finally:
        REQUEST_ID.reset(marker)
        await container.engine().dispose()


# /metrics


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return 0.0


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics", headers=bearer(METRICS_TOKEN))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return response.text


async def test_metrics_need_their_token_and_count_requests_by_route_template(
    tmp_path: Path,
) -> None:
    env = server_env(sqlite_url(tmp_path), tmp_path, TMS_METRICS_TOKEN=METRICS_TOKEN)
    async with (
        serving(TmsServer(env, tmp_path)) as server,
        httpx.AsyncClient(base_url=server.url, timeout=10) as client,
    ):
        for headers in (
            {},
            bearer("x" * len(METRICS_TOKEN)),
            bearer(METRICS_TOKEN[:-1]),
            {"Authorization": f"Basic {METRICS_TOKEN}"},
        ):
            refused = await client.get("/metrics", headers=headers)
            assert refused.status_code == 401, headers
            assert refused.headers["WWW-Authenticate"].startswith("Bearer")
            assert "tms_" not in refused.text
        token = await sign_in(client, "admin", ADMIN_PASSWORD)
        before = await scrape(client)
        for user_id in (424242, 434343):
            assert (await client.get(f"/users/{user_id}", headers=bearer(token))).status_code == 404
        assert (await client.get("/no/such/page/989898")).status_code == 404
        async with Frames.open(f"{server.ws_url}?token={token}") as frames:
            await frames.wait_for("ready")
            during = await scrape(client)
        after = await scrape(client)

        async def socket_gone() -> bool:
            return sample(await scrape(client), "tms_websockets_open") == 0

        await eventually(socket_gone, "the closed socket leaving the gauge", server.log)

    users = {"method": "GET", "route": "/users/{user_id}", "status": "404"}
    assert (
        sample(after, "tms_http_requests_total", **users)
        - sample(before, "tms_http_requests_total", **users)
        == 2
    )
    timed = {"method": "GET", "route": "/users/{user_id}"}
    assert sample(after, "tms_http_request_duration_seconds_count", **timed) == 2
    assert sample(after, "tms_http_request_duration_seconds_sum", **timed) > 0
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert sample(after, "tms_http_requests_total", **unmatched) == 1
    refused = {"method": "GET", "route": "/metrics", "status": "401"}
    assert sample(after, "tms_http_requests_total", **refused) == 4
    assert sample(after, "tms_http_requests_total", method="POST", route="/auth/login") == 1
    # No path's id, no user data: only route templates in the labels.
    for text in (before, during, after):
        assert not any(needle in text for needle in ("424242", "434343", "989898", "admin"))
    assert sample(during, "tms_websockets_open") == 1
    assert sample(after, "tms_http_requests_total", method="WS", route="/ws", status="101") == 1
    for status in ("queued", "running", "failed"):
        assert f'tms_jobs{{status="{status}"}} 0.0' in after
    assert "tms_db_pool_connections_in_use" in after


async def test_without_a_metrics_token_there_is_no_metrics_page(
    memory_container: Container,
) -> None:
    async with api_client(memory_container) as client:
        for headers in ({}, bearer(""), bearer(METRICS_TOKEN)):
            assert (await client.get("/metrics", headers=headers)).status_code == 404


async def test_a_method_the_api_does_not_use_makes_no_series_of_its_own() -> None:
    container = build_container(make_settings(storage="memory", metrics_token=METRICS_TOKEN))
    try:
        async with api_client(container) as client:
            for method in ("BREW", "PROPFIND", "X" * 30):
                assert (await client.request(method, "/users/")).status_code == 405
            text = await scrape(client)
    finally:
        container.hasher().shutdown()
    # Refused before routing: the route is unmatched too.
    other = {"method": "other", "route": "unmatched", "status": "405"}
    assert sample(text, "tms_http_requests_total", **other) >= 3
    assert not any(name in text for name in ("BREW", "PROPFIND", "XXXX"))


async def test_metrics_add_up_across_worker_processes(tmp_path: Path) -> None:
    require_redis()
    env = server_env(
        sqlite_url(tmp_path), tmp_path, TMS_METRICS_TOKEN=METRICS_TOKEN, TMS_REDIS_URL=REDIS_URL
    )
    requests = 40
    async with serving(TmsServer(env, tmp_path, workers=2)) as server:
        # A connection of its own for each request: the kernel spreads them over the workers.
        for _ in range(requests):
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
                assert (await client.get("/health/live")).status_code == 200
        totals = set()
        for _ in range(6):  # whichever process serves the scrape, it counts them all
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
                text = await scrape(client)
            totals.add(sample(text, "tms_http_requests_total", route="/health/live", status="200"))
        samples_dir = tmp_path / "metrics" / str(server.port)
        writers = {path.stem.rsplit("_", 1)[-1] for path in samples_dir.glob("*.db")}
    assert totals == {requests}
    assert len(writers) >= 2, sorted(samples_dir.iterdir())


# Readiness


async def ready(client: httpx.AsyncClient) -> tuple[int, dict[str, Any]]:
    response = await client.get("/health/ready")
    return response.status_code, response.json()


async def test_not_ready_while_migrations_are_pending(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    await schema.upgrade(url, "0003")
    env = server_env(url, tmp_path, TMS_AUTO_MIGRATE="false")
    async with (
        serving(TmsServer(env, tmp_path)) as server,
        httpx.AsyncClient(base_url=server.url, timeout=10) as client,
    ):
        assert await ready(client) == (
            503,
            {
                "status": "not ready",
                "database": "ok",
                "migrations": "pending",
                "redis": "not configured",
            },
        )
        assert (await client.get("/health/ready")).headers["Retry-After"] == "5"
        health = await client.get("/health")
        assert (health.status_code, health.json()) == (200, {"status": "healthy", "database": "ok"})
        assert (await client.get("/health/live")).json() == {"status": "alive"}

        await schema.upgrade(url)
        assert await ready(client) == (
            200,
            {"status": "ready", "database": "ok", "migrations": "ok", "redis": "not configured"},
        )


async def test_not_ready_while_the_database_or_redis_is_away_and_ready_once_back(
    mariadb_url: str, tmp_path: Path
) -> None:
    require_mariadb()
    require_redis()
    await schema.upgrade(mariadb_url)
    database = make_url(mariadb_url)
    redis = make_url(REDIS_URL)
    database_line = TcpProxy(database.host or "127.0.0.1", database.port or 3306)
    redis_line = TcpProxy(redis.host or "127.0.0.1", redis.port or 6379)
    await database_line.start()
    await redis_line.start()
    env = server_env(
        database.set(port=database_line.port).render_as_string(hide_password=False),
        tmp_path,
        TMS_REDIS_URL=redis.set(port=redis_line.port).render_as_string(hide_password=False),
        TMS_DB_TIMEOUT_SECONDS="2",
    )
    try:
        async with (
            serving(TmsServer(env, tmp_path)) as server,
            httpx.AsyncClient(base_url=server.url, timeout=15) as client,
        ):
            all_well = {"status": "ready", "database": "ok", "migrations": "ok", "redis": "ok"}
            assert await ready(client) == (200, all_well)

            async def back() -> bool:
                return await ready(client) == (200, all_well)

            await database_line.cut()
            assert await ready(client) == (
                503,
                {
                    "status": "not ready",
                    "database": "unavailable",
                    "migrations": "unknown",
                    "redis": "ok",
                },
            )
            assert (await client.get("/health/live")).status_code == 200
            health = await client.get("/health")
            assert (health.status_code, health.json()) == (
                503,
                {"status": "unhealthy", "database": "unavailable"},
            )
            await database_line.restore()
            await eventually(back, "readiness once the database is back", server.log)

            await redis_line.cut()
            status, body = await ready(client)
            assert (status, body["status"], body["redis"], body["database"]) == (
                503,
                "not ready",
                "unavailable",
                "ok",
            )
            assert (await client.get("/health")).status_code == 200  # its contract: the database
            await redis_line.restore()
            await eventually(back, "readiness once Redis is back", server.log)
    finally:
        await database_line.cut()
        await redis_line.cut()


# Backup and restore


def new_user(username: str) -> dict[str, str]:
    return {
        "username": username,
        "email": f"{username}@example.org",
        "first_name": "Back",
        "last_name": "Up",
        "role": "trainee",
    }


async def test_backup_while_serving_writes_then_restore_elsewhere_reads_the_data_back(
    tmp_path: Path,
) -> None:
    served = tmp_path / "served"
    served.mkdir()
    env = server_env(sqlite_url(served), served)
    backup = tmp_path / "backup.db"
    created: list[tuple[str, float]] = []
    """(username, when its 201 arrived)."""
    async with (
        serving(TmsServer(env, served)) as server,
        httpx.AsyncClient(base_url=server.url, timeout=10) as client,
    ):
        admin = bearer(await sign_in(client, "admin", ADMIN_PASSWORD))
        stop = asyncio.Event()

        async def write() -> None:
            number = 0
            while not stop.is_set():
                number += 1
                username = f"writer{number:05d}"
                response = await client.post("/users/", json=new_user(username), headers=admin)
                assert response.status_code == 201, response.text
                created.append((username, time.monotonic()))

        writer = asyncio.create_task(write())
        await eventually(lambda: _at_least(created, 5), "the first writes", server.log)
        began = time.monotonic()
        status, output = await run_tms("backup", str(backup), env=env, cwd=served)
        ended = time.monotonic()
        await eventually(lambda: _after(created, ended), "writes after the backup", server.log)
        stop.set()
        await writer
        assert status == 0, output
        assert "integrity checked" in output

        # The served database is open in the server: restoring into it is refused.
        status, output = await run_tms("restore", str(backup), env=env, cwd=served)
        assert status == 1
        assert "open in another process" in output
        assert "--force" in output

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    fresh_env = server_env(sqlite_url(elsewhere), elsewhere)
    status, output = await run_tms("restore", str(backup), env=fresh_env, cwd=elsewhere)
    assert status == 0, output
    status, listing = await run_tms("users", "--limit", "1000", env=fresh_env, cwd=elsewhere)
    assert status == 0, listing
    restored = {line.split()[1] for line in listing.splitlines()[1:]}
    written_before = {name for name, at in created if at < began}
    written = {name for name, _ in created}
    # A consistent snapshot: everything written before the backup began, nothing invented.
    assert written_before <= restored
    assert restored - {"admin"} <= written
    assert len(restored - {"admin"}) < len(written)  # writes went on after it


async def _at_least(created: list[tuple[str, float]], count: int) -> bool:
    return len(created) >= count


async def _after(created: list[tuple[str, float]], moment: float) -> bool:
    return bool(created) and created[-1][1] > moment


async def test_backup_and_restore_of_another_database_point_to_the_operations_guide(
    tmp_path: Path,
) -> None:
    env = server_env("mysql+asyncmy://root@127.0.0.1:3306/tms", tmp_path)
    for command in ("backup", "restore"):
        status, output = await run_tms(command, str(tmp_path / "x.db"), env=env, cwd=tmp_path)
        assert status == 2
        assert "mariadb-dump" in output
        assert "docs/operations.md" in output
        assert "Traceback" not in output


# Graceful shutdown


async def test_sigterm_finishes_the_request_in_flight_closes_sockets_1001_and_hands_the_job_back(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path)
    lease_seconds = 120
    env = server_env(
        url,
        tmp_path,
        **with_jobs(
            TMS_JOBS_LEASE_SECONDS=str(lease_seconds),
            TMS_SHUTDOWN_TIMEOUT_SECONDS=str(GRACEFUL_SHUTDOWN_SECONDS),
        ),
    )
    effects_file = tmp_path / "effects.db"
    first = TmsServer(env, tmp_path)
    await first.start_async()
    try:
        await enqueue(url, HOLD_ONCE, {"effects": str(effects_file), "hold_seconds": 600}, "held")

        async def job_running() -> bool:
            return effects_file.exists() and len(effects(effects_file)[0]) == 1

        await eventually(job_running, "the job's first run", first.log)
        async with httpx.AsyncClient(base_url=first.url, timeout=10) as client:
            token = await sign_in(client, "admin", ADMIN_PASSWORD)
        body = json.dumps(new_user("latecomer")).encode()
        head = (
            "POST /users/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        async with Frames.open(f"{first.ws_url}?token={token}") as frames:
            await frames.wait_for("ready")
            reader, writer = await asyncio.open_connection("127.0.0.1", first.port)
            writer.write(head + body[:10])  # a slow request: its body still arriving
            await writer.drain()
            await asyncio.sleep(0.2)
            stopped_at = time.monotonic()
            first.terminate()

            assert await frames.closed(timeout=5) == 1001
            writer.write(body[10:])
            await writer.drain()
            response = await asyncio.wait_for(reader.read(), GRACEFUL_SHUTDOWN_SECONDS)
            writer.close()
        assert response.startswith(b"HTTP/1.1 201 Created"), response
        assert first.process is not None
        exit_status = await asyncio.to_thread(first.process.wait, GRACEFUL_SHUTDOWN_SECONDS + 5)
        assert exit_status in (0, -signal.SIGTERM), first.log()
    finally:
        await asyncio.to_thread(first.stop)

    [job] = await jobs_in(url)
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 0), first.log()
    assert "handed back to the queue" in first.log()

    second = TmsServer(env, tmp_path)
    async with serving(second):

        async def succeeded() -> bool:
            return (await jobs_in(url))[0].status is JobStatus.SUCCEEDED

        await eventually(succeeded, "the job's run on the next server", second.log)
    recovered = time.monotonic() - stopped_at
    runs, made = effects(effects_file)
    assert len(runs) == 2
    assert made == [("held", 1)]
    assert len(set(_pids(effects_file))) == 2  # one run in each server
    # Handed back, not left for its lease to run out.
    assert recovered < lease_seconds, recovered
    print(f"\nkill to success: {recovered:.1f} s (lease {lease_seconds} s)", file=sys.stderr)


def _pids(effects_file: Path) -> list[int]:
    with contextlib.closing(sqlite3.connect(effects_file)) as db:
        return [row[0] for row in db.execute("SELECT pid FROM runs")]


# Logs


def json_entries(log: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.splitlines() if line.startswith("{")]


async def test_a_jobs_json_log_lines_carry_the_request_that_caused_it(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    env = server_env(url, tmp_path, TMS_LOG_FORMAT="json", **with_jobs())
    async with (
        serving(TmsServer(env, tmp_path)) as server,
        httpx.AsyncClient(base_url=server.url, timeout=10) as client,
    ):
        await enqueue(url, REFUSED, {}, "cause-7f3a")

        async def dead_lettered(attempts: int) -> bool:
            [job] = await jobs_in(url)
            return job.status is JobStatus.FAILED and job.attempts == attempts

        await eventually(lambda: dead_lettered(1), "the job's first run", server.log)
        [job] = await jobs_in(url)
        admin = bearer(await sign_in(client, "admin", ADMIN_PASSWORD))
        retried = await client.post(
            f"/jobs/{job.id}/retry", headers={**admin, "X-Request-ID": "retry-9c1e"}
        )
        assert retried.status_code == 200, retried.text
        assert retried.headers["X-Request-ID"] == "retry-9c1e"
        await eventually(lambda: dead_lettered(1), "the retried run", server.log)

        async def retry_logged() -> bool:
            return any(e.get("request_id") == "retry-9c1e" for e in job_lines(server.log()))

        def job_lines(log: str) -> list[dict[str, Any]]:
            return [e for e in json_entries(log) if e.get("job_id") == job.id]

        await eventually(retry_logged, "the retried run's log lines", server.log)
    lines = job_lines(server.log())
    for entry in json_entries(server.log()):
        assert {"time", "level", "logger", "message", "request_id"} <= set(entry)
    caused = [e for e in lines if e["request_id"] == "cause-7f3a"]
    assert {e["level"] for e in caused} == {"INFO", "ERROR"}  # started, dead-lettered
    assert all(e["job_kind"] == REFUSED and e["logger"] == "tms.jobs" for e in caused)
    rerun = [e for e in lines if e["request_id"] == "retry-9c1e"]
    assert any("started" in e["message"] for e in rerun)
    access = [e for e in json_entries(server.log()) if e["logger"] == "tms.access"]
    assert any(e["request_id"] == "retry-9c1e" and e["status"] == 200 for e in access)
