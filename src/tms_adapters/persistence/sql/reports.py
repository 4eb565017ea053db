"""Report queries: rows read in keyset-paginated batches, so memory stays flat."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_domain.model import Role, SessionStatus
from tms_domain.model.reports import Cell, ReportFilter, ReportSummary, TrainerSummary

s, e, a, u = t.training_sessions, t.enrolments, t.attendance, t.users


def _name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def _rate(part: int, whole: int) -> float:
    return round(100 * part / whole, 2) if whole else 0.0


def _filtered(query: Select[Any], where: ReportFilter) -> Select[Any]:
    if where.starts_from is not None:
        query = query.where(s.c.scheduled_date >= where.starts_from)
    if where.starts_before is not None:
        query = query.where(s.c.scheduled_date < where.starts_before)
    if where.trainer_id is not None:
        query = query.where(s.c.trainer_id == where.trainer_id)
    if where.status is not None:
        query = query.where(s.c.status == where.status)
    return query


class SqlaReportQueries:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def users(self, batch: int) -> AsyncIterator[list[list[Cell]]]:
        last = 0
        while True:
            rows = (
                await self._conn.execute(
                    select(u).where(u.c.id > last).order_by(u.c.id).limit(batch)
                )
            ).all()
            if not rows:
                return
            last = rows[-1].id
            yield [
                [r.id, r.username, r.email, r.role, r.first_name, r.last_name, r.created_at]
                for r in rows
            ]

    async def sessions(self, where: ReportFilter, batch: int) -> AsyncIterator[list[list[Cell]]]:
        trainer = u.alias("trainer")
        query = _filtered(
            select(s, trainer.c.first_name, trainer.c.last_name).join(
                trainer, trainer.c.id == s.c.trainer_id
            ),
            where,
        ).order_by(s.c.scheduled_date, s.c.id)
        after: tuple[Any, int] | None = None
        while True:
            page = query
            if after is not None:
                page = page.where(
                    or_(
                        s.c.scheduled_date > after[0],
                        and_(s.c.scheduled_date == after[0], s.c.id > after[1]),
                    )
                )
            rows = (await self._conn.execute(page.limit(batch))).all()
            if not rows:
                return
            after = (rows[-1].scheduled_date, rows[-1].id)
            names = await self._trainee_names([r.id for r in rows])
            yield [
                [
                    r.id,
                    r.title,
                    _name(r.first_name, r.last_name),
                    ", ".join(names.get(r.id, [])),
                    r.scheduled_date,
                    r.duration_minutes,
                    r.status,
                ]
                for r in rows
            ]

    async def _trainee_names(self, session_ids: list[int]) -> dict[int, list[str]]:
        names: dict[int, list[str]] = defaultdict(list)
        rows = await self._conn.execute(
            select(e.c.session_id, u.c.first_name, u.c.last_name)
            .join(u, u.c.id == e.c.trainee_id)
            .where(e.c.session_id.in_(session_ids))
            .order_by(e.c.session_id, e.c.id)
        )
        for session_id, first, last in rows:
            names[session_id].append(_name(first, last))
        return names

    async def attendance(self, where: ReportFilter, batch: int) -> AsyncIterator[list[list[Cell]]]:
        query = _filtered(
            select(
                a.c.id,
                a.c.session_id,
                s.c.title,
                u.c.first_name,
                u.c.last_name,
                a.c.present,
                a.c.marked_at,
            )
            .join(s, s.c.id == a.c.session_id)
            .join(u, u.c.id == a.c.trainee_id),
            where,
        ).order_by(a.c.id)
        last = 0
        while True:
            rows = (await self._conn.execute(query.where(a.c.id > last).limit(batch))).all()
            if not rows:
                return
            last = rows[-1].id
            yield [
                [
                    r.session_id,
                    r.title,
                    _name(r.first_name, r.last_name),
                    bool(r.present),
                    r.marked_at,
                ]
                for r in rows
            ]

    async def progress(self, where: ReportFilter, batch: int) -> AsyncIterator[list[list[Cell]]]:
        last = 0
        present = func.sum(case((a.c.present.is_(True), 1), else_=0))
        while True:
            trainees = (
                await self._conn.execute(
                    select(u.c.id, u.c.first_name, u.c.last_name)
                    .where(u.c.role == Role.TRAINEE.value, u.c.id > last)
                    .order_by(u.c.id)
                    .limit(batch)
                )
            ).all()
            if not trainees:
                return
            last = trainees[-1].id
            counts_query = _filtered(
                select(e.c.trainee_id, func.count(), present)
                .join(s, s.c.id == e.c.session_id)
                .outerjoin(
                    a, and_(a.c.session_id == e.c.session_id, a.c.trainee_id == e.c.trainee_id)
                )
                .where(
                    e.c.trainee_id.in_([r.id for r in trainees]),
                    s.c.status != SessionStatus.CANCELLED.value,
                ),
                where,
            ).group_by(e.c.trainee_id)
            counts = {
                r[0]: (int(r[1]), int(r[2] or 0)) for r in await self._conn.execute(counts_query)
            }
            rows: list[list[Cell]] = []
            for r in trainees:
                total, attended = counts.get(r.id, (0, 0))
                rows.append(
                    [
                        r.id,
                        _name(r.first_name, r.last_name),
                        total,
                        attended,
                        _rate(attended, total),
                    ]
                )
            yield rows

    async def summary(self, where: ReportFilter) -> ReportSummary:
        by_role = {role.value: 0 for role in Role}
        for role, count in await self._conn.execute(
            select(u.c.role, func.count()).group_by(u.c.role)
        ):
            by_role[role] = int(count)
        by_status = {status.value: 0 for status in SessionStatus}
        status_rows = await self._conn.execute(
            _filtered(select(s.c.status, func.count()), where).group_by(s.c.status)
        )
        for status, count in status_rows:
            by_status[status] = int(count)
        minutes = func.sum(
            case((s.c.status == SessionStatus.COMPLETED.value, s.c.duration_minutes), else_=0)
        )
        delivered = await self._conn.execute(
            _filtered(
                select(s.c.trainer_id, u.c.first_name, u.c.last_name, func.count(), minutes)
                .join(u, u.c.id == s.c.trainer_id)
                .where(s.c.status != SessionStatus.CANCELLED.value),
                where,
            ).group_by(s.c.trainer_id, u.c.first_name, u.c.last_name)
        )
        present = func.sum(case((a.c.present.is_(True), 1), else_=0))
        rates = {
            r[0]: (int(r[1]), int(r[2] or 0))
            for r in await self._conn.execute(
                _filtered(
                    select(s.c.trainer_id, func.count(), present)
                    .join(e, e.c.session_id == s.c.id)
                    .outerjoin(a, and_(a.c.session_id == s.c.id, a.c.trainee_id == e.c.trainee_id))
                    .where(s.c.status == SessionStatus.COMPLETED.value),
                    where,
                ).group_by(s.c.trainer_id)
            )
        }
        trainers = []
        for trainer_id, first, last, count, total_minutes in delivered:
            enrolled, attended = rates.get(trainer_id, (0, 0))
            trainers.append(
                TrainerSummary(
                    trainer_id=trainer_id,
                    name=_name(first, last),
                    sessions=int(count),
                    hours=round(int(total_minutes or 0) / 60, 2),
                    attendance_rate=_rate(attended, enrolled),
                )
            )
        enrolled = sum(total for total, _ in rates.values())
        attended = sum(count for _, count in rates.values())
        return ReportSummary(
            users_by_role=by_role,
            sessions_by_status=by_status,
            attendance_rate=_rate(attended, enrolled),
            trainers=sorted(trainers, key=lambda trainer: trainer.name),
        )

    async def count(self, where: ReportFilter) -> dict[str, int]:
        async def scalar(query: Select[Any]) -> int:
            return int((await self._conn.execute(query)).scalar_one())

        return {
            "users": await scalar(select(func.count()).select_from(u)),
            "sessions": await scalar(_filtered(select(func.count()).select_from(s), where)),
            "attendance": await scalar(
                _filtered(
                    select(func.count()).select_from(a).join(s, s.c.id == a.c.session_id), where
                )
            ),
            "progress": await scalar(
                select(func.count()).select_from(u).where(u.c.role == Role.TRAINEE.value)
            ),
        }
