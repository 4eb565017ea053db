"""Where enrolling 1,000 trainees spends its time: `python -m bench.profile_enrolment`.

In one process, over a fresh SQLite database seeded as `bench.bench_mail` seeds it (one
trainer, 1,000 trainees), the real app (job workers off, so nothing else runs) answers
``--runs`` POST /sessions/ each enrolling the 1,000 trainees in a session of its own, through
httpx's ASGI transport in the same event loop (no socket, no thread). For each: the answer
time, the process's CPU time, the garbage collector's, the SQL statements the request ran
(by kind, with the time each kind took at the driver) and, with ``--profile FILE``, a
cProfile of every run after the first (the first warms caches), the top functions printed
by cumulative and by own time. The garbage collector is settled as `tms serve` settles it.

    python -m bench.profile_enrolment [--runs 6] [--profile enrol.prof] [--top 40] [--json F]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import pstats
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.bench_mail import seed
from bench.run import ADMIN_PASSWORD, tms_env
from tms_adapters.persistence.sql import migrations as schema
from tms_entrypoints.cli.common import ensure_admin, server_container
from tms_entrypoints.container import running
from tms_entrypoints.http.app import create_app
from tms_entrypoints.http.asgi import settle_garbage_collector
from tms_entrypoints.settings import Settings

START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)


class Collections:
    """Time the cyclic garbage collector takes, by generation."""

    def __init__(self) -> None:
        self.seconds: Counter[int] = Counter()
        self.began = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.began = time.perf_counter()
        else:
            self.seconds[info["generation"]] += time.perf_counter() - self.began


class Statements:
    """Counts what the database is asked: statements and rows sent with them."""

    def __init__(self) -> None:
        self.kinds: Counter[str] = Counter()
        self.rows = 0
        self.on = False
        self.seconds: Counter[str] = Counter()
        self.current = ""
        self.began = 0.0

    def __call__(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any,
                 executemany: bool) -> None:  # fmt: skip
        if not self.on:
            return
        words = statement.split(None, 3)
        verb = words[0].upper()
        table = ""
        if verb == "INSERT" and len(words) > 2:
            table = words[2]
        elif verb in ("UPDATE", "DELETE") and len(words) > 1:
            table = words[1] if verb == "UPDATE" else words[2]
        elif verb == "SELECT":
            after = statement.upper().split("FROM", 1)
            table = after[1].split(None, 1)[0].lower() if len(after) > 1 else ""
        key = f"{verb} {table}".strip() + (" (many)" if executemany else "")
        self.kinds[key] += 1
        self.rows += len(params) if executemany else 1
        self.current = key
        self.began = time.perf_counter()

    def after(self, *args: Any) -> None:
        if self.on:
            self.seconds[self.current] += time.perf_counter() - self.began


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tms-profile-enrol-") as temp:
        work = Path(temp)
        url = f"sqlite+aiosqlite:///{work / 'bench.db'}"
        await schema.upgrade(url)
        trainer, trainees = await seed(url)
        saved = dict(os.environ)
        quiet = {"TMS_JOBS_WORKERS": "0", "TMS_LOG_LEVEL": "WARNING"}
        os.environ.update(tms_env(url, work, redis=False) | quiet)
        try:
            container = server_container(Settings.from_env())
            async with running(container):
                await ensure_admin(container, ADMIN_PASSWORD)
            app = create_app(container=container)
            settle_garbage_collector()  # as `tms serve` does (http/asgi.py)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        statements = Statements()
        event.listen(Engine, "before_cursor_execute", statements)
        event.listen(Engine, "after_cursor_execute", statements.after)
        profiler = cProfile.Profile() if args.profile else None
        took: list[float] = []
        cpu: list[float] = []
        counts: list[Counter[str]] = []
        spent: list[Counter[str]] = []
        collected: list[Counter[int]] = []
        collections = Collections()
        gc.callbacks.append(collections)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.lifespan(),
            httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=120) as client,
        ):
            answer = await client.post(
                "/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
            )
            answer.raise_for_status()
            headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
            for n in range(args.runs):
                body = {
                    "title": f"Profile session {n}",
                    "trainer_id": trainer,
                    "trainees": trainees,
                    "scheduled_date": (START + timedelta(days=n)).isoformat(),
                    "duration_minutes": 60,
                }
                statements.kinds = Counter()
                statements.seconds = Counter()
                collections.seconds = Counter()
                statements.on = True
                if profiler is not None and n > 0:
                    profiler.enable()
                began, cpu_began = time.perf_counter(), time.process_time()
                answer = await client.post("/sessions/", json=body, headers=headers)
                took.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - cpu_began) * 1000)
                if profiler is not None:
                    profiler.disable()
                statements.on = False
                assert answer.status_code == 201, answer.text
                assert len(answer.json()["trainees"]) == len(trainees)
                counts.append(statements.kinds)
                spent.append(statements.seconds)
                collected.append(collections.seconds)
        event.remove(Engine, "before_cursor_execute", statements)
        event.remove(Engine, "after_cursor_execute", statements.after)
    if profiler is not None:
        profiler.dump_stats(args.profile)
        for order in ("cumulative", "tottime"):
            print(f"--- top {args.top} by {order} (runs 2..{args.runs}) ---")
            pstats.Stats(profiler).sort_stats(order).print_stats(args.top)
    last = counts[-1]
    return {
        "answer_ms": [round(x, 1) for x in took],
        "median_ms_after_first": round(statistics.median(took[1:] or took), 1),
        "cpu_ms": [round(x, 1) for x in cpu],
        "cpu_median_ms_after_first": round(statistics.median(cpu[1:] or cpu), 1),
        "statements": sum(last.values()),
        "by_kind": dict(last.most_common()),
        "statement_ms_median": {
            key: round(statistics.median(s[key] for s in spent[1:] or spent) * 1000, 1)
            for key in last
        },
        "all_statements_ms_median": round(
            statistics.median(sum(s.values()) for s in spent[1:] or spent) * 1000, 1
        ),
        "gc_ms": [round(sum(c.values()) * 1000, 1) for c in collected],
        "gc_ms_by_generation_median": {
            g: round(statistics.median(c[g] for c in collected[1:] or collected) * 1000, 1)
            for g in range(3)
        },
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    found = asyncio.run(run(args))
    for key, value in found.items():
        print(f"{key}: {value}")
    if args.json:
        args.json.write_text(json.dumps(found, indent=2))


if __name__ == "__main__":
    main()
