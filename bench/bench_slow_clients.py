"""Slow clients against the real server: `python -m bench.bench_slow_clients`.

Fills a fresh SQLite database with `tms demo` data (1,000 sessions of 10 trainees), starts
`tms serve` with its default limits, and measures GET /sessions/?limit=100 at concurrency
1 with the load generator of the suite (wrk, or httpx), first with the server idle, then
while ``--clients`` slow clients (50) each hold a connection by trickling a request head a
byte a second. The server cuts each of them once its header timeout has passed (408), and
each reconnects at once, so that as many are held throughout. The runs interleave (idle,
slow, idle, slow, ...) and the medians are compared: the target is a p50 with slow clients
within 1.5 times the idle one.

    python -m bench.bench_slow_clients [--clients 50] [--seconds 10] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import LoadGenerator, LoadResult
from bench.run import (
    ADMIN_PASSWORD,
    RESULTS,
    Config,
    database,
    fill_demo,
    log,
    settle,
    sign_in,
    start_tms,
    tms_env,
)
from bench.servers import Server

TARGET_RATIO = 1.5
PATH = "/sessions/?limit=100"


@dataclass
class SlowClients:
    """``count`` connections, each sending a request head a byte every ``interval`` seconds
    and reconnecting when the server cuts it; run on an event loop in a thread of their own."""

    port: int
    count: int
    interval: float = 1.0
    open_now: int = 0
    held_samples: list[int] = field(default_factory=list)
    """How many were open, every 0.1 s once all had connected."""
    connections: int = 0
    answered_408: int = 0
    held_seconds: list[float] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _all_connected: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while self.open_now < self.count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {self.open_now} of {self.count} slow clients connected")
            time.sleep(0.05)
        self._all_connected.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 10)

    async def _run(self) -> None:
        await asyncio.gather(
            self._sample(), *(self._client(number) for number in range(self.count))
        )

    async def _sample(self) -> None:
        while not self._stop.is_set():
            if self._all_connected.is_set():
                self.held_samples.append(self.open_now)
            await asyncio.sleep(0.1)

    async def _client(self, number: int) -> None:
        head = (
            f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-client-{number}\r\n"
            + "X-Padding: "
            + "s" * 4000
        ).encode()
        while not self._stop.is_set():
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            self.connections += 1
            self.open_now += 1
            began = time.monotonic()
            answer = asyncio.ensure_future(reader.read())
            try:
                for byte in head:
                    if self._stop.is_set() or answer.done():
                        break
                    writer.write(bytes([byte]))
                    with contextlib.suppress(ConnectionError):
                        await writer.drain()
                    await asyncio.wait([answer], timeout=self.interval)
                if answer.done() and not answer.cancelled():
                    with contextlib.suppress(ConnectionError):
                        if answer.result().startswith(b"HTTP/1.1 408 "):
                            self.answered_408 += 1
                    self.held_seconds.append(time.monotonic() - began)
            finally:
                self.open_now -= 1
                answer.cancel()
                writer.close()
                with contextlib.suppress(ConnectionError):
                    await writer.wait_closed()


@dataclass(frozen=True)
class Run:
    result: LoadResult
    cpu_ms_per_request: float
    """The server's CPU time (all of it, the slow clients' share included) per request."""
    rss_mib: float


def measure(load: LoadGenerator, server: Server, token: str, seconds: int) -> Run:
    cpu = server.cpu_seconds()
    result = load.run(server.url(PATH), concurrency=1, seconds=seconds, token=token)
    if result.errors or result.bad_status:
        raise RuntimeError(f"{result.errors} errors, {result.bad_status} bad answers")
    spent = server.cpu_seconds() - cpu
    return Run(result, 1000 * spent / max(result.requests, 1), server.rss_mib())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="tms-bench-slow-") as tmp,
        database("sqlite", Path(tmp)) as url,
    ):
        work_dir = Path(tmp)
        env = tms_env(url, work_dir, redis=False)
        log("Filling the database with demo data (1,000 sessions) ...")
        fill_demo(env, work_dir, quick=True)
        server = start_tms(Config("sqlite", "uvicorn", 1), env, work_dir)
        load = LoadGenerator(work_dir)
        try:
            token = sign_in(server, "admin", ADMIN_PASSWORD)
            measure(load, server, token, 2)  # warm-up
            idle: list[Run] = []
            slow: list[Run] = []
            clients: list[SlowClients] = []
            for number in range(1, args.runs + 1):
                settle(server)
                idle.append(measure(load, server, token, args.seconds))
                held = SlowClients(server.port, args.clients)
                held.start()
                try:
                    slow.append(measure(load, server, token, args.seconds))
                finally:
                    held.stop()
                clients.append(held)
                log(
                    f"  run {number}: idle p50 {idle[-1].result.p50_ms:.2f} ms, with "
                    f"{args.clients} slow clients p50 {slow[-1].result.p50_ms:.2f} ms "
                    f"(at least {min(held.held_samples)} held)"
                )
        finally:
            server.stop()
        sys.exit(report(args, idle, slow, clients, load.name))


def report(
    args: argparse.Namespace,
    idle: list[Run],
    slow: list[Run],
    clients: list[SlowClients],
    generator: str,
) -> int:
    """Print the figures; 0 when the target is met."""

    def line(label: str, runs: list[Run]) -> str:
        return (
            f"  {label:<18} p50 {statistics.median(r.result.p50_ms for r in runs):7.2f} ms  "
            f"p99 {statistics.median(r.result.p99_ms for r in runs):7.2f} ms  "
            f"{statistics.median(r.result.rps for r in runs):6.1f} req/s  "
            f"server CPU {statistics.median(r.cpu_ms_per_request for r in runs):5.2f} ms/request"
            f"  RSS {statistics.median(r.rss_mib for r in runs):.0f} MiB"
        )

    ratio = statistics.median(r.result.p50_ms for r in slow) / statistics.median(
        r.result.p50_ms for r in idle
    )
    cut = [seconds for c in clients for seconds in c.held_seconds]
    samples = [n for c in clients for n in c.held_samples]
    print(f"GET {PATH}, concurrency 1, {generator}, medians of {args.runs} runs:")
    print(line("idle:", idle))
    print(line(f"{args.clients} slow clients:", slow))
    print(f"  ratio of the p50s: {ratio:.2f} (target <= {TARGET_RATIO})")
    print(
        f"  slow clients held: {min(samples)} to {max(samples)} "
        f"(mean {statistics.mean(samples):.1f}); {sum(c.connections for c in clients)} "
        f"connections, {len(cut)} cut by the server "
        f"({sum(c.answered_408 for c in clients)} with 408) after "
        f"{statistics.median(cut) if cut else 0:.1f} s (median)"
    )
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    main()
