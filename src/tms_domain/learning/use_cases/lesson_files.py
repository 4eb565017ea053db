"""A course's lesson files as the use cases see them: looked up for an answer, forgotten
when their lesson goes."""

from __future__ import annotations

from collections.abc import Sequence

from tms_domain.kernel.files import forget_file
from tms_domain.learning.model import Course, Lesson
from tms_domain.unit_of_work import UnitOfWork


async def with_files(uow: UnitOfWork, course: Course) -> Course:
    """The course with what is known of its lessons' files (one lookup for all)."""
    lessons = [lesson for lesson in course.lessons if lesson.file_id is not None]
    if lessons:
        files = await uow.files.get_many({lesson.file_id for lesson in lessons if lesson.file_id})
        for lesson in lessons:
            lesson.file = files.get(lesson.file_id) if lesson.file_id is not None else None
    return course


async def forget_files(uow: UnitOfWork, lessons: Sequence[Lesson]) -> None:
    """The files of lessons that go (or get another file): rows with the commit, bytes
    after it."""
    file_ids = {lesson.file_id for lesson in lessons if lesson.file_id is not None}
    if file_ids:
        for file in (await uow.files.get_many(file_ids)).values():
            await forget_file(uow.files, uow.jobs, file)
