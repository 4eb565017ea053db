"""Sign-in lockout, as Keycloak's brute-force detection does it: after a run of failures
an account is locked for a while, twice as long for each further failure, up to a cap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    threshold: int = 5
    """Failures in a row that lock the account."""
    base: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=1)
    failures_per_address_per_minute: int = 50
    """Failed sign-ins one client address may make in a minute, across all accounts."""

    def lock_duration(self, failures: int) -> timedelta:
        """None locked below the threshold; then base, 2 x base, 4 x base ... up to the cap."""
        if failures < self.threshold:
            return timedelta(0)
        doublings = min(failures - self.threshold, 32)
        longer: timedelta = self.base * (1 << doublings)
        return min(longer, self.cap)

    def locked_until(self, failures: int, last_failure: datetime | None) -> datetime | None:
        if last_failure is None or failures < self.threshold:
            return None
        return last_failure + self.lock_duration(failures)


def account_attempts_key(user_id: int) -> str:
    """Where an account's failed sign-ins are counted (an AttemptStore key)."""
    return f"user:{user_id}"
