"""Paging bounds every listing shares."""

from __future__ import annotations

from dataclasses import dataclass

from tms_domain.kernel.errors import InvalidInput

MAX_PAGE_SIZE = 1000


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
