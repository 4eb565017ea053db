"""/assignments: trainees assigned to trainers."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from tms_domain.accounts import Actor
from tms_domain.kernel import Page
from tms_domain.training.use_cases.assignments import AssignmentService
from tms_entrypoints.http.accounts.schemas import UserOut
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.params import Id, Limit, Skip
from tms_entrypoints.http.schemas import MessageOut, iso
from tms_entrypoints.http.training.schemas import AssignmentCreatedOut, AssignmentIn, AssignmentOut


class AssignmentsController(Controller):
    path = "/assignments"
    tags = ["assignments"]

    @get("/", operation_id="listAssignments", responses=ERROR_RESPONSES)
    async def list_assignments(
        self,
        actor: NamedDependency[Actor],
        assignments: NamedDependency[AssignmentService],
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> list[AssignmentOut]:
        """Admins all; trainers and trainees their own."""
        found = await assignments.list_assignments(actor, Page(skip, limit))
        return [
            AssignmentOut(
                id=d.assignment.id,
                student=UserOut.of(d.student),
                teacher=UserOut.of(d.teacher),
                assigned_date=iso(d.assignment.assigned_date),
            )
            for d in found
        ]

    @post("/", operation_id="createAssignment", status_code=201, responses=ERROR_RESPONSES)
    async def create_assignment(
        self,
        data: JSONBody[AssignmentIn],
        actor: NamedDependency[Actor],
        assignments: NamedDependency[AssignmentService],
    ) -> AssignmentCreatedOut:
        """Admins: 400 if the roles do not fit, 409 if it exists."""
        created = await assignments.assign(actor, data.student_id, data.teacher_id)
        return AssignmentCreatedOut(
            id=created.id,
            student_id=created.student_id,
            teacher_id=created.teacher_id,
            assigned_date=iso(created.assigned_date),
        )

    @delete(
        "/{student_id:int}/{teacher_id:int}",
        operation_id="deleteAssignment",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def delete_assignment(
        self,
        student_id: Id,
        teacher_id: Id,
        actor: NamedDependency[Actor],
        assignments: NamedDependency[AssignmentService],
    ) -> MessageOut:
        """Admins."""
        await assignments.unassign(actor, student_id, teacher_id)
        return MessageOut("Assignment removed")
