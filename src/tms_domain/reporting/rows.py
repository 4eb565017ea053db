"""What a report's rows hold: the rules that make the cells of each section, and the summary,
from the facts the store reads. The store only fetches; columns, their order, names,
percentages and hours are decided here."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TypeVar

from tms_domain.kernel import hours, percentage
from tms_domain.learning import EnrolmentStatus, progress_of
from tms_domain.reporting.model import Cell, ReportFilter, ReportSummary, TrainerSummary
from tms_domain.reporting.ports import (
    AttendanceFacts,
    CourseFacts,
    FactBatches,
    ProgressFacts,
    ReportQueries,
    RowBatches,
    SessionFacts,
    SummaryFacts,
    UserFacts,
)

F = TypeVar("F")


def user_row(user: UserFacts) -> list[Cell]:
    """ID, username, email, role, first name, last name, created."""
    return list(user)


def session_row(session: SessionFacts) -> list[Cell]:
    """ID, title, trainer, trainees (by enrolment, comma-separated), start, duration, status."""
    (session_id, title, trainer, trainees, start, minutes, status) = session
    return [session_id, title, trainer, ", ".join(trainees), start, minutes, status]


def attendance_row(mark: AttendanceFacts) -> list[Cell]:
    """Session ID, session title, trainee, present, marked at."""
    return list(mark)


def progress_row(progress: ProgressFacts) -> list[Cell]:
    """Trainee ID, trainee, sessions, attended, progress (%)."""
    (trainee_id, name, enrolled, attended) = progress
    return [trainee_id, name, enrolled, attended, percentage(attended, enrolled)]


def course_row(course: CourseFacts) -> list[Cell]:
    """ID, code, title, status, enrolled, completed, average progress (%). Each enrolment's
    progress is ``progress_of`` its completed lessons (of the course's current ones): the
    figure its trainee and trainers see; a course nobody is enrolled in averages 0."""
    enrolled = completed = 0
    progress_total = 0.0
    for done, enrolments in course.enrolments_by_completed.items():
        progress = progress_of(done, course.total_lessons)
        enrolled += enrolments
        progress_total += progress.progress_percentage * enrolments
        if progress.status is EnrolmentStatus.COMPLETED:
            completed += enrolments
    average = round(progress_total / enrolled, 2) if enrolled else 0.0
    return [
        course.id,
        course.code,
        course.title,
        course.status,
        enrolled,
        completed,
        average,
    ]


def summarise(facts: SummaryFacts) -> ReportSummary:
    """Hours and attendance rate per trainer, by name; the overall rate is present marks over
    enrolments of completed sessions."""
    trainers = [
        TrainerSummary(
            trainer_id=t.trainer_id,
            name=t.name,
            sessions=t.sessions,
            hours=hours(t.minutes),
            attendance_rate=percentage(t.present, t.enrolled),
        )
        for t in facts.trainers
    ]
    return ReportSummary(
        users_by_role=facts.users_by_role,
        sessions_by_status=facts.sessions_by_status,
        attendance_rate=percentage(
            sum(t.present for t in facts.trainers), sum(t.enrolled for t in facts.trainers)
        ),
        trainers=sorted(trainers, key=lambda trainer: trainer.name),
    )


async def _rows_of(batches: FactBatches[F], row: Callable[[F], list[Cell]]) -> RowBatches:
    # Closing the rows closes the facts: a read ahead ends with the reader.
    async with contextlib.aclosing(batches):
        async for facts in batches:
            yield [row(f) for f in facts]


def section_rows(queries: ReportQueries, key: str, where: ReportFilter, batch: int) -> RowBatches:
    """The rows of the table section ``key``, in batches."""
    if key == "users":
        return _rows_of(queries.users(batch), user_row)
    if key == "sessions":
        return _rows_of(queries.sessions(where, batch), session_row)
    if key == "attendance":
        return _rows_of(queries.attendance(where, batch), attendance_row)
    if key == "courses":
        return _rows_of(queries.courses(where, batch), course_row)
    return _rows_of(queries.progress(where, batch), progress_row)
