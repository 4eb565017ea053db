"""`tms worker`: runs background jobs without serving HTTP, as many processes as needed.

With TMS_JOBS_BACKEND=saq it runs a SAQ worker over TMS_REDIS_URL and the relay that hands
committed jobs to SAQ (so jobs move even when no app process is up); with ``database`` it
runs database workers (set TMS_JOBS_WORKERS=0 in the app processes to keep jobs out of
them). It stops on SIGTERM or SIGINT; a job cut short runs again when its lease ends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import logging.config
import signal
import sys
from typing import Any

from tms_adapters.jobs import PollingJobWorkers
from tms_adapters.jobs.saq import SaqJobRelay, saq_worker
from tms_adapters.persistence.sql import migrations as schema
from tms_adapters.persistence.sql import safe_url
from tms_entrypoints.container import Container, build_container, running
from tms_entrypoints.logs import log_config
from tms_entrypoints.settings import Settings, SettingsError

log = logging.getLogger("tms.jobs")


class WorkerError(Exception):
    """What stops the worker from starting, said in one line."""


def add_commands(commands: Any) -> None:
    worker = commands.add_parser(
        "worker", help="run background jobs (SAQ over Redis, or database workers)"
    )
    worker.set_defaults(handler=cmd_worker)


def cmd_worker(_args: argparse.Namespace) -> None:
    try:
        settings = Settings.from_env()
        container = build_container(settings)
        handlers = container.jobs.handlers()
    except (SettingsError, ValueError) as error:
        print(f"tms: error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    logging.config.dictConfig(log_config(settings.log_level, settings.log_format))
    log.info("job kinds handled: %s", ", ".join(sorted(handlers.kinds)) or "none")
    try:
        asyncio.run(run_worker(container))
    except WorkerError as error:
        print(f"tms: error: {error}", file=sys.stderr)
        raise SystemExit(1) from None


async def _require_migrated(settings: Settings) -> None:
    if settings.storage != "sql":
        return
    try:
        pending = await schema.pending(settings.database_url)
    except Exception as error:
        where = safe_url(settings.database_url)
        raise WorkerError(f"cannot reach the database at {where}: {error}") from error
    if pending:
        raise WorkerError("the database is not migrated: run `tms migrate` (or `tms serve`)")


async def run_worker(container: Container) -> None:
    settings = container.settings()
    await _require_migrated(settings)
    async with running(container):
        await _work(container)


async def _work(container: Container) -> None:
    settings = container.settings()
    jobs = container.jobs
    executor = jobs.executor()
    concurrency = max(settings.jobs_workers, 1)
    if settings.jobs_backend == "saq":
        queue = jobs.saq_queue()
        relay = SaqJobRelay(executor, queue, poll_interval=jobs.poll_interval())
        await relay.start()
        try:
            # Returns on SIGTERM or SIGINT (SAQ's own handlers).
            await saq_worker(executor, queue, concurrency=concurrency).start()
        finally:
            await relay.stop()
        return
    workers = PollingJobWorkers(executor, workers=concurrency, poll_interval=jobs.poll_interval())
    await workers.start()
    try:
        await _until_signalled()
    finally:
        await workers.stop()


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(signum)
