"""The lists part two added, against the real server: `python -m bench.bench_feature_lists`.

Issue 20 asks every list the feature issues added (courses, course enrolments, course
progress, notifications, batches, imports) to join the bench with rows of its own, at
p50 under 20 ms for limit=100 at concurrency 1. For each database (SQLite; MariaDB with
``--databases sqlite,mariadb``) a fresh database is filled with `tms demo` data (20
trainers, 1,000 trainees, 1,000 sessions of 10), then written straight into the tables
(bulk inserts through SQLAlchemy Core; the use cases would take minutes):

- the courses of bench_courses (50 courses, 10,000 enrolments, ~150,000 completions);
- 200 batches with a trainer each, 20 members each, the first of 300 members;
- 500 notifications of the admin, the older half read;
- 200 finished user imports by the admin, two rows rejected in each.

A `tms serve` (one uvicorn worker) answers each list at concurrency 1 with the suite's load
generator (wrk, or httpx), ``--runs`` times for ``--seconds`` each; the table gives the
medians of p50, p99, requests/s and server CPU per request, and the bytes of one answer
(so a list that came back short would show).

    python -m bench.bench_feature_lists [--databases sqlite,mariadb] [--runs 3] [--seconds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.bench_courses import CHUNK, TARGET_MS, Case, measure_case, seed_courses
from bench.load import LoadGenerator
from bench.run import (
    ADMIN_PASSWORD,
    RESULTS,
    Config,
    database,
    fill_demo,
    log,
    mariadb_reachable,
    sign_in,
    start_tms,
    tms_env,
    write_results,
)
from bench.servers import Server
from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.engine import create_engine

BATCHES = 200
MEMBERS = 20
BIG_BATCH_MEMBERS = 300
NOTIFICATIONS = 500
IMPORTS = 200


@dataclass(frozen=True)
class OtherData:
    """What ``seed_others`` wrote, and the ids the cases ask for."""

    batches: int
    members: int
    big_batch_id: int
    notifications: int
    imports: int
    seconds: float


async def seed_others(database_url: str) -> OtherData:
    """Batches with members and trainers, the admin's notifications and imports, written
    into a migrated database that holds `tms demo` data. Ids continue from the largest."""
    started = time.perf_counter()
    now = datetime.now(UTC).replace(microsecond=0)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:

            async def ids_of(role: str) -> list[int]:
                query = select(t.users.c.id).where(t.users.c.role == role).order_by("id")
                return list((await conn.execute(query)).scalars())

            async def next_id(table: Any) -> int:
                largest = (await conn.execute(select(func.max(table.c.id)))).scalar_one()
                return int(largest or 0) + 1

            trainers, trainees = await ids_of("trainer"), await ids_of("trainee")
            (admin_id,) = await ids_of("admin")
            if len(trainees) < BIG_BATCH_MEMBERS or not trainers:
                raise RuntimeError("run `tms demo` first: too few trainees or no trainer")
            batch_id = first_batch = await next_id(t.tables_cohorts.batches)
            batch_rows, member_rows, trainer_rows = [], [], []
            for number in range(BATCHES):
                created = now - timedelta(days=BATCHES - number)
                code = f"BENCH-B{number + 1:04d}"
                batch_rows.append(
                    {
                        "id": batch_id,
                        "code": code,
                        "code_key": code.casefold(),
                        "name": f"Bench cohort {number + 1}",
                        "description": "A cohort of the benchmark's data set.",
                        "starts_on": created.date(),
                        "ends_on": (created + timedelta(days=90)).date(),
                        "created_at": created,
                        "updated_at": created,
                    }
                )
                trainer_rows.append(
                    {"batch_id": batch_id, "trainer_id": trainers[number % len(trainers)]}
                )
                count = BIG_BATCH_MEMBERS if number == 0 else MEMBERS
                start = (number * MEMBERS) % (len(trainees) - count)
                member_rows.extend(
                    {"batch_id": batch_id, "trainee_id": trainee, "joined_at": created}
                    for trainee in trainees[start : start + count]
                )
                batch_id += 1
            notification_rows = [
                {
                    "user_id": admin_id,
                    "kind": "session_assigned",
                    "title": "You were enrolled in a session",
                    "message": f"Bench session {number + 1} on {now:%d %B %Y}",
                    "link": f"/sessions/{number + 1}",
                    "created_at": now - timedelta(minutes=NOTIFICATIONS - number),
                    "read_at": now if number < NOTIFICATIONS // 2 else None,
                    "dedupe_key": f"bench:{admin_id}:{number}",
                }
                for number in range(NOTIFICATIONS)
            ]
            import_id = await next_id(t.import_tables.imports)
            import_rows = [
                {
                    "id": import_id + number,
                    "kind": "users",
                    "file_id": None,
                    "file_name": f"learners-{number + 1:03d}.csv",
                    "sha256": f"{number:064x}",
                    "format": "csv",
                    "dry_run": number % 2 == 0,
                    "invite": True,
                    "batch_id": None,
                    "course_id": None,
                    "status": "succeeded",
                    "running_key": None,
                    "total_rows": 250,
                    "processed_rows": 250,
                    "created": 240,
                    "updated": 5,
                    "unchanged": 3,
                    "failed": 2,
                    "error": None,
                    "created_by": admin_id,
                    "created_at": now - timedelta(hours=IMPORTS - number),
                    "finished_at": now - timedelta(hours=IMPORTS - number, minutes=-1),
                }
                for number in range(IMPORTS)
            ]
            rejection_rows = [
                {
                    "import_id": row["id"],
                    "row": line,
                    "cells": {"email": f"not-an-address-{line}", "role": "chef"},
                    "errors": [
                        {"column": "email", "message": "Not a valid e-mail address"},
                        {"column": "role", "message": "Unknown role"},
                    ],
                }
                for row in import_rows
                for line in (17, 204)
            ]
            for table, rows in (
                (t.tables_cohorts.batches, batch_rows),
                (t.tables_cohorts.batch_trainers, trainer_rows),
                (t.tables_cohorts.batch_members, member_rows),
                (t.notification_tables.notifications, notification_rows),
                (t.import_tables.imports, import_rows),
                (t.import_tables.import_rejections, rejection_rows),
            ):
                for start in range(0, len(rows), CHUNK):
                    await conn.execute(table.insert(), rows[start : start + CHUNK])
    finally:
        await engine.dispose()
    return OtherData(
        batches=len(batch_rows),
        members=len(member_rows),
        big_batch_id=first_batch,
        notifications=len(notification_rows),
        imports=len(import_rows),
        seconds=time.perf_counter() - started,
    )


def cases(big_course_id: int, busiest_trainee_id: int, other: OtherData) -> list[Case]:
    return [
        Case("courses100", "GET /courses/?limit=100", "/courses/?limit=100", TARGET_MS),
        Case(
            "enrolments100",
            "GET /courses/{id}/enrolments?limit=100 (200 lessons, 200 enrolled)",
            f"/courses/{big_course_id}/enrolments?limit=100",
            TARGET_MS,
        ),
        Case(
            "trainee_courses",
            "GET /progress/trainee/{id}/courses (the trainee in the most courses)",
            f"/progress/trainee/{busiest_trainee_id}/courses",
            TARGET_MS,
        ),
        Case(
            "notifications100",
            "GET /notifications/?limit=100",
            "/notifications/?limit=100",
            TARGET_MS,
        ),
        Case(
            "unread100",
            "GET /notifications/?unread=true&limit=100",
            "/notifications/?unread=true&limit=100",
            TARGET_MS,
        ),
        Case("batches100", "GET /batches/?limit=100", "/batches/?limit=100", TARGET_MS),
        Case(
            "members100",
            "GET /batches/{id}/trainees?limit=100 (300 members)",
            f"/batches/{other.big_batch_id}/trainees?limit=100",
            TARGET_MS,
        ),
        Case("imports100", "GET /imports/?limit=100", "/imports/?limit=100", TARGET_MS),
    ]


def run_database(kind: str, args: argparse.Namespace, work_dir: Path) -> dict[str, Any]:
    db_dir = work_dir / kind
    db_dir.mkdir()
    with database(kind, db_dir) as url:
        env = tms_env(url, db_dir, redis=False)
        log(f"{kind}: filling with tms demo (1,000 sessions) ...")
        demo_seconds = fill_demo(env, db_dir, quick=True)
        log(f"{kind}: seeding courses, batches, notifications and imports ...")
        courses = asyncio.run(seed_courses(url))
        other = asyncio.run(seed_others(url))
        server: Server = start_tms(Config(kind, "uvicorn", 1), env, db_dir)
        load = LoadGenerator(db_dir, prefer_wrk=not args.httpx)
        results: dict[str, Any] = {
            "demo_seconds": round(demo_seconds, 1),
            "data": {**courses.__dict__, **other.__dict__},
            "cases": {},
        }
        try:
            token = sign_in(server, "admin", ADMIN_PASSWORD)
            for case in cases(courses.big_course_id, courses.busiest_trainee_id, other):
                log(f"  {case.label}")
                results["cases"][case.key] = {
                    "label": case.label,
                    **measure_case(load, server, token, case, args.runs, args.seconds),
                }
            results["server_rss_mib"] = round(server.rss_mib(), 1)
        finally:
            server.stop()
        results["load_generator"] = load.name
    return results


def markdown(found: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        f"## The lists part two added (`python -m bench.bench_feature_lists`, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"One uvicorn worker, concurrency 1, medians of {args.runs} runs of {args.seconds} s, "
        "signed in as the admin (who sees every row).",
        "",
        "| database | list | p50 ms | p99 ms | req/s | server CPU ms/req | bytes | target | met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, result in found.items():
        if "not_run" in result:
            lines.append(f"| {kind} | not run: {result['not_run']} ||||||||")
            continue
        for case in result["cases"].values():
            if "not_run" in case:
                lines.append(f"| {kind} | {case['label']} | not run: {case['not_run']} |||||||")
                continue
            met = {True: "yes", False: "**no**"}[case["met"]]
            lines.append(
                f"| {kind} | {case['label']} | {case['p50_ms']:.2f} | {case['p99_ms']:.2f} | "
                f"{case['rps']:.1f} | {case['cpu_ms']:.2f} | {case['bytes']:,} | "
                f"< {case['target_ms']:.0f} ms | {met} |"
            )
    for kind, result in found.items():
        if "data" in result:
            data = result["data"]
            lines.append(
                f"\n{kind}: {data['courses']} courses, {data['enrolments']:,} enrolments, "
                f"{data['completions']:,} completions; {data['batches']} batches of "
                f"{data['members']:,} members; {data['notifications']} notifications; "
                f"{data['imports']} imports; load generator {result['load_generator']}; "
                f"server RSS after {result['server_rss_mib']} MiB."
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite", help="sqlite,mariadb")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--httpx", action="store_true", help="use httpx even when wrk exists")
    parser.add_argument("--write", action="store_true", help="add the table to RESULTS.md")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="tms-bench-lists-") as tmp:
        for kind in args.databases.split(","):
            if kind == "mariadb" and not mariadb_reachable():
                found[kind] = {"not_run": "MariaDB is not reachable"}
                continue
            found[kind] = run_database(kind, args, Path(tmp))
    text = markdown(found, args)
    print(text)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"feature-lists-{stamp}.json").write_text(json.dumps(found, indent=2))
    if args.write:
        write_results(RESULTS.parent / "RESULTS.md", text)


if __name__ == "__main__":
    main()
