"""Certificates, their verification and compliance on the wire (API.md part two,
"Skills, assessments, certificates")."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from tms_domain.skills import Certificate
from tms_domain.skills.certificates import ComplianceRow, Verification
from tms_entrypoints.http.schemas import Timestamp, iso

CertificateStatusName = Literal["valid", "expiring", "expired", "revoked"]
ComplianceStatusName = Literal["valid", "expiring", "expired", "revoked", "missing"]


class CourseRef(msgspec.Struct):
    id: int
    title: str


class PersonRef(msgspec.Struct):
    id: int
    name: str


class CertificateOut(msgspec.Struct):
    id: int
    code: str
    course: CourseRef
    trainee: PersonRef
    issued_at: Timestamp
    expires_at: Timestamp | None
    status: CertificateStatusName

    @classmethod
    def of(cls, certificate: Certificate, now: datetime) -> CertificateOut:
        return cls(
            id=certificate.id,
            code=certificate.code,
            course=CourseRef(certificate.course_id, certificate.course_title),
            trainee=PersonRef(certificate.trainee_id, certificate.trainee_name),
            issued_at=iso(certificate.issued_at),
            expires_at=iso(certificate.expires_at) if certificate.expires_at else None,
            status=certificate.status(now).value,
        )


class VerificationOut(msgspec.Struct):
    """What anyone holding a code learns, and nothing more."""

    valid: bool
    trainee_name: str
    course_title: str
    issued_at: Timestamp

    @classmethod
    def of(cls, verification: Verification) -> VerificationOut:
        return cls(
            valid=verification.valid,
            trainee_name=verification.trainee_name,
            course_title=verification.course_title,
            issued_at=iso(verification.issued_at),
        )


class ComplianceRowOut(msgspec.Struct):
    trainee: PersonRef
    course: CourseRef
    status: ComplianceStatusName
    certificate_id: int | None
    issued_at: Timestamp | None
    expires_at: Timestamp | None

    @classmethod
    def of(cls, row: ComplianceRow) -> ComplianceRowOut:
        return cls(
            trainee=PersonRef(row.trainee_id, row.trainee_name),
            course=CourseRef(row.course_id, row.course_title),
            status=row.status.value,
            certificate_id=row.certificate_id,
            issued_at=iso(row.issued_at) if row.issued_at else None,
            expires_at=iso(row.expires_at) if row.expires_at else None,
        )
