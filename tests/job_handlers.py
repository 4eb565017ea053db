"""Job handlers for tests, registered in `tms` processes through TMS_JOB_PLUGINS=job_handlers
(with tests/ on PYTHONPATH) and in-process by the unit tests.

``test.effect`` makes its effect once per idempotency key, as a real handler must: the
effect is a row keyed by the job's key in a SQLite file the payload names, so a second
run after a crash finds it there. Every run is logged too (the crash test counts them); on
its first attempt the handler then holds for ``hold_seconds``, long enough to be killed.
``test.hold_once`` holds on the first run of its key instead (a job handed back unfinished
keeps its attempt number), long enough for the server to be stopped.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from contextlib import closing
from pathlib import Path

from tms_domain.kernel.jobs import JobContext, JobHandlers, PermanentJobFailure

EFFECT = "test.effect"
HOLD_ONCE = "test.hold_once"
FAILING = "test.failing"
REFUSED = "test.refused"


def _record(path: Path, job: JobContext) -> None:
    with closing(sqlite3.connect(path, timeout=30)) as db:
        db.execute("CREATE TABLE IF NOT EXISTS runs (key TEXT, attempt INTEGER, pid INTEGER)")
        db.execute("CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY, attempt INTEGER)")
        db.execute(
            "INSERT INTO runs VALUES (?, ?, ?)", (job.idempotency_key, job.attempt, os.getpid())
        )
        db.execute(
            "INSERT OR IGNORE INTO effects VALUES (?, ?)", (job.idempotency_key, job.attempt)
        )
        db.commit()


async def make_effect(job: JobContext) -> None:
    _record(Path(str(job.payload["effects"])), job)
    if job.attempt == 1:
        await asyncio.sleep(float(job.payload.get("hold_seconds", 0)))


async def hold_first_run(job: JobContext) -> None:
    """Makes its effect, as ``test.effect`` does, but holds on the key's first run whatever
    the attempt number (a job handed back unfinished runs again as the same attempt)."""
    path = Path(str(job.payload["effects"]))
    first = not path.exists() or job.idempotency_key not in {key for key, _ in effects(path)[0]}
    _record(path, job)
    if first:
        await asyncio.sleep(float(job.payload.get("hold_seconds", 0)))


async def always_fail(job: JobContext) -> None:
    raise RuntimeError(f"failing on attempt {job.attempt}")


async def refuse(job: JobContext) -> None:
    raise PermanentJobFailure("the recipient was refused for good")


def register(handlers: JobHandlers) -> None:
    handlers.register(EFFECT, make_effect)
    handlers.register(HOLD_ONCE, hold_first_run)
    handlers.register(FAILING, always_fail)
    handlers.register(REFUSED, refuse)


def effects(path: Path) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(runs, effects) as (key, attempt) rows."""
    with closing(sqlite3.connect(path, timeout=30)) as db:
        runs = db.execute("SELECT key, attempt FROM runs ORDER BY rowid").fetchall()
        made = db.execute("SELECT key, attempt FROM effects").fetchall()
    return runs, made
