"""Certificates in memory, and the compliance question over enrolments in the courses that
require one."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from tms_adapters.persistence.memory.state import State
from tms_domain.skills.certificates import (
    Certificate,
    CertificateQuery,
    ComplianceQuery,
    ComplianceRow,
    ComplianceStatus,
)


class MemoryCertificateRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, certificate: Certificate) -> Certificate | None:
        for held in self._s.certificates.values():
            if held.current and (held.course_id, held.trainee_id) == (
                certificate.course_id,
                certificate.trainee_id,
            ):
                return None
            if held.code == certificate.code:
                return None
        certificate.id = self._s.next_id("certificates")
        self._s.certificates[certificate.id] = replace(certificate)
        return certificate

    async def get(self, certificate_id: int, *, for_update: bool = False) -> Certificate | None:
        found = self._s.certificates.get(certificate_id)
        return replace(found) if found else None

    async def by_code(self, code: str) -> Certificate | None:
        for held in self._s.certificates.values():
            if held.code == code:
                return replace(held)
        return None

    async def save(self, certificate: Certificate) -> None:
        if certificate.id in self._s.certificates:
            self._s.certificates[certificate.id] = replace(certificate)

    async def page(self, query: CertificateQuery) -> list[Certificate]:
        found = [
            replace(c)
            for c in self._s.certificates.values()
            if (query.trainee_id is None or c.trainee_id == query.trainee_id)
            and (query.course_id is None or c.course_id == query.course_id)
            and (query.status is None or query.now is None or c.status(query.now) is query.status)
        ]
        found.sort(key=lambda c: (c.issued_at, c.id), reverse=True)
        return found[query.skip : query.skip + query.limit]


class MemoryComplianceQueries:
    def __init__(self, state: State) -> None:
        self._s = state

    async def rows(self, query: ComplianceQuery, now: datetime) -> list[ComplianceRow]:
        latest: dict[tuple[int, int], Certificate] = {}
        for held in sorted(self._s.certificates.values(), key=lambda c: (c.issued_at, c.id)):
            latest[(held.course_id, held.trainee_id)] = held
        members = (
            set(self._s.batch_members.get(query.batch_id, {}))
            if query.batch_id is not None
            else None
        )
        rows = []
        for (course_id, trainee_id), _enrolment in self._s.course_enrolments.items():
            course = self._s.courses.get(course_id)
            user = self._s.users.get(trainee_id)
            if course is None or user is None or course.certificate_valid_months is None:
                continue
            if query.course_id is not None and course_id != query.course_id:
                continue
            if members is not None and trainee_id not in members:
                continue
            if query.trainee_ids is not None and trainee_id not in query.trainee_ids:
                continue
            last = latest.get((course_id, trainee_id))
            status = ComplianceStatus(last.status(now).value) if last else ComplianceStatus.MISSING
            if query.status is not None and status is not query.status:
                continue
            rows.append(
                ComplianceRow(
                    trainee_id=trainee_id,
                    trainee_name=user.name,
                    course_id=course_id,
                    course_title=course.title,
                    status=status,
                    certificate_id=last.id if last else None,
                    issued_at=last.issued_at if last else None,
                    expires_at=last.expires_at if last else None,
                )
            )
        rows.sort(
            key=lambda r: (
                r.trainee_name.casefold(),
                r.course_title.casefold(),
                r.trainee_id,
                r.course_id,
            )
        )
        return rows[query.skip : query.skip + query.limit]
