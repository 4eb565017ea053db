"""Finding a course the actor may know of, and may change."""

from __future__ import annotations

from tms_domain.accounts import Actor
from tms_domain.kernel import NotFound, Permission, Role, Target, authorize, is_allowed
from tms_domain.learning.model import Course
from tms_domain.unit_of_work import UnitOfWork

COURSE_NOT_FOUND = "Course not found"


def course_target(course: Course, *, enrolled_ids: frozenset[int] = frozenset()) -> Target:
    return Target(owner_id=course.owner_id, published=course.is_published, trainee_ids=enrolled_ids)


async def reader_target(uow: UnitOfWork, actor: Actor, course: Course) -> Target:
    """The facts READ_COURSE needs: for a trainee, whether they are enrolled."""
    enrolled: frozenset[int] = frozenset()
    if actor.role is Role.TRAINEE and await uow.course_enrolments.get(course.id, actor.id):
        enrolled = frozenset({actor.id})
    return course_target(course, enrolled_ids=enrolled)


async def visible_course(
    uow: UnitOfWork,
    actor: Actor,
    course_id: int,
    *,
    for_update: bool = False,
    content: bool = True,
) -> Course:
    """The course (with its modules and lessons unless ``content`` is False), if the actor
    may read it; otherwise "not found", whether or not it exists."""
    if content:
        course = await uow.courses.get(course_id, for_update=for_update)
    else:
        course = await uow.courses.header(course_id, for_update=for_update)
    if course is None:
        if actor.must_change_password:
            authorize(actor, Permission.READ_COURSE)
        raise NotFound(COURSE_NOT_FOUND)
    target = await reader_target(uow, actor, course)
    if not is_allowed(actor, Permission.READ_COURSE, target):
        authorize(actor, Permission.READ_COURSE, target)
    return course


async def editable_course(
    uow: UnitOfWork, actor: Actor, course_id: int, *, content: bool = True
) -> Course:
    """The course, locked, when the actor may change it: admins, its owner. A trainee who
    may not read it gets 404, staff who may read but not change it 403."""
    course = await visible_course(uow, actor, course_id, for_update=True, content=content)
    authorize(
        actor,
        Permission.EDIT_COURSE,
        course_target(course),
        denial="Only the course's owner or an admin can change it",
    )
    return course
