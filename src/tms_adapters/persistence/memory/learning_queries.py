"""The learning area's read side in memory: course listings, enrolments with progress."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tms_adapters.persistence.memory.learning import header_of
from tms_adapters.persistence.memory.state import State
from tms_domain.learning import Course, CourseBrief, CourseQuery, EnrolmentRow


class MemoryCourseListing:
    def __init__(self, state: State) -> None:
        self._s = state

    async def page(self, query: CourseQuery) -> list[Course]:
        q = query.q.casefold() if query.q else None
        category = query.category.casefold() if query.category else None
        found = []
        for course in self._s.courses.values():
            if query.status is not None and course.status is not query.status:
                continue
            if (
                q is not None
                and q not in course.title.casefold()
                and q not in course.code.casefold()
            ):
                continue
            if category is not None and (course.category or "").casefold() != category:
                continue
            if (
                query.enrolled_trainee_id is not None
                and (course.id, query.enrolled_trainee_id) not in self._s.course_enrolments
            ):
                continue
            found.append(course)
        found.sort(key=lambda c: (c.title.casefold(), c.id))
        return [header_of(c) for c in found[query.skip : query.skip + query.limit]]


class MemoryEnrolmentListing:
    def __init__(self, state: State) -> None:
        self._s = state

    def _row(self, course_id: int, trainee_id: int) -> EnrolmentRow:
        enrolment = self._s.course_enrolments[(course_id, trainee_id)]
        course = self._s.courses[course_id]
        completed = sum(
            1
            for c in self._s.lesson_completions.values()
            if (c.course_id, c.trainee_id) == (course_id, trainee_id)
        )
        return EnrolmentRow(replace(enrolment), completed, course.lesson_count)

    async def page(
        self,
        course_id: int,
        *,
        skip: int,
        limit: int,
        trainee_ids: Sequence[int] | None = None,
    ) -> list[EnrolmentRow]:
        only = set(trainee_ids) if trainee_ids is not None else None
        found = sorted(
            (e for (c, t), e in self._s.course_enrolments.items() if c == course_id),
            key=lambda e: e.id,
        )
        found = [e for e in found if only is None or e.trainee_id in only]
        return [self._row(course_id, e.trainee_id) for e in found[skip : skip + limit]]

    async def of_trainee(self, trainee_id: int) -> list[tuple[EnrolmentRow, CourseBrief]]:
        found = sorted(
            (e for (_, t), e in self._s.course_enrolments.items() if t == trainee_id),
            key=lambda e: e.id,
        )
        rows = []
        for enrolment in found:
            course = self._s.courses[enrolment.course_id]
            brief = CourseBrief(course.id, course.code, course.title, course.status)
            rows.append((self._row(course.id, trainee_id), brief))
        return rows

    async def trainee_ids(self, course_id: int) -> list[int]:
        return sorted(t for c, t in self._s.course_enrolments if c == course_id)
