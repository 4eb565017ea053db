"""Certificates in SQL, and the compliance question over enrolments in the courses that
require one; never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.certificate_tables import certificates
from tms_adapters.persistence.sql.common import chunks
from tms_adapters.persistence.sql.learning_rows import insert_ignoring_duplicates
from tms_adapters.persistence.sql.tables_cohorts import batch_members
from tms_domain.skills.certificates import (
    EXPIRING_WITHIN,
    Certificate,
    CertificateQuery,
    CertificateStatus,
    ComplianceQuery,
    ComplianceRow,
    ComplianceStatus,
)

_CT = certificates
_COLUMNS = (
    _CT.c.id,
    _CT.c.code,
    _CT.c.course_id,
    _CT.c.course_title,
    _CT.c.trainee_id,
    _CT.c.trainee_name,
    _CT.c.issued_at,
    _CT.c.expires_at,
    _CT.c.revoked_at,
    _CT.c.renewed_at,
)


def current_key(certificate: Certificate) -> str | None:
    if not certificate.current:
        return None
    return f"{certificate.course_id}:{certificate.trainee_id}"


def _certificate(row: Sequence[Any]) -> Certificate:
    return Certificate(*row[:10])


def status_filter(status: CertificateStatus, now: datetime) -> ColumnElement[bool]:
    """The certificates that have ``status`` at ``now`` (``Certificate.status`` in SQL)."""
    live = _CT.c.revoked_at.is_(None)
    soon = now + EXPIRING_WITHIN
    if status is CertificateStatus.REVOKED:
        return _CT.c.revoked_at.is_not(None)
    if status is CertificateStatus.EXPIRED:
        return and_(live, _CT.c.expires_at <= now)
    if status is CertificateStatus.EXPIRING:
        return and_(live, _CT.c.expires_at > now, _CT.c.expires_at <= soon)
    return and_(live, or_(_CT.c.expires_at.is_(None), _CT.c.expires_at > soon))


class SqlaCertificateRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, certificate: Certificate) -> Certificate | None:
        result = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, _CT).values(
                code=certificate.code,
                course_id=certificate.course_id,
                course_title=certificate.course_title,
                trainee_id=certificate.trainee_id,
                trainee_name=certificate.trainee_name,
                issued_at=certificate.issued_at,
                expires_at=certificate.expires_at,
                revoked_at=certificate.revoked_at,
                renewed_at=certificate.renewed_at,
                current_key=current_key(certificate),
            )
        )
        if not result.rowcount:
            return None
        certificate.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return certificate

    async def get(self, certificate_id: int, *, for_update: bool = False) -> Certificate | None:
        query = select(*_COLUMNS).where(_CT.c.id == certificate_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return _certificate(row) if row else None

    async def by_code(self, code: str) -> Certificate | None:
        row = (await self._conn.execute(select(*_COLUMNS).where(_CT.c.code == code))).first()
        return _certificate(row) if row else None

    async def save(self, certificate: Certificate) -> None:
        await self._conn.execute(
            update(_CT)
            .where(_CT.c.id == certificate.id)
            .values(
                revoked_at=certificate.revoked_at,
                renewed_at=certificate.renewed_at,
                current_key=current_key(certificate),
            )
        )

    async def page(self, query: CertificateQuery) -> list[Certificate]:
        statement = select(*_COLUMNS)
        if query.trainee_id is not None:
            statement = statement.where(_CT.c.trainee_id == query.trainee_id)
        if query.course_id is not None:
            statement = statement.where(_CT.c.course_id == query.course_id)
        if query.status is not None and query.now is not None:
            statement = statement.where(status_filter(query.status, query.now))
        statement = (
            statement.order_by(_CT.c.issued_at.desc(), _CT.c.id.desc())
            .offset(query.skip)
            .limit(query.limit)
        )
        return [_certificate(row) for row in await self._conn.execute(statement)]


def _compliance_status(certificate: Certificate | None, now: datetime) -> ComplianceStatus:
    if certificate is None:
        return ComplianceStatus.MISSING
    return ComplianceStatus(certificate.status(now).value)


class SqlaComplianceQueries:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def rows(self, query: ComplianceQuery, now: datetime) -> list[ComplianceRow]:
        e, c, u = t.course_enrolments, t.courses, t.users
        statement = (
            select(e.c.trainee_id, u.c.first_name, u.c.last_name, e.c.course_id, c.c.title)
            .join(c, c.c.id == e.c.course_id)
            .join(u, u.c.id == e.c.trainee_id)
            .where(c.c.certificate_valid_months.is_not(None))
        )
        if query.course_id is not None:
            statement = statement.where(e.c.course_id == query.course_id)
        if query.batch_id is not None:
            m = batch_members
            statement = statement.where(
                exists().where(m.c.batch_id == query.batch_id, m.c.trainee_id == e.c.trainee_id)
            )
        if query.trainee_ids is not None:
            if not query.trainee_ids:
                return []
            statement = statement.where(e.c.trainee_id.in_(sorted(query.trainee_ids)))
        enrolled = (await self._conn.execute(statement)).all()
        latest = await self._latest({row[0] for row in enrolled})
        rows = []
        for trainee_id, first, last, course_id, title in enrolled:
            held = latest.get((course_id, trainee_id))
            rows.append(
                ComplianceRow(
                    trainee_id=trainee_id,
                    trainee_name=f"{first} {last}".strip(),
                    course_id=course_id,
                    course_title=title,
                    status=_compliance_status(held, now),
                    certificate_id=held.id if held else None,
                    issued_at=held.issued_at if held else None,
                    expires_at=held.expires_at if held else None,
                )
            )
        if query.status is not None:
            rows = [row for row in rows if row.status is query.status]
        rows.sort(
            key=lambda r: (
                r.trainee_name.casefold(),
                r.course_title.casefold(),
                r.trainee_id,
                r.course_id,
            )
        )
        return rows[query.skip : query.skip + query.limit]

    async def _latest(self, trainee_ids: set[int]) -> dict[tuple[int, int], Certificate]:
        """Each trainee's latest certificate per course (by issue, then id)."""
        latest: dict[tuple[int, int], Certificate] = {}
        for part in chunks(sorted(trainee_ids)):
            found = await self._conn.execute(
                select(*_COLUMNS)
                .where(_CT.c.trainee_id.in_(part))
                .order_by(_CT.c.issued_at, _CT.c.id)
            )
            for row in found:
                certificate = _certificate(row)
                latest[(certificate.course_id, certificate.trainee_id)] = certificate
        return latest
