"""Notification preferences as rules: the defaults, which kind each choice decides, and the
reminder minutes (1..10080, distinct, at most five, largest first)."""

from __future__ import annotations

import pytest

from tms_domain.kernel import InvalidInput
from tms_domain.notifications import (
    CATEGORY,
    MailCategory,
    MailTemplate,
    NotificationKind,
    Preferences,
    checked_reminder_minutes,
)


def test_the_defaults_mail_everything_and_remind_a_day_and_an_hour_before() -> None:
    defaults = Preferences.default(4)
    assert defaults.reminder_minutes == (1440, 60)
    assert all(defaults.mails(kind) for kind in NotificationKind)


def test_every_kind_has_a_category_and_a_mail_template() -> None:
    assert set(CATEGORY) == set(NotificationKind)
    for kind in NotificationKind:
        assert MailTemplate(kind.value).is_notification
    assert not MailTemplate.INVITATION.is_notification
    assert not MailTemplate.PASSWORD_CHANGED.is_notification


@pytest.mark.parametrize(
    ("choice", "decides"),
    [
        ("email_session_changes", MailCategory.SESSION_CHANGES),
        ("email_reminders", MailCategory.REMINDERS),
        ("email_course_updates", MailCategory.COURSE_UPDATES),
    ],
)
def test_each_choice_decides_its_kinds_only(choice: str, decides: MailCategory) -> None:
    preferences = Preferences(1, **{choice: False})  # type: ignore[arg-type]
    for kind, category in CATEGORY.items():
        assert preferences.mails(kind) is (category is not decides)


def test_reminder_minutes_are_distinct_and_largest_first() -> None:
    assert checked_reminder_minutes([60, 1440, 60, 1, 10080]) == (10080, 1440, 60, 1)
    assert checked_reminder_minutes([]) == ()


@pytest.mark.parametrize(
    "minutes", [[0], [10081], [-1], [60, 1, 2, 3, 4, 5], [True], ["60"], [1.5]]
)
def test_bad_reminder_minutes_are_refused_naming_the_field(minutes: list[object]) -> None:
    with pytest.raises(InvalidInput) as raised:
        Preferences.checked(
            1,
            email_session_changes=True,
            email_reminders=True,
            email_course_updates=True,
            reminder_minutes=minutes,  # type: ignore[arg-type]
        )
    assert [error.field for error in raised.value.errors] == ["reminder_minutes"]
