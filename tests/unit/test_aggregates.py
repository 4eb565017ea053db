"""The aggregates on their own: what a TrainingSession and a User decide without any store,
and the typed events they raise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tms_domain.accounts import PasswordChanged, PasswordReset, User, UserChanges
from tms_domain.kernel import Conflict, InvalidInput, NotFound, Role
from tms_domain.training import (
    SessionChanged,
    SessionChanges,
    SessionStatus,
    TraineeEnrolled,
    TraineeJoinedByLink,
    TraineeWithdrawn,
    TrainingSession,
)

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


def planned(status: SessionStatus = SessionStatus.SCHEDULED) -> TrainingSession:
    session = TrainingSession.plan(
        title="  Safety  ",
        trainer_id=2,
        scheduled_date=datetime(2026, 6, 1, 9, 0),  # noqa: DTZ001 - naive: read as UTC
        duration_minutes=60,
        description=None,
        trainee_ids=(3, 4, 3),
        status=status,
        class_link="",
        session_link="a" * 32,
        now=NOW,
    )
    session.id = 10
    return session


def test_a_planned_session_is_tidied_and_checked() -> None:
    session = planned()
    assert session.title == "Safety"
    assert session.trainee_ids == [3, 4]
    assert session.scheduled_date.tzinfo is UTC
    assert session.class_link is None
    with pytest.raises(InvalidInput) as refused:
        TrainingSession.plan(
            title="",
            trainer_id=2,
            scheduled_date=NOW,
            duration_minutes=0,
            description=None,
            trainee_ids=(),
            status=SessionStatus.SCHEDULED,
            class_link="ftp://x",
            session_link="short",
            now=NOW,
        )
    fields = {error.field for error in refused.value.errors}
    assert fields == {"title", "duration_minutes", "class_link", "session_link"}


def test_applying_changes_answers_the_diff_and_raises_one_event() -> None:
    session = planned()
    changed = session.apply(
        SessionChanges(title="Fire safety", session_link="b" * 32, trainee_ids=(4, 5, 5)), LATER
    )
    assert changed == {
        "title": ["Safety", "Fire safety"],
        "trainees": [[3, 4], [4, 5]],
        "session_link": ["***", "***"],
    }
    assert session.updated_at == LATER
    [event] = session.pull_events()
    assert isinstance(event, SessionChanged)
    assert event.before.title == "Safety"
    assert event.session.title == "Fire safety"
    assert event.audience.user_ids == {2, 3, 4, 5}
    assert session.pull_events() == []


def test_changes_to_the_same_values_change_nothing() -> None:
    session = planned()
    assert (
        session.apply(SessionChanges(title="Safety", status=SessionStatus.SCHEDULED), LATER) == {}
    )
    assert session.updated_at == NOW
    assert session.pull_events() == []


@pytest.mark.parametrize(
    ("start", "wanted", "allowed"),
    [
        (SessionStatus.SCHEDULED, SessionStatus.COMPLETED, True),
        (SessionStatus.SCHEDULED, SessionStatus.CANCELLED, True),
        (SessionStatus.CANCELLED, SessionStatus.SCHEDULED, True),
        (SessionStatus.CANCELLED, SessionStatus.COMPLETED, False),
        (SessionStatus.COMPLETED, SessionStatus.SCHEDULED, False),
        (SessionStatus.COMPLETED, SessionStatus.CANCELLED, False),
    ],
)
def test_status_moves(start: SessionStatus, wanted: SessionStatus, allowed: bool) -> None:
    session = planned(start)
    if allowed:
        session.apply(SessionChanges(status=wanted, title="Renamed"), LATER)
        assert session.status is wanted
        return
    with pytest.raises(Conflict):
        session.apply(SessionChanges(status=wanted, title="Renamed"), LATER)
    assert (session.status, session.title) == (start, "Safety")
    assert session.pull_events() == []


def test_enrolment_once_is_heard_by_the_trainee() -> None:
    session = planned()
    session.enrol(7, "Tom", LATER)
    (enrolled,) = session.pull_events()
    assert isinstance(enrolled, TraineeEnrolled)
    assert enrolled.audience.user_ids == {2, 3, 4, 7}
    with pytest.raises(Conflict, match="Tom is already enrolled"):
        session.enrol(7, "Tom", LATER)


def test_a_withdrawn_trainee_still_hears_of_it() -> None:
    session = planned()
    session.withdraw(3, LATER)
    [event] = session.pull_events()
    assert isinstance(event, TraineeWithdrawn)
    assert event.session.trainee_ids == [4]
    assert event.audience.user_ids == {2, 3, 4}
    with pytest.raises(NotFound):
        session.withdraw(3, LATER)


def test_joining_by_link_needs_a_scheduled_session_and_is_idempotent() -> None:
    session = planned()
    assert session.join_by_link(7, "Tom", LATER)
    assert not session.join_by_link(7, "Tom", LATER)
    [event] = session.pull_events()
    assert isinstance(event, TraineeJoinedByLink)
    with pytest.raises(Conflict, match="cancelled"):
        planned(SessionStatus.CANCELLED).join_by_link(7, "Tom", LATER)


def a_user() -> User:
    return User(
        id=3,
        username="tara",
        email="tara@example.org",
        role=Role.TRAINER,
        first_name="Tara",
        last_name="T",
        password_hash="old-hash",
        is_temporary_password=False,
        created_at=NOW,
        updated_at=NOW,
    )


def test_a_user_drops_login_fields_they_already_have() -> None:
    user = a_user()
    changes = user.without_unchanged_login(UserChanges(username="tara", email=" new@example.org "))
    assert changes.username is None
    assert changes.email == "new@example.org"


def test_a_new_role_or_password_ends_the_sign_ins() -> None:
    user = a_user()
    changed, ends = user.apply(UserChanges(first_name=" Tam "), None, LATER)
    assert (changed, ends) == ({"first_name": ["Tara", "Tam"]}, False)
    changed, ends = user.apply(UserChanges(role=Role.ADMIN), None, LATER)
    assert (changed, ends) == ({"role": ["trainer", "admin"]}, True)
    changed, ends = user.apply(UserChanges(password="x"), "new-hash", LATER)
    assert changed == {"is_temporary_password": [False, True], "password": ["***", "***"]}
    assert ends
    assert user.password_hash == "new-hash"
    assert user.is_temporary_password


def test_privileged_changes_are_those_that_change_something() -> None:
    user = a_user()
    assert not user.changes_privileges(UserChanges(role=Role.TRAINER, is_temporary_password=False))
    assert user.changes_privileges(UserChanges(is_temporary_password=True))
    assert user.changes_privileges(UserChanges(role=Role.TRAINEE))


def test_password_changes_and_resets_raise_their_events() -> None:
    user = a_user()
    user.reset_password("reset-hash", 1, LATER)
    assert user.is_temporary_password
    user.change_password("own-hash", LATER)
    assert not user.is_temporary_password
    assert user.pull_events() == [PasswordReset(3, 1), PasswordChanged(3)]
