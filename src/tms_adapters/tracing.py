"""What ties work to its cause: the id of the request being served, carried into the
background jobs it enqueues and bound again while they run, so that every log line of the
job names the request that caused it."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from tms_domain.kernel.jobs import ORIGIN_KEY

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the request being served (X-Request-ID), or of the one that caused the job
being run."""


def with_origin(payload: dict[str, Any]) -> dict[str, Any]:
    """A job's payload as stored: with the request being served as its origin, when there
    is one (an admin's retry makes the retrying request the origin of the runs after it)."""
    request_id = REQUEST_ID.get()
    if request_id is not None:
        payload[ORIGIN_KEY] = {"request_id": request_id}
    return payload
