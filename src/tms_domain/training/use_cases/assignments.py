"""Use cases for assigning trainees to trainers."""

from __future__ import annotations

from dataclasses import dataclass

from tms_domain.accounts import Actor, User
from tms_domain.audit import record_audit
from tms_domain.kernel import (
    BadRequest,
    NotFound,
    Page,
    Permission,
    Role,
    authorize,
)
from tms_domain.training.events import TraineeAssigned, TraineeUnassigned
from tms_domain.training.model import Assignment
from tms_domain.unit_of_work import Core


@dataclass(frozen=True)
class AssignmentDetails:
    assignment: Assignment
    student: User
    teacher: User


class AssignmentService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def list_assignments(self, actor: Actor, page: Page) -> list[AssignmentDetails]:
        """Admins see all; a trainer the trainees assigned to them; a trainee their trainers."""
        authorize(actor, Permission.LIST_ASSIGNMENTS)
        student_id = actor.id if actor.role is Role.TRAINEE else None
        teacher_id = actor.id if actor.role is Role.TRAINER else None
        async with self._core.uow(read_only=True) as uow:
            found = await uow.assignment_listing.page(
                skip=page.skip, limit=page.limit, student_id=student_id, teacher_id=teacher_id
            )
            users = await uow.users.get_many(
                {a.student_id for a in found} | {a.teacher_id for a in found}
            )
        return [
            AssignmentDetails(a, users[a.student_id], users[a.teacher_id])
            for a in found
            if a.student_id in users and a.teacher_id in users
        ]

    async def assign(self, actor: Actor, student_id: int, teacher_id: int) -> Assignment:
        """Admins assign a trainee (student) to a trainer (teacher), once."""
        authorize(actor, Permission.MANAGE_ASSIGNMENTS)
        async with self._core.uow() as uow:
            users = await uow.users.get_many([student_id, teacher_id])
            student, teacher = users.get(student_id), users.get(teacher_id)
            if student is None or teacher is None:
                raise NotFound("User not found")
            if student.role is not Role.TRAINEE:
                raise BadRequest(f"{student.name} is not a trainee")
            if teacher.role is not Role.TRAINER:
                raise BadRequest(f"{teacher.name} is not a trainer")
            now = self._core.clock.now()
            assignment = await uow.assignments.add(
                Assignment(id=0, student_id=student_id, teacher_id=teacher_id, assigned_date=now)
            )
            await record_audit(
                uow,
                actor,
                "assignment.created",
                "assignment",
                assignment.id,
                now,
                {"student_id": [None, student_id], "teacher_id": [None, teacher_id]},
            )
            uow.record(TraineeAssigned(assignment.id, student_id, teacher_id, now))
            await uow.commit()
        return assignment

    async def unassign(self, actor: Actor, student_id: int, teacher_id: int) -> None:
        """Admins remove an assignment; 404 when there is none."""
        authorize(actor, Permission.MANAGE_ASSIGNMENTS)
        async with self._core.uow() as uow:
            existing = await uow.assignments.get(student_id, teacher_id)
            if existing is None or not await uow.assignments.delete(student_id, teacher_id):
                raise NotFound("No such assignment")
            now = self._core.clock.now()
            await record_audit(
                uow,
                actor,
                "assignment.deleted",
                "assignment",
                existing.id,
                now,
                {"student_id": [student_id, None], "teacher_id": [teacher_id, None]},
            )
            uow.record(TraineeUnassigned(student_id, teacher_id))
            await uow.commit()
