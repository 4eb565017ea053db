"""Certificates: issued when a trainee completes a course, listed by their holders (admins:
all), revoked by admins, renewed (the trainee sent through the course again) by admins and
the trainee's trainers, and verified by anyone who holds a code."""

from __future__ import annotations

from datetime import datetime

from tms_domain.accounts import Actor
from tms_domain.audit import record_audit
from tms_domain.kernel import (
    Conflict,
    NotFound,
    Page,
    Permission,
    Role,
    Target,
    authorize,
)
from tms_domain.learning import (
    Course,
    CourseCompleted,
    CourseProgressChanged,
    CourseStatus,
    enrol_trainees,
    progress_of,
)
from tms_domain.skills.certificates import (
    Certificate,
    CertificateQuery,
    CertificateStatus,
    Verification,
    add_months,
    codes_match,
    new_code,
    normalized_code,
)
from tms_domain.skills.events_certs import (
    CertificateIssued,
    CertificateRenewed,
    CertificateRevoked,
)
from tms_domain.unit_of_work import Core, UnitOfWork

CERTIFICATE_NOT_FOUND = "Certificate not found"
STANDING = frozenset({CertificateStatus.VALID, CertificateStatus.EXPIRING})
"""What ``valid`` means to whoever verifies a code."""


def _audited(certificate: Certificate) -> dict[str, list[object]]:
    return {
        "course_id": [None, certificate.course_id],
        "trainee_id": [None, certificate.trainee_id],
        "expires_at": [
            None,
            certificate.expires_at.isoformat() if certificate.expires_at else None,
        ],
    }


async def issue_on_completion(uow: UnitOfWork, event: CourseCompleted, now: datetime) -> None:
    """The reaction to ``CourseCompleted``: a certificate, unless the trainee already holds
    a current one of the course (neither revoked nor renewed), so a completion handled
    twice, or a course that loses its completion and regains it, issues one. It expires
    ``certificate_valid_months`` after it is issued, when the course sets that. Audited
    (``certificate.issued``, by nobody: the system issues it) and told to its holder,
    their trainers and admins."""
    course = await uow.courses.header(event.course_id)
    trainee = await uow.users.get(event.trainee_id)
    if course is None or trainee is None:
        return
    months = course.certificate_valid_months
    certificate = await uow.certificates.add(
        Certificate(
            id=0,
            code=new_code(),
            course_id=course.id,
            course_title=course.title,
            trainee_id=trainee.id,
            trainee_name=trainee.name,
            issued_at=now,
            expires_at=add_months(now, months) if months else None,
        )
    )
    if certificate is None:
        return
    await record_audit(
        uow, None, "certificate.issued", "certificate", certificate.id, now, _audited(certificate)
    )
    uow.record(CertificateIssued(certificate, event.trainer_ids))


async def _target(uow: UnitOfWork, certificate: Certificate) -> tuple[Target, frozenset[int]]:
    trainers = frozenset(await uow.assignments.teacher_ids_of(certificate.trainee_id))
    return Target(user_id=certificate.trainee_id, assigned_trainer_ids=trainers), trainers


async def visible_certificate(
    uow: UnitOfWork, actor: Actor, certificate_id: int, *, for_update: bool = False
) -> tuple[Certificate, Target, frozenset[int]]:
    """The certificate, if the actor may read it (admins; its holder; the holder's
    trainers), with who may act on it; otherwise "not found", whether or not it exists."""
    certificate = await uow.certificates.get(certificate_id, for_update=for_update)
    if certificate is None:
        authorize(actor, Permission.LIST_CERTIFICATES)
        raise NotFound(CERTIFICATE_NOT_FOUND)
    target, trainers = await _target(uow, certificate)
    authorize(actor, Permission.READ_CERTIFICATE, target)
    return certificate, target, trainers


class CertificateService:
    def __init__(self, core: Core) -> None:
        self._core = core

    def now(self) -> datetime:
        return self._core.clock.now()

    async def list_certificates(
        self,
        actor: Actor,
        page: Page,
        *,
        course_id: int | None = None,
        trainee_id: int | None = None,
        status: CertificateStatus | None = None,
    ) -> list[Certificate]:
        """The caller's certificates (admins: everyone's, ``trainee_id`` naming one
        holder), newest first; ``status`` as it is now."""
        authorize(actor, Permission.LIST_CERTIFICATES)
        query = CertificateQuery(
            skip=page.skip,
            limit=page.limit,
            trainee_id=trainee_id if actor.role is Role.ADMIN else actor.id,
            course_id=course_id,
            status=status,
            now=self.now(),
        )
        async with self._core.uow(read_only=True) as uow:
            return await uow.certificates.page(query)

    async def get_certificate(self, actor: Actor, certificate_id: int) -> Certificate:
        """Admins, its holder and the holder's trainers; anyone else: 404."""
        async with self._core.uow(read_only=True) as uow:
            certificate, _target_of, _trainers = await visible_certificate(
                uow, actor, certificate_id
            )
            return certificate

    async def revoke(self, actor: Actor, certificate_id: int) -> Certificate:
        """Admins (its holder and their trainers: 403; anyone else: 404). Revoking twice:
        409. Verifying its code then answers ``valid: false``."""
        now = self.now()
        async with self._core.uow() as uow:
            certificate, target, trainers = await visible_certificate(
                uow, actor, certificate_id, for_update=True
            )
            authorize(
                actor,
                Permission.REVOKE_CERTIFICATE,
                target,
                denial="Only admins revoke certificates",
            )
            if certificate.revoked_at is not None:
                raise Conflict("The certificate is already revoked")
            certificate.revoked_at = now
            await uow.certificates.save(certificate)
            await record_audit(
                uow,
                actor,
                "certificate.revoked",
                "certificate",
                certificate.id,
                now,
                {"revoked_at": [None, now.isoformat()]},
            )
            uow.record(CertificateRevoked(certificate, trainers))
            await uow.commit()
        return certificate

    async def renew(self, actor: Actor, certificate_id: int) -> Certificate:
        """Admins and the holder's trainers (the holder: 403). The trainee is enrolled in
        the course again from the start: their completions of its lessons are cleared, so
        that completing it again issues a new certificate. This certificate stands until
        then (or until it expires). Renewing twice before that: 409; a course no longer
        published: 409."""
        now = self.now()
        async with self._core.uow() as uow:
            certificate, target, trainers = await visible_certificate(
                uow, actor, certificate_id, for_update=True
            )
            authorize(
                actor,
                Permission.RENEW_CERTIFICATE,
                target,
                denial="Only admins and the trainee's trainers renew certificates",
            )
            if certificate.renewed_at is not None:
                raise Conflict(
                    "The certificate was renewed already: the trainee is taking the course again"
                )
            course = await uow.courses.header(certificate.course_id, for_update=True)
            if course is None or course.status is not CourseStatus.PUBLISHED:
                raise Conflict("The course is not published: nobody can take it again")
            await self._restart(uow, actor, certificate, course, trainers, now)
            certificate.renewed_at = now
            await uow.certificates.save(certificate)
            await record_audit(
                uow,
                actor,
                "certificate.renewed",
                "certificate",
                certificate.id,
                now,
                {"renewed_at": [None, now.isoformat()]},
            )
            uow.record(CertificateRenewed(certificate, trainers))
            await uow.commit()
        return certificate

    @staticmethod
    async def _restart(
        uow: UnitOfWork,
        actor: Actor,
        certificate: Certificate,
        course: Course,
        trainers: frozenset[int],
        now: datetime,
    ) -> None:
        """Clear the trainee's completions of the course and set their enrolment back to
        the start (enrolling them again when they left it)."""
        course_id, trainee_id = certificate.course_id, certificate.trainee_id
        for lesson_id in await uow.lesson_completions.lesson_ids(course_id, trainee_id):
            await uow.lesson_completions.delete(lesson_id, trainee_id)
        enrolment = await uow.course_enrolments.get(course_id, trainee_id, for_update=True)
        if enrolment is None:
            await enrol_trainees(uow, actor, course, [trainee_id], now)
            return
        progress = progress_of(0, await uow.courses.lesson_total(course_id))
        if enrolment.follow(progress, now):
            await uow.course_enrolments.update(enrolment)
        uow.record(
            CourseProgressChanged(
                course_id=course_id,
                trainee_id=trainee_id,
                owner_id=course.owner_id,
                trainer_ids=trainers,
                progress=progress,
            )
        )

    async def verify(self, code: str) -> Verification:
        """Anyone, signed in or not. A code no certificate has answers 404 after the same
        work as one that exists (one look-up, one constant-time comparison); a revoked or
        expired certificate answers ``valid: false`` with its status."""
        asked = normalized_code(code) or ""
        async with self._core.uow(read_only=True) as uow:
            found = await uow.certificates.by_code(asked or "-")
        if not codes_match(found.code if found else None, asked) or found is None:
            raise NotFound(CERTIFICATE_NOT_FOUND)
        status = found.status(self.now())
        return Verification(
            valid=status in STANDING,
            status=status,
            trainee_name=found.trainee_name,
            course_title=found.course_title,
            issued_at=found.issued_at,
            expires_at=found.expires_at,
        )
