"""What every SQL adapter shares: bounded IN lists, and conflicts read from the
database's unique keys."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.exc import IntegrityError

from tms_domain.kernel import Conflict

CHUNK = 2000
"""Bound on the ids sent in one IN list (SQLite limits bound parameters)."""


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def conflict_for(error: IntegrityError, messages: dict[str, str], default: str) -> Conflict:
    text = str(error.orig)
    for marker, message in messages.items():
        if marker in text:
            return Conflict(message)
    return Conflict(default)
