"""The learning area in memory: courses with their modules and lessons, course enrolments
and lesson completions."""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from dataclasses import replace

from tms_adapters.persistence.memory.state import State
from tms_domain.kernel import Conflict
from tms_domain.learning import (
    CompletionSource,
    Course,
    CourseEnrolment,
    LessonCompletion,
    LessonKind,
    generated_code,
)


def code_key(code: str) -> str:
    return code.casefold()


def header_of(course: Course) -> Course:
    """A copy with the course's own fields only."""
    return replace(course, modules=[], events=[])


class MemoryCourseRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, course: Course) -> Course:
        if course.code and await self.code_taken(course.code):
            raise Conflict(f"The code {course.code} is already in use")
        course.id = self._s.next_id("courses")
        if not course.code:
            course.code = self._generated(course.id)
        self._s.courses[course.id] = copy.deepcopy(header_of(course))
        await self.save(course)
        return course

    def _generated(self, number: int) -> str:
        code, suffix = generated_code(number), 1
        while self._taken(code, None):
            suffix += 1
            code = f"{generated_code(number)}-{suffix}"
        return code

    def _taken(self, code: str, except_course_id: int | None) -> bool:
        key = code_key(code)
        return any(
            code_key(c.code) == key and c.id != except_course_id for c in self._s.courses.values()
        )

    async def code_taken(self, code: str, *, except_course_id: int | None = None) -> bool:
        return self._taken(code, except_course_id)

    async def ids_by_code(self, codes: Collection[str]) -> dict[str, int]:
        by_key = {code_key(c.code): c.id for c in self._s.courses.values()}
        return {code: by_key[code_key(code)] for code in codes if code_key(code) in by_key}

    async def get(self, course_id: int, *, for_update: bool = False) -> Course | None:
        course = self._s.courses.get(course_id)
        return copy.deepcopy(course) if course else None

    async def header(self, course_id: int, *, for_update: bool = False) -> Course | None:
        course = self._s.courses.get(course_id)
        return header_of(course) if course else None

    async def save(self, course: Course) -> None:
        if self._taken(course.code, course.id):
            raise Conflict(f"The code {course.code} is already in use")
        for module in course.modules:
            if not module.id:
                module.id = self._s.next_id("course_modules")
            module.course_id = course.id
            for lesson in module.lessons:
                if not lesson.id:
                    lesson.id = self._s.next_id("lessons")
                lesson.module_id, lesson.course_id = module.id, course.id
        kept = {lesson.id for lesson in course.lessons}
        old = self._s.courses.get(course.id)
        gone = {lesson.id for lesson in old.lessons} - kept if old else set()
        if gone:
            s = self._s
            s.lesson_completions = {
                k: v for k, v in s.lesson_completions.items() if k[0] not in gone
            }
        self._s.courses[course.id] = copy.deepcopy(replace(course, events=[]))

    async def delete(self, course_id: int) -> None:
        s = self._s
        s.courses.pop(course_id, None)
        s.course_enrolments = {k: v for k, v in s.course_enrolments.items() if k[0] != course_id}
        s.lesson_completions = {
            k: v for k, v in s.lesson_completions.items() if v.course_id != course_id
        }

    async def course_id_of_module(self, module_id: int) -> int | None:
        for course in self._s.courses.values():
            if any(module.id == module_id for module in course.modules):
                return course.id
        return None

    async def lesson_ref(self, lesson_id: int) -> tuple[int, LessonKind] | None:
        for course in self._s.courses.values():
            for lesson in course.lessons:
                if lesson.id == lesson_id:
                    return course.id, lesson.kind
        return None

    async def course_of_file(self, file_id: int) -> int | None:
        for course in self._s.courses.values():
            if any(lesson.file_id == file_id for lesson in course.lessons):
                return course.id
        return None

    async def lesson_total(self, course_id: int) -> int:
        course = self._s.courses.get(course_id)
        return course.lesson_count if course else 0

    async def lessons_delivered_by(self, session_id: int) -> list[tuple[int, int]]:
        return sorted(
            (lesson.id, course.id)
            for course in self._s.courses.values()
            for lesson in course.lessons
            if session_id in lesson.session_ids
        )

    async def sessions_of_lesson(self, lesson_id: int) -> list[int]:
        for course in self._s.courses.values():
            for lesson in course.lessons:
                if lesson.id == lesson_id:
                    return sorted(lesson.session_ids)
        return []


class MemoryCourseEnrolmentRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def get(
        self, course_id: int, trainee_id: int, *, for_update: bool = False
    ) -> CourseEnrolment | None:
        found = self._s.course_enrolments.get((course_id, trainee_id))
        return replace(found) if found else None

    async def add_many(self, enrolments: Sequence[CourseEnrolment]) -> list[int]:
        added = []
        for enrolment in enrolments:
            key = (enrolment.course_id, enrolment.trainee_id)
            if key in self._s.course_enrolments:
                continue
            enrolment.id = self._s.next_id("course_enrolments")
            self._s.course_enrolments[key] = replace(enrolment)
            added.append(enrolment.trainee_id)
        return added

    async def delete(self, course_id: int, trainee_id: int) -> bool:
        return self._s.course_enrolments.pop((course_id, trainee_id), None) is not None

    async def update(self, enrolment: CourseEnrolment) -> None:
        key = (enrolment.course_id, enrolment.trainee_id)
        if key in self._s.course_enrolments:
            self._s.course_enrolments[key] = replace(enrolment)

    async def of_course(self, course_id: int) -> list[CourseEnrolment]:
        found = [replace(e) for (c, _), e in self._s.course_enrolments.items() if c == course_id]
        return sorted(found, key=lambda e: e.id)

    async def count_for_course(self, course_id: int) -> int:
        return sum(1 for c, _ in self._s.course_enrolments if c == course_id)


class MemoryLessonCompletionRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, completion: LessonCompletion) -> bool:
        key = (completion.lesson_id, completion.trainee_id)
        if key in self._s.lesson_completions:
            return False
        self._s.lesson_completions[key] = completion
        return True

    async def delete(self, lesson_id: int, trainee_id: int) -> bool:
        return self._s.lesson_completions.pop((lesson_id, trainee_id), None) is not None

    async def get(self, lesson_id: int, trainee_id: int) -> LessonCompletion | None:
        return self._s.lesson_completions.get((lesson_id, trainee_id))

    async def trainee_ids(self, lesson_id: int) -> list[int]:
        return sorted(t for lesson, t in self._s.lesson_completions if lesson == lesson_id)

    async def count(self, course_id: int, trainee_id: int) -> int:
        return sum(
            1
            for c in self._s.lesson_completions.values()
            if (c.course_id, c.trainee_id) == (course_id, trainee_id)
        )

    async def counts_for_course(self, course_id: int) -> dict[int, int]:
        counts: dict[int, int] = {}
        for completion in self._s.lesson_completions.values():
            if completion.course_id == course_id:
                counts[completion.trainee_id] = counts.get(completion.trainee_id, 0) + 1
        return counts

    async def lesson_ids(self, course_id: int, trainee_id: int) -> list[int]:
        return sorted(
            c.lesson_id
            for c in self._s.lesson_completions.values()
            if (c.course_id, c.trainee_id) == (course_id, trainee_id)
        )

    async def lesson_ids_by_course(self, trainee_id: int) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        for completion in sorted(self._s.lesson_completions.values(), key=lambda c: c.lesson_id):
            if completion.trainee_id == trainee_id:
                found.setdefault(completion.course_id, []).append(completion.lesson_id)
        return found

    async def of_trainee_by_source(
        self, trainee_id: int, source: CompletionSource
    ) -> list[LessonCompletion]:
        return sorted(
            (
                c
                for c in self._s.lesson_completions.values()
                if c.trainee_id == trainee_id and c.source is source
            ),
            key=lambda c: c.lesson_id,
        )
