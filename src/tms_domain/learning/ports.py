"""What the learning area needs from outside: a write-side repository per aggregate
(courses with their modules and lessons, course enrolments, lesson completions) and
read-side queries named by what they answer."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from tms_domain.learning.model import (
    CompletionSource,
    Course,
    CourseEnrolment,
    CourseStatus,
    LessonCompletion,
    LessonKind,
)


class CourseRepository(Protocol):
    """Courses as aggregates: a course with its modules and lessons, in order."""

    async def add(self, course: Course) -> Course:
        """Insert the course (without modules yet) and give it its id; an empty ``code``
        is generated ("CRS-0007"). Raise Conflict when the code is taken (case aside)."""
        ...

    async def get(self, course_id: int, *, for_update: bool = False) -> Course | None:
        """The course with its modules and lessons; ``for_update`` locks its row, so that
        changes to one course are serialised."""
        ...

    async def code_taken(self, code: str, *, except_course_id: int | None = None) -> bool: ...

    async def ids_by_code(self, codes: Collection[str]) -> dict[str, int]:
        """The ids of the courses with these codes (matched case-insensitively), by the
        code as asked."""
        ...

    async def save(self, course: Course) -> None:
        """Store the course as it now is: its fields, and its modules and lessons added,
        changed, moved or removed. New modules and lessons (id 0) get their ids. Raise
        Conflict when the code is taken."""
        ...

    async def delete(self, course_id: int) -> None: ...

    async def course_id_of_module(self, module_id: int) -> int | None: ...

    async def header(self, course_id: int, *, for_update: bool = False) -> Course | None:
        """The course's own fields, without its modules and lessons."""
        ...

    async def lesson_ref(self, lesson_id: int) -> tuple[int, LessonKind] | None:
        """The course the lesson belongs to, and its kind."""
        ...

    async def lesson_total(self, course_id: int) -> int: ...

    async def course_of_file(self, file_id: int) -> int | None:
        """The course whose lesson has that file, if any."""
        ...

    async def lessons_delivered_by(self, session_id: int) -> list[tuple[int, int]]:
        """(lesson id, course id) of each lesson the session delivers."""
        ...

    async def sessions_of_lesson(self, lesson_id: int) -> list[int]: ...


class CourseEnrolmentRepository(Protocol):
    async def get(
        self, course_id: int, trainee_id: int, *, for_update: bool = False
    ) -> CourseEnrolment | None: ...

    async def add_many(self, enrolments: Sequence[CourseEnrolment]) -> list[int]:
        """Insert those not enrolled yet; the trainee ids actually enrolled. Two enrolments
        of one trainee at once keep one record."""
        ...

    async def delete(self, course_id: int, trainee_id: int) -> bool: ...

    async def update(self, enrolment: CourseEnrolment) -> None:
        """Save the status, completed_at and due date."""
        ...

    async def of_course(self, course_id: int) -> list[CourseEnrolment]: ...

    async def count_for_course(self, course_id: int) -> int: ...


class LessonCompletionRepository(Protocol):
    async def add(self, completion: LessonCompletion) -> bool:
        """Record it unless the trainee completed the lesson already; True when recorded.
        Two completions at once keep one record, neither fails."""
        ...

    async def delete(self, lesson_id: int, trainee_id: int) -> bool: ...

    async def get(self, lesson_id: int, trainee_id: int) -> LessonCompletion | None: ...

    async def trainee_ids(self, lesson_id: int) -> list[int]:
        """Who completed the lesson."""
        ...

    async def count(self, course_id: int, trainee_id: int) -> int:
        """The lessons of the course the trainee completed (only lessons it still has)."""
        ...

    async def counts_for_course(self, course_id: int) -> dict[int, int]:
        """Completed lessons per enrolled trainee who completed any."""
        ...

    async def lesson_ids(self, course_id: int, trainee_id: int) -> list[int]:
        """The lessons of the course the trainee completed, by id."""
        ...

    async def lesson_ids_by_course(self, trainee_id: int) -> dict[int, list[int]]:
        """The lessons the trainee completed, by id, per course they completed any of: one
        statement, whatever the number of courses."""
        ...

    async def of_trainee_by_source(
        self, trainee_id: int, source: CompletionSource
    ) -> list[LessonCompletion]:
        """The trainee's completions that came from ``source``, by lesson id."""
        ...


@dataclass(frozen=True)
class CourseQuery:
    skip: int = 0
    limit: int = 100
    status: CourseStatus | None = None
    q: str | None = None
    """Part of the title or the code, case aside."""
    category: str | None = None
    enrolled_trainee_id: int | None = None
    """Only the courses this trainee is enrolled in."""


@dataclass(frozen=True)
class EnrolmentRow:
    """An enrolment with the counts its progress is computed from."""

    enrolment: CourseEnrolment
    completed_lessons: int
    total_lessons: int


@dataclass(frozen=True)
class CourseBrief:
    id: int
    code: str
    title: str
    status: CourseStatus


class CourseListing(Protocol):
    async def page(self, query: CourseQuery) -> list[Course]:
        """Courses without their modules, by title then id."""
        ...


class EnrolmentListing(Protocol):
    async def page(
        self,
        course_id: int,
        *,
        skip: int,
        limit: int,
        trainee_ids: Sequence[int] | None = None,
    ) -> list[EnrolmentRow]:
        """A course's enrolments by assignment (oldest first), each with its counts, in a
        fixed number of statements; ``trainee_ids``: only theirs."""
        ...

    async def of_trainee(self, trainee_id: int) -> list[tuple[EnrolmentRow, CourseBrief]]:
        """A trainee's enrolments with their courses, by assignment (oldest first)."""
        ...

    async def trainee_ids(self, course_id: int) -> list[int]: ...
