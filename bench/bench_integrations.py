"""Partners' integrations under load: `python -m bench.bench_integrations`.

On a fresh SQLite database, in one process (the app in process over httpx's ASGI
transport, as a `tms serve` process runs its in-app job workers beside its requests):

- ``token``: POST /auth/token (client credentials, form-encoded) ``--tokens`` times;
  p50 and p95. Target: p50 under 10 ms.
- ``fan-out``: 5 subscriptions to a real receiver on loopback (tests/webhook_receiver.py,
  which checks every signature with the `standardwebhooks` package), then ``--events``
  rooms created through the API, each a committed `room_created` event fanned out to the
  5 (5,000 signed deliveries by default), delivered by ``--workers`` job workers while
  GET /rooms/ is timed, 60 times while the events commit (the list then shares the
  process with the POSTs that make the events as well), 60 times after the last commit
  (the deliveries alone beside it). Targets: all delivered and verified in under 60 s;
  the list's p50 during the fan-out within 1.5x of its p50 idle.

    python -m bench.bench_integrations [--tokens 300] [--events 1000] [--workers 8]
        [--busy-workers N] [--receiver process|thread] [--deliver-after] [--profile FILE]
        [--worker-process [--worker-nice 10]]

The workers are the app's own (`PollingJobWorkers`), ``--workers`` of them (default: the
settings' default, as `make run` has it), started before the events are committed unless
``--deliver-after``; with ``--worker-process`` they run instead in a `tms worker` process
on the same database (`TMS_JOBS_WORKERS=0` in the app, as docs/jobs.md describes), at the
niceness ``--worker-nice``. The receiver runs in a process of its own (``--receiver
thread``: in this one). Each run also prints the CPU time per delivery (the worker
process's included).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import multiprocessing
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from tms_adapters.jobs import PollingJobWorkers
from tms_adapters.persistence.sql import migrations as schema
from tms_entrypoints.container import Container, build_container, running
from tms_entrypoints.http.app import create_app
from tms_entrypoints.http.asgi import settle_garbage_collector
from tms_entrypoints.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from webhook_receiver import Received, Receiver, receiving

PASSWORD = "Bench-Harbor-4821-x"
DEFAULTS = {field.name: field.default for field in dataclasses.fields(Settings)}
"""`make run`'s settings (no TMS_* variables set)."""
SUBSCRIPTIONS = 5


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    p50 = statistics.median(ordered)
    return f"p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms (n={len(ordered)})"


async def timed_lists(
    client: httpx.AsyncClient, headers: dict[str, str], count: int
) -> list[float]:
    spent = []
    for _ in range(count):
        began = time.perf_counter()
        response = await client.get("/rooms/", headers=headers, params={"limit": 50})
        spent.append(time.perf_counter() - began)
        assert response.status_code == 200, response.text
        await asyncio.sleep(0.02)
    return spent


SECRET_KEY = "b" * 48


async def bench(args: argparse.Namespace, directory: Path) -> dict[str, Any]:
    url = f"sqlite+aiosqlite:///{directory / 'tms.db'}"
    await schema.upgrade(url)
    settings = Settings(
        database_url=url,
        secret_key=SECRET_KEY,
        env="test",
        admin_password=PASSWORD,
        webhook_allow_private=True,
        api_client_requests_per_minute=0,
        var_dir=str(directory),
    )
    container: Container = build_container(settings)
    async with running(container):
        await container.users().ensure_admin("admin", "admin@bench.local", PASSWORD)
        transport = httpx.ASGITransport(app=create_app(container=container))
        settle_garbage_collector()  # as `tms serve` does (http/asgi.py)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            return await measure(args, container, client)


class Workers:
    """The job workers the run starts and stops: the app's own, in this process, or a
    `tms worker` process on the same database."""

    def __init__(self, args: argparse.Namespace, container: Container) -> None:
        self._args = args
        self._container = container
        self._in_app: PollingJobWorkers | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._process_cpu = 0.0

    async def start(self) -> None:
        if not self._args.worker_process:
            self._in_app = PollingJobWorkers(
                self._container.jobs.executor(),
                workers=self._args.workers,
                poll_interval=self._args.poll_ms / 1000,
                foreground=self._container.jobs.foreground(),
                busy_workers=self._args.busy_workers,
            )
            await self._in_app.start()
            return
        settings = self._container.settings()
        env = {
            **os.environ,
            "TMS_DATABASE_URL": settings.database_url,
            "TMS_SECRET_KEY": SECRET_KEY,
            "TMS_ENV": "test",
            "TMS_WEBHOOK_ALLOW_PRIVATE": "true",
            "TMS_VAR_DIR": settings.var_dir,
            "TMS_JOBS_WORKERS": str(self._args.workers),
            "TMS_JOBS_POLL_MS": str(self._args.poll_ms),
            "TMS_LOG_LEVEL": "WARNING",
        }
        nice = self._args.worker_nice
        self._process = subprocess.Popen(
            [str(Path(sys.executable).parent / "tms"), "worker"],
            env=env,
            preexec_fn=(lambda: os.nice(nice)) if nice else None,
        )

    async def stop(self) -> None:
        if self._in_app is not None:
            await self._in_app.stop()
            self._in_app = None
        if self._process is not None:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            self._process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(self._process.wait, 30)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            self._process_cpu += (after.ru_utime + after.ru_stime) - (
                before.ru_utime + before.ru_stime
            )
            self._process = None

    def process_cpu(self) -> float:
        """CPU seconds of the worker processes stopped so far (0 for in-app workers)."""
        return self._process_cpu


async def measure(
    args: argparse.Namespace, container: Container, client: httpx.AsyncClient
) -> dict[str, Any]:
    login = await client.post("/auth/login", json={"username": "admin", "password": PASSWORD})
    admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
    created = (
        await client.post(
            "/api-clients/", headers=admin, json={"name": "Bench", "scopes": ["sessions:read"]}
        )
    ).json()
    form = {
        "grant_type": "client_credentials",
        "client_id": created["client_id"],
        "client_secret": created["client_secret"],
    }
    token_times = []
    for _ in range(args.tokens):
        began = time.perf_counter()
        response = await client.post("/auth/token", data=form)
        token_times.append(time.perf_counter() - began)
        assert response.status_code == 200, response.text
    print(f"token issue: {ms(token_times)}")

    with receiver_of(args.receiver) as receiver:
        secrets = []
        for _ in range(SUBSCRIPTIONS):
            hook = await client.post(
                "/webhooks/", headers=admin, json={"url": receiver.url, "events": ["room_created"]}
            )
            secrets.append(hook.json()["secret"])
        receiver.use_secrets(secrets)
        for number in range(20):
            await client.post(
                "/rooms/", headers=admin, json={"name": f"Seed {number}", "capacity": 5}
            )
        idle = await timed_lists(client, admin, 60)
        print(f"list idle: {ms(idle)}")
        # The in-app workers, as `tms serve` runs them (or a `tms worker`). The seed rooms'
        # deliveries are not counted: drained before the clock starts.
        workers = Workers(args, container)
        await workers.start()
        try:
            await until_received(receiver, 20 * SUBSCRIPTIONS)
            receiver.clear()
            profiler = None
            if args.profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            statements = count_statements(container)
            expected = args.events * SUBSCRIPTIONS
            cpu_began = time.process_time()
            began = time.perf_counter()
            if args.deliver_after:
                # The seed deliveries' last commits first (a stop would hand them back).
                await asyncio.sleep(2)
                await workers.stop()
            else:
                listing = asyncio.create_task(timed_lists(client, admin, 60))
            for number in range(args.events):
                await client.post(
                    "/rooms/", headers=admin, json={"name": f"Room {number}", "capacity": 5}
                )
            enqueued = time.perf_counter() - began
            sending_cpu, sending = time.process_time(), time.perf_counter()
            if args.deliver_after:
                listing = asyncio.create_task(timed_lists(client, admin, 60))
                await workers.start()
            else:
                # The API's own writes are over: the list beside the deliveries alone.
                busy_committing = await listing
                listing = asyncio.create_task(timed_lists(client, admin, 60))
            await until_received(receiver, expected)
            delivered = time.perf_counter() - began
            cpu = time.process_time() - cpu_began
            sending_cpu, sending = time.process_time() - sending_cpu, time.perf_counter() - sending
            busy = await listing
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(args.profile)
        finally:
            await workers.stop()
        if args.worker_process:
            # The worker process ran from the seed rooms on: its CPU time is an upper bound.
            cpu += workers.process_cpu()
            sending_cpu += workers.process_cpu()
        print(
            f"{args.events} events committed (5 jobs each) in {enqueued:.1f} s, workers"
            f" {'stopped' if args.deliver_after else 'delivering'} meanwhile;"
            f" SQL statements per delivery (events' commits included)"
            f" {statements['count'] / expected:.1f}"
        )
        print(
            f"{receiver.count()} deliveries in {delivered:.1f} s ({expected / delivered:.0f}/s),"
            f" verified: {receiver.verified()}; this process's CPU time {cpu:.1f} s,"
            f" {cpu / expected * 1000:.2f} ms per delivery (events' commits included"
            f"{', receiver included' if args.receiver == 'thread' else ''})"
        )
        print(
            f"after the last event's commit: {sending:.1f} s, CPU {sending_cpu:.1f} s"
            + (
                f" (delivery alone: {expected / sending:.0f}/s,"
                f" {sending_cpu / expected * 1000:.2f} ms CPU per delivery)"
                if args.deliver_after
                else ""
            )
        )
        if not args.deliver_after:
            print(
                f"list while the events commit (each a POST) and deliveries run:"
                f" {ms(busy_committing)};"
                f" ratio of p50s {statistics.median(busy_committing) / statistics.median(idle):.2f}"
            )
        print(
            f"list during fan-out{' (after the commits)' if not args.deliver_after else ''}:"
            f" {ms(busy)};"
            f" ratio of p50s {statistics.median(busy) / statistics.median(idle):.2f}"
        )
    return {}


def count_statements(container: Container) -> dict[str, int]:
    from sqlalchemy import event

    counted = {"count": 0}
    engine = container.engine()

    def counting(*_: Any) -> None:
        counted["count"] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", counting)
    return counted


def verified_per_secret(received: list[Received], secrets: list[str]) -> int:
    """Each message is checked against the secret of the subscription it names."""
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    verifiers = [Webhook(secret) for secret in secrets]
    verified = 0
    for item in received:
        for verifier in verifiers:
            try:
                verifier.verify(item.body, item.headers)
            except WebhookVerificationError:
                continue
            verified += 1
            break
    return verified


class InProcess:
    """The receiver's threads in this process (they share its interpreter lock)."""

    def __init__(self, receiver: Receiver) -> None:
        self._receiver = receiver
        self.url = receiver.url
        self._secrets: list[str] = []

    def use_secrets(self, secrets: list[str]) -> None:
        self._secrets = secrets
        self._receiver.secret = secrets[0]

    def count(self) -> int:
        return len(self._receiver.received)

    def clear(self) -> None:
        with self._receiver.lock:
            self._receiver.received.clear()

    def verified(self) -> int:
        return verified_per_secret(self._receiver.received, self._secrets)


class OwnProcess:
    """The receiver in a process of its own, as a partner's is: asked over a pipe."""

    def __init__(self, connection: Any, url: str) -> None:
        self._connection = connection
        self.url = url

    def _ask(self, *question: Any) -> Any:
        self._connection.send(question)
        return self._connection.recv()

    def use_secrets(self, secrets: list[str]) -> None:
        self._ask("secrets", secrets)

    def count(self) -> int:
        return int(self._ask("count"))

    def clear(self) -> None:
        self._ask("clear")

    def verified(self) -> int:
        return int(self._ask("verified"))


def _serve_receiver(connection: Any) -> None:
    with receiving(Receiver()) as receiver:
        connection.send(receiver.url)
        answering = InProcess(receiver)
        while True:
            question = connection.recv()
            if question[0] == "stop":
                connection.send(None)
                return
            if question[0] == "secrets":
                connection.send(answering.use_secrets(question[1]))
            else:
                connection.send(getattr(answering, question[0])())


@contextlib.contextmanager
def receiver_of(kind: str) -> Iterator[InProcess | OwnProcess]:
    if kind == "thread":
        with receiving(Receiver()) as receiver:
            yield InProcess(receiver)
        return
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_serve_receiver, args=(theirs,), daemon=True
    )
    process.start()
    try:
        yield OwnProcess(ours, ours.recv())
    finally:
        ours.send(("stop",))
        ours.recv()
        process.join(10)


async def until_received(receiver: InProcess | OwnProcess, count: int) -> None:
    async with asyncio.timeout(600):
        while receiver.count() < count:
            await asyncio.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=300)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=DEFAULTS["jobs_workers"])
    parser.add_argument("--poll-ms", type=int, default=DEFAULTS["jobs_poll_ms"])
    parser.add_argument(
        "--busy-workers",
        type=int,
        default=None,
        help="jobs started while requests are in flight (default: a quarter of --workers,"
        " as the app; --busy-workers equal to --workers: no deference to requests)",
    )
    parser.add_argument(
        "--receiver",
        choices=["thread", "process"],
        default="process",
        help="a process of its own, as a partner's receiver is elsewhere (default), or"
        " its threads in this process (they take turns with the app for the GIL)",
    )
    parser.add_argument(
        "--deliver-after",
        action="store_true",
        help="workers stopped while the events commit, started after (delivery timed alone)",
    )
    parser.add_argument("--profile", help="cProfile the delivery phase into this file")
    parser.add_argument(
        "--worker-process",
        action="store_true",
        help="deliver from a `tms worker` process instead of the app's in-app workers",
    )
    parser.add_argument(
        "--worker-nice", type=int, default=0, help="the worker process's niceness (0 to 19)"
    )
    args = parser.parse_args()
    logging.disable(logging.INFO)
    print(f"nproc {os.cpu_count()}, load average {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(bench(args, Path(directory)))
    print(f"load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
