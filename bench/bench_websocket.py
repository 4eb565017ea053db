"""WebSocket fan-out: latency and delivery with 100, 1,000 and 5,000 connected clients, and
the server's memory per idle connection.

For each scale a fresh `tms serve` runs on a SQLite file in a temporary directory (in-memory
channels: one instance). Client processes (at most 1,250 connections each) connect to
`/ws?token=...` with admin sign-ins, which hear every event; the sign-ins are shared: one
per client process, every connection of that process uses its token (each connection still
authenticates on its own: the token is read and its sign-in looked up in the database).
The clients speak WebSocket through the `websockets` library's sans-I/O protocol on plain
asyncio transports, offer permessage-deflate as browsers do (``deflate=False`` to not),
and stamp each frame with `time.monotonic()` (one clock for every process of the machine)
when its bytes arrive, so that the clients' own work adds as little as possible to what
is measured.

Once every client is connected and idle, the server's resident memory (VmRSS of its
process) is read; the growth over the memory before the first connection, divided by the
connections, is the memory per idle connection. Then this process makes ``changes``
changes one after the other (PUT /users/{id} renaming one user: one `user_updated` event
each, heard by every admin), pausing between them so that one fan-out ends before the next
begins. The latency of a delivery is the time from the HTTP response of the change (taken
in this process as soon as the response is read) to the arrival of the event at a client;
it can be below zero when the event overtakes the response. The delivery ratio is the
events received over those due (connected clients times changes). The server's CPU time
during the changes is given per change.

Targets on the 2-core machine: at 1,000 clients a p99 under 100 ms and every event
delivered; 5,000 connections held with under 30 KB of server memory each. The machine may
be shared: the load average is reported, and latency grows with whatever else runs.

    python -m bench.bench_websocket [--scales 100,1000,5000] [--changes 30] [--no-deflate]
                                    [--json FILE]

``run()`` returns the same results as a dict, for bench/run.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

from bench.servers import cpu_seconds, free_port, stop_process

SCALES = (100, 1_000, 5_000)
CONNECTIONS_PER_PROCESS = 1_250
CONNECTING_AT_ONCE = 64
"""Handshakes in flight per client process."""
ADMIN_PASSWORD = "Sturdy-Garden-93"
TARGET_P99_MS = 100.0
TARGET_P99_AT = 1_000
TARGET_KB_PER_CONNECTION = 30.0
TARGET_CONNECTIONS = 5_000
MARKER = "Bench"
TMS = str(Path(sys.executable).with_name("tms"))


def raise_open_files_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


# The server


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def cpu_seconds(self) -> float:
        return cpu_seconds([self.process.pid])

    def stop(self) -> None:
        stop_process(self.process)


def start_server(directory: Path, extra_env: dict[str, str]) -> Server:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMS_")}
    env.update(
        TMS_DATABASE_URL=f"sqlite+aiosqlite:///{directory / 'tms.db'}",
        TMS_VAR_DIR=str(directory),
        TMS_SECRET_KEY="bench-websocket-secret-" + "w" * 32,
        TMS_ADMIN_PASSWORD=ADMIN_PASSWORD,
        TMS_ARGON2_TIME_COST="1",
        TMS_ARGON2_MEMORY_KIB="8192",
        TMS_ARGON2_PARALLELISM="1",
        TMS_LOG_LEVEL="WARNING",
        # Thousands of clients connect from this one address, sharing a few sign-ins.
        TMS_MAX_CONNECTIONS_PER_ADDRESS="0",
        TMS_WS_MAX_SOCKETS_PER_USER="0",
        TMS_WS_MAX_SOCKETS_PER_ADDRESS="0",
    )
    env.update(extra_env)
    log_path = directory / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [TMS, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=directory,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, port, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tms serve exited:\n{log_path.read_text(errors='replace')}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{server.base_url}/health", timeout=2).status_code == 200:
                return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError("tms serve did not become healthy within 60 s")


# The client processes


def client_process(pipe: Connection, port: int, token: str, count: int, deflate: bool) -> None:
    raise_open_files_limit()
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    asyncio.run(_hold_connections(pipe, port, token, count, deflate))


class _Socket(asyncio.Protocol):
    """One WebSocket client: the `websockets` sans-I/O protocol on an asyncio transport."""

    def __init__(self, uri: str, arrivals: dict[int, list[float]], deflate: bool) -> None:
        from websockets.client import ClientProtocol
        from websockets.extensions.permessage_deflate import enable_client_permessage_deflate
        from websockets.uri import parse_uri

        extensions = enable_client_permessage_deflate(None) if deflate else None
        self.protocol = ClientProtocol(parse_uri(uri), extensions=extensions, max_size=1 << 20)
        self.arrivals = arrivals
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: Any = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.protocol.send_request(self.protocol.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        from websockets.frames import Frame, Opcode

        self.protocol.receive_data(data)
        for event in self.protocol.events_received():
            if not isinstance(event, Frame) or event.opcode is not Opcode.TEXT:
                continue
            if not self.ready.done():
                self.ready.set_result(None)
                continue
            self._arrived(now, event.data)
        self._flush()

    def _arrived(self, now: float, payload: bytes) -> None:
        frame = json.loads(payload)
        if frame.get("type") != "user_updated":
            return
        last_name = str(frame["data"]["user"]["last_name"])
        if last_name.startswith(MARKER):
            self.arrivals.setdefault(int(last_name[len(MARKER) :]), []).append(now)

    def _flush(self) -> None:
        data = self.protocol.data_to_send()
        if data and self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(data))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.ready.done():
            self.ready.set_exception(ConnectionError("closed before ready"))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def _hold_connections(
    pipe: Connection, port: int, token: str, count: int, deflate: bool
) -> None:
    loop = asyncio.get_running_loop()
    arrivals: dict[int, list[float]] = {}
    uri = f"ws://127.0.0.1:{port}/ws?token={token}"
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    sockets: list[_Socket] = []

    async def open_one() -> bool:
        async with gate:
            try:
                _, client = await loop.create_connection(
                    lambda: _Socket(uri, arrivals, deflate), "127.0.0.1", port
                )
                await asyncio.wait_for(client.ready, 60)
            except (OSError, ConnectionError, TimeoutError):
                return False
            sockets.append(client)
            return True

    started = time.monotonic()
    opened = await asyncio.gather(*(open_one() for _ in range(count)))
    pipe.send(("connected", sum(opened), time.monotonic() - started))
    while True:
        command = await asyncio.to_thread(pipe.recv)
        if command == "collect":
            alive = sum(1 for s in sockets if not s.closed)
            pipe.send(("arrivals", arrivals, alive))
        elif command == "close":
            for client in sockets:
                client.close()
            await asyncio.sleep(0.5)
            pipe.send(("closed",))
            return


# One scale


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def _login(client: httpx.Client) -> str:
    response = client.post("/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    response.raise_for_status()
    return str(response.json()["access_token"])


def measure(
    clients: int,
    changes: int,
    extra_env: dict[str, str] | None = None,
    *,
    deflate: bool = True,
) -> dict[str, Any]:
    """Fan-out latency and delivery with ``clients`` connections; memory per connection.
    With ``deflate`` the clients offer permessage-deflate, as browsers do."""
    gap = max(0.1, clients / 5_000)
    with tempfile.TemporaryDirectory(prefix="tms-bench-ws-") as tmp:
        server = start_server(Path(tmp), extra_env or {})
        processes: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
        try:
            with httpx.Client(base_url=server.base_url, timeout=30) as http:
                admin_token = _login(http)
                headers = {"Authorization": f"Bearer {admin_token}"}
                target = http.post(
                    "/users/",
                    headers=headers,
                    json={
                        "username": "bench-target",
                        "email": "bench-target@example.org",
                        "first_name": "Bench",
                        "last_name": "Target",
                        "role": "trainee",
                    },
                )
                target.raise_for_status()
                target_id = target.json()["user"]["id"]
                time.sleep(1)
                rss_before = server.rss_kib()

                context = multiprocessing.get_context("spawn")
                counts = _split(clients)
                for count in counts:
                    ours, theirs = context.Pipe()
                    process = context.Process(
                        target=client_process,
                        args=(theirs, server.port, _login(http), count, deflate),
                        daemon=True,
                    )
                    process.start()
                    processes.append((process, ours))
                connected = 0
                connect_seconds = 0.0
                for _, pipe in processes:
                    _, opened, seconds = pipe.recv()
                    connected += opened
                    connect_seconds = max(connect_seconds, seconds)
                time.sleep(2)
                rss_idle = server.rss_kib()

                cpu_before = server.cpu_seconds()
                responded: dict[int, float] = {}
                requested: dict[int, float] = {}
                for number in range(changes):
                    requested[number] = time.monotonic()
                    response = http.put(
                        f"/users/{target_id}",
                        headers=headers,
                        json={"last_name": f"{MARKER}{number}"},
                    )
                    responded[number] = time.monotonic()
                    response.raise_for_status()
                    time.sleep(gap)
                time.sleep(max(2.0, gap * 2))
                cpu_used = server.cpu_seconds() - cpu_before
                rss_after = server.rss_kib()

                latencies: list[float] = []
                from_request: list[float] = []
                per_change: dict[int, list[float]] = {number: [] for number in range(changes)}
                alive = 0
                for _, pipe in processes:
                    pipe.send("collect")
                    _, arrivals, still_open = pipe.recv()
                    alive += still_open
                    for number, times in arrivals.items():
                        latencies += [t - responded[number] for t in times]
                        from_request += [t - requested[number] for t in times]
                        per_change[number] += [t - responded[number] for t in times]
        finally:
            for process, pipe in processes:
                with contextlib.suppress(OSError, EOFError):
                    pipe.send("close")
                    pipe.recv()
                process.join(10)
                if process.is_alive():
                    process.kill()
            server.stop()

    due = connected * changes
    result: dict[str, Any] = {
        "clients": clients,
        "clients_offer_deflate": deflate,
        "connected": connected,
        "still_open_after": alive,
        "client_processes": len(counts),
        "sign_ins": len(counts),
        "connect_seconds": round(connect_seconds, 2),
        "changes": changes,
        "received": len(latencies),
        "delivery_ratio": round(len(latencies) / due, 6) if due else 0.0,
        "server_rss_mib_before": round(rss_before / 1024, 1),
        "server_rss_mib_idle": round(rss_idle / 1024, 1),
        "server_rss_mib_after": round(rss_after / 1024, 1),
        "kib_per_idle_connection": round((rss_idle - rss_before) / max(connected, 1), 2),
        "server_cpu_ms_per_change": round(cpu_used * 1000 / changes, 1),
    }
    slowest = sorted(
        ((max(times), number, len(times)) for number, times in per_change.items() if times),
        reverse=True,
    )[:3]
    result["slowest_changes"] = [
        {"change": number, "max_ms": round(worst * 1000, 1), "received": received}
        for worst, number, received in slowest
    ]
    if latencies:
        result.update(
            {
                "p50_ms": round(statistics.median(latencies) * 1000, 1),
                "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
                "max_ms": round(max(latencies) * 1000, 1),
                "min_ms": round(min(latencies) * 1000, 1),
                "p50_ms_from_request": round(statistics.median(from_request) * 1000, 1),
                "p99_ms_from_request": round(_percentile(from_request, 0.99) * 1000, 1),
            }
        )
    return result


def _split(clients: int) -> list[int]:
    processes = max(1, math.ceil(clients / CONNECTIONS_PER_PROCESS))
    base, extra = divmod(clients, processes)
    return [base + (1 if i < extra else 0) for i in range(processes)]


def run(
    scales: tuple[int, ...] = SCALES,
    changes: int = 30,
    extra_env: dict[str, str] | None = None,
    *,
    deflate: bool = True,
) -> dict[str, Any]:
    """Measure every scale; the results with the targets and whether they are met.
    ``extra_env`` is added to the server's environment."""
    hard_limit = raise_open_files_limit()
    needed = max(scales) + 200
    if hard_limit < needed:
        raise RuntimeError(f"the open-files limit ({hard_limit}) is below {needed}")
    load_before = os.getloadavg()
    results = [measure(clients, changes, extra_env, deflate=deflate) for clients in scales]
    by_clients = {r["clients"]: r for r in results}
    checks: dict[str, bool] = {}
    if TARGET_P99_AT in by_clients:
        at = by_clients[TARGET_P99_AT]
        checks[f"p99 under {TARGET_P99_MS:.0f} ms at {TARGET_P99_AT} clients"] = (
            at.get("p99_ms", math.inf) < TARGET_P99_MS
        )
        checks[f"every event delivered at {TARGET_P99_AT} clients"] = at["delivery_ratio"] == 1.0
    if TARGET_CONNECTIONS in by_clients:
        held = by_clients[TARGET_CONNECTIONS]
        checks[
            f"{TARGET_CONNECTIONS} connections held with under "
            f"{TARGET_KB_PER_CONNECTION:.0f} KB each"
        ] = (
            held["connected"] == held["still_open_after"] == TARGET_CONNECTIONS
            and held["kib_per_idle_connection"] * 1.024 < TARGET_KB_PER_CONNECTION
        )
    return {
        "benchmark": "websocket_fanout",
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "cpus": os.cpu_count(),
        "clients_offer_deflate": deflate,
        "results": results,
        "targets_met": checks,
    }


def _table(report: dict[str, Any]) -> str:
    lines = [
        "clients  connected  delivered  p50 ms  p99 ms  max ms  cpu ms/change  KiB/conn",
    ]
    for r in report["results"]:
        lines.append(
            f"{r['clients']:>7}  {r['connected']:>9}  {r['delivery_ratio']:>9.4f}  "
            f"{r.get('p50_ms', float('nan')):>6}  {r.get('p99_ms', float('nan')):>6}  "
            f"{r.get('max_ms', float('nan')):>6}  {r['server_cpu_ms_per_change']:>13}  "
            f"{r['kib_per_idle_connection']:>8}"
        )
    for check, met in report["targets_met"].items():
        lines.append(f"{'met ' if met else 'MISSED'}  {check}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default=",".join(map(str, SCALES)))
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument(
        "--no-deflate", action="store_true", help="clients do not offer permessage-deflate"
    )
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    scales = tuple(int(part) for part in args.scales.split(",") if part.strip())
    report = run(scales, args.changes, deflate=not args.no_deflate)
    print(_table(report))
    for r in report["results"]:
        print(f"{r['clients']}: slowest changes {r['slowest_changes']}")
    before, after = report["load_average_before"], report["load_average_after"]
    print(f"load average before {before}, after {after}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
