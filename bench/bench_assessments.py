"""Grading attempts at a 50-question assessment: `python -m bench.bench_assessments`.

For each database (SQLite; MariaDB with ``--databases sqlite,mariadb``) a fresh, migrated
database gets a trainer, a published course whose one lesson is an assessment of 50
questions (20 single choice of 4 options, 20 multiple choice of 5 options with 2 right,
10 text), and ``--trainees`` enrolled trainees. Measured, each trainee once:

- the whole submission (``AttemptService.submit``: the course read, the enrolment locked,
  the attempt started with its own option order, every answer checked, the choices graded,
  the attempt, its audit entry and its event written, one commit), answering every
  question (some choices wrong, every text written, so each attempt waits for a trainer);
- the trainer's grading of the 10 text answers (``AttemptService.grade``: the attempt
  locked and read, graded, written, audited, told, the lesson completed when passed);
- grading alone, in memory: ``Attempt.submit`` on the 50 answers (no I/O);
- for scale, the smallest write a trainee makes: marking a text lesson complete (one
  completion, its audit entry and events, one commit), on the same database.

Target: grading an attempt of 50 questions in under 20 ms (the median of the submission,
which is where the automatic grading happens, and of the trainer's grading).

    python -m bench.bench_assessments [--databases sqlite] [--trainees 200] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from tms_adapters.persistence.sql import migrations as schema
from tms_domain.accounts import Actor, User
from tms_domain.kernel import Role
from tms_domain.learning import Assessment, LessonKind, Option, Question, QuestionKind
from tms_domain.learning.use_cases.courses import LessonFields, NewCourse
from tms_domain.skills import Answer
from tms_domain.skills.assessments import Attempt
from tms_entrypoints.container import Container, build_container, running
from tms_entrypoints.settings import Settings

TARGET_MS = 20.0
MARIADB_URL = "mysql+asyncmy://root@127.0.0.1:3306/test"
SEED = 2026


def the_assessment() -> Assessment:
    questions = []
    for n in range(20):
        options = tuple(Option(0, f"Answer {k}", k == n % 4) for k in range(4))
        questions.append(Question(0, QuestionKind.SINGLE, f"Single {n}", 2, options))
    for n in range(20):
        options = tuple(Option(0, f"Choice {k}", k in (n % 5, (n + 2) % 5)) for k in range(5))
        questions.append(Question(0, QuestionKind.MULTIPLE, f"Multiple {n}", 3, options))
    for n in range(10):
        questions.append(Question(0, QuestionKind.TEXT, f"Explain {n}", 5))
    return Assessment(tuple(questions), pass_mark=60, max_attempts=3, time_limit_minutes=60)


def answers_to(assessment: Assessment, rng: random.Random) -> list[Answer]:
    """Mostly right: a third of the choices picked at random."""
    answers = []
    for question in assessment.questions:
        if question.kind is QuestionKind.TEXT:
            answers.append(Answer(question.id, (), "A written answer " * 20))
        elif rng.random() < 0.33:
            answers.append(Answer(question.id, (rng.choice(question.options).id,)))
        else:
            answers.append(Answer(question.id, tuple(sorted(question.correct_ids()))))
    return answers


async def add_user(container: Container, username: str, role: Role) -> User:
    now = container.clock().now()
    async with container.uow()() as uow:
        user = await uow.users.add(
            User(
                id=0,
                username=username,
                email=f"{username}@example.org",
                role=role,
                first_name=username.title(),
                last_name="Bench",
                password_hash="not-a-hash",
                is_temporary_password=False,
                created_at=now,
                updated_at=now,
            )
        )
        await uow.commit()
        return user


@asynccontextmanager
async def fresh_database(kind: str) -> AsyncIterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        return
    import asyncmy

    url = make_url(MARIADB_URL)
    name = f"tms_bench_{secrets.token_hex(4)}"
    conn = await asyncmy.connect(host=url.host, port=url.port or 3306, user=url.username)
    async with conn.cursor() as cursor:
        await cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield str(url.set(database=name))
    finally:
        async with conn.cursor() as cursor:
            await cursor.execute(f"DROP DATABASE `{name}`")
        conn.close()


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "max_ms": round(ordered[-1], 2),
        "n": len(ordered),
    }


async def bench_database(kind: str, trainees: int) -> dict[str, Any]:
    async with fresh_database(kind) as url:
        await schema.upgrade(url)
        with tempfile.TemporaryDirectory() as var_dir:
            settings = Settings(
                env="test", database_url=url, secret_key=secrets.token_hex(32), var_dir=var_dir
            )
            async with running(build_container(settings)) as container:
                return await _measure(container, trainees)


async def _measure(container: Container, trainees: int) -> dict[str, Any]:
    trainer = Actor(user=await add_user(container, "trainer", Role.TRAINER))
    people = [Actor(user=await add_user(container, f"t{n}", Role.TRAINEE)) for n in range(trainees)]
    courses = container.courses()
    course = await courses.create_course(trainer, NewCourse(title="Bench assessment"))
    module = await courses.add_module(trainer, course.id, "Only")
    lesson = await courses.add_lesson(
        trainer,
        module.id,
        LessonFields(title="Fifty", kind=LessonKind.ASSESSMENT, assessment=the_assessment()),
    )
    text = await courses.add_lesson(
        trainer, module.id, LessonFields(title="Read", kind=LessonKind.TEXT, body="Read me")
    )
    await courses.publish(trainer, course.id)
    await container.course_enrolments().enrol(trainer, course.id, [p.id for p in people])
    assert lesson.assessment is not None
    rng = random.Random(SEED)
    attempts = container.assessments()
    submit_ms, grade_ms, ids, mark_ms = [], [], [], []
    for person in people:
        started = time.perf_counter()
        await container.course_enrolments().complete(person, text.id)
        mark_ms.append(1000 * (time.perf_counter() - started))
        answers = answers_to(lesson.assessment, rng)
        started = time.perf_counter()
        attempt = await attempts.submit(person, lesson.id, answers)
        submit_ms.append(1000 * (time.perf_counter() - started))
        ids.append(attempt.id)
    texts = [q.id for q in lesson.assessment.questions if q.kind is QuestionKind.TEXT]
    for attempt_id in ids:
        points = {question_id: float(rng.randint(0, 5)) for question_id in texts}
        started = time.perf_counter()
        await attempts.grade(trainer, attempt_id, points)
        grade_ms.append(1000 * (time.perf_counter() - started))
    return {
        "submit": summary(submit_ms),
        "grade": summary(grade_ms),
        "mark a lesson complete": summary(mark_ms),
    }


def bench_pure(rounds: int) -> dict[str, float]:
    assessment = the_assessment()
    numbered = Assessment(
        tuple(
            Question(
                i + 1000,
                q.kind,
                q.prompt,
                q.points,
                tuple(Option(i * 10 + k, o.text, o.correct) for k, o in enumerate(q.options)),
            )
            for i, q in enumerate(assessment.questions)
        ),
        assessment.pass_mark,
        assessment.max_attempts,
    )
    rng = random.Random(SEED)
    samples = []
    now = datetime.now(UTC)
    for _ in range(rounds):
        answers = answers_to(numbered, rng)
        attempt = Attempt(0, 1, 1, 1, 1, numbered, now)
        started = time.perf_counter()
        attempt.submit(answers, now)
        samples.append(1000 * (time.perf_counter() - started))
    return summary(samples)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite")
    parser.add_argument("--trainees", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, Any] = {"grading in memory": bench_pure(2000)}
    for kind in args.databases.split(","):
        results[kind] = await bench_database(kind, args.trainees)
    for name, figures in results.items():
        if "submit" in figures:
            for step in ("submit", "grade", "mark a lesson complete"):
                f = figures[step]
                met = "yes" if f["median_ms"] < TARGET_MS else "NO"
                print(
                    f"{name:8} {step:22} median {f['median_ms']:6.2f} ms  p95 {f['p95_ms']:6.2f}"
                    f"  max {f['max_ms']:7.2f}  (n={f['n']}; < {TARGET_MS:.0f} ms: {met})"
                )
        else:
            print(f"{name}: median {figures['median_ms']:.3f} ms  p95 {figures['p95_ms']:.3f} ms")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    asyncio.run(main())
