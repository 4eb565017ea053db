"""Certificates: proof that a trainee completed a course, verifiable by anyone who holds its
code, and kept current by recertification (a course's ``certificate_valid_months``).

A certificate keeps the trainee's name and the course's title as they were when it was
issued: it is a document, and the verification page shows what it says."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U, so nothing reads as another character."""
CODE_GROUPS = 5
CODE_GROUP_LENGTH = 4
CODE_LENGTH = CODE_GROUPS * CODE_GROUP_LENGTH + CODE_GROUPS - 1
"""20 characters of 5 bits (100 random bits) in groups of four: ``7KQ2-M9XD-...``."""
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_UNUSED_CODE = "0000-0000-0000-0000-0000"
"""What a code is compared with when none matched, so that both paths do the same work."""

EXPIRING_WITHIN = timedelta(days=30)
"""A certificate within this of its expiry is ``expiring``."""
MAX_VALID_MONTHS = 600


class CertificateStatus(StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    REVOKED = "revoked"


def new_code() -> str:
    """A fresh code: 100 bits from ``secrets``, easy to read aloud and type."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH))
    return "-".join(
        chars[i : i + CODE_GROUP_LENGTH] for i in range(0, len(chars), CODE_GROUP_LENGTH)
    )


def normalized_code(typed: str) -> str | None:
    """The code as stored, from what someone typed (case, spaces, dashes and look-alike
    letters aside); None when it cannot be a code."""
    chars = "".join(c for c in typed.upper() if c not in " -").translate(_LOOKALIKES)
    if len(chars) != CODE_GROUPS * CODE_GROUP_LENGTH or any(c not in CODE_ALPHABET for c in chars):
        return None
    return "-".join(
        chars[i : i + CODE_GROUP_LENGTH] for i in range(0, len(chars), CODE_GROUP_LENGTH)
    )


def codes_match(stored: str | None, asked: str) -> bool:
    """A constant-time comparison; with no stored code, the same comparison against a code
    no certificate has, so that "no such code" costs what "this code" does."""
    return hmac.compare_digest((stored or _UNUSED_CODE).encode(), asked.encode()) and (
        stored is not None
    )


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = moment.day
    while True:
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1


@dataclass
class Certificate:
    id: int
    code: str
    course_id: int
    course_title: str
    trainee_id: int
    trainee_name: str
    issued_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    renewed_at: datetime | None = None
    """When an admin or trainer sent the trainee through the course again: the next
    completion issues the next certificate."""

    @property
    def current(self) -> bool:
        """Neither revoked nor renewed: the certificate that stands for this course."""
        return self.revoked_at is None and self.renewed_at is None

    def status(self, now: datetime) -> CertificateStatus:
        if self.revoked_at is not None:
            return CertificateStatus.REVOKED
        if self.expires_at is None:
            return CertificateStatus.VALID
        if self.expires_at <= now:
            return CertificateStatus.EXPIRED
        if self.expires_at - now <= EXPIRING_WITHIN:
            return CertificateStatus.EXPIRING
        return CertificateStatus.VALID


@dataclass(frozen=True)
class CertificateQuery:
    skip: int = 0
    limit: int = 100
    trainee_id: int | None = None
    course_id: int | None = None
    status: CertificateStatus | None = None
    now: datetime | None = None
    """The moment ``status`` is judged at (required with it)."""


@dataclass(frozen=True)
class Verification:
    """What anyone holding a code learns: whether it stands, and the least that says what
    it is."""

    valid: bool
    status: CertificateStatus
    trainee_name: str
    course_title: str
    issued_at: datetime
    expires_at: datetime | None


class ComplianceStatus(StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    REVOKED = "revoked"
    MISSING = "missing"
    """Enrolled in a course that requires a certificate, none issued yet."""


@dataclass(frozen=True)
class ComplianceRow:
    trainee_id: int
    trainee_name: str
    course_id: int
    course_title: str
    status: ComplianceStatus
    certificate_id: int | None
    issued_at: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True)
class ComplianceQuery:
    skip: int = 0
    limit: int = 100
    course_id: int | None = None
    batch_id: int | None = None
    status: ComplianceStatus | None = None
    trainee_ids: frozenset[int] | None = None
    """Only these trainees (a trainer's assigned ones); None: everyone."""
