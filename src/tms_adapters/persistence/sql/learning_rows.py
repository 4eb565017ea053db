"""How the learning tables' rows map to domain objects and back: the columns a query
selects first, and the values a save writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.assessment_rows import assessment_json, assessment_of
from tms_domain.learning import (
    Course,
    CourseEnrolment,
    CourseStatus,
    Difficulty,
    EnrolmentStatus,
    Lesson,
    LessonKind,
)

_C, _M, _L, _LS = t.courses, t.course_modules, t.lessons, t.lesson_sessions
_E, _LC = t.course_enrolments, t.lesson_completions

COURSE_COLUMNS: tuple[Column[Any], ...] = (
    _C.c.id,
    _C.c.code,
    _C.c.title,
    _C.c.description,
    _C.c.category,
    _C.c.difficulty,
    _C.c.estimated_minutes,
    _C.c.status,
    _C.c.owner_id,
    _C.c.created_at,
    _C.c.updated_at,
    _C.c.published_at,
    _C.c.certificate_valid_months,
)
"""What a Course's own fields are read from; a query selects these first."""

LESSON_COLUMNS: tuple[Column[Any], ...] = (
    _L.c.id,
    _L.c.module_id,
    _L.c.course_id,
    _L.c.title,
    _L.c.kind,
    _L.c.position,
    _L.c.body,
    _L.c.body_html,
    _L.c.video_url,
    _L.c.file_id,
    _L.c.duration_minutes,
    _L.c.created_at,
    _L.c.updated_at,
    _L.c.assessment,
)

ENROLMENT_COLUMNS: tuple[Column[Any], ...] = (
    _E.c.id,
    _E.c.course_id,
    _E.c.trainee_id,
    _E.c.assigned_at,
    _E.c.status,
    _E.c.batch_id,
    _E.c.due_date,
    _E.c.completed_at,
)


def code_key(code: str) -> str:
    return code.casefold()


def course_from_row(row: Sequence[Any]) -> Course:
    """From a row that starts with ``COURSE_COLUMNS``."""
    (
        course_id,
        code,
        title,
        description,
        category,
        difficulty,
        estimated_minutes,
        status,
        owner_id,
        created_at,
        updated_at,
        published_at,
        certificate_valid_months,
    ) = row[:13]
    return Course(
        id=course_id,
        code=code,
        title=title,
        description=description,
        category=category,
        difficulty=Difficulty(difficulty) if difficulty else None,
        estimated_minutes=estimated_minutes,
        status=CourseStatus(status),
        owner_id=owner_id,
        created_at=created_at,
        updated_at=updated_at,
        published_at=published_at,
        certificate_valid_months=certificate_valid_months,
    )


def lesson_from_row(row: Sequence[Any], session_ids: list[int]) -> Lesson:
    return Lesson(
        id=row[0],
        module_id=row[1],
        course_id=row[2],
        title=row[3],
        kind=LessonKind(row[4]),
        position=row[5],
        body=row[6],
        body_html=row[7],
        video_url=row[8],
        file_id=row[9],
        duration_minutes=row[10],
        created_at=row[11],
        updated_at=row[12],
        session_ids=session_ids,
        assessment=assessment_of(row[13]),
    )


def enrolment_from_row(row: Sequence[Any]) -> CourseEnrolment:
    """From a row that starts with ``ENROLMENT_COLUMNS``."""
    return CourseEnrolment(
        id=row[0],
        course_id=row[1],
        trainee_id=row[2],
        assigned_at=row[3],
        status=EnrolmentStatus(row[4]),
        batch_id=row[5],
        due_date=row[6],
        completed_at=row[7],
    )


def insert_ignoring_duplicates(conn: AsyncConnection, table: Any) -> Insert:
    """An INSERT that skips rows whose unique key is taken, on either database (the
    database settles a race: neither insert fails, one row is kept)."""
    statement = insert(table)
    if conn.dialect.name in ("mysql", "mariadb"):
        return statement.prefix_with("IGNORE")
    return statement.prefix_with("OR IGNORE")


def course_values(course: Course) -> dict[str, Any]:
    return {
        "code": course.code,
        "code_key": code_key(course.code),
        "title": course.title,
        "description": course.description,
        "category": course.category,
        "difficulty": course.difficulty.value if course.difficulty else None,
        "estimated_minutes": course.estimated_minutes,
        "status": course.status.value,
        "owner_id": course.owner_id,
        "created_at": course.created_at,
        "updated_at": course.updated_at,
        "published_at": course.published_at,
        "certificate_valid_months": course.certificate_valid_months,
    }


def lesson_values(lesson: Lesson) -> dict[str, Any]:
    return {
        "module_id": lesson.module_id,
        "course_id": lesson.course_id,
        "title": lesson.title,
        "kind": lesson.kind.value,
        "position": lesson.position,
        "body": lesson.body,
        "body_html": lesson.body_html,
        "video_url": lesson.video_url,
        "file_id": lesson.file_id,
        "duration_minutes": lesson.duration_minutes,
        "created_at": lesson.created_at,
        "updated_at": lesson.updated_at,
        "assessment": assessment_json(lesson.assessment),
    }
