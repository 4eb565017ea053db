"""Parameter types shared by the controllers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar.params import PathParameter, QueryParameter

from tms_domain.kernel import MAX_PAGE_SIZE
from tms_entrypoints.http.schemas import MAX_ID
from tms_entrypoints.http.timestamps import parse_timestamp, timestamp_query

Skip = Annotated[int, QueryParameter(ge=0, le=MAX_ID, description="Rows to skip")]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="Rows at most")]
Id = Annotated[int, PathParameter(gt=0, le=MAX_ID)]

From = Annotated[str | None, timestamp_query("from", "From (inclusive)")]
To = Annotated[str | None, timestamp_query("to", "Until (exclusive)")]


def moment(value: str | None, name: str) -> datetime | None:
    """A time filter as the client wrote it: read here rather than by the framework, so that
    every form of ``parse_timestamp`` is accepted and an error names the parameter the
    client sent (`from`, not the handler's own name for it). Blank means no bound."""
    if value is None or not value.strip():
        return None
    return parse_timestamp(value, name)
