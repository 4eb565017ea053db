"""Parameter types shared by the controllers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar.params import PathParameter, QueryParameter

from tms_domain.errors import InvalidInput
from tms_domain.services.common import MAX_PAGE_SIZE
from tms_entrypoints.http.schemas import MAX_ID

Skip = Annotated[int, QueryParameter(ge=0, le=MAX_ID, description="Rows to skip")]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="Rows at most")]
Id = Annotated[int, PathParameter(gt=0, le=MAX_ID)]

_MOMENT = (
    "ISO 8601: a date (2026-05-01, its midnight) or a date and time "
    "(2026-05-01T09:00:00+00:00); without an offset, UTC"
)


From = Annotated[
    str | None,
    QueryParameter(name="from", max_length=40, description=f"From (inclusive). {_MOMENT}"),
]
To = Annotated[
    str | None,
    QueryParameter(name="to", max_length=40, description=f"Until (exclusive). {_MOMENT}"),
]


def moment(value: str | None, name: str) -> datetime | None:
    """A time filter as the client wrote it: read here rather than by the framework, so that
    a plain date is accepted and an error names the parameter the client sent (`from`, not
    the handler's own name for it)."""
    if value is None or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput.for_field(
            name, f"{name} must be an ISO 8601 date or date and time, not {value!r}"
        ) from None
