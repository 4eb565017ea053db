"""The default backend: workers inside the app process that poll the job table. Claims are
compare-and-set updates, so workers in several processes share one database safely."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from tms_adapters.jobs.executor import JobExecutor

log = logging.getLogger("tms.jobs")


class PollingJobWorkers:
    def __init__(self, executor: JobExecutor, *, workers: int, poll_interval: float) -> None:
        self._executor = executor
        self._workers = workers
        self._poll_interval = poll_interval
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._work(), name=f"tms-job-worker-{n}")
            for n in range(self._workers)
        ]
        if self._tasks:
            log.info("%s job workers started", len(self._tasks))

    async def stop(self) -> None:
        """Stops at once: a job cut short is handed back to the queue, due at once for
        another worker (or claimed again when its lease ends, when handing it back fails;
        handlers are idempotent)."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _work(self) -> None:
        while True:
            try:
                # Straight on to the next job while there are some; a pause when none is due.
                if await self._executor.run_next():
                    continue
            except Exception:
                log.warning("job worker: the job store failed; trying again", exc_info=True)
            await asyncio.sleep(self._poll_interval)
