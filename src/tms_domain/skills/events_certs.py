"""What happens to certificates: heard by their holder and the holder's trainers (admins
hear everything)."""

from __future__ import annotations

from dataclasses import dataclass

from tms_domain.kernel.events import Audience, DomainEvent
from tms_domain.skills.certificates import Certificate


@dataclass(frozen=True)
class _CertificateFact(DomainEvent):
    certificate: Certificate
    trainer_ids: frozenset[int]

    @property
    def audience(self) -> Audience:
        return Audience(frozenset({self.certificate.trainee_id}) | self.trainer_ids)


@dataclass(frozen=True)
class CertificateIssued(_CertificateFact):
    pass


@dataclass(frozen=True)
class CertificateRevoked(_CertificateFact):
    pass


@dataclass(frozen=True)
class CertificateRenewed(_CertificateFact):
    """The holder was sent through the course again, from the start."""
