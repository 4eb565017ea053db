"""Mail delivery as background jobs, proven with real processes and a real SMTP server on
loopback (aiosmtpd), counting what each recipient received:

- kill -9 of a `tms worker` in the middle of delivering 300 invitations, then a restart:
  every recipient gets exactly one message (duplicates are shown with their Message-IDs);
- a recipient deferred once (451) gets the message on the retry, once; a refused one (550)
  is dead-lettered after one attempt, shown to admins, and never tried again;
- two worker processes draining one queue (SQLite shared by both; MariaDB with SAQ over
  Redis): each message once, and both workers did some of the work;
- a slow mail server (it takes the message, then sits on it) or a dead one (nothing
  listens) slows no request that enqueues mail.

Each test prints its figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
import sqlite3
import statistics
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis

from conftest import REDIS_URL, free_port, make_settings, require_redis
from mail_support import admin_api, mail_env, new_user
from servers import TMS, TmsServer, running
from smtp_server import RecordingHandler, smtp_server
from tms_adapters.persistence.sql import migrations as schema
from tms_domain.kernel.jobs import JobStatus
from tms_entrypoints.container import build_container

pytestmark = pytest.mark.timeout(600)

LEASE_SECONDS = "3"
DEADLINE_SECONDS = 180
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)
COMPLETED_BY_MARKER = re.compile(r"job (\d+) \(mail\.send\) completed: its effect was made at")


async def job_counts(database_url: str) -> dict[JobStatus, int]:
    container = build_container(make_settings(database_url=database_url))
    try:
        async with container.uow()(read_only=True) as uow:
            return await uow.jobs.counts(list(JobStatus))
    finally:
        await container.engine().dispose()


async def wait_for(condition: Callable[[], Awaitable[bool]], what: str, log: str = "") -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"{what} did not happen in {DEADLINE_SECONDS} s\n{log}")


async def invite(api: httpx.AsyncClient, names: list[str], at_once: int = 4) -> list[float]:
    """Create each user with an invitation through the API; the answers' durations."""
    gate = asyncio.Semaphore(at_once)

    async def one(name: str) -> float:
        async with gate:
            began = time.perf_counter()
            created = await api.post("/users/", json=new_user(name, invite=True))
            assert created.status_code == 201, created.text
            return time.perf_counter() - began

    return list(await asyncio.gather(*(one(name) for name in names)))


class Workers:
    """`tms worker` processes, each with a log file of its own."""

    def __init__(self, env: dict[str, str], directory: Path) -> None:
        self.env = env
        self.directory = directory
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = self.directory / f"worker-{len(self.processes)}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [TMS, "worker"], cwd=self.directory, env=self.env, stdout=out, stderr=out
            )
        self.processes.append(process)
        return process

    def logs(self) -> list[str]:
        return [
            (self.directory / f"worker-{n}.log").read_text(errors="replace")
            for n in range(len(self.processes))
        ]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def workers_of(env: dict[str, str], directory: Path) -> Iterator[Workers]:
    workers = Workers(env, directory)
    try:
        yield workers
    finally:
        workers.stop()


def assert_once_each(handler: RecordingHandler, recipients: list[str]) -> None:
    copies = handler.copies()
    duplicates = handler.duplicates()
    assert not duplicates, f"{len(duplicates)} recipients got more than one: {duplicates}"
    missing = [to for to in recipients if copies[to] == 0]
    assert not missing, f"{len(missing)} recipients got nothing: {missing[:10]}"
    assert set(copies) == set(recipients)


JOBS_AT_ONCE = 4


def recipients_of_jobs(database: Path, job_ids: list[int]) -> set[str]:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT id, payload FROM jobs").fetchall()
    return {json.loads(payload)["to"] for job_id, payload in rows if job_id in job_ids}


async def kill_9_mid_delivery(
    tmp_path: Path, handler: RecordingHandler, kill_when: Callable[[], Awaitable[bool]]
) -> tuple[list[str], int, set[str]]:
    """300 invitations queued through the API; a `tms worker` running four jobs at once is
    SIGKILLed when ``kill_when`` says so, and started again. (recipients, messages received
    at the kill, recipients whose jobs were completed by the sent marker)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}"
    await schema.upgrade(url)
    names = [f"crash{n:03d}" for n in range(300)]
    with smtp_server(handler) as port:
        smtp = {"TMS_SMTP_HOST": "127.0.0.1", "TMS_SMTP_PORT": str(port)}
        env = mail_env(url, tmp_path, TMS_JOBS_LEASE_SECONDS=LEASE_SECONDS, **smtp)
        api_server = TmsServer({**env, "TMS_JOBS_WORKERS": "0"}, tmp_path)
        workers_env = {**env, "TMS_JOBS_WORKERS": str(JOBS_AT_ONCE)}
        with running(api_server), workers_of(workers_env, tmp_path) as workers:
            async with admin_api(api_server) as api:
                await invite(api, names)
            assert handler.received == [], "the API process sends nothing"
            first = workers.start()
            await wait_for(kill_when, "the moment to kill", "\n".join(workers.logs()))
            first.kill()  # SIGKILL
            first.wait()
            at_kill = len(handler.received)
            killed_at = time.monotonic()
            handler.let_go()
            workers.start()

            async def all_done() -> bool:
                counts = await job_counts(url)
                return not any(counts[status] for status in UNFINISHED)

            await wait_for(all_done, "the delivery after the restart", "\n".join(workers.logs()))
            recovery = time.monotonic() - killed_at
            counts = await job_counts(url)
    # Read once the workers have stopped, so that no line is still to be written.
    by_marker = recipients_of_jobs(
        tmp_path / "tms.db",
        [int(n) for n in COMPLETED_BY_MARKER.findall("\n".join(workers.logs()))],
    )
    statuses = {status.value: count for status, count in counts.items()}
    print(
        f"\nkill -9 mid-delivery (SQLite, tms worker running {JOBS_AT_ONCE} jobs at once):"
        f" {at_kill} of {len(names)} received at the kill, all done {recovery:.1f} s after"
        f" it; jobs {statuses}; completed by the sent marker: {len(by_marker)};"
        f" duplicates: {handler.duplicates()}"
    )
    assert 0 < at_kill < len(names), "the kill came mid-delivery"
    assert counts[JobStatus.SUCCEEDED] == len(names)
    return [f"{name}@example.org" for name in names], at_kill, by_marker


async def test_kill_9_mid_delivery_then_a_restart_mails_every_recipient_once(
    tmp_path: Path,
) -> None:
    """Killed while every job it runs waits for the server's answer to a whole message (the
    server has taken them, and holds its answers): their sent markers were
    committed before the final ".", so the next worker completes those jobs without sending
    again; nobody gets two copies, and those done before are not sent again."""
    handler = RecordingHandler(hold_after=100)

    async def all_its_jobs_wait_for_the_server() -> bool:
        return handler.holding == JOBS_AT_ONCE

    recipients, at_kill, by_marker = await kill_9_mid_delivery(
        tmp_path, handler, all_its_jobs_wait_for_the_server
    )
    assert at_kill == 100 + JOBS_AT_ONCE
    assert len(by_marker) == JOBS_AT_ONCE, "the jobs in flight were completed by their markers"
    assert_once_each(handler, recipients)


async def test_kill_9_just_after_an_acceptance_mails_every_recipient_at_most_once(
    tmp_path: Path,
) -> None:
    """Killed as soon as the test sees the 100th message arrive, with jobs at every step of
    their talk with the server: a message whose final "." was sent is the server's (its
    marker committed just before), one whose "." was not is dropped by the server with the
    cut session and sent again by the next worker. Nobody gets two copies. What SMTP cannot
    close is on the side of a lost message: a job killed in the instant between its
    marker's commit and its "." (nothing awaited in between) is completed by the marker
    unsent. So every recipient gets one copy but, at most, those few jobs' recipients
    (rarely: the kill must fall in that instant)."""
    handler = RecordingHandler(data_seconds=0.02)

    async def a_third_arrived() -> bool:
        return len(handler.received) >= 100

    recipients, _, by_marker = await kill_9_mid_delivery(tmp_path, handler, a_third_arrived)
    copies = handler.copies()
    assert not handler.duplicates(), "nobody gets two copies"
    lost = {to for to in recipients if copies[to] == 0}
    assert lost <= by_marker, "a recipient left without mail had a job completed by its marker"
    assert len(by_marker) <= JOBS_AT_ONCE, "only jobs in flight at the kill had their marker"
    assert set(copies) == set(recipients) - lost


async def test_a_deferred_mail_arrives_once_a_refused_one_is_dead_lettered_once(
    tmp_path: Path,
) -> None:
    handler = RecordingHandler(
        refuse={"gone@example.org": "550 5.1.1 No such user here"},
        defer_once={"later@example.org"},
        defer_data_once={"afterdata@example.org"},
    )
    with smtp_server(handler) as port:
        server = TmsServer(
            mail_env(
                f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}",
                tmp_path,
                TMS_SMTP_HOST="127.0.0.1",
                TMS_SMTP_PORT=str(port),
            ),
            tmp_path,
        )
        with running(server):
            async with admin_api(server) as api:
                await invite(api, ["later", "gone", "fine", "afterdata"])

                async def settled() -> bool:
                    jobs = (await api.get("/jobs/", params={"limit": 10})).json()
                    return all(job["status"] in ("succeeded", "failed") for job in jobs)

                await wait_for(settled, "the three mails", server.log())
                await asyncio.sleep(3)  # three backoffs' worth: a retry storm would show
                jobs = (await api.get("/jobs/", params={"limit": 10})).json()
                failed = (await api.get("/jobs/", params={"status": "failed"})).json()
    attempts = {job["status"]: job["attempts"] for job in jobs}
    [dead] = failed
    assert (dead["kind"], dead["attempts"]) == ("mail.send", 1)
    assert "550" in str(dead["last_error"])
    assert sorted(job["attempts"] for job in jobs) == [1, 1, 2, 2], attempts
    refused = [answer for to, answer in handler.answered if to == "gone@example.org"]
    deferred = [answer for to, answer in handler.answered if to == "later@example.org"]
    assert len(refused) == 1, "tried once, never again"
    assert [answer[:3] for answer in deferred] == ["451", "250"]
    # Refused after its data (its sent marker committed just before the final "."): the
    # marker is cleared and the retry delivers it.
    assert ("afterdata@example.org", "451 after the data") in handler.answered
    assert_once_each(handler, ["later@example.org", "fine@example.org", "afterdata@example.org"])


async def test_two_workers_draining_one_sqlite_queue_send_each_mail_once(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}"
    await two_workers_send_each_mail_once(url, tmp_path, {})


@pytest.mark.mariadb
@pytest.mark.redis
async def test_two_saq_workers_on_mariadb_and_redis_send_each_mail_once(
    mariadb_url: str, tmp_path: Path
) -> None:
    require_redis()
    # A Redis database of the test's own (the SAQ queue's name is the same everywhere).
    redis_url = REDIS_URL.rsplit("/", 1)[0] + f"/{1 + secrets.randbelow(15)}"
    try:
        await two_workers_send_each_mail_once(
            mariadb_url, tmp_path, {"TMS_JOBS_BACKEND": "saq", "TMS_REDIS_URL": redis_url}
        )
    finally:
        client = redis.Redis.from_url(redis_url)
        client.flushdb()
        client.close()


async def two_workers_send_each_mail_once(
    url: str, tmp_path: Path, backend: dict[str, str]
) -> None:
    settings = {"TMS_JOBS_LEASE_SECONDS": LEASE_SECONDS, "TMS_JOBS_POLL_MS": "100", **backend}
    await schema.upgrade(url)
    names = [f"pair{n:03d}" for n in range(120)]
    handler = RecordingHandler(data_seconds=0.01)
    with smtp_server(handler) as port:
        smtp = {"TMS_SMTP_HOST": "127.0.0.1", "TMS_SMTP_PORT": str(port)}
        env = mail_env(url, tmp_path, **settings, **smtp)
        api_server = TmsServer({**env, "TMS_JOBS_WORKERS": "0"}, tmp_path)
        with running(api_server), workers_of(env, tmp_path) as workers:
            workers.start()
            workers.start()
            async with admin_api(api_server) as api:
                await invite(api, names)

            async def all_done() -> bool:
                counts = await job_counts(url)
                return counts[JobStatus.SUCCEEDED] == len(names)

            await wait_for(all_done, "the delivery", "\n".join(workers.logs()))
    # Read once the workers have stopped: a job's row says succeeded before its worker
    # logs it, so a log read at once can lack the last line.
    sent_by = [log.count("mail.send) succeeded") for log in workers.logs()]
    print(f"\ntwo workers on {url.split(':')[0]}: mails sent by each {sent_by}")
    assert sum(sent_by) == len(names)
    assert all(sent_by), "both workers took part"
    assert_once_each(handler, [f"{name}@example.org" for name in names])


@pytest.mark.parametrize("server_kind", ["slow", "dead"])
async def test_a_slow_or_dead_mail_server_slows_no_request(
    server_kind: str, tmp_path: Path
) -> None:
    handler = RecordingHandler(data_seconds=60)
    with contextlib.ExitStack() as stack:
        port = stack.enter_context(smtp_server(handler)) if server_kind == "slow" else free_port()
        server = TmsServer(
            mail_env(
                f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}",
                tmp_path,
                TMS_SMTP_HOST="127.0.0.1",
                TMS_SMTP_PORT=str(port),
                TMS_SMTP_TIMEOUT_SECONDS="30",
            ),
            tmp_path,
        )
        with running(server):
            async with admin_api(server) as api:
                await invite(api, ["stuck1", "stuck2", "stuck3"], at_once=1)
                await asyncio.sleep(1)  # the workers are now at the server (or retrying)
                durations = await invite(api, [f"quick{n}" for n in range(10)], at_once=1)
                jobs = (await api.get("/jobs/", params={"limit": 100})).json()
    print(f"\n{server_kind} mail server: requests enqueueing mail took {durations}")
    assert statistics.median(durations) < 0.5, durations
    assert max(durations) < 2.0, durations
    assert handler.received == [], "nothing was delivered meanwhile"
    assert len(jobs) == 13
    assert not any(job["status"] == "succeeded" for job in jobs)
