"""What happens in learning. Each fact holds domain values as they were when it happened;
the edge words it for clients.

Course facts reach the course's owner, and the trainees enrolled in it once it is
published; a trainee's facts (enrolment, completion, progress) reach the trainee, the
course's owner and the trainee's assigned trainers. Admins hear everything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from tms_domain.kernel.events import Audience, DomainEvent

if TYPE_CHECKING:
    from tms_domain.learning.model import Course, CourseProgress


def _owner(course: Course) -> frozenset[int]:
    return frozenset() if course.owner_id is None else frozenset({course.owner_id})


@dataclass(frozen=True)
class CourseCreated(DomainEvent):
    course: Course

    @property
    def audience(self) -> Audience:
        return Audience(_owner(self.course))


@dataclass(frozen=True)
class CourseChanged(DomainEvent):
    """Its fields, status, modules, lessons or order changed; ``trainee_ids``: those
    enrolled, told when the course is (or was) published."""

    course: Course
    trainee_ids: frozenset[int] = frozenset()

    @property
    def audience(self) -> Audience:
        return Audience(_owner(self.course) | self.trainee_ids)


@dataclass(frozen=True)
class CourseDeleted(DomainEvent):
    course: Course

    @property
    def audience(self) -> Audience:
        return Audience(_owner(self.course))


@dataclass(frozen=True)
class _TraineeFact(DomainEvent):
    """About one trainee in one course: heard by the trainee, the course's owner and the
    trainee's assigned trainers."""

    course_id: int
    trainee_id: int
    owner_id: int | None
    trainer_ids: frozenset[int]

    @property
    def audience(self) -> Audience:
        owner = frozenset() if self.owner_id is None else frozenset({self.owner_id})
        return Audience(frozenset({self.trainee_id}) | owner | self.trainer_ids)


@dataclass(frozen=True)
class TraineeEnrolledInCourse(_TraineeFact):
    assigned_at: datetime
    due_date: date | None


@dataclass(frozen=True)
class TraineeLeftCourse(_TraineeFact):
    pass


@dataclass(frozen=True)
class LessonCompleted(_TraineeFact):
    lesson_id: int
    source: str
    completed_at: datetime


@dataclass(frozen=True)
class CourseProgressChanged(_TraineeFact):
    progress: CourseProgress


@dataclass(frozen=True)
class CourseCompleted(_TraineeFact):
    """The trainee's enrolment became completed (every lesson done): what skills,
    certificates and achievements react to. Recorded once per time it becomes completed;
    a course that loses its completion (a lesson added) and regains it records it again."""

    completed_at: datetime
