"""Certificate codes and validity: unguessable, unique in practice, easy to type back;
months added as a calendar does; status judged at a moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tms_domain.skills import Certificate, CertificateStatus
from tms_domain.skills.certificates import (
    CODE_ALPHABET,
    CODE_LENGTH,
    add_months,
    codes_match,
    new_code,
    normalized_code,
)

NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)


def test_codes_carry_a_hundred_random_bits_in_groups_of_four() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        assert len(code) == CODE_LENGTH == 24
        groups = code.split("-")
        assert [len(g) for g in groups] == [4] * 5
        assert set("".join(groups)) <= set(CODE_ALPHABET)
    assert len(CODE_ALPHABET) ** 20 == 2**100


@given(st.text(alphabet=CODE_ALPHABET, min_size=20, max_size=20))
def test_a_code_typed_by_hand_reads_back(chars: str) -> None:
    code = "-".join(chars[i : i + 4] for i in range(0, 20, 4))
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "i")
    assert normalized_code(typed) == code
    assert normalized_code(code.replace("-", "")) == code


def test_what_cannot_be_a_code_is_none() -> None:
    for typed in ("", "ABC", "A" * 21, "UUUU-" * 4 + "!!!!", "ü" * 20):
        assert normalized_code(typed) is None


def test_codes_match_only_the_same_code() -> None:
    code = new_code()
    assert codes_match(code, code)
    assert not codes_match(code, new_code())
    assert not codes_match(None, code)
    assert not codes_match(None, "0000-0000-0000-0000-0000")


def test_months_are_added_as_a_calendar_does() -> None:
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2026, 11, 15, tzinfo=UTC), 14) == datetime(2028, 1, 15, tzinfo=UTC)
    assert add_months(datetime(2028, 2, 29, tzinfo=UTC), 12) == datetime(2029, 2, 28, tzinfo=UTC)


def test_status_at_a_moment() -> None:
    certificate = Certificate(1, new_code(), 1, "T", 2, "N", NOW, NOW + timedelta(days=60))
    assert certificate.status(NOW) is CertificateStatus.VALID
    assert certificate.status(NOW + timedelta(days=30)) is CertificateStatus.EXPIRING
    assert certificate.status(NOW + timedelta(days=60)) is CertificateStatus.EXPIRED
    certificate.revoked_at = NOW
    assert certificate.status(NOW) is CertificateStatus.REVOKED
    assert not certificate.current
