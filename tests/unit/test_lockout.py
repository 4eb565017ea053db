"""LockoutPolicy: when a run of failed sign-ins locks an account, and for how long."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tms_domain.accounts import LockoutPolicy

DEFAULT = LockoutPolicy()
LAST_FAILURE = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def test_the_defaults_are_five_failures_one_minute_one_hour_and_fifty_per_address() -> None:
    assert DEFAULT.threshold == 5
    assert DEFAULT.base == timedelta(minutes=1)
    assert DEFAULT.cap == timedelta(hours=1)
    assert DEFAULT.failures_per_address_per_minute == 50


@pytest.mark.parametrize("failures", [0, 1, 4])
def test_below_the_threshold_nothing_is_locked(failures: int) -> None:
    assert DEFAULT.lock_duration(failures) == timedelta(0)
    assert DEFAULT.locked_until(failures, LAST_FAILURE) is None


@pytest.mark.parametrize(
    ("failures", "minutes"),
    [(5, 1), (6, 2), (7, 4), (8, 8), (9, 16), (10, 32), (11, 60), (12, 60), (1000, 60)],
)
def test_the_lock_starts_at_a_minute_doubles_per_failure_and_stops_at_an_hour(
    failures: int, minutes: int
) -> None:
    assert DEFAULT.lock_duration(failures) == timedelta(minutes=minutes)
    assert DEFAULT.locked_until(failures, LAST_FAILURE) == LAST_FAILURE + timedelta(minutes=minutes)


def test_without_a_last_failure_nothing_is_locked() -> None:
    assert DEFAULT.locked_until(50, None) is None


def test_a_huge_count_neither_overflows_nor_passes_the_cap() -> None:
    assert DEFAULT.lock_duration(10**9) == DEFAULT.cap
    assert DEFAULT.lock_duration(2**63) == DEFAULT.cap


def test_the_settings_shape_the_policy() -> None:
    policy = LockoutPolicy(threshold=3, base=timedelta(seconds=10), cap=timedelta(seconds=25))

    assert policy.lock_duration(2) == timedelta(0)
    assert policy.lock_duration(3) == timedelta(seconds=10)
    assert policy.lock_duration(4) == timedelta(seconds=20)
    assert policy.lock_duration(5) == timedelta(seconds=25)


def test_a_threshold_of_one_locks_after_the_first_failure() -> None:
    policy = LockoutPolicy(threshold=1)

    assert policy.lock_duration(0) == timedelta(0)
    assert policy.lock_duration(1) == timedelta(minutes=1)


@given(
    threshold=st.integers(1, 20),
    base_seconds=st.integers(1, 600),
    cap_seconds=st.integers(1, 86_400),
    failures=st.integers(0, 10_000),
)
def test_the_duration_never_shrinks_with_more_failures_and_stays_within_bounds(
    threshold: int, base_seconds: int, cap_seconds: int, failures: int
) -> None:
    policy = LockoutPolicy(
        threshold=threshold,
        base=timedelta(seconds=base_seconds),
        cap=timedelta(seconds=cap_seconds),
    )
    now = policy.lock_duration(failures)
    after = policy.lock_duration(failures + 1)

    assert now <= after
    assert after <= max(policy.cap, timedelta(0))
    if failures + 1 >= threshold:
        doublings = min(failures + 1 - threshold, 32)  # past 32 the cap has long been reached
        assert after == min(policy.base * 2**doublings, policy.cap)
        assert after > timedelta(0)
    else:
        assert after == timedelta(0)
