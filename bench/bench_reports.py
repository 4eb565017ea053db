"""Report downloads end to end: GET /reports/generate from a real `tms serve` on a large data set.

A data set of ``--users`` users (1 admin, one trainer per 50 users, the rest trainees; names
in Latin, Cyrillic, Greek, Chinese, Japanese and Korean script) and ``--sessions`` sessions
of 10 random trainees each (60 % scheduled, 30 % completed, 10 % cancelled; half of the
completed ones have attendance marked for every trainee; created over three years, each
starting up to 60 days after it was created, so that ids and start times go roughly
together as in a real system) is written into a fresh database after
`tms migrate` and `tms create-admin`, with bulk inserts through SQLAlchemy Core on the
project's tables (a bench fixture: the use cases would take hours for a million
enrolments). The database is kept in the system's temporary directory (SQLite) or as
``tms_bench_reports_v<version>_<users>u_<sessions>s`` (MariaDB) and reused by later runs
with the same sizes.

For each database (SQLite; MariaDB when reachable at TMS_BENCH_MARIADB_URL, default
root@127.0.0.1:3306), each data size (``--sessions`` and ``--half``, to see whether memory
grows with the data), each format (csv, xlsx, pdf) and each section choice
(``sections=sessions`` and every section) a fresh `tms serve` starts on a free loopback
port, the admin signs in, and the report is downloaded ``--runs`` times by a streaming
client in this process that counts and discards the bytes. Measured:

- seconds: wall time from sending the request to the last byte (median of the runs);
- first_byte_s: time to the first body byte (median);
- growth_mb: peak resident memory (VmRSS of the server process, sampled every 50 ms during
  each download) minus the server's resident memory at rest after sign-in, before the first
  download: the largest over the runs (the first, cold run pays for loading fonts);
- cpu_s: the server's CPU seconds per download (median).

Targets (2 shared cores): for ``sections=sessions`` at the full size, CSV under 5 s, Excel
under 15 s, PDF under 30 s; for every download, growth under 150 MB; and growth flat with
the data: at the full size at most 25 % (+10 MB of slack) above the half size.

    python -m bench.bench_reports [--databases sqlite,mariadb] [--sessions 100000]
        [--users 10000] [--half 50000] [--runs 3] [--formats csv,xlsx,pdf]
        [--sections sessions,all] [--json FILE]

``run()`` returns the results as a dict; the command prints a Markdown table and writes
JSON and Markdown to bench/results/reports-<timestamp>.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.servers import cpu_seconds, free_port, stop_process
from tms_adapters.persistence.sql import tables as t

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
TMS = str(Path(sys.executable).with_name("tms"))
MARIADB_URL = os.environ.get("TMS_BENCH_MARIADB_URL", "mysql+asyncmy://root@127.0.0.1:3306/")
DATA_DIR = Path(tempfile.gettempdir()) / "tms-bench-reports"

ADMIN = "admin"
ADMIN_PASSWORD = "bench reports admin passphrase"
FORMATS = ("csv", "xlsx", "pdf")
SECTION_CHOICES = {"sessions": "sessions", "all": None}
TARGET_SECONDS = {"csv": 5.0, "xlsx": 15.0, "pdf": 30.0}
TARGET_GROWTH_MB = 150.0
FLAT_RATIO = 1.25
FLAT_SLACK_MB = 10.0
SAMPLE_SECONDS = 0.05
TRAINEES_PER_SESSION = 10
DATASET_VERSION = 2
"""Part of the database name: a change to the generator makes a new data set."""
INSERT_BATCH = 10_000
DOWNLOAD_TIMEOUT = 600.0

FIRST_NAMES = (
    "Alice",
    "Борис",
    "Γιώργος",
    "小明",
    "Maria",
    "John",
    "Ольга",
    "花子",
    "민준",
    "Lena",
    "Ahmed",
    "Zoë",
    "Ελένη",
    "Дмитрий",
    "Priya",
    "Ingrid",
)
LAST_NAMES = (
    "Martin",
    "Иванов",
    "Παπαδόπουλος",
    "王",
    "García",
    "O'Neil",
    "Петрова",
    "田中",
    "김",
    "Müller",
    "Khan",
    "Dubois",
    "Νικολάου",
    "Соколов",
    "Sharma",
    "Solberg",
)
TITLES = (
    "Working with Python",
    "Safety briefing",
    "Kubernetes basics",
    "Введение в SQL",
    "Εισαγωγή στη στατιστική",
    "数据分析入门",
    "Customer service",
    "Leadership workshop",
)
START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)


# The data set


def _database_url(kind: str, sessions: int, users: int) -> str:
    name = f"tms_bench_reports_v{DATASET_VERSION}_{users}u_{sessions}s"
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{DATA_DIR / (name + '.db')}"
    return make_url(MARIADB_URL).set(database=name).render_as_string(hide_password=False)


def _env(url: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMS_")}
    env.update(
        TMS_DATABASE_URL=url,
        TMS_VAR_DIR=str(var_dir),
        TMS_ADMIN_USERNAME=ADMIN,
        TMS_ADMIN_PASSWORD=ADMIN_PASSWORD,
        TMS_LOG_LEVEL="WARNING",
    )
    return env


def _tms(url: str, var_dir: Path, *args: str) -> None:
    subprocess.run(
        [TMS, *args], env=_env(url, var_dir), cwd=var_dir, check=True, capture_output=True
    )


async def _counts(engine: AsyncEngine) -> tuple[int, int, int]:
    async with engine.connect() as conn:
        users = (await conn.execute(select(func.count()).select_from(t.users))).scalar_one()
        sessions = (
            await conn.execute(select(func.count()).select_from(t.training_sessions))
        ).scalar_one()
        enrolments = (
            await conn.execute(select(func.count()).select_from(t.enrolments))
        ).scalar_one()
    return int(users), int(sessions), int(enrolments)


async def _create_mariadb_database(url: str, drop: bool) -> None:
    parsed = make_url(url)
    server = create_async_engine(parsed.set(database=""))
    try:
        async with server.connect() as conn:
            if drop:
                await conn.execute(text(f"DROP DATABASE IF EXISTS `{parsed.database}`"))
            found = await conn.execute(
                text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :name"),
                {"name": parsed.database},
            )
            if found.first() is None:  # (IF NOT EXISTS would print a warning)
                await conn.execute(
                    text(
                        f"CREATE DATABASE `{parsed.database}` "
                        "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                    )
                )
    finally:
        await server.dispose()


def _user_rows(first_id: int, count: int, trainers: int, now: datetime) -> Iterator[dict[str, Any]]:
    for user_id in range(first_id, first_id + count):
        role = "trainer" if user_id < first_id + trainers else "trainee"
        username = f"{role}{user_id}"
        yield {
            "id": user_id,
            "username": username,
            "username_key": username,
            "email": f"{username}@example.org",
            "email_key": f"{username}@example.org",
            "role": role,
            "first_name": FIRST_NAMES[user_id % len(FIRST_NAMES)],
            "last_name": LAST_NAMES[(user_id // len(FIRST_NAMES)) % len(LAST_NAMES)],
            "password_hash": "!",  # nobody signs in as a generated user
            "is_temporary_password": False,
            "created_at": now,
            "updated_at": now,
        }


async def _insert(engine: AsyncEngine, table: Any, rows: Iterator[dict[str, Any]]) -> int:
    written = 0
    batch: list[dict[str, Any]] = []
    async with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        for row in rows:
            batch.append(row)
            if len(batch) == INSERT_BATCH:
                await conn.execute(table.insert(), batch)
                written += len(batch)
                batch = []
        if batch:
            await conn.execute(table.insert(), batch)
            written += len(batch)
    return written


async def _fill(url: str, users: int, sessions: int, seed: int) -> None:
    rng = random.Random(seed)
    now = datetime(2025, 1, 1, tzinfo=UTC)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            first_id = (
                int(
                    (
                        await conn.execute(select(func.coalesce(func.max(t.users.c.id), 0)))
                    ).scalar_one()
                )
                + 1
            )
        generated = users - 1  # the admin exists already
        trainers = max(1, users // 50)
        await _insert(engine, t.users, _user_rows(first_id, generated, trainers, now))
        trainer_ids = list(range(first_id, first_id + trainers))
        trainee_ids = list(range(first_id + trainers, first_id + generated))

        plan: list[tuple[int, str, list[int]]] = []  # (session id, status, trainees)

        # Sessions are created over three years, each scheduled up to 60 days after it was
        # created: ids and start times go roughly together, as they do in a real system.
        slots = 3 * 365 * 48  # half hours
        step = slots / sessions

        def session_rows() -> Iterator[dict[str, Any]]:
            for session_id in range(1, sessions + 1):
                draw = rng.random()
                status = "scheduled" if draw < 0.6 else "completed" if draw < 0.9 else "cancelled"
                slot = int(session_id * step) + rng.randrange(0, 60 * 48)
                start = START + timedelta(minutes=30 * slot)
                minutes = rng.choice((30, 45, 60, 90, 120))
                plan.append((session_id, status, rng.sample(trainee_ids, TRAINEES_PER_SESSION)))
                yield {
                    "id": session_id,
                    "title": f"{TITLES[session_id % len(TITLES)]} #{session_id}",
                    "description": None,
                    "trainer_id": rng.choice(trainer_ids),
                    "scheduled_date": start,
                    "ends_at": start + timedelta(minutes=minutes),
                    "duration_minutes": minutes,
                    "status": status,
                    "class_link": None,
                    "session_link": f"bench-{session_id:012d}",
                    "created_at": now,
                    "updated_at": now,
                }

        await _insert(engine, t.training_sessions, session_rows())

        def enrolment_rows() -> Iterator[dict[str, Any]]:
            for session_id, _status, trainees in plan:
                for trainee_id in trainees:
                    yield {"session_id": session_id, "trainee_id": trainee_id, "enrolled_at": now}

        await _insert(engine, t.enrolments, enrolment_rows())

        def attendance_rows() -> Iterator[dict[str, Any]]:
            for session_id, status, trainees in plan:
                if status != "completed" or session_id % 2:
                    continue
                for trainee_id in trainees:
                    yield {
                        "session_id": session_id,
                        "trainee_id": trainee_id,
                        "present": rng.random() < 0.8,
                        "marked_at": now,
                    }

        await _insert(engine, t.attendance, attendance_rows())
        if engine.dialect.name == "sqlite":
            async with engine.connect() as conn:
                await conn.exec_driver_sql("ANALYZE")
        else:
            async with engine.connect() as conn:
                for table in ("users", "training_sessions", "enrolments", "attendance"):
                    await conn.exec_driver_sql(f"ANALYZE TABLE {table}")
    finally:
        await engine.dispose()


def prepare(kind: str, users: int, sessions: int, seed: int = 7) -> dict[str, Any]:
    """The database for this size, generated unless a complete one is there already."""
    url = _database_url(kind, sessions, users)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    var_dir = DATA_DIR / "var"
    var_dir.mkdir(exist_ok=True)
    expected = (users, sessions, sessions * TRAINEES_PER_SESSION)

    async def existing() -> tuple[int, int, int] | None:
        engine = create_async_engine(url)
        try:
            return await _counts(engine)
        except Exception:
            return None
        finally:
            await engine.dispose()

    if kind == "mariadb":
        asyncio.run(_create_mariadb_database(url, drop=False))
    if asyncio.run(existing()) == expected:
        return {"url": url, "generated": False, "seconds": 0.0}
    started = time.perf_counter()
    if kind == "sqlite":
        database = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    else:
        asyncio.run(_create_mariadb_database(url, drop=True))
    _tms(url, var_dir, "migrate")
    _tms(url, var_dir, "create-admin", "--password", ADMIN_PASSWORD)
    asyncio.run(_fill(url, users, sessions, seed))
    found = asyncio.run(existing())
    if found != expected:
        raise RuntimeError(f"generated {found}, expected {expected} (users, sessions, enrolments)")
    return {"url": url, "generated": True, "seconds": round(time.perf_counter() - started, 1)}


# The server and the downloads


def vm_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class RssSampler:
    """Reads a process's VmRSS every 50 ms in a thread; ``peak`` is the largest seen."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self.peak = vm_rss_mb(pid)
        self.samples = 1
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            with contextlib.suppress(OSError):
                self.peak = max(self.peak, vm_rss_mb(self._pid))
                self.samples += 1

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        with contextlib.suppress(OSError):
            self.peak = max(self.peak, vm_rss_mb(self._pid))


class ReportServer:
    """`tms serve` on a free loopback port, signed in as the admin."""

    def __init__(self, url: str, log_path: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        var_dir = DATA_DIR / "var"
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [TMS, "serve", "--port", str(self.port)],
                env=_env(url, var_dir),
                cwd=var_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.log_path = log_path
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"tms serve did not start:\n{log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        answer = httpx.post(
            f"{self.base_url}/auth/login",
            json={"username": ADMIN, "password": ADMIN_PASSWORD},
            timeout=30,
        )
        answer.raise_for_status()
        self.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}

    @property
    def pid(self) -> int:
        return self.process.pid

    def download(self, report_format: str, sections: str | None) -> dict[str, Any]:
        params = {"format": report_format}
        if sections:
            params["sections"] = sections
        size = 0
        first_byte = None
        cpu_before = cpu_seconds([self.pid])
        with (
            httpx.Client(base_url=self.base_url, timeout=DOWNLOAD_TIMEOUT) as client,
            RssSampler(self.pid) as sampler,
        ):
            started = time.perf_counter()
            with client.stream(
                "GET", "/reports/generate", params=params, headers=self.headers
            ) as response:
                if response.status_code != 200:
                    response.read()
                    raise RuntimeError(f"{response.status_code}: {response.text[:300]}")
                for chunk in response.iter_raw(256 * 1024):
                    if first_byte is None:
                        first_byte = time.perf_counter() - started
                    size += len(chunk)
            seconds = time.perf_counter() - started
        return {
            "seconds": seconds,
            "first_byte_s": first_byte or seconds,
            "bytes": size,
            "peak_rss_mb": sampler.peak,
            "samples": sampler.samples,
            "cpu_s": cpu_seconds([self.pid]) - cpu_before,
        }

    def stop(self) -> None:
        stop_process(self.process)


def measure(
    database: str, url: str, sessions: int, report_format: str, sections: str, runs: int
) -> dict[str, Any]:
    """A fresh server, then ``runs`` downloads of one report."""
    RESULTS.mkdir(exist_ok=True)
    log_path = DATA_DIR / f"server-{database}-{sessions}-{report_format}-{sections}.log"
    server = ReportServer(url, log_path)
    try:
        time.sleep(0.5)
        load = os.getloadavg()[0]
        at_rest = vm_rss_mb(server.pid)
        downloads = [server.download(report_format, SECTION_CHOICES[sections]) for _ in range(runs)]
    finally:
        server.stop()
    return {
        "database": database,
        "sessions": sessions,
        "format": report_format,
        "sections": sections,
        "runs": runs,
        "seconds": round(statistics.median(d["seconds"] for d in downloads), 2),
        "seconds_each": [round(d["seconds"], 2) for d in downloads],
        "first_byte_s": round(statistics.median(d["first_byte_s"] for d in downloads), 3),
        "mb": round(statistics.median(d["bytes"] for d in downloads) / 1e6, 1),
        "rss_at_rest_mb": round(at_rest, 1),
        "growth_mb": round(max(d["peak_rss_mb"] for d in downloads) - at_rest, 1),
        "growth_each_mb": [round(d["peak_rss_mb"] - at_rest, 1) for d in downloads],
        "cpu_s": round(statistics.median(d["cpu_s"] for d in downloads), 2),
        "rss_samples": min(d["samples"] for d in downloads),
        "load_1m_before": round(load, 2),
    }


def _measure_retrying(
    database: str, url: str, sessions: int, report_format: str, sections: str, runs: int
) -> dict[str, Any] | None:
    """``measure``, once more on a fresh server when a download breaks off (on a shared
    machine a server may be stopped from outside); None when it fails twice, so that one
    broken measurement does not lose the others."""
    for attempt in (1, 2):
        try:
            return measure(database, url, sessions, report_format, sections, runs)
        except (httpx.HTTPError, RuntimeError) as error:
            print(
                f"{database} {sessions} {report_format} {sections}: attempt {attempt} "
                f"failed: {error!r}",
                file=sys.stderr,
                flush=True,
            )
    return None


def _mariadb_reachable() -> bool:
    parsed = make_url(MARIADB_URL)
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 3306), 1):
            return True
    except OSError:
        return False


def run(
    databases: tuple[str, ...] = ("sqlite", "mariadb"),
    sessions: int = 100_000,
    users: int = 10_000,
    half: int = 50_000,
    runs: int = 3,
    formats: tuple[str, ...] = FORMATS,
    sections: tuple[str, ...] = ("sessions", "all"),
) -> dict[str, Any]:
    """Every measurement, the targets and whether each is met."""
    skipped = []
    if "mariadb" in databases and not _mariadb_reachable():
        skipped.append("mariadb (not reachable)")
        databases = tuple(d for d in databases if d != "mariadb")
    sizes = tuple(dict.fromkeys(size for size in (sessions, half) if size))
    datasets: dict[str, Any] = {}
    results: list[dict[str, Any]] = []
    for database in databases:
        for size in sizes:
            prepared = prepare(database, users, size)
            datasets[f"{database}/{size}"] = {k: v for k, v in prepared.items() if k != "url"}
            for report_format in formats:
                for choice in sections:
                    result = _measure_retrying(
                        database, prepared["url"], size, report_format, choice, runs
                    )
                    if result is None:
                        skipped.append(f"{database} {size} {report_format} {choice} (failed)")
                        continue
                    print(_row(result), file=sys.stderr, flush=True)
                    results.append(result)
    return {
        "benchmark": "reports",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
        "users": users,
        "sizes": sizes,
        "trainees_per_session": TRAINEES_PER_SESSION,
        "datasets": datasets,
        "skipped": skipped,
        "results": results,
        "targets_met": _checks(results, sessions, half),
    }


def _checks(results: list[dict[str, Any]], full: int, half: int) -> dict[str, bool]:
    checks: dict[str, bool] = {}
    index = {(r["database"], r["sessions"], r["format"], r["sections"]): r for r in results}
    for r in results:
        if r["sessions"] == full and r["sections"] == "sessions":
            limit = TARGET_SECONDS[r["format"]]
            checks[f"{r['database']} {r['format']} sessions under {limit:.0f} s"] = (
                r["seconds"] < limit
            )
    for r in results:
        checks[
            f"{r['database']} {r['sessions']} {r['format']} {r['sections']} growth under "
            f"{TARGET_GROWTH_MB:.0f} MB"
        ] = r["growth_mb"] < TARGET_GROWTH_MB
    for (database, size, report_format, choice), r in index.items():
        smaller = index.get((database, half, report_format, choice))
        if size != full or smaller is None or half == full:
            continue
        checks[f"{database} {report_format} {choice} growth flat from {half} to {full}"] = (
            r["growth_mb"] <= smaller["growth_mb"] * FLAT_RATIO + FLAT_SLACK_MB
        )
    return checks


_HEADER = (
    "| database | sessions | format | sections | seconds (median) | each | first byte s "
    "| MB | server CPU s | RSS at rest MB | growth MB (max) | growth each | load |\n"
    "|---|---:|---|---|---:|---|---:|---:|---:|---:|---:|---|---:|"
)


def _row(r: dict[str, Any]) -> str:
    return (
        f"| {r['database']} | {r['sessions']} | {r['format']} | {r['sections']} "
        f"| {r['seconds']} | {r['seconds_each']} | {r['first_byte_s']} | {r['mb']} "
        f"| {r['cpu_s']} | {r['rss_at_rest_mb']} | {r['growth_mb']} | {r['growth_each_mb']} "
        f"| {r['load_1m_before']} |"
    )


def markdown(report: dict[str, Any]) -> str:
    load = " ".join(f"{x:.2f}" for x in report["load_average"])
    lines = [
        f"# Report downloads ({report['at']})",
        "",
        f"{report['users']} users; sessions of {report['trainees_per_session']} trainees; "
        f"{report['cpus']} CPUs; load average at the end {load}.",
        "",
        _HEADER,
        *(_row(r) for r in report["results"]),
        "",
        "| target | met |",
        "|---|---|",
        *(
            f"| {check} | {'yes' if met else '**no**'} |"
            for check, met in report["targets_met"].items()
        ),
    ]
    if report["skipped"]:
        lines += ["", f"Skipped: {', '.join(report['skipped'])}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,mariadb")
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--half", type=int, default=50_000, help="the smaller size (0: none)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--sections", default="sessions,all")
    parser.add_argument("--json", help="write the JSON here instead of bench/results/")
    args = parser.parse_args()

    def split(value: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in value.split(",") if part.strip())

    report = run(
        databases=split(args.databases),
        sessions=args.sessions,
        users=args.users,
        half=args.half,
        runs=args.runs,
        formats=split(args.formats),
        sections=split(args.sections),
    )
    text_report = markdown(report)
    print(text_report)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    json_path = Path(args.json) if args.json else RESULTS / f"reports-{stamp}.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    json_path.with_suffix(".md").write_text(text_report)
    print(f"Wrote {json_path} and {json_path.with_suffix('.md')}")


if __name__ == "__main__":
    main()
