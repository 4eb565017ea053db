"""Parameter types shared by the controllers."""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter, QueryParameter

from tms_domain.services.common import MAX_PAGE_SIZE
from tms_entrypoints.http.schemas import MAX_ID

Skip = Annotated[int, QueryParameter(ge=0, le=MAX_ID, description="Rows to skip")]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="Rows at most")]
Id = Annotated[int, PathParameter(gt=0, le=MAX_ID)]
