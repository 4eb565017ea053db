"""A lesson's file through the learning use cases, alike in memory, on SQLite and MariaDB:
a file lesson takes a file (another kind does not), the file it had is forgotten (its row
with the commit, its bytes by a job after it), so is the file of a lesson that goes, and a
file reaches only who may read its lesson."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from support import Cast, add_cast
from tms_domain.kernel import Forbidden, InvalidInput, NotFound
from tms_domain.kernel.files import DELETE_BYTES_JOB, StoredFile
from tms_domain.learning import LessonKind
from tms_domain.learning.use_cases.courses import LessonFields, NewCourse
from tms_entrypoints.container import Container

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def upload(key: str, name: str = "handout.pdf") -> StoredFile:
    return StoredFile(0, name, 1234, "application/pdf", key, "cd" * 32, None, NOW)


@pytest.fixture
async def cast(storage: Container) -> Cast:
    return await add_cast(storage)


async def jobs_deleting(storage: Container) -> set[str]:
    async with storage.uow()(read_only=True) as uow:
        jobs = await uow.jobs.page(None, skip=0, limit=100)
    return {job.payload["storage_key"] for job in jobs if job.kind == DELETE_BYTES_JOB}


async def test_a_file_lesson_takes_a_file_and_forgets_the_one_it_had(
    storage: Container, cast: Cast
) -> None:
    courses = storage.courses()
    course = await courses.create_course(cast.trainer, NewCourse(title="Workshop"))
    module = await courses.add_module(cast.trainer, course.id, "Basics")
    lesson = await courses.add_lesson(
        cast.trainer, module.id, LessonFields(title="Handout", kind=LessonKind.FILE)
    )
    text = await courses.add_lesson(
        cast.trainer, module.id, LessonFields(title="Intro", kind=LessonKind.TEXT, body="Hi")
    )

    await courses.check_may_edit_lesson(cast.trainer, lesson.id)
    with pytest.raises(InvalidInput):
        await courses.check_may_edit_lesson(cast.trainer, text.id)
    with pytest.raises(InvalidInput):
        await courses.attach_file(cast.trainer, text.id, upload("2026/05/text"))
    with pytest.raises(Forbidden):
        await courses.check_may_edit_lesson(cast.other_trainer, lesson.id)
    with pytest.raises(NotFound):
        await courses.check_may_edit_lesson(cast.trainee, lesson.id)

    first = (await courses.attach_file(cast.trainer, lesson.id, upload("2026/05/a"))).file
    assert first is not None
    assert (first.id > 0, first.name) == (True, "handout.pdf")
    read = await courses.get_course(cast.trainer, course.id)
    assert read.modules[0].lessons[0].file == first

    second = (await courses.attach_file(cast.trainer, lesson.id, upload("2026/05/b"))).file
    assert second is not None
    assert second.id != first.id
    async with storage.uow()(read_only=True) as uow:
        assert await uow.files.get(first.id) is None
        assert await uow.files.get(second.id) == second
    assert await jobs_deleting(storage) == {"2026/05/a"}

    await courses.delete_lesson(cast.trainer, lesson.id)
    async with storage.uow()(read_only=True) as uow:
        assert await uow.files.get(second.id) is None
    assert await jobs_deleting(storage) == {"2026/05/a", "2026/05/b"}


async def test_a_file_reaches_only_who_may_read_its_lesson(storage: Container, cast: Cast) -> None:
    courses, enrolments = storage.courses(), storage.course_enrolments()
    course = await courses.create_course(cast.trainer, NewCourse(title="Workshop"))
    module = await courses.add_module(cast.trainer, course.id, "Basics")
    lesson = await courses.add_lesson(
        cast.trainer, module.id, LessonFields(title="Handout", kind=LessonKind.FILE)
    )
    file = (await courses.attach_file(cast.trainer, lesson.id, upload("2026/05/c"))).file
    assert file is not None

    assert await courses.readable_file(cast.trainer, file.id) == file
    assert await courses.readable_file(cast.other_trainer, file.id) == file
    await enrolments.enrol(cast.trainer, course.id, [cast.trainee.id])
    with pytest.raises(NotFound, match="File not found"):
        await courses.readable_file(cast.trainee, file.id)  # the course is a draft
    await courses.publish(cast.trainer, course.id)
    assert await courses.readable_file(cast.trainee, file.id) == file
    with pytest.raises(NotFound, match="File not found"):
        await courses.readable_file(cast.other_trainee, file.id)
    with pytest.raises(NotFound, match="File not found"):
        await courses.readable_file(cast.trainer, file.id + 100)
