"""Read-side view ports of the training area: listings as the client is shown them."""

from __future__ import annotations

from typing import Protocol

from tms_domain.training.model import SessionQuery


class SessionViews(Protocol):
    """The session listing as clients are shown it: each session with its trainees, as
    opaque views the HTTP edge sends as they are, built straight from the stored rows (no
    TrainingSession nor User per row: a page of 100 sessions holds 1,000 trainee entries,
    and building aggregates, then DTOs from them, cost more than reading the rows). What a
    view holds is the adapters' (tms_adapters/persistence/views.py); a test holds it to the
    HTTP contract, byte for byte."""

    async def page(self, query: SessionQuery, viewer_id: int) -> object:
        """The sessions SessionListing.page finds for ``query``, in its order, each with its
        enrolled trainees in enrolment order, its places and waitlist, and the booking of
        ``viewer_id`` (the caller) in it: as a sequence of views, or as the page already
        encoded (an adapter may keep encoded pages while the data they show is unchanged,
        one per caller, since the booking shown is the caller's)."""
        ...
