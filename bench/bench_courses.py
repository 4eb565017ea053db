"""Courses against the real server: `python -m bench.bench_courses`.

For each database (SQLite; MariaDB with ``--databases sqlite,mariadb``) a fresh database is
filled with `tms demo` data (20 trainers, 1,000 trainees, 1,000 sessions of 10), then with
course data written straight into the tables by ``seed_courses`` (bulk inserts through
SQLAlchemy Core: the use cases would take minutes): 50 published courses, the first of 200
lessons in 10 modules, the others of 5 to 40 lessons; 10,000 enrolments (200 distinct
trainees per course, so a trainee is in about 10 courses); each enrolment has done a
prefix of its course's lessons, a fifth none, a fifth all, the rest part (about 150,000
lesson completions). Each enrolment's stored status is what ``progress_of`` says.

A `tms serve` (one uvicorn worker) answers, at concurrency 1, with the load
generator of the suite (wrk, or httpx), measured ``--runs`` times for ``--seconds`` each
(medians of the runs: p50, p99, requests/s, server CPU per request):

- GET /courses/{id}/enrolments?limit=100, the 200-lesson course (target p50 < 20 ms);
- GET /progress/trainee/{id}/courses, the trainee in the most courses (target p50 < 20 ms);
- GET /courses/?limit=100;
- GET /analytics/overview (it counts courses and their enrolments too), also measured
  before the courses are written, for the ratio;

and the report's Courses section (`sections=courses`) is downloaded in each format
(wall time, median of the runs; its CSV is checked to list the 50 courses). A route that
answers 404 or 405 is reported as not there yet rather than measured.

    python -m bench.bench_courses [--databases sqlite] [--runs 3] [--seconds 5]
        [--formats csv,xlsx,pdf] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from bench.load import LoadGenerator
from bench.run import (
    ADMIN_PASSWORD,
    RESULTS,
    Config,
    database,
    fill_demo,
    log,
    mariadb_reachable,
    settle,
    sign_in,
    start_tms,
    tms_env,
)
from bench.servers import Server
from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.engine import create_engine
from tms_domain.learning import EnrolmentStatus, progress_of

COURSES = 50
ENROLMENTS = 10_000
BIG_COURSE_LESSONS = 200
BIG_COURSE_MODULES = 10
SEED = 2026
TARGET_MS = 20.0
CHUNK = 5_000
"""Rows per executemany."""
FORMATS = ("csv", "xlsx", "pdf")


@dataclass(frozen=True)
class CourseData:
    """What ``seed_courses`` wrote, and the ids the cases ask for."""

    courses: int
    lessons: int
    enrolments: int
    completions: int
    big_course_id: int
    """The course of BIG_COURSE_LESSONS lessons."""
    busiest_trainee_id: int
    """The trainee enrolled in the most courses."""
    seconds: float


async def seed_courses(
    database_url: str,
    *,
    courses: int = COURSES,
    enrolments: int = ENROLMENTS,
    big_course_lessons: int = BIG_COURSE_LESSONS,
    seed: int = SEED,
) -> CourseData:
    """Write the courses, their modules and lessons, the enrolments and the completions of
    the module's docstring into a migrated database that already holds trainers and at
    least ``enrolments / courses`` trainees. Ids continue from the largest in each table."""
    started = time.perf_counter()
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            trainers = list(
                (
                    await conn.execute(
                        select(t.users.c.id).where(t.users.c.role == "trainer").order_by("id")
                    )
                ).scalars()
            )
            trainees = list(
                (
                    await conn.execute(
                        select(t.users.c.id).where(t.users.c.role == "trainee").order_by("id")
                    )
                ).scalars()
            )
            per_course = enrolments // courses
            if len(trainees) < per_course or not trainers:
                raise RuntimeError(
                    f"{len(trainees)} trainees and {len(trainers)} trainers: need at least "
                    f"{per_course} trainees and a trainer (run `tms demo` first)"
                )

            async def next_id(table: Any) -> int:
                largest = (await conn.execute(select(func.max(table.c.id)))).scalar_one()
                return int(largest or 0) + 1

            course_id = await next_id(t.courses)
            module_id = await next_id(t.course_modules)
            lesson_id = await next_id(t.lessons)
            enrolment_id = await next_id(t.course_enrolments)
            course_rows: list[dict[str, Any]] = []
            module_rows: list[dict[str, Any]] = []
            lesson_rows: list[dict[str, Any]] = []
            lessons_of: dict[int, list[int]] = {}
            for number in range(courses):
                big = number == 0
                count = big_course_lessons if big else rng.randint(5, 40)
                modules = BIG_COURSE_MODULES if big else max(1, count // 8)
                created = now - timedelta(days=400 - number)
                code = f"BENCH-{number + 1:04d}"
                course_rows.append(
                    {
                        "id": course_id,
                        "code": code,
                        "code_key": code.casefold(),
                        "title": f"Bench course {number + 1}: {rng.choice(TOPICS)}",
                        "description": "A course of the benchmark's data set.",
                        "category": rng.choice(("safety", "software", "leadership", "sales")),
                        "difficulty": rng.choice(("beginner", "intermediate", "advanced")),
                        "estimated_minutes": count * 10,
                        "status": "published",
                        "owner_id": trainers[number % len(trainers)],
                        "created_at": created,
                        "updated_at": created,
                        "published_at": created + timedelta(days=1),
                    }
                )
                ids: list[int] = []
                for position in range(modules):
                    module_rows.append(
                        {
                            "id": module_id,
                            "course_id": course_id,
                            "title": f"Module {position + 1}",
                            "position": position,
                        }
                    )
                    in_module = count // modules + (1 if position < count % modules else 0)
                    for index in range(in_module):
                        video = index % 5 == 4
                        lesson_rows.append(
                            {
                                "id": lesson_id,
                                "module_id": module_id,
                                "course_id": course_id,
                                "title": f"Lesson {position + 1}.{index + 1}",
                                "kind": "video" if video else "text",
                                "body": None if video else LESSON_BODY,
                                "body_html": None if video else LESSON_HTML,
                                "video_url": VIDEO_URL if video else None,
                                "file_id": None,
                                "duration_minutes": 10,
                                "position": index,
                                "created_at": created,
                                "updated_at": created,
                            }
                        )
                        ids.append(lesson_id)
                        lesson_id += 1
                    module_id += 1
                lessons_of[course_id] = ids
                course_id += 1

            enrolment_rows: list[dict[str, Any]] = []
            completion_rows: list[dict[str, Any]] = []
            in_courses: dict[int, int] = {}
            for course in course_rows:
                ids = lessons_of[course["id"]]
                for trainee_id in rng.sample(trainees, per_course):
                    share = rng.random()
                    done = (
                        0 if share < 0.2 else len(ids) if share > 0.8 else rng.randrange(len(ids))
                    )
                    progress = progress_of(done, len(ids))
                    assigned = course["published_at"] + timedelta(hours=rng.randint(1, 2000))
                    finished = assigned + timedelta(days=7)
                    enrolment_rows.append(
                        {
                            "id": enrolment_id,
                            "course_id": course["id"],
                            "trainee_id": trainee_id,
                            "batch_id": None,
                            "due_date": (assigned + timedelta(days=30)).date(),
                            "assigned_at": assigned,
                            "status": progress.status.value,
                            "completed_at": (
                                finished if progress.status is EnrolmentStatus.COMPLETED else None
                            ),
                        }
                    )
                    enrolment_id += 1
                    in_courses[trainee_id] = in_courses.get(trainee_id, 0) + 1
                    completion_rows.extend(
                        {
                            "lesson_id": lesson,
                            "course_id": course["id"],
                            "trainee_id": trainee_id,
                            "source": "trainee",
                            "completed_at": assigned + timedelta(minutes=10 * (index + 1)),
                        }
                        for index, lesson in enumerate(ids[:done])
                    )
            for table, rows in (
                (t.courses, course_rows),
                (t.course_modules, module_rows),
                (t.lessons, lesson_rows),
                (t.course_enrolments, enrolment_rows),
                (t.lesson_completions, completion_rows),
            ):
                for start in range(0, len(rows), CHUNK):
                    await conn.execute(table.insert(), rows[start : start + CHUNK])
    finally:
        await engine.dispose()
    return CourseData(
        courses=len(course_rows),
        lessons=len(lesson_rows),
        enrolments=len(enrolment_rows),
        completions=len(completion_rows),
        big_course_id=course_rows[0]["id"],
        busiest_trainee_id=max(in_courses, key=lambda trainee: (in_courses[trainee], -trainee)),
        seconds=time.perf_counter() - started,
    )


TOPICS = (
    "Forklift safety",
    "SQL for analysts",
    "Первая помощь",
    "Γραμματική",
    "安全教育",
    "Negotiation",
    "Fire drills",
)
LESSON_BODY = (
    "# Read this\n\nA paragraph of **text**, a [link](https://example.org) and a list:\n\n"
    "- one\n- two\n"
)
LESSON_HTML = (
    '<h1>Read this</h1>\n<p>A paragraph of <strong>text</strong>, a <a href="https://example.org"'
    ' rel="noopener noreferrer">link</a> and a list:</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n'
)
VIDEO_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


@dataclass(frozen=True)
class Case:
    key: str
    label: str
    path: str
    target_ms: float | None = None


OVERVIEW_BEFORE = Case(
    "overview_no_courses", "GET /analytics/overview, before the courses", "/analytics/overview"
)


def cases(data: CourseData) -> list[Case]:
    return [
        Case(
            "enrolments100",
            "GET /courses/{id}/enrolments?limit=100 (200 lessons, 200 enrolled)",
            f"/courses/{data.big_course_id}/enrolments?limit=100",
            TARGET_MS,
        ),
        Case(
            "trainee_courses",
            "GET /progress/trainee/{id}/courses (the trainee in the most courses)",
            f"/progress/trainee/{data.busiest_trainee_id}/courses",
            TARGET_MS,
        ),
        Case("courses100", "GET /courses/?limit=100", "/courses/?limit=100"),
        Case("overview", "GET /analytics/overview, with the courses", "/analytics/overview"),
    ]


def measure_case(
    load: LoadGenerator, server: Server, token: str, case: Case, runs: int, seconds: int
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    probe = httpx.get(server.url(case.path), headers=headers, timeout=60)
    if probe.status_code in (404, 405):
        return {"not_run": f"{probe.status_code}: the route is not there yet"}
    if probe.status_code != 200:
        return {"not_run": f"{probe.status_code}: {probe.text[:200]}"}
    load.run(server.url(case.path), concurrency=1, seconds=1, token=token)  # warm-up
    measured = []
    for _ in range(runs):
        settle(server)
        cpu = server.cpu_seconds()
        result = load.run(server.url(case.path), concurrency=1, seconds=seconds, token=token)
        measured.append(
            {
                "p50_ms": result.p50_ms,
                "p99_ms": result.p99_ms,
                "rps": result.rps,
                "bad": result.errors + result.bad_status,
                "cpu_ms": 1000 * (server.cpu_seconds() - cpu) / max(result.requests, 1),
            }
        )
        log(f"    {case.key}: p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms")
    found: dict[str, Any] = {
        metric: round(statistics.median(m[metric] for m in measured), 2)
        for metric in ("p50_ms", "p99_ms", "rps", "cpu_ms")
    }
    found["bad"] = sum(m["bad"] for m in measured)
    found["runs_p50_ms"] = [round(m["p50_ms"], 2) for m in measured]
    found["bytes"] = len(probe.content)
    if case.target_ms is not None:
        found["target_ms"] = case.target_ms
        found["met"] = found["p50_ms"] < case.target_ms and not found["bad"]
    return found


def download_report(
    server: Server, token: str, report_format: str, runs: int, data: CourseData
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    params = {"format": report_format, "sections": "courses"}
    seconds = []
    body = b""
    for _ in range(runs):
        started = time.perf_counter()
        answer = httpx.get(
            server.url("/reports/generate"), params=params, headers=headers, timeout=300
        )
        seconds.append(time.perf_counter() - started)
        if answer.status_code != 200:
            return {"not_run": f"{answer.status_code}: {answer.text[:200]}"}
        body = answer.content
    found: dict[str, Any] = {
        "seconds": round(statistics.median(seconds), 3),
        "runs_s": [round(s, 3) for s in seconds],
        "bytes": len(body),
    }
    if report_format == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
        found["rows"] = len(rows) - 1
        found["enrolled"] = sum(int(row[4]) for row in rows[1:])
        if (found["rows"], found["enrolled"]) != (data.courses, data.enrolments):
            raise RuntimeError(
                f"the Courses section lists {found['rows']} courses and {found['enrolled']} "
                f"enrolments, not {data.courses} and {data.enrolments}"
            )
    return found


def run_database(kind: str, args: argparse.Namespace, work_dir: Path) -> dict[str, Any]:
    db_dir = work_dir / kind
    db_dir.mkdir()
    with database(kind, db_dir) as url:
        env = tms_env(url, db_dir, redis=False)
        log(f"{kind}: filling with tms demo (1,000 sessions) ...")
        demo_seconds = fill_demo(env, db_dir, quick=True)
        server = start_tms(Config(kind, "uvicorn", 1), env, db_dir)
        load = LoadGenerator(db_dir, prefer_wrk=not args.httpx)
        results: dict[str, Any] = {"demo_seconds": round(demo_seconds, 1), "cases": {}}
        try:
            token = sign_in(server, "admin", ADMIN_PASSWORD)
            # The same figures before there are any courses, for a ratio measured in one run.
            log(f"  {OVERVIEW_BEFORE.label}")
            results["cases"][OVERVIEW_BEFORE.key] = {
                "label": OVERVIEW_BEFORE.label,
                **measure_case(load, server, token, OVERVIEW_BEFORE, args.runs, args.seconds),
            }
            log(f"{kind}: seeding the courses ...")
            data = asyncio.run(seed_courses(url))
            log(
                f"{kind}: {data.courses} courses, {data.lessons} lessons, {data.enrolments} "
                f"enrolments, {data.completions} completions in {data.seconds:.1f} s"
            )
            results["data"] = data.__dict__
            results["reports"] = {}
            for case in cases(data):
                log(f"  {case.label}")
                results["cases"][case.key] = {
                    "label": case.label,
                    **measure_case(load, server, token, case, args.runs, args.seconds),
                }
            for report_format in args.formats.split(","):
                log(f"  report, Courses section, {report_format}")
                results["reports"][report_format] = download_report(
                    server, token, report_format, args.runs, data
                )
            results["server_rss_mib"] = round(server.rss_mib(), 1)
        finally:
            server.stop()
        results["load_generator"] = load.name
    return results


def markdown(found: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        f"Courses bench ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC; one uvicorn worker, "
        f"concurrency 1, medians of {args.runs} runs of {args.seconds} s; the machine is "
        "shared, so figures are noisy):",
        "",
        "| database | case | p50 ms | p99 ms | req/s | server CPU ms/req | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, result in found.items():
        if "not_run" in result:
            lines.append(f"| {kind} | not run: {result['not_run']} | | | | | | |")
            continue
        for case in result["cases"].values():
            if "not_run" in case:
                lines.append(f"| {kind} | {case['label']} | not run: {case['not_run']} |||||")
                continue
            target = f"< {case['target_ms']:.0f} ms" if "target_ms" in case else ""
            met = {True: "yes", False: "**no**", None: ""}[case.get("met")]
            lines.append(
                f"| {kind} | {case['label']} | {case['p50_ms']:.2f} | {case['p99_ms']:.2f} | "
                f"{case['rps']:.1f} | {case['cpu_ms']:.2f} | {target} | {met} |"
            )
    lines += ["", "| database | report, Courses section | seconds | bytes |", "|---|---|---|---|"]
    for kind, result in found.items():
        for report_format, report in result.get("reports", {}).items():
            if "not_run" in report:
                lines.append(f"| {kind} | {report_format} | not run: {report['not_run']} | |")
            else:
                lines.append(
                    f"| {kind} | {report_format} | {report['seconds']:.3f} | {report['bytes']} |"
                )
    for kind, result in found.items():
        if "data" in result:
            data = result["data"]
            lines.append(
                f"\n{kind}: {data['courses']} courses, {data['lessons']} lessons, "
                f"{data['enrolments']} enrolments, {data['completions']} completions, seeded in "
                f"{data['seconds']:.1f} s (after `tms demo` in {result['demo_seconds']} s)."
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite", help="sqlite,mariadb")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--httpx", action="store_true", help="use httpx even when wrk exists")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="tms-bench-courses-") as tmp:
        for kind in args.databases.split(","):
            if kind == "mariadb" and not mariadb_reachable():
                found[kind] = {"not_run": "MariaDB is not reachable"}
                continue
            found[kind] = run_database(kind, args, Path(tmp))
    text = markdown(found, args)
    print(text)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"courses-{stamp}.json").write_text(json.dumps(found, indent=2, default=str))
    (RESULTS / f"courses-{stamp}.md").write_text(text)
    if args.json:
        args.json.write_text(json.dumps(found, indent=2, default=str))


if __name__ == "__main__":
    main()
