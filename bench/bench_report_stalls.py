"""Report downloads that are opened and never read, against the listings' latency.

    python -m bench.bench_report_stalls [--sessions 10000] [--stalled 8] [--requests 200]

Fills a fresh SQLite database with `tms demo` data (20 trainers, 1,000 trainees,
``--sessions`` sessions of 10 trainees: enough that a whole report outgrows what the
kernel's socket buffers hold for a client that does not read), starts the real server
(`tms serve`) on a free loopback port and measures, one request at a time, the p50 of
GET /sessions/?limit=100 and GET /users/?limit=100:

1. idle;
2. with ``--stalled`` report downloads (CSV, Excel and PDF in turn, every section, from
   four admins) opened on sockets with a small receive window and never read, once the
   server has made what it will make of them (its CPU at rest);
3. idle again, once those downloads are closed (the machine may be shared: the ratio is
   to the mean of the two idle figures).

It does so twice: with the default caps on reports in progress, and with the caps raised
to ``--stalled`` so that every download is in progress at once. It prints the figures,
the ratio to idle, the answers the downloads got (200 or 429) and every 5xx counted, and
writes them as JSON to bench/results/report_stalls.json.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.run import BIN, DEMO_SEED, RESULTS, database, settle, sign_in, tms_env
from bench.servers import Server, free_port, start_server
from tms_entrypoints.settings import Settings

LISTINGS = ("/sessions/?limit=100", "/users/?limit=100")
FORMATS = ("csv", "xlsx", "pdf")
ADMINS = 4
ADMIN_PASSWORD = "bench report admin 2026"
RECEIVE_WINDOW = 4096
"""The stalled clients' receive buffer: the server soon has to wait for them."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fill_demo(env: dict[str, str], work_dir: Path, sessions: int) -> float:
    command = [
        str(BIN / "tms"),
        "demo",
        "--trainers",
        "20",
        "--trainees",
        "1000",
        "--sessions",
        str(sessions),
        "--per-session",
        "10",
        "--seed",
        str(DEMO_SEED),
    ]
    started = time.perf_counter()
    done = subprocess.run(
        command, env=env, cwd=work_dir, capture_output=True, text=True, timeout=1200, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"tms demo failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


class StalledDownload:
    """GET /reports/generate on a raw socket: the answer's head is read, the body never."""

    def __init__(self, port: int, token: str, report_format: str) -> None:
        self.format = report_format
        self.socket = socket.socket()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_WINDOW)
        self.socket.settimeout(120)
        self.socket.connect(("127.0.0.1", port))
        self.socket.sendall(
            f"GET /reports/generate?format={report_format} HTTP/1.1\r\n"
            f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            piece = self.socket.recv(256)
            if not piece:
                break
            head += piece
        first_line = head.split(b"\r\n", 1)[0].split()
        self.status = int(first_line[1]) if len(first_line) > 1 else 0

    def close(self) -> None:
        self.socket.close()


@dataclass
class Latency:
    path: str
    p50_ms: float
    p95_ms: float
    statuses: dict[int, int]

    @property
    def errors_5xx(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)


def measure(client: httpx.Client, token: str, path: str, requests: int) -> Latency:
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(10):
        client.get(path, headers=headers)
    samples: list[float] = []
    statuses: dict[int, int] = {}
    for _ in range(requests):
        started = time.perf_counter()
        status = client.get(path, headers=headers).status_code
        samples.append(time.perf_counter() - started)
        statuses[status] = statuses.get(status, 0) + 1
    ordered = sorted(samples)
    return Latency(
        path,
        round(statistics.median(ordered) * 1000, 2),
        round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        statuses,
    )


def add_admins(server: Server, token: str) -> list[str]:
    """Three more admins besides the bootstrap one; the tokens of all four."""
    tokens = [token]
    with httpx.Client(base_url=server.url(""), timeout=60) as client:
        for number in range(1, ADMINS):
            username = f"bench-admin-{number}"
            answer = client.post(
                "/users/",
                json={
                    "username": username,
                    "email": f"{username}@example.org",
                    "first_name": "Bench",
                    "last_name": f"Admin {number}",
                    "role": "admin",
                    "password": ADMIN_PASSWORD,
                    "is_temporary_password": False,
                },
                headers={"Authorization": f"Bearer {token}"},
            )
            if answer.status_code != 409:  # made by an earlier scenario
                answer.raise_for_status()
            tokens.append(sign_in(server, username, ADMIN_PASSWORD))
    return tokens


def scenario(
    key: str,
    label: str,
    env: dict[str, str],
    work_dir: Path,
    *,
    stalled: int,
    requests: int,
    admin_password: str,
) -> dict[str, Any]:
    port = free_port()
    RESULTS.mkdir(parents=True, exist_ok=True)
    server = start_server(
        f"report-stalls/{key}",
        [str(BIN / "tms"), "serve", "--port", str(port)],
        env=env,
        port=port,
        log_path=RESULTS / f"server-report-stalls-{key}.log",
        cwd=work_dir,
    )
    downloads: list[StalledDownload] = []
    try:
        token = sign_in(server, "admin", admin_password)
        tokens = add_admins(server, token)
        with httpx.Client(base_url=server.url(""), timeout=60) as client:
            settle(server)
            idle = [measure(client, token, path, requests) for path in LISTINGS]
            log(f"  {label}: idle " + ", ".join(f"{m.path} {m.p50_ms} ms" for m in idle))
            rss_idle_mib = server.rss_mib()
            opened = time.perf_counter()
            for number in range(stalled):
                downloads.append(
                    StalledDownload(
                        port, tokens[number % len(tokens)], FORMATS[number % len(FORMATS)]
                    )
                )
            settle(server, limit=300)
            settled_s = time.perf_counter() - opened
            cpu_s = server.cpu_seconds()
            busy = [measure(client, token, path, requests) for path in LISTINGS]
            log(f"  {label}: stalled " + ", ".join(f"{m.path} {m.p50_ms} ms" for m in busy))
            rss_mib = server.rss_mib()
            for download in downloads:
                download.close()
            settle(server)
            after = [measure(client, token, path, requests) for path in LISTINGS]
            log(f"  {label}: idle again " + ", ".join(f"{m.path} {m.p50_ms} ms" for m in after))
    finally:
        for download in downloads:
            download.close()
        server.stop()
    answers: dict[str, dict[int, int]] = {}
    for download in downloads:
        by_status = answers.setdefault(download.format, {})
        by_status[download.status] = by_status.get(download.status, 0) + 1
    return {
        "label": label,
        "stalled": stalled,
        "download_answers": answers,
        "settled_after_s": round(settled_s, 1),
        "server_cpu_s": round(cpu_s, 1),
        "server_rss_mib_idle": round(rss_idle_mib, 1),
        "server_rss_mib_while_stalled": round(rss_mib, 1),
        "listings": [
            {
                "path": before.path,
                "idle_p50_ms": before.p50_ms,
                "stalled_p50_ms": during.p50_ms,
                "idle_again_p50_ms": again.p50_ms,
                "ratio": round(during.p50_ms / ((before.p50_ms + again.p50_ms) / 2), 2),
                "idle_p95_ms": before.p95_ms,
                "stalled_p95_ms": during.p95_ms,
                "idle_5xx": before.errors_5xx + again.errors_5xx,
                "stalled_5xx": during.errors_5xx,
                "stalled_statuses": during.statuses,
            }
            for before, during, again in zip(idle, busy, after, strict=True)
        ],
    }


def report(results: list[dict[str, Any]]) -> str:
    lines = [
        "| caps | downloads (status: count) | listing | idle p50 (before / after) "
        "| stalled p50 | ratio | 5xx |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        answers = "; ".join(
            f"{fmt} " + ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
            for fmt, statuses in result["download_answers"].items()
        )
        for listing in result["listings"]:
            lines.append(
                f"| {result['label']} | {answers} | GET {listing['path']} | "
                f"{listing['idle_p50_ms']} / {listing['idle_again_p50_ms']} ms | "
                f"{listing['stalled_p50_ms']} ms | "
                f"{listing['ratio']}x | {listing['idle_5xx'] + listing['stalled_5xx']} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--stalled", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200, help="per listing and phase")
    args = parser.parse_args(argv)
    defaults = Settings()
    with tempfile.TemporaryDirectory(prefix="tms-report-stalls-") as tmp:
        work_dir = Path(tmp)
        with database("sqlite", work_dir) as url:
            env = tms_env(url, work_dir, redis=False)
            log(f"filling the database ({args.sessions} sessions) ...")
            fill_seconds = fill_demo(env, work_dir, args.sessions)
            log(f"  done in {fill_seconds:.0f} s")
            results = []
            for key, label, caps in (
                (
                    "default",
                    f"default ({defaults.reports_max_concurrent} in all, "
                    f"{defaults.reports_max_per_user} per user)",
                    {},
                ),
                (
                    "raised",
                    f"raised ({args.stalled} in all, {args.stalled} per user)",
                    {
                        "TMS_REPORTS_MAX_CONCURRENT": str(args.stalled),
                        "TMS_REPORTS_MAX_PER_USER": str(args.stalled),
                    },
                ),
            ):
                log(f"caps {label}:")
                results.append(
                    scenario(
                        key,
                        label,
                        {**env, **caps},
                        work_dir,
                        stalled=args.stalled,
                        requests=args.requests,
                        admin_password=env["TMS_ADMIN_PASSWORD"],
                    )
                )
    summary = {"sessions": args.sessions, "fill_seconds": round(fill_seconds), "runs": results}
    (RESULTS / "report_stalls.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(report(results))
    print("BENCH_JSON " + json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
