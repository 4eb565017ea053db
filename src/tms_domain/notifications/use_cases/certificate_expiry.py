"""The reminder that a certificate expires: ``certificate_expiring``, 30 days before its
expiry (at once when it is issued closer to it than that), once per certificate.

As with the course-due notice (``course_due``), a background job is enqueued with the
certificate, due at the reminder's moment and keyed by the certificate; when it runs it
looks at the certificate as it is then (still there, not revoked, the same expiry) before
it notifies its holder."""

from __future__ import annotations

from datetime import datetime

from tms_domain.kernel.jobs import JobContext
from tms_domain.notifications.mail import MailTemplate
from tms_domain.notifications.model import NotificationKind
from tms_domain.notifications.use_cases.notify import notify
from tms_domain.skills import EXPIRING_WITHIN, CertificateIssued
from tms_domain.unit_of_work import Core, UnitOfWork

CERTIFICATE_EXPIRING_JOB = "notifications.certificate_expiring"
CERTIFICATES_PATH = "/certificates"


def reminder_key(certificate_id: int) -> str:
    return f"certificate_expiring:{certificate_id}"


async def on_certificate_issued(uow: UnitOfWork, event: CertificateIssued, now: datetime) -> None:
    expires_at = event.certificate.expires_at
    if expires_at is None or expires_at <= now:
        return
    uow.jobs.enqueue(
        CERTIFICATE_EXPIRING_JOB,
        {"certificate_id": event.certificate.id, "expires_at": expires_at.isoformat()},
        idempotency_key=reminder_key(event.certificate.id),
        run_after=max(now, expires_at - EXPIRING_WITHIN),
    )


class CertificateExpiryReminders:
    """The ``notifications.certificate_expiring`` job."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def __call__(self, job: JobContext) -> None:
        await self.remind(
            int(job.payload["certificate_id"]),
            datetime.fromisoformat(str(job.payload["expires_at"])),
        )

    async def remind(self, certificate_id: int, expires_at: datetime) -> bool:
        """Tell the holder, if the certificate still stands with that expiry; True when
        told now (False when told before, or nothing to tell)."""
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            certificate = await uow.certificates.get(certificate_id)
            if (
                certificate is None
                or certificate.revoked_at is not None
                or certificate.expires_at != expires_at
                or expires_at <= now
            ):
                return False
            day = expires_at.date().isoformat()
            stored = await notify(
                uow,
                certificate.trainee_id,
                NotificationKind.CERTIFICATE_EXPIRING,
                title="A certificate expires soon",
                message=f"Your certificate for {certificate.course_title} expires on {day}",
                link=CERTIFICATES_PATH,
                dedupe_key=reminder_key(certificate.id),
                now=now,
                mail=MailTemplate.CERTIFICATE_EXPIRING,
                mail_context={"course_title": certificate.course_title, "expires_on": day},
            )
            await uow.commit()
        return stored is not None
