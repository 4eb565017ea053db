"""What certificates need from outside: their write-side repository and the compliance
question (who holds a current certificate of each course that requires one)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tms_domain.skills.certificates import (
    Certificate,
    CertificateQuery,
    ComplianceQuery,
    ComplianceRow,
)


class CertificateRepository(Protocol):
    async def add(self, certificate: Certificate) -> Certificate | None:
        """Insert it and give it its id, unless the trainee already holds a current one of
        that course (neither revoked nor renewed): then None. The database settles two
        issues at once: one is kept, neither fails. Raise Conflict on a code taken."""
        ...

    async def get(self, certificate_id: int, *, for_update: bool = False) -> Certificate | None: ...

    async def by_code(self, code: str) -> Certificate | None:
        """One indexed look-up by the stored code, whether or not it exists."""
        ...

    async def save(self, certificate: Certificate) -> None:
        """Store when it was revoked or renewed (the rest never changes)."""
        ...

    async def page(self, query: CertificateQuery) -> list[Certificate]:
        """Newest first (issued_at, then id)."""
        ...


class ComplianceQueries(Protocol):
    async def rows(self, query: ComplianceQuery, now: datetime) -> list[ComplianceRow]:
        """One row per enrolment in a course that sets ``certificate_valid_months``, with
        the status of the trainee's latest certificate of it (``missing`` without one), by
        trainee name then course title; filtered by course, batch membership, trainees and
        status, then paged."""
        ...
