"""What bringing the earlier system over needs: its rows, and bulk writes of ours that
remember which legacy row each came from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tms_domain.accounts import User
from tms_domain.audit import AuditEntry
from tms_domain.legacy.model import Kind, LegacyData
from tms_domain.training import Assignment, Attendance, TrainingSession


class LegacySource(Protocol):
    """The earlier system's database, read once."""

    async def read(self) -> LegacyData:
        """Every row of its six tables, each list in id order; timestamps as stored (naive)."""
        ...


class LegacyImportStore(Protocol):
    """Bulk writes in this unit of work and the map of legacy ids to ours (``legacy_ids``).
    The ``add_*`` methods return the new ids in the order given; they never commit."""

    async def mapped(self, kind: Kind) -> dict[int, int]:
        """legacy id -> our id, for every row of ``kind`` brought over before."""
        ...

    async def refusals(self, users: Sequence[User]) -> list[str | None]:
        """For each user, why it could not be stored next to the users stored already and
        the ones before it in the list (a username or e-mail taken, a look-alike username),
        or None."""
        ...

    async def taken_join_links(self, links: Sequence[str]) -> set[str]:
        """Those of ``links`` that a stored session uses already."""
        ...

    async def add_users(self, users: Sequence[User]) -> list[int]: ...

    async def add_sessions(self, sessions: Sequence[TrainingSession]) -> list[int]:
        """The sessions without their trainees (enrolments come as their own rows)."""
        ...

    async def add_enrolments(self, enrolments: Sequence[tuple[int, int, datetime]]) -> list[int]:
        """(session id, trainee id, enrolled at)."""
        ...

    async def add_assignments(self, assignments: Sequence[Assignment]) -> list[int]: ...

    async def add_attendance(self, marks: Sequence[Attendance]) -> list[int]: ...

    async def add_audit(self, entries: Sequence[AuditEntry]) -> list[int]: ...

    async def remember(self, kind: Kind, pairs: Sequence[tuple[int, int]]) -> None:
        """Record (legacy id, our id) pairs of ``kind``."""
        ...
