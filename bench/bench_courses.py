"""Courses at scale on SQLite, one `tms serve` worker, concurrency 1: a course of 200
lessons; 10,000 enrolments across 50 courses (200 each, with progress), one trainee in
all 50. Measures the p50 and p95 of

- GET /courses/{id}/enrolments?limit=100 (the 200-lesson course), and
- GET /progress/trainee/{id}/courses (the trainee in 50 courses).

    python -m bench.bench_courses [--requests 200]

The issue's target: both p50 under 20 ms. Figures vary with the machine's load."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, select

from bench.run import ADMIN_PASSWORD, BIN, settle, sign_in, tms_env
from bench.servers import free_port, start_server
from tms_adapters.persistence.sql import create_engine
from tms_adapters.persistence.sql import tables as t

COURSES = 50
PER_COURSE = 200
BIG_COURSE_LESSONS = 200
LESSONS = 20
AT = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def _user(i: int) -> dict[str, Any]:
    name = f"learner{i:05}"
    return {
        "username": name,
        "username_key": name,
        "email": f"{name}@example.org",
        "email_key": f"{name}@example.org",
        "role": "trainee",
        "first_name": "Learner",
        "last_name": str(i),
        "password_hash": "not-a-hash",
        "is_temporary_password": False,
        "created_at": AT,
        "updated_at": AT,
    }


async def fill(url: str) -> tuple[int, int]:
    """The data set; (the big course's id, the trainee in every course)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(t.users), [_user(i) for i in range(COURSES * PER_COURSE)])
            trainees = list(
                (
                    await conn.execute(
                        select(t.users.c.id)
                        .where(t.users.c.role == "trainee")
                        .order_by(t.users.c.id)
                    )
                ).scalars()
            )
            await conn.execute(
                insert(t.courses),
                [
                    {
                        "code": f"B-{i}",
                        "code_key": f"b-{i}",
                        "title": f"Course {i:02}",
                        "status": "published",
                        "created_at": AT,
                        "updated_at": AT,
                    }
                    for i in range(COURSES)
                ],
            )
            courses = list(
                (await conn.execute(select(t.courses.c.id).order_by(t.courses.c.id))).scalars()
            )
            lessons_of: dict[int, list[int]] = {}
            for index, course in enumerate(courses):
                count = BIG_COURSE_LESSONS if index == 0 else LESSONS
                modules = []
                for position in range(count // 20):
                    result = await conn.execute(
                        insert(t.course_modules).values(
                            course_id=course, title=f"M{position}", position=position + 1
                        )
                    )
                    modules.append(int(result.inserted_primary_key[0]))  # type: ignore[index]
                await conn.execute(
                    insert(t.lessons),
                    [
                        {
                            "module_id": modules[n // 20],
                            "course_id": course,
                            "title": f"L{n}",
                            "kind": "text",
                            "body": "Read this." * 20,
                            "body_html": "<p>Read this.</p>" * 20,
                            "position": n % 20 + 1,
                            "created_at": AT,
                            "updated_at": AT,
                        }
                        for n in range(count)
                    ],
                )
                lessons_of[course] = list(
                    (
                        await conn.execute(
                            select(t.lessons.c.id)
                            .where(t.lessons.c.course_id == course)
                            .order_by(t.lessons.c.id)
                        )
                    ).scalars()
                )
            enrolments, completions = [], []
            for index, course in enumerate(courses):
                members = trainees[index * PER_COURSE : (index + 1) * PER_COURSE]
                if index:
                    members = [trainees[0], *members[1:]]
                lessons = lessons_of[course]
                for n, trainee in enumerate(members):
                    enrolments.append(
                        {
                            "course_id": course,
                            "trainee_id": trainee,
                            "assigned_at": AT,
                            "status": "in_progress",
                        }
                    )
                    completions += [
                        {
                            "lesson_id": lesson,
                            "course_id": course,
                            "trainee_id": trainee,
                            "source": "trainee",
                            "completed_at": AT,
                        }
                        for lesson in lessons[: n % (len(lessons) + 1)]
                    ]
            await conn.execute(insert(t.course_enrolments), enrolments)
            for start in range(0, len(completions), 20_000):
                await conn.execute(
                    insert(t.lesson_completions), completions[start : start + 20_000]
                )
            print(f"{len(enrolments)} enrolments, {len(completions)} completions")
        return courses[0], trainees[0]
    finally:
        await engine.dispose()


def measure(client: httpx.Client, path: str, token: str, requests: int) -> tuple[float, float]:
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(10):
        client.get(path, headers=headers).raise_for_status()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append(time.perf_counter() - started)
        response.raise_for_status()
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.95) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        url = f"sqlite+aiosqlite:///{work / 'bench.db'}"
        env = tms_env(url, work, redis=False)
        subprocess.run([str(BIN / "tms"), "migrate"], env=env, cwd=work, check=True)
        course, trainee = asyncio.run(fill(url))
        port = free_port()
        server = start_server(
            "tms",
            [str(BIN / "tms"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            port=port,
            log_path=work / "server.log",
            cwd=work,
        )
        try:
            token = sign_in(server, "admin", ADMIN_PASSWORD)
            settle(server)
            with httpx.Client(base_url=server.url(""), timeout=30) as client:
                for path in (
                    f"/courses/{course}/enrolments?limit=100",
                    f"/progress/trainee/{trainee}/courses",
                ):
                    p50, p95 = measure(client, path, token, args.requests)
                    print(f"{path}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
