"""kill -9 in the middle of a job: the job runs again and its effect happens once.

Real processes: `tms serve` with its in-app workers over SQLite, and `tms worker` on SAQ
over Redis with MariaDB. The test enqueues a job (its row written in a unit of work, as a
use case would) whose handler makes its effect, keyed by the job's idempotency key, then
holds; the process is killed with SIGKILL while the handler holds, started again, and the
job is claimed again once its lease is over. Each test prints its figures (attempts,
effects, time from the kill to the job's success).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from conftest import REDIS_URL, TEST_SECRET, make_settings, require_redis
from job_handlers import EFFECT, effects
from servers import TMS, TmsServer, server_env
from tms_adapters.persistence.sql import migrations as schema
from tms_domain.kernel.jobs import Job, JobStatus
from tms_entrypoints.container import build_container

TESTS = Path(__file__).resolve().parents[1]
LEASE_SECONDS = 3
DEADLINE_SECONDS = 90


@dataclass
class CrashResult:
    attempts: int
    runs: int
    effects: int
    recovery_seconds: float
    """From the kill to the job's success."""
    restart_seconds: float
    """Of which: starting the process again."""


def crash_env(database_url: str, directory: Path, **settings: str) -> dict[str, str]:
    return server_env(
        database_url,
        directory,
        secret_key=TEST_SECRET,
        admin_password="Crash-test-admin-1",
        PYTHONPATH=str(TESTS),
        TMS_JOB_PLUGINS="job_handlers",
        TMS_JOBS_LEASE_SECONDS=str(LEASE_SECONDS),
        TMS_JOBS_POLL_MS="200",
        TMS_JOBS_BACKOFF_SECONDS="1",
        **settings,
    )


async def enqueue_effect(database_url: str, effects_file: Path, key: str) -> None:
    container = build_container(make_settings(database_url=database_url))
    try:
        async with container.uow()() as uow:
            uow.jobs.enqueue(
                EFFECT, {"effects": str(effects_file), "hold_seconds": 600}, idempotency_key=key
            )
            await uow.commit()
    finally:
        await container.engine().dispose()


async def the_job(database_url: str) -> Job:
    container = build_container(make_settings(database_url=database_url))
    try:
        async with container.uow()(read_only=True) as uow:
            [job] = await uow.jobs.page(None, skip=0, limit=10)
            return job
    finally:
        await container.engine().dispose()


async def wait_for(condition, what: str, log) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"{what} did not happen in {DEADLINE_SECONDS} s:\n{log()}")


async def crash_and_recover(
    database_url: str,
    directory: Path,
    start,
    kill,
    log,  # type: ignore[no-untyped-def]
) -> CrashResult:
    """Enqueue, wait for attempt 1 to make its effect, SIGKILL, start again, wait for the
    job to succeed."""
    effects_file = directory / "effects.db"
    key = f"crash-{secrets.token_hex(4)}"
    start()
    await enqueue_effect(database_url, effects_file, key)

    async def first_run_made_its_effect() -> bool:
        return effects_file.exists() and bool(effects(effects_file)[1])

    await wait_for(first_run_made_its_effect, "the first attempt", log)
    kill()
    killed_at = time.monotonic()
    start()
    restarted = time.monotonic() - killed_at

    async def succeeded() -> bool:
        return (await the_job(database_url)).status is JobStatus.SUCCEEDED

    await wait_for(succeeded, "the job's second attempt", log)
    recovery = time.monotonic() - killed_at
    job = await the_job(database_url)
    runs, made = effects(effects_file)
    assert [attempt for _, attempt in runs] == [1, 2]
    assert made == [(key, 1)]
    return CrashResult(job.attempts, len(runs), len(made), round(recovery, 2), round(restarted, 2))


@contextlib.contextmanager
def stopping(processes: list[subprocess.Popen[bytes]]) -> Iterator[None]:
    try:
        yield
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


async def test_kill_9_of_tms_serve_on_sqlite_runs_the_job_again_and_its_effect_once(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}"
    await schema.upgrade(url)
    env = crash_env(url, tmp_path, TMS_JOBS_BACKEND="database", TMS_JOBS_WORKERS="2")
    servers: list[TmsServer] = []

    def start() -> None:
        server = TmsServer(env, tmp_path)
        servers.append(server)
        server.start()

    def kill() -> None:
        assert servers[-1].process is not None
        servers[-1].process.kill()
        servers[-1].process.wait()

    def log() -> str:
        return "\n".join(server.log() for server in servers)

    try:
        result = await crash_and_recover(url, tmp_path, start, kill, log)
    finally:
        for server in servers:
            server.stop()
    print(f"\nkill -9 on SQLite (tms serve, in-app workers): {result}")
    assert result.attempts == 2
    assert result.recovery_seconds < DEADLINE_SECONDS


async def test_kill_9_of_tms_worker_on_mariadb_and_redis_runs_the_job_again_and_its_effect_once(
    mariadb_url: str, tmp_path: Path
) -> None:
    require_redis()
    await schema.upgrade(mariadb_url)
    # A Redis database of the test's own: the SAQ queue's name is the same in every
    # deployment, so deployments sharing a Redis use different databases.
    database = 1 + secrets.randbelow(15)
    redis_url = REDIS_URL.rsplit("/", 1)[0] + f"/{database}"
    env = crash_env(mariadb_url, tmp_path, TMS_JOBS_BACKEND="saq", TMS_REDIS_URL=redis_url)
    workers: list[subprocess.Popen[bytes]] = []
    log_path = tmp_path / "worker.log"

    def start() -> None:
        with log_path.open("ab") as log_file:
            workers.append(
                subprocess.Popen(
                    [TMS, "worker"],
                    cwd=tmp_path,
                    env=env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                )
            )

    def kill() -> None:
        workers[-1].kill()
        workers[-1].wait()

    def log() -> str:
        return log_path.read_text(errors="replace") if log_path.exists() else ""

    client = redis.Redis.from_url(redis_url)
    try:
        with stopping(workers):
            result = await crash_and_recover(mariadb_url, tmp_path, start, kill, log)
    finally:
        client.flushdb()
        client.close()
    print(f"\nkill -9 on MariaDB + Redis (SAQ, tms worker): {result}")
    assert result.attempts == 2
