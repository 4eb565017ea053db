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
    connections: int = 0
    answered_408: int = 0
    held_seconds: list[float] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while self.open_now < self.count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {self.open_now} of {self.count} slow clients connected")
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 10)

    async def _run(self) -> None:
        await asyncio.gather(*(self._client(number) for number in range(self.count)))

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


def measure(load: LoadGenerator, server: Server, token: str, seconds: int) -> LoadResult:
    result = load.run(server.url(PATH), concurrency=1, seconds=seconds, token=token)
    if result.errors or result.bad_status:
        raise RuntimeError(f"{result.errors} errors, {result.bad_status} bad answers")
    return result


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
            idle: list[LoadResult] = []
            slow: list[LoadResult] = []
            rss_idle: list[float] = []
            rss_slow: list[float] = []
            clients: list[SlowClients] = []
            for run in range(1, args.runs + 1):
                settle(server)
                idle.append(measure(load, server, token, args.seconds))
                rss_idle.append(server.rss_mib())
                held = SlowClients(server.port, args.clients)
                held.start()
                try:
                    slow.append(measure(load, server, token, args.seconds))
                    rss_slow.append(server.rss_mib())
                    still_open = held.open_now
                finally:
                    held.stop()
                clients.append(held)
                log(
                    f"  run {run}: idle p50 {idle[-1].p50_ms:.2f} ms, with {args.clients} slow "
                    f"clients p50 {slow[-1].p50_ms:.2f} ms ({still_open} held at the end)"
                )
        finally:
            server.stop()
        report(args, idle, slow, rss_idle, rss_slow, clients, load.name)


def report(
    args: argparse.Namespace,
    idle: list[LoadResult],
    slow: list[LoadResult],
    rss_idle: list[float],
    rss_slow: list[float],
    clients: list[SlowClients],
    generator: str,
) -> None:
    idle_p50 = statistics.median(r.p50_ms for r in idle)
    slow_p50 = statistics.median(r.p50_ms for r in slow)
    ratio = slow_p50 / idle_p50
    held = [seconds for c in clients for seconds in c.held_seconds]
    print(f"GET {PATH}, concurrency 1, {generator}, medians of {args.runs} runs:")
    print(
        f"  idle:                 p50 {idle_p50:7.2f} ms  p99 "
        f"{statistics.median(r.p99_ms for r in idle):7.2f} ms  "
        f"{statistics.median(r.rps for r in idle):6.1f} req/s  "
        f"server RSS {statistics.median(rss_idle):.0f} MiB"
    )
    print(
        f"  {args.clients} slow clients:      p50 {slow_p50:7.2f} ms  p99 "
        f"{statistics.median(r.p99_ms for r in slow):7.2f} ms  "
        f"{statistics.median(r.rps for r in slow):6.1f} req/s  "
        f"server RSS {statistics.median(rss_slow):.0f} MiB"
    )
    print(f"  ratio (slow / idle):  {ratio:.2f} (target <= {TARGET_RATIO})")
    if held:
        print(
            f"  slow connections: {sum(c.connections for c in clients)} opened, "
            f"{len(held)} cut by the server ({sum(c.answered_408 for c in clients)} with 408) "
            f"after {statistics.median(held):.1f} s (median, max {max(held):.1f} s)"
        )
    sys.exit(0 if ratio <= TARGET_RATIO else 1)


if __name__ == "__main__":
    main()
