"""Compliance: for each trainee enrolled in a course that requires a certificate (one that
sets ``certificate_valid_months``), whether they hold a current one."""

from __future__ import annotations

from datetime import datetime

from tms_domain.accounts import Actor
from tms_domain.kernel import Page, Permission, Role, authorize
from tms_domain.skills.certificates import ComplianceQuery, ComplianceRow, ComplianceStatus
from tms_domain.unit_of_work import Core

REPORT_LIMIT = 100_000
"""The most rows a compliance report carries."""


class ComplianceService:
    def __init__(self, core: Core) -> None:
        self._core = core

    def now(self) -> datetime:
        return self._core.clock.now()

    async def rows(
        self,
        actor: Actor,
        page: Page,
        *,
        course_id: int | None = None,
        batch_id: int | None = None,
        trainer_id: int | None = None,
        status: ComplianceStatus | None = None,
    ) -> list[ComplianceRow]:
        """Admins: every trainee; a trainer: their assigned trainees (trainees: 403). The
        status of each one's latest certificate of each course that requires one, as it is
        now (``missing`` when none was issued), by trainee name then course title.
        ``trainer_id``: only the trainees assigned to that trainer."""
        return await self._rows(
            actor, page.skip, page.limit, course_id, batch_id, trainer_id, status
        )

    async def report(
        self,
        actor: Actor,
        *,
        course_id: int | None = None,
        batch_id: int | None = None,
        trainer_id: int | None = None,
        status: ComplianceStatus | None = None,
    ) -> list[ComplianceRow]:
        """As ``rows``, every row at once (at most ``REPORT_LIMIT``): the report's."""
        return await self._rows(actor, 0, REPORT_LIMIT, course_id, batch_id, trainer_id, status)

    async def _rows(
        self,
        actor: Actor,
        skip: int,
        limit: int,
        course_id: int | None,
        batch_id: int | None,
        trainer_id: int | None,
        status: ComplianceStatus | None,
    ) -> list[ComplianceRow]:
        authorize(
            actor, Permission.READ_COMPLIANCE, denial="Only admins and trainers see compliance"
        )
        async with self._core.uow(read_only=True) as uow:
            trainee_ids = (
                None
                if actor.role is Role.ADMIN
                else frozenset(await uow.assignments.student_ids_of(actor.id))
            )
            if trainer_id is not None:
                # A trainer asking after another trainer sees the trainees they share.
                of_trainer = frozenset(await uow.assignments.student_ids_of(trainer_id))
                trainee_ids = of_trainer if trainee_ids is None else trainee_ids & of_trainer
            query = ComplianceQuery(
                skip=skip,
                limit=limit,
                course_id=course_id,
                batch_id=batch_id,
                status=status,
                trainee_ids=trainee_ids,
            )
            return await uow.compliance.rows(query, self._core.clock.now())
