"""The default backend: workers inside the app process that poll the job table. Claims are
compare-and-set updates, so workers in several processes share one database safely.

One loop per process fills its ``workers`` slots: it claims as many due jobs as slots are
free in one transaction, runs each in a task of its own, and claims again as soon as one
ends (several that end meanwhile are refilled by the one claim); with nothing due it
looks again after ``poll_interval``.

Requests come first: the jobs share the process's event loop with the requests it serves,
and every job step runs between a request's steps. While requests are in flight
(``Foreground``, counted by the app), the loop keeps at most ``busy_workers`` jobs running
(a quarter of the slots by default); the rest are filled once the requests have ended. A
job that runs is never paused; only new claims wait."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from tms_adapters.jobs.executor import JobExecutor

log = logging.getLogger("tms.jobs")


FOREGROUND_CHECK_SECONDS = 0.05
"""How often a loop held back by requests looks whether they have ended."""


class Foreground:
    """The requests this process is serving now (the app counts them; job workers defer)."""

    def __init__(self) -> None:
        self._in_flight = 0

    def begin(self) -> None:
        self._in_flight += 1

    def end(self) -> None:
        self._in_flight -= 1

    @property
    def busy(self) -> bool:
        return self._in_flight > 0


class PollingJobWorkers:
    def __init__(
        self,
        executor: JobExecutor,
        *,
        workers: int,
        poll_interval: float,
        foreground: Foreground | None = None,
        busy_workers: int | None = None,
    ) -> None:
        self._executor = executor
        self._workers = workers
        self._poll_interval = poll_interval
        self._foreground = foreground or Foreground()
        self._busy_workers = max(1, workers // 4 if busy_workers is None else busy_workers)
        self._loop: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        if self._workers > 0:
            self._loop = asyncio.create_task(self._fill(), name="tms-job-workers")
            log.info("%s job workers started", self._workers)

    async def stop(self) -> None:
        """Stops at once: a job cut short is handed back to the queue, due at once for
        another worker (or claimed again when its lease ends, when handing it back fails;
        handlers are idempotent)."""
        loop, self._loop = self._loop, None
        if loop is not None:
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop
        running, self._running = list(self._running), set()
        for task in running:
            task.cancel()
        for task in running:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def running(self) -> int:
        """Jobs running now."""
        return len(self._running)

    def _slots(self) -> int:
        if self._foreground.busy:
            return min(self._workers, self._busy_workers)
        return self._workers

    async def _fill(self) -> None:
        while True:
            free = self._slots() - len(self._running)
            if free <= 0:
                # Full: on when a job ends, or (held back by requests) when they may have.
                held_back = self._slots() < self._workers
                await self._a_job_ends(FOREGROUND_CHECK_SECONDS if held_back else None)
                continue
            try:
                claimed = await self._executor.claim_due(free)
            except Exception:
                log.warning("job workers: the job store failed; trying again", exc_info=True)
                claimed = []
            for job, token in claimed:
                task = asyncio.create_task(self._executor.run(job, token), name=f"tms-job-{job.id}")
                self._running.add(task)
                task.add_done_callback(self._ended)
            if not claimed:
                # Nothing due: a pause (cut short when a running job ends, as it may have
                # enqueued another).
                await self._a_job_ends(self._poll_interval)

    async def _a_job_ends(self, at_most: float | None) -> None:
        """Until a running job ends, or ``at_most`` seconds (None: no limit) have passed."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(at_most):
                if self._running:
                    await asyncio.wait(self._running, return_when=asyncio.FIRST_COMPLETED)
                else:
                    await asyncio.sleep(at_most or 0)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("job worker: a job's run failed", exc_info=task.exception())
