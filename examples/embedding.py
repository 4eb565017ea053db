"""Driving the TMS use cases directly, with no web server: what a partner embedding the
domain does. It needs the domain package and the bootstrap of the adapters, nothing else.

    python examples/embedding.py                  # in memory
    python examples/embedding.py sqlite my.db     # a SQLite file (migrated first)

The same access rules apply as over HTTP: every call names the acting user.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from tms_adapters.bootstrap import MEMORY, Domain, open_domain
from tms_domain.accounts import Actor
from tms_domain.accounts.use_cases.users import NewUser
from tms_domain.kernel import Page, Role
from tms_domain.learning import LessonKind
from tms_domain.learning.use_cases.courses import LessonFields, NewCourse
from tms_domain.training.use_cases.sessions import NewSession, SessionFilters

ADMIN_PASSWORD = "Sturdy-Garden-93"


async def run_programme(tms: Domain) -> dict[str, object]:
    """Create people, schedule a session, take attendance, read progress; author a course
    whose live lesson that session delivers, and follow the trainee through it."""
    await tms.users.ensure_admin("admin", "admin@example.org", ADMIN_PASSWORD)
    # Signing in gives the admin as the actor the use cases ask for.
    signed_in = await tms.auth.sign_in("admin", ADMIN_PASSWORD)
    admin: Actor = await tms.auth.authenticate(signed_in.access_token)

    trainer = await tms.users.create_user(
        admin, NewUser("tina", "tina@example.org", "Tina", "Trainer", Role.TRAINER)
    )
    trainee = await tms.users.create_user(
        admin,
        NewUser(
            "tom",
            "tom@example.org",
            "Tom",
            "Trainee",
            Role.TRAINEE,
            password="Quiet-River-4417",
            is_temporary_password=False,
        ),
    )
    start = tms.clock.now().replace(microsecond=0) - timedelta(days=1)
    session = await tms.sessions.create_session(
        admin,
        NewSession(
            title="Onboarding",
            trainer_id=trainer.user.id,
            scheduled_date=start,
            duration_minutes=90,
            trainee_ids=(trainee.user.id,),
        ),
    )
    await tms.attendance.mark(admin, session.session.id, trainee.user.id, present=True)
    progress = await tms.progress.trainee_progress(admin, trainee.user.id)
    listed = await tms.sessions.list_sessions(admin, SessionFilters(), Page())

    course = await tms.courses.create_course(admin, NewCourse(title="Onboarding path"))
    module = await tms.courses.add_module(admin, course.id, "Week one")
    reading = await tms.courses.add_lesson(
        admin, module.id, LessonFields(title="Welcome", kind=LessonKind.TEXT, body="Hello")
    )
    await tms.courses.add_lesson(
        admin,
        module.id,
        LessonFields(
            title="Onboarding", kind=LessonKind.SESSION, session_ids=(session.session.id,)
        ),
    )
    await tms.courses.publish(admin, course.id)
    await tms.course_enrolments.enrol(admin, course.id, [trainee.user.id])
    # The trainee was marked present before enrolling: the live lesson already counts.
    learner = Actor(trainee.user)
    await tms.course_enrolments.complete(learner, reading.id)
    courses = await tms.course_enrolments.trainee_courses(learner, trainee.user.id)
    return {
        "trainer_temporary_password_given": trainer.temporary_password is not None,
        "sessions": [d.session.title for d in listed],
        "progress_percentage": progress.percentage,
        "course": course.code,
        "course_progress": courses.courses[0].details.progress.progress_percentage,
    }


async def main(argv: list[str]) -> None:
    url = f"sqlite+aiosqlite:///{argv[2]}" if len(argv) >= 3 and argv[1] == "sqlite" else MEMORY
    async with open_domain(url, migrate=True) as tms:
        print(await run_programme(tms))


if __name__ == "__main__":
    asyncio.run(main(sys.argv))
