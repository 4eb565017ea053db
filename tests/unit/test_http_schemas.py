"""HTTP DTO helpers: timestamps are written as the contract shows them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tms_entrypoints.http import schemas
from tms_entrypoints.http.schemas import iso


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 5, 4, 9, 0, tzinfo=UTC),
        datetime(2026, 5, 4, 9, 0, 0, 250, tzinfo=UTC),
        datetime(2026, 5, 4, 9, 0, tzinfo=timezone(timedelta(0))),
        datetime(2026, 5, 4, 11, 0, tzinfo=timezone(timedelta(hours=2))),
    ],
)
def test_iso_is_isoformat_however_often_asked(moment: datetime) -> None:
    # The same instant in another zone is asked first: a remembered text must not leak.
    iso(moment.astimezone(timezone(timedelta(hours=5))))
    assert iso(moment) == moment.isoformat()
    assert iso(moment.replace()) == moment.isoformat()


def test_iso_remembers_a_bounded_number_of_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schemas, "ISO_TEXTS_KEPT", 3)
    monkeypatch.setattr(schemas, "_iso_texts", {})
    start = datetime(2026, 1, 1, tzinfo=UTC)
    moments = [start + timedelta(seconds=i) for i in range(10)]

    assert [iso(m) for m in moments] == [m.isoformat() for m in moments]
    assert len(schemas._iso_texts) <= 3
