"""What happens to background jobs that the people looking after them hear of."""

from __future__ import annotations

from dataclasses import dataclass

from tms_domain.kernel.events import DomainEvent
from tms_domain.kernel.jobs import Job


@dataclass(frozen=True)
class JobFailed(DomainEvent):
    """A job gave up (attempts used up, or a permanent failure) and waits for an admin; the
    audience is the default, admins only."""

    job: Job
