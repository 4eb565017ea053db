"""A user's activity timeline over a large audit trail: `python -m bench.bench_activity`.

A fresh SQLite database (MariaDB too with ``--databases sqlite,mariadb``) gets ``--rows``
audit entries (default 200,000) about 1,000 users, half of them actions the timeline shows,
written straight into the table. One user's first page (100 items) and a later one (skip
50) are then read ``--runs`` times through the timeline adapter; medians and the fastest
run are reported, with the database's plan for the query.

    python -m bench.bench_activity [--databases sqlite] [--rows 200000] [--runs 15]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text

from bench.databases import medians, on_each_database
from tms_adapters.persistence.sql import migrations as schema
from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.achievements import SqlaActivityTimeline
from tms_adapters.persistence.sql.engine import create_engine
from tms_domain.skills.use_cases.activity import ACTIVITY

USERS = 1000
SHOWN = sorted(ACTIVITY)
QUERY = (
    "SELECT * FROM audit_log WHERE subject_id = 42 AND action IN "
    "('user.signed_in', 'lesson.completed') ORDER BY id DESC LIMIT 100"
)
PLAN = {"sqlite": f"EXPLAIN QUERY PLAN {QUERY}", "mariadb": f"EXPLAIN {QUERY}"}
HIDDEN = ["session.created", "session.updated", "user.updated", "course.updated"]


def _rows(count: int) -> list[dict[str, Any]]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        {
            "at": start + timedelta(seconds=n),
            "actor_id": n % USERS + 1,
            "actor": None,
            "action": SHOWN[n % len(SHOWN)] if n % 2 else HIDDEN[n % len(HIDDEN)],
            "target_type": "user",
            "target_id": n % USERS + 1,
            "changes": {},
            "subject_id": n % USERS + 1,
        }
        for n in range(count)
    ]


async def measure(kind: str, url: str, rows: int, runs: int) -> dict[str, Any]:
    await schema.upgrade(url)
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            batch = _rows(rows)
            for first in range(0, rows, 10_000):
                await conn.execute(insert(t.audit_log), batch[first : first + 10_000])
        timings: dict[str, list[float]] = {"first page": [], "skip 50": []}
        async with engine.connect() as conn:
            timeline = SqlaActivityTimeline(conn)
            for _ in range(runs):
                for name, skip in (("first page", 0), ("skip 50", 50)):
                    began = time.perf_counter()
                    found = await timeline.page(42, ACTIVITY.keys(), skip=skip, limit=100)
                    timings[name].append((time.perf_counter() - began) * 1000)
                    assert found
            plan = await conn.execute(text(PLAN[kind]))
            plan_rows = [str(tuple(row)) for row in plan]
    finally:
        await engine.dispose()
    return {
        "database": kind,
        "audit_rows": rows,
        "ms": medians(timings, digits=2),
        "plan": plan_rows,
    }


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    return await on_each_database(
        args.databases, lambda kind, url: measure(kind, url, args.rows, args.runs)
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    for result in asyncio.run(main_async(args)):
        print(json.dumps(result))


if __name__ == "__main__":
    main()
