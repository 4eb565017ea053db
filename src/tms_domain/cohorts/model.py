"""Batches (cohorts): a group of trainees who learn together, with the trainers who follow
them. A batch's members are not held in the aggregate (a batch may have hundreds); the
repository keeps them, and the count travels with the batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from tms_domain.audit import diff
from tms_domain.kernel import InvalidInput

MAX_CODE_LENGTH = 32
MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
MAX_TRAINERS = 100


@dataclass(frozen=True)
class BatchChanges:
    """Fields to change; None leaves a field as it is. ``cleared``: the optional fields
    (description, starts_on, ends_on) set to nothing."""

    code: str | None = None
    name: str | None = None
    description: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    trainer_ids: tuple[int, ...] | None = None
    cleared: frozenset[str] = frozenset()


@dataclass
class Batch:
    id: int
    code: str
    name: str
    description: str | None
    starts_on: date | None
    ends_on: date | None
    created_at: datetime
    updated_at: datetime
    trainer_ids: tuple[int, ...] = ()
    trainee_count: int = 0
    course_ids: tuple[int, ...] = field(default=())
    """The courses the batch is enrolled in: whoever joins is enrolled in them too."""

    @classmethod
    def plan(
        cls,
        *,
        code: str,
        name: str,
        now: datetime,
        description: str | None = None,
        starts_on: date | None = None,
        ends_on: date | None = None,
        trainer_ids: tuple[int, ...] = (),
    ) -> Batch:
        batch = cls(0, "", "", None, None, None, now, now)
        batch.apply(
            BatchChanges(
                code=code,
                name=name,
                description=description,
                starts_on=starts_on,
                ends_on=ends_on,
                trainer_ids=trainer_ids,
            ),
            now,
            required=True,
        )
        batch.updated_at = now
        return batch

    def audit_fields(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "starts_on": self.starts_on.isoformat() if self.starts_on else None,
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
            "trainer_ids": list(self.trainer_ids),
        }

    def apply(
        self, changes: BatchChanges, now: datetime, *, required: bool = False
    ) -> dict[str, list[Any]]:
        """Make the changes (all or none: every bad field is named, 422); answer what
        changed as [before, after]. ends_on cannot come before starts_on."""
        before = self.audit_fields()
        code = self.code if changes.code is None else changes.code.strip()
        name = self.name if changes.name is None else changes.name.strip()
        description = self.description
        if "description" in changes.cleared:
            description = None
        elif changes.description is not None:
            description = changes.description.strip() or None
        starts_on = None if "starts_on" in changes.cleared else changes.starts_on or self.starts_on
        ends_on = None if "ends_on" in changes.cleared else changes.ends_on or self.ends_on
        trainer_ids = (
            self.trainer_ids
            if changes.trainer_ids is None
            else tuple(dict.fromkeys(changes.trainer_ids))
        )
        errors = _violations(code, name, description, starts_on, ends_on, trainer_ids)
        if errors:
            raise InvalidInput.many("Invalid batch", errors)
        self.code, self.name, self.description = code, name, description
        self.starts_on, self.ends_on, self.trainer_ids = starts_on, ends_on, trainer_ids
        changed = diff(before, self.audit_fields())
        if changed and not required:
            self.updated_at = now
        return changed


def _violations(
    code: str,
    name: str,
    description: str | None,
    starts_on: date | None,
    ends_on: date | None,
    trainer_ids: tuple[int, ...],
) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    if not 1 <= len(code) <= MAX_CODE_LENGTH:
        errors.append(("code", f"The code must be 1 to {MAX_CODE_LENGTH} characters"))
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        errors.append(("name", f"The name must be 1 to {MAX_NAME_LENGTH} characters"))
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        errors.append(
            ("description", f"The description must be at most {MAX_DESCRIPTION_LENGTH} characters")
        )
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors.append(("ends_on", "ends_on cannot come before starts_on"))
    if len(trainer_ids) > MAX_TRAINERS:
        errors.append(("trainer_ids", f"At most {MAX_TRAINERS} trainers"))
    return errors


@dataclass(frozen=True)
class BatchQuery:
    skip: int = 0
    limit: int = 100
    q: str | None = None
    """Part of the code or the name, case aside."""
    trainer_id: int | None = None
    """Only the batches this trainer follows."""
    member_id: int | None = None
    """Only the batches this trainee belongs to."""
