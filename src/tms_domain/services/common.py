"""What every use case shares: its collaborators, paging bounds, the audit trail, payloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tms_domain.errors import InvalidInput, NotFound
from tms_domain.model import Actor, Audience, AuditEntry, DomainEvent, TrainingSession, User
from tms_domain.ports import Clock, UnitOfWork, UnitOfWorkFactory

MAX_PAGE_SIZE = 1000

INTERNAL_EVENT_PREFIX = "internal."
"""Events for the system itself (never sent to a client)."""
SIGN_INS_ENDED = INTERNAL_EVENT_PREFIX + "sign_ins_ended"


def sign_ins_ended(
    user_id: int, *, sign_in_id: str | None = None, except_sign_in_id: str | None = None
) -> DomainEvent:
    """Tells every app process to close the live connections of the sign-ins that ended."""
    return DomainEvent(
        SIGN_INS_ENDED,
        {"user_id": user_id, "sign_in_id": sign_in_id, "except_sign_in_id": except_sign_in_id},
        Audience(),
    )


@dataclass(frozen=True)
class Page:
    """``skip`` >= 0 and ``limit`` in 1..1000; anything else is refused, never unbounded."""

    skip: int = 0
    limit: int = 100

    def __post_init__(self) -> None:
        errors = []
        if self.skip < 0:
            errors.append(("skip", "skip must be 0 or more"))
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            errors.append(("limit", f"limit must be between 1 and {MAX_PAGE_SIZE}"))
        if errors:
            raise InvalidInput.many("Invalid paging", errors)


@dataclass(frozen=True)
class Core:
    """The ports every use case needs."""

    uow: UnitOfWorkFactory
    clock: Clock


async def audit(
    uow: UnitOfWork,
    actor: Actor | None,
    action: str,
    target_type: str,
    target_id: int | None,
    at: Any,
    changes: dict[str, list[Any]] | None = None,
) -> None:
    await uow.audit.record(
        AuditEntry(
            action=action,
            target_type=target_type,
            target_id=target_id,
            actor_id=actor.id if actor else None,
            actor=actor.user.username if actor else None,
            at=at,
            client_address=actor.client_address if actor else None,
            changes=changes or {},
        )
    )


def user_payload(user: User) -> dict[str, Any]:
    """A user as events carry it: never the password hash."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "role": user.role.value,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "name": user.name,
        "is_temporary_password": user.is_temporary_password,
        "created_at": user.created_at.isoformat(),
        "updated_at": user.updated_at.isoformat(),
    }


def session_changes(before: TrainingSession, after: TrainingSession) -> dict[str, list[Any]]:
    return diff(session_fields(before), session_fields(after))


def session_fields(session: TrainingSession) -> dict[str, Any]:
    return {
        "title": session.title,
        "description": session.description,
        "trainer_id": session.trainer_id,
        "trainees": sorted(session.trainee_ids),
        "scheduled_date": session.scheduled_date.isoformat(),
        "duration_minutes": session.duration_minutes,
        "status": session.status.value,
        "class_link": session.class_link,
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as {field: [before, after]}."""
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


async def existing_user(uow: UnitOfWork, user_id: int, *, for_update: bool = False) -> User:
    user = await uow.users.get(user_id, for_update=for_update)
    if user is None:
        raise NotFound("User not found")
    return user
