"""The wire shapes of certificates' events (docs/api.md): what changed, never the code (a
certificate's code is for its holder to hand out). Registered with the mapper in ``wire``,
which imports this module."""

from __future__ import annotations

from typing import Any

from tms_adapters.realtime.wire import Shape, shapes
from tms_domain.skills import (
    Certificate,
    CertificateIssued,
    CertificateRenewed,
    CertificateRevoked,
)


def _certificate(certificate: Certificate) -> dict[str, Any]:
    return {
        "certificate_id": certificate.id,
        "course_id": certificate.course_id,
        "trainee_id": certificate.trainee_id,
        "issued_at": certificate.issued_at.isoformat(),
        "expires_at": certificate.expires_at.isoformat() if certificate.expires_at else None,
        "revoked": certificate.revoked_at is not None,
    }


@shapes(CertificateIssued)
def _issued(event: CertificateIssued) -> Shape:
    return "certificate_issued", _certificate(event.certificate)


@shapes(CertificateRevoked)
def _revoked(event: CertificateRevoked) -> Shape:
    return "certificate_revoked", _certificate(event.certificate)


@shapes(CertificateRenewed)
def _renewed(event: CertificateRenewed) -> Shape:
    return "certificate_renewed", _certificate(event.certificate)
