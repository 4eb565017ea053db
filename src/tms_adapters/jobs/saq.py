"""Jobs across instances: SAQ over Redis carries them to `tms worker` processes.

The job row is still written in the transaction of its cause (an outbox): a relay hands due
rows to SAQ after they are committed, marking each as handed off for one lease. A process
that dies between the commit and the hand-off, or a worker that dies mid-job, leaves a row
that is due again once that time (or the job's lease) is over, and the relay hands it on
again. SAQ is only the carrier: a worker claims the row before running it, so a job handed
over twice runs once, and attempts, backoff and dead letters are the row's, as in the
database backend.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any, cast

from saq import Queue, Worker
from saq.job import Job as SaqJob
from saq.types import PartialTimersDict

from tms_adapters.jobs.executor import JobExecutor

log = logging.getLogger("tms.jobs")

QUEUE_NAME = "tms-jobs"
FUNCTION = "tms_job"
HAND_OFF_BATCH = 100


def saq_queue(redis_url: str) -> Queue:
    return Queue.from_url(redis_url, name=QUEUE_NAME)


class SaqJobRelay:
    """Hands committed, due jobs to SAQ; runs in every app and worker process (the
    hand-off mark keeps two relays from handing the same job at once)."""

    def __init__(self, executor: JobExecutor, queue: Queue, *, poll_interval: float) -> None:
        self._processing = executor.processing
        self._queue = queue
        self._poll_interval = poll_interval
        self._lease = int(executor.processing.policy.lease.total_seconds())
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._queue.connect()
        self._task = asyncio.create_task(self._relay(), name="tms-job-relay")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._queue.disconnect()

    async def relay_once(self) -> int:
        ids = await self._processing.hand_off(limit=HAND_OFF_BATCH)
        for job_id in ids:
            await self._queue.enqueue(
                SaqJob(
                    function=FUNCTION,
                    kwargs={"job_id": job_id},
                    # A new SAQ job for each hand-off; the row's claim keeps it to one run.
                    key=f"tms-job-{job_id}-{time.time_ns()}",
                    # The row's lease times the run; SAQ's heartbeat only lets it sweep
                    # the entry of a worker that died. Retries are the row's too.
                    timeout=0,
                    heartbeat=self._lease,
                    retries=1,
                )
            )
        return len(ids)

    async def _relay(self) -> None:
        while True:
            try:
                if await self.relay_once() == HAND_OFF_BATCH:
                    continue
            except Exception:
                log.warning("job relay: handing jobs to SAQ failed; trying again", exc_info=True)
            await asyncio.sleep(self._poll_interval)


def saq_worker(executor: JobExecutor, queue: Queue, *, concurrency: int) -> Worker[Any]:
    """A SAQ worker that runs the handed-over jobs through the executor (stops on SIGINT
    and SIGTERM)."""

    async def tms_job(ctx: dict[str, Any], *, job_id: int) -> None:
        saq_job: SaqJob | None = ctx.get("job")

        async def beat() -> None:
            if saq_job is not None:
                await saq_job.update()

        await executor.run_by_id(job_id, beat)

    return Worker(
        queue,
        functions=[(FUNCTION, tms_job)],
        concurrency=concurrency,
        # Stuck entries (their worker died) are swept within a lease; the row itself is
        # handed on again by the relay.
        # (saq types every key of this dict as required, though Worker takes some.)
        timers=cast(PartialTimersDict, {"sweep": 10}),
    )
