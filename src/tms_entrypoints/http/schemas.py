"""HTTP DTOs (msgspec Structs): the contract's shapes. Never a hash or a token of anyone
but the caller's own fresh sign-in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

import msgspec

from tms_domain.training import Clash

RoleName = Literal["admin", "trainer", "trainee"]
Timestamp = Annotated[str, msgspec.Meta(extra_json_schema={"extra": {"format": "date-time"}})]
"""A time in an answer, as ``iso`` writes it (Litestar reads the schema's format from "extra")."""
ShortText = Annotated[str, msgspec.Meta(max_length=256)]
Secret = Annotated[str, msgspec.Meta(max_length=1024)]
LongText = Annotated[str, msgspec.Meta(max_length=10_000)]


ISO_TEXTS_KEPT = 1 << 15
"""At most this many UTC moments' texts are remembered (a few MiB); then they start over."""
_iso_texts: dict[datetime, str] = {}


def iso(moment: datetime) -> str:
    """ISO 8601 with an explicit offset, as the contract shows (``+00:00``).

    A UTC moment's text is remembered: formatting with an offset costs more than the rest
    of a DTO, and listings show the same stored timestamps on every request. Two UTC
    datetimes that compare equal have equal fields, hence the same text."""
    if type(moment) is not datetime or moment.tzinfo is not UTC:
        return moment.isoformat()
    text = _iso_texts.get(moment)
    if text is None:
        if len(_iso_texts) >= ISO_TEXTS_KEPT:
            _iso_texts.clear()
        text = _iso_texts[moment] = moment.isoformat()
    return text


class MessageOut(msgspec.Struct):
    message: str


class HealthOut(msgspec.Struct):
    status: str
    database: str


class LivenessOut(msgspec.Struct):
    status: Literal["alive"]


class ReadinessOut(msgspec.Struct):
    """Each check's state; `status` is `ready` only when all are well."""

    status: Literal["ready", "not ready"]
    database: Literal["ok", "unavailable"]
    migrations: Literal["ok", "pending", "unknown"]
    """`unknown` while the database cannot be asked."""
    redis: Literal["ok", "unavailable", "not configured"]


StatusName = Literal["scheduled", "completed", "cancelled"]
Title = Annotated[str, msgspec.Meta(max_length=1000)]
MAX_ID = 2**63 - 1
"""The largest id a database column can hold; a larger one names nothing."""
PositiveId = Annotated[int, msgspec.Meta(gt=0, le=MAX_ID)]
TraineeIds = Annotated[list[PositiveId], msgspec.Meta(max_length=1000)]
Link = Annotated[str, msgspec.Meta(max_length=4000)]


class PersonOut(msgspec.Struct):
    id: int
    name: str


class ConflictOut(msgspec.Struct, omit_defaults=True):
    """One session a booking clashes with, and who is in both (a 409's `conflicts`); for a
    room taken, the room both would be held in."""

    session_id: int
    title: str
    scheduled_date: Timestamp
    ends_at: Timestamp
    trainer: PersonOut | None
    trainees: list[PersonOut]
    room: PersonOut | None = None

    @classmethod
    def of(cls, clash: Clash) -> ConflictOut:
        return cls(
            session_id=clash.session_id,
            title=clash.title,
            scheduled_date=iso(clash.scheduled_date),
            ends_at=iso(clash.ends_at),
            trainer=PersonOut(clash.trainer.id, clash.trainer.name) if clash.trainer else None,
            trainees=[PersonOut(p.id, p.name) for p in clash.trainees],
            room=PersonOut(clash.room.id, clash.room.name) if clash.room else None,
        )


class FieldErrorOut(msgspec.Struct):
    field: str
    message: str


class ErrorOut(msgspec.Struct, omit_defaults=True):
    """The one shape of every error answer."""

    detail: str
    errors: list[FieldErrorOut] = msgspec.field(default_factory=list)
    """Each field at fault (a 422 names them)."""


class DoubleBookingOut(ErrorOut, omit_defaults=True):
    """A 409 for a double booking: each clash as data a client can show in its own zone."""

    conflicts: list[ConflictOut] = msgspec.field(default_factory=list)
