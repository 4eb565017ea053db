"""Bringing the earlier system's database over, in batches, once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from tms_domain.accounts import User
from tms_domain.audit import AuditEntry
from tms_domain.kernel import Permission, Principal, authorize
from tms_domain.legacy.model import (
    ImportReport,
    Kind,
    LegacyData,
    LegacyPasswordLog,
    LegacyUser,
    Zones,
)
from tms_domain.legacy.ports import LegacyImportStore, LegacySource
from tms_domain.legacy.rules import AUDIT_ACTIONS, Plan, Planner, check_users, draft_user
from tms_domain.training import Assignment, Attendance
from tms_domain.unit_of_work import Core

BATCH_SIZE = 2000
"""Rows written per transaction: few enough to keep each commit short, enough that 60,000
rows take some 30 commits rather than 60,000."""

Item = TypeVar("Item")


class LegacyImport:
    """Brings the earlier system's users, sessions, enrolments, trainer assignments,
    attendance and password log over.

    Rules:
    - only an admin, or the operator at the shell (no principal), may run it;
    - each legacy row brought over is remembered with its new id, in the transaction that
      writes it: a row remembered is never written again (a second run changes nothing),
      and a run stopped half-way goes on where it stopped;
    - a row that cannot be brought over is reported as it is with the reason, never
      dropped silently, and the others go on; rows that depend on it are reported too;
    - the plan is made before anything is written, so a dry run reports exactly what a
      real run would do, and writes nothing;
    - passwords keep working (the pbkdf2 hashes are kept and replaced by argon2id at the
      next sign-in), temporary-password flags are kept; a missing join link is generated;
    - naive timestamps are read in the zones given, which the report names.
    """

    def __init__(self, core: Core, batch_size: int = BATCH_SIZE) -> None:
        self._core = core
        self._batch_size = batch_size

    async def run(
        self,
        actor: Principal | None,
        source: LegacySource,
        zones: Zones,
        *,
        dry_run: bool,
    ) -> ImportReport:
        if actor is not None:
            authorize(actor, Permission.IMPORT_LEGACY)
        data = await source.read()
        now = self._core.clock.now()
        report = ImportReport(dry_run=dry_run, assumptions=zones.assumptions())
        async with self._core.uow(read_only=True) as uow:
            store: LegacyImportStore = uow.legacy_import
            mapped = {kind: await store.mapped(kind) for kind in Kind}
            candidates = check_users(data.users, mapped[Kind.USER], report)
            drafts = [draft_user(user, zones, now) for user in candidates]
            refusals = await store.refusals(drafts)
            taken = await store.taken_join_links(
                [
                    s.session_link
                    for s in data.sessions
                    if s.session_link and s.id not in mapped[Kind.SESSION]
                ]
            )
        users = _accepted(candidates, drafts, refusals, report)
        accepted = dict(users)
        plan = Planner(data, mapped, zones, now, report, taken).decide(
            [user for user in candidates if user.id in accepted]
        )
        _note_assumptions(report, data, mapped)
        for kind, count in (
            (Kind.USER, len(users)),
            (Kind.SESSION, len(plan.sessions)),
            (Kind.ENROLMENT, len(plan.enrolments)),
            (Kind.ASSIGNMENT, len(plan.assignments)),
            (Kind.ATTENDANCE, len(plan.attendance)),
            (Kind.PASSWORD_LOG, len(plan.password_logs)),
        ):
            report.counts[kind].created = count
        if not dry_run:
            await self._bring_over(actor, data, plan, users, mapped, zones, report, now)
        return report

    async def _bring_over(
        self,
        actor: Principal | None,
        data: LegacyData,
        plan: Plan,
        users: list[tuple[int, User]],
        mapped: dict[Kind, dict[int, int]],
        zones: Zones,
        report: ImportReport,
        now: datetime,
    ) -> None:
        """Write the plan, kind after kind (each row's references are known by then)."""
        ids = {kind: dict(pairs) for kind, pairs in mapped.items()}
        await self._write(Kind.USER, users, ids, lambda s, b: s.add_users([u for _, u in b]))
        await self._write(
            Kind.SESSION,
            [
                (row.id, replace(s, trainer_id=ids[Kind.USER][row.trainer_id]))
                for row, s in plan.sessions
            ],
            ids,
            lambda s, b: s.add_sessions([session for _, session in b]),
        )
        enrolments = [
            (
                e.id,
                (
                    ids[Kind.SESSION][e.session_id],
                    ids[Kind.USER][e.trainee_id],
                    zones.read(e.added_at) if e.added_at else now,
                ),
            )
            for e in plan.enrolments
        ]
        await self._write(
            Kind.ENROLMENT, enrolments, ids, lambda s, b: s.add_enrolments([e for _, e in b])
        )
        assignments = [
            (
                a.id,
                Assignment(
                    id=0,
                    student_id=ids[Kind.USER][a.student_id],
                    teacher_id=ids[Kind.USER][a.teacher_id],
                    assigned_date=zones.read(a.assigned_date),
                ),
            )
            for a in plan.assignments
        ]
        await self._write(
            Kind.ASSIGNMENT, assignments, ids, lambda s, b: s.add_assignments([a for _, a in b])
        )
        marks = [
            (
                m.id,
                Attendance(
                    id=0,
                    session_id=ids[Kind.SESSION][m.session_id],
                    trainee_id=ids[Kind.USER][m.trainee_id],
                    present=m.present,
                    marked_at=zones.read(m.marked_at),
                ),
            )
            for m in plan.attendance
        ]
        await self._write(
            Kind.ATTENDANCE, marks, ids, lambda s, b: s.add_attendance([m for _, m in b])
        )
        usernames = {user.id: user.username for user in data.users}
        entries = [
            (row.id, _audit_entry(row, ids[Kind.USER], usernames, zones))
            for row in plan.password_logs
        ]
        await self._write(
            Kind.PASSWORD_LOG, entries, ids, lambda s, b: s.add_audit([e for _, e in b])
        )
        if report.created:
            async with self._core.uow() as uow:
                await uow.audit.record(
                    AuditEntry(
                        action="legacy.imported",
                        target_type="import",
                        target_id=None,
                        actor_id=actor.id if actor else None,
                        actor=actor.username if actor else None,
                        at=now,
                        client_address=actor.client_address if actor else None,
                        changes={
                            kind.value: [None, counts.created]
                            for kind, counts in report.counts.items()
                        },
                    )
                )
                await uow.commit()

    async def _write(
        self,
        kind: Kind,
        items: Sequence[tuple[int, Item]],
        ids: dict[Kind, dict[int, int]],
        add: Callable[[LegacyImportStore, Sequence[tuple[int, Item]]], Awaitable[list[int]]],
    ) -> None:
        """Each batch and the ids it was given in one transaction."""
        for start in range(0, len(items), self._batch_size):
            batch = items[start : start + self._batch_size]
            async with self._core.uow() as uow:
                new_ids = await add(uow.legacy_import, batch)
                pairs = [
                    (legacy_id, new_id)
                    for (legacy_id, _), new_id in zip(batch, new_ids, strict=True)
                ]
                await uow.legacy_import.remember(kind, pairs)
                await uow.commit()
            ids[kind].update(pairs)


def _accepted(
    candidates: list[LegacyUser],
    drafts: list[User],
    refusals: list[str | None],
    report: ImportReport,
) -> list[tuple[int, User]]:
    """(legacy id, user) of those the store does not refuse; the others reported."""
    users = []
    for user, draft, refusal in zip(candidates, drafts, refusals, strict=True):
        if refusal is None:
            users.append((user.id, draft))
        else:
            report.skip(
                Kind.USER, user.id, f"refused by this system: {refusal}", user.as_reported()
            )
    report.skipped.sort(key=lambda s: (list(Kind).index(s.kind), s.legacy_id))
    return users


def _audit_entry(
    row: LegacyPasswordLog, users: dict[int, int], usernames: dict[int, str], zones: Zones
) -> AuditEntry:
    """The earlier system's password log line as an audit entry; a performer not brought
    over is named in the changes (the entry then has no actor)."""
    changes: dict[str, list[Any]] = {"source": [None, f"legacy password_change_logs #{row.id}"]}
    if row.details:
        changes["details"] = [None, row.details]
    actor_id = users.get(row.performed_by) if row.performed_by is not None else None
    if row.performed_by is not None and actor_id is None:
        changes["legacy_performed_by"] = [None, row.performed_by]
    return AuditEntry(
        action=AUDIT_ACTIONS[row.action],
        target_type="user",
        target_id=users[row.user_id],
        actor_id=actor_id,
        actor=usernames.get(row.performed_by)
        if actor_id is not None and row.performed_by
        else None,
        at=zones.read(row.timestamp),
        changes=changes,
    )


def _note_assumptions(
    report: ImportReport, data: LegacyData, mapped: dict[Kind, dict[int, int]]
) -> None:
    """Say what was filled in where the old rows had nothing."""
    new_sessions = [s for s in data.sessions if s.id not in mapped[Kind.SESSION]]
    if missing := sum(1 for s in new_sessions if not s.session_link):
        report.assumptions.append(
            f"{missing} session(s) without a join link get one generated as the app does"
        )
    if missing := sum(1 for s in new_sessions if s.status is None):
        report.assumptions.append(f"{missing} session(s) without a status are taken as scheduled")
    if missing := sum(1 for u in data.users if u.created_at is None):
        report.assumptions.append(
            f"{missing} user(s) without created_at are given the time of the import"
        )
