"""`tms import-legacy` on a large old database: `python -m bench.bench_legacy_import`.

A MariaDB database of its own (legacy_bench_<random>, dropped afterwards) gets the earlier
system's schema (tests/data/legacy/schema.sql) and a generated population: 10,000 users
(1 admin, 100 trainers, 9,899 trainees, each with a passlib pbkdf2-sha256 hash and a
"created" password log line, every tenth a "changed" one too), 50,000 sessions (two hours
apart, so nobody is double booked; the older half completed, every fifth without a join
link), two trainees enrolled in each, attendance for each enrolment of a completed session,
and one trainer assignment per trainee. The command then brings it into a fresh SQLite
database, as an operator runs it (`tms import-legacy --from ...`, its own process), and once
more (nothing left to do). The shared sample (tests/data/legacy) is timed the same way.

Target (issue 17): the generated database migrates in under 2 minutes; the sample in seconds.

    python -m bench.bench_legacy_import [--users 10000] [--sessions 50000] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from legacy_db import SCHEMA, legacy_database, statements

MARIADB_URL = os.environ.get("TMS_TEST_MARIADB_URL", "mysql+asyncmy://root@127.0.0.1:3306/test")
TMS = str(Path(sys.executable).with_name("tms"))
# passlib's pbkdf2_sha256 hash of "admin123" (the sample's admin): every generated user's.
HASH = "$pbkdf2-sha256$29000$T5DYnQ5U6GNw3QJhjU8sUg$Swz0yS82Ij3HlOX.PfIGjMTrKskdPHn82ZYEC4mrAhM"
START = datetime(2021, 1, 4, 8, 0)
NOW = datetime(2026, 12, 1)
CHUNK = 5000


def population(users: int, sessions: int) -> dict[str, list[tuple[Any, ...]]]:
    trainers = max(1, users // 100)
    trainee_ids = list(range(trainers + 2, users + 1))
    rows: dict[str, list[tuple[Any, ...]]] = {
        "users": [],
        "sessions": [],
        "session_trainees": [],
        "attendance": [],
        "assigned_students": [],
        "password_change_logs": [],
    }
    for user_id in range(1, users + 1):
        role = "admin" if user_id == 1 else "trainer" if user_id <= trainers + 1 else "trainee"
        created = START - timedelta(days=30) + timedelta(minutes=user_id)
        rows["users"].append(
            (
                user_id,
                f"user{user_id}",
                f"user{user_id}@example.com",
                HASH,
                role,
                f"First{user_id}",
                f"Last{user_id}",
                user_id % 7 == 0,
                created,
                created,
            )
        )
        rows["password_change_logs"].append(
            (len(rows["password_change_logs"]) + 1, user_id, "created", 1, created, "created")
        )
        if user_id % 10 == 0:
            rows["password_change_logs"].append(
                (
                    len(rows["password_change_logs"]) + 1,
                    user_id,
                    "changed",
                    user_id,
                    created + timedelta(days=1),
                    "Password changed by self",
                )
            )
        if role == "trainee":
            teacher = 2 + user_id % trainers
            rows["assigned_students"].append(
                (len(rows["assigned_students"]) + 1, user_id, teacher, created)
            )
    for session_id in range(1, sessions + 1):
        start = START + timedelta(hours=2 * session_id)
        status = "completed" if start < NOW else "scheduled"
        link = None if session_id % 5 == 0 else secrets.token_hex(16)
        rows["sessions"].append(
            (
                session_id,
                f"Session {session_id}",
                "Generated for the legacy import bench",
                2 + session_id % trainers,
                start,
                60,
                status,
                "https://meet.example.com/s" + str(session_id),
                link,
                start - timedelta(days=7),
                start - timedelta(days=7),
            )
        )
        for seat in range(2):
            trainee = trainee_ids[(2 * session_id + seat) % len(trainee_ids)]
            rows["session_trainees"].append(
                (len(rows["session_trainees"]) + 1, session_id, trainee, start - timedelta(days=6))
            )
            if status == "completed":
                rows["attendance"].append(
                    (
                        len(rows["attendance"]) + 1,
                        session_id,
                        trainee,
                        seat == 0,
                        start + timedelta(hours=1),
                    )
                )
    return rows


COLUMNS = {
    "users": "id, username, email, password_hash, role, first_name, last_name,"
    " is_temporary_password, created_at, updated_at",
    "sessions": "id, title, description, trainer_id, scheduled_date, duration_minutes, status,"
    " class_link, session_link, created_at, updated_at",
    "session_trainees": "id, session_id, trainee_id, added_at",
    "attendance": "id, session_id, trainee_id, present, marked_at",
    "assigned_students": "id, student_id, teacher_id, assigned_date",
    "password_change_logs": "id, user_id, action, performed_by, `timestamp`, details",
}


async def generate(users: int, sessions: int) -> tuple[str, str, dict[str, int]]:
    import asyncmy

    url = make_url(MARIADB_URL)
    name = f"legacy_bench_{secrets.token_hex(4)}"
    conn = await asyncmy.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        charset="utf8mb4",
    )
    rows = population(users, sessions)
    try:
        async with conn.cursor() as cursor:
            await cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
            await cursor.execute(f"USE `{name}`")
            for statement in statements(SCHEMA.read_text("utf-8")):
                await cursor.execute(statement)
            for table, values in rows.items():
                columns = COLUMNS[table]
                marks = ", ".join(["%s"] * len(columns.split(",")))
                for start in range(0, len(values), CHUNK):
                    await cursor.executemany(
                        f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                        values[start : start + CHUNK],
                    )
        await conn.commit()
    finally:
        conn.close()
    source = url.set(database=name).render_as_string(hide_password=False)
    return name, source, {table: len(values) for table, values in rows.items()}


async def drop(name: str) -> None:
    import asyncmy

    url = make_url(MARIADB_URL)
    conn = await asyncmy.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
    )
    try:
        async with conn.cursor() as cursor:
            await cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        conn.close()


def import_once(source: str, folder: Path) -> tuple[float, str, str]:
    """`tms import-legacy` as its own process into the SQLite file in ``folder``: the wall
    time of the process (start-up and migrations included), its summary, and the time it
    says the import itself took."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMS_")}
    env.update(TMS_DATABASE_URL=f"sqlite+aiosqlite:///{folder / 'tms.db'}", TMS_VAR_DIR=str(folder))
    started = time.perf_counter()
    done = subprocess.run(
        [TMS, "import-legacy", "--from", source],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"tms import-legacy failed:\n{done.stdout}\n{done.stderr}")
    lines = done.stdout.splitlines()
    total = next(line for line in lines if line.startswith("Total: "))
    took = next(line for line in lines if line.startswith("The import itself took "))
    return elapsed, total.removeprefix("Total: "), took.removeprefix("The import itself took ")


def timed_runs(source: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tms-legacy-bench-") as directory:
        first, first_total, first_import = import_once(source, Path(directory))
        second, second_total, second_import = import_once(source, Path(directory))
    return {
        "first_run_s": round(first, 1),
        "first_run_import": first_import,
        "first_run": first_total,
        "second_run_s": round(second, 1),
        "second_run_import": second_import,
        "second_run": second_total,
        "load_after": os.getloadavg(),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=50_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, Any] = {"nproc": os.cpu_count(), "load_before": os.getloadavg()}

    async with legacy_database() as sample:
        results["sample"] = await asyncio.to_thread(timed_runs, sample)
    print("sample:", json.dumps(results["sample"]), flush=True)

    started = time.perf_counter()
    name, source, rows = await generate(args.users, args.sessions)
    results["generated_rows"] = rows
    results["generate_s"] = round(time.perf_counter() - started, 1)
    print("generated:", rows, f"in {results['generate_s']} s", flush=True)
    try:
        results["large"] = await asyncio.to_thread(timed_runs, source)
    finally:
        await drop(name)
    print("large:", json.dumps(results["large"]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    asyncio.run(main())
