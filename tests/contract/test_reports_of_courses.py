"""What the reports and the admins' figures say of courses, written by the learning use
cases themselves (not rows seeded by hand): the two areas agree on progress, also after a
lesson is removed, in memory, on SQLite and on MariaDB."""

from __future__ import annotations

from typing import Any

from support import add_cast
from tms_domain.learning import LessonKind
from tms_domain.learning.use_cases.courses import LessonFields, NewCourse
from tms_domain.reporting import ReportFilter
from tms_domain.reporting.rows import course_row


async def test_reports_read_what_the_learning_use_cases_wrote(storage: Any) -> None:
    cast = await add_cast(storage)
    courses, enrolments = storage.courses(), storage.course_enrolments()
    course = await courses.create_course(cast.trainer, NewCourse(title="Fire safety"))
    module = await courses.add_module(cast.trainer, course.id, "Basics")
    lessons = [
        await courses.add_lesson(
            cast.trainer, module.id, LessonFields(title=f"P{i}", kind=LessonKind.TEXT, body="x")
        )
        for i in range(4)
    ]
    await courses.publish(cast.trainer, course.id)
    await enrolments.enrol(
        cast.trainer, course.id, [cast.trainee.id, cast.other_trainee.id, cast.third_trainee.id]
    )
    for lesson in lessons:
        await enrolments.complete(cast.trainee, lesson.id)
    for lesson in lessons[:3]:
        await enrolments.complete(cast.other_trainee, lesson.id)
    facts = [
        f async for batch in storage.report_queries().courses(ReportFilter(), 10) for f in batch
    ]
    assert len(facts) == 1
    assert facts[0].total_lessons == 4
    assert facts[0].enrolments_by_completed == {4: 1, 3: 1, 0: 1}
    assert course_row(facts[0])[4:] == [3, 1, 58.33]
    figures = (await storage.analytics().overview(cast.admin)).courses
    assert (figures.published, figures.enrolments, figures.completion_rate) == (1, 3, 33.33)
    # A lesson removed: Paul's 3 of 3 is complete now, in the report and in the overview.
    await courses.delete_lesson(cast.trainer, lessons[3].id)
    facts = [
        f async for batch in storage.report_queries().courses(ReportFilter(), 10) for f in batch
    ]
    assert course_row(facts[0])[4:] == [3, 2, 66.67]
    figures = (await storage.analytics().overview(cast.admin)).courses
    assert figures.completion_rate == 66.67
