"""The notifications ports' contract, kept alike by the in-memory, SQLite and MariaDB
adapters, through ``notify`` and the inbox use cases: a cause notifies a user once, each
user reads and marks only their own, newest first, preferences default and round-trip, and
the mail follows the preference."""

from __future__ import annotations

import pytest

from conftest import FakeClock
from support import Cast, add_cast
from tms_domain.audit import AuditQuery
from tms_domain.kernel import InvalidInput, NotFound
from tms_domain.kernel.paging import Page
from tms_domain.notifications import (
    MAIL_JOB,
    MailTemplate,
    Notification,
    NotificationCreated,
    NotificationKind,
    Preferences,
)
from tms_domain.notifications.use_cases.notify import notify, notify_many
from tms_entrypoints.container import Container


@pytest.fixture
async def cast(storage: Container) -> Cast:
    return await add_cast(storage)


async def tell(
    container: Container,
    user_id: int,
    key: str,
    *,
    kind: NotificationKind = NotificationKind.SESSION_ASSIGNED,
    mail: MailTemplate | None = None,
) -> Notification | None:
    async with container.uow()() as uow:
        stored = await notify(
            uow,
            user_id,
            kind,
            title=f"Title {key}",
            message=f"Message {key}",
            link="/app/sessions/1",
            dedupe_key=key,
            now=container.clock().now(),
            mail=mail,
            mail_context={"session_title": "Safety"},
        )
        await uow.commit()
    return stored


async def mail_jobs(container: Container) -> list[dict[str, object]]:
    async with container.uow()(read_only=True) as uow:
        jobs = await uow.jobs.page(None, skip=0, limit=100)
    return [job.payload for job in jobs if job.kind == MAIL_JOB]


async def test_a_cause_notifies_a_user_once(storage: Container, cast: Cast) -> None:
    first = await tell(storage, cast.trainee.id, "session_assigned:1")
    assert first is not None
    assert first.id > 0
    assert await tell(storage, cast.trainee.id, "session_assigned:1") is None
    # The same cause for another user is theirs to hear.
    assert await tell(storage, cast.other_trainee.id, "session_assigned:1") is not None
    listed = await storage.notifications().list(cast.trainee, Page())
    assert [n.id for n in listed] == [first.id]
    assert (listed[0].title, listed[0].message, listed[0].link) == (
        "Title session_assigned:1",
        "Message session_assigned:1",
        "/app/sessions/1",
    )
    assert listed[0].kind is NotificationKind.SESSION_ASSIGNED
    assert listed[0].created_at == storage.clock().now()
    assert listed[0].read_at is None


async def test_notify_records_the_event_for_its_user_alone(storage: Container, cast: Cast) -> None:
    async with storage.uow()() as uow:
        recorded: list[object] = []
        uow.record = recorded.append  # type: ignore[method-assign]
        stored = await notify(
            uow,
            cast.trainee.user,
            NotificationKind.COURSE_ENROLLED,
            title="t",
            message="m",
            dedupe_key="k",
            now=storage.clock().now(),
        )
        await uow.commit()
    assert stored is not None
    assert recorded == [NotificationCreated(stored)]
    audience = NotificationCreated(stored).audience
    assert audience.user_ids == {cast.trainee.id}
    assert not audience.includes(cast.admin.id, is_admin=True)


async def test_a_gone_user_is_not_notified(storage: Container, cast: Cast) -> None:
    assert await tell(storage, 999_999, "nobody") is None


async def test_listing_is_newest_first_paged_and_filtered(
    storage: Container, cast: Cast, clock: FakeClock
) -> None:
    ids = []
    for number in range(5):
        clock.advance(minutes=1)
        stored = await tell(storage, cast.trainee.id, f"cause:{number}")
        assert stored is not None
        ids.append(stored.id)
    await tell(storage, cast.other_trainee.id, "cause:other")
    service = storage.notifications()
    assert [n.id for n in await service.list(cast.trainee, Page())] == ids[::-1]
    assert [n.id for n in await service.list(cast.trainee, Page(skip=1, limit=2))] == [
        ids[3],
        ids[2],
    ]
    await service.mark_read(cast.trainee, ids[4])
    unread = await service.list(cast.trainee, Page(), unread_only=True)
    assert [n.id for n in unread] == ids[3::-1]
    assert await service.unread_count(cast.trainee) == 4
    assert await service.unread_count(cast.other_trainee) == 1


async def test_marking_read_keeps_the_first_time_and_only_the_callers(
    storage: Container, cast: Cast, clock: FakeClock
) -> None:
    mine = await tell(storage, cast.trainee.id, "mine")
    theirs = await tell(storage, cast.other_trainee.id, "theirs")
    assert mine is not None
    assert theirs is not None
    service = storage.notifications()
    with pytest.raises(NotFound):
        await service.mark_read(cast.trainee, theirs.id)
    with pytest.raises(NotFound):
        await service.mark_read(cast.admin, theirs.id)
    with pytest.raises(NotFound):
        await service.mark_read(cast.trainee, 987_654)
    first_read = clock.now()
    await service.mark_read(cast.trainee, mine.id)
    clock.advance(minutes=5)
    await service.mark_read(cast.trainee, mine.id)
    (read,) = await service.list(cast.trainee, Page())
    assert read.read_at == first_read
    (untouched,) = await service.list(cast.other_trainee, Page())
    assert untouched.read_at is None


async def test_read_all_marks_only_the_callers_unread(
    storage: Container, cast: Cast, clock: FakeClock
) -> None:
    for number in range(3):
        await tell(storage, cast.trainee.id, f"n{number}")
    await tell(storage, cast.other_trainee.id, "other")
    service = storage.notifications()
    assert await service.mark_all_read(cast.trainee) == 3
    assert await service.mark_all_read(cast.trainee) == 0
    assert await service.unread_count(cast.trainee) == 0
    assert await service.unread_count(cast.other_trainee) == 1


async def test_preferences_default_then_round_trip_and_are_audited(
    storage: Container, cast: Cast
) -> None:
    service = storage.notifications()
    assert await service.preferences(cast.trainee) == Preferences(cast.trainee.id)
    assert (await service.preferences(cast.trainee)).reminder_minutes == (1440, 60)
    saved = await service.set_preferences(
        cast.trainee,
        email_session_changes=False,
        email_reminders=True,
        email_course_updates=False,
        reminder_minutes=[30, 2880, 30],
    )
    assert saved.reminder_minutes == (2880, 30)
    assert await service.preferences(cast.trainee) == saved
    assert await service.preferences(cast.other_trainee) == Preferences(cast.other_trainee.id)
    async with storage.uow()(read_only=True) as uow:
        entries = await uow.audit_history.page(AuditQuery(action="preferences.updated"))
    assert any(
        e.action == "preferences.updated"
        and e.target_id == cast.trainee.id
        and e.changes["reminder_minutes"] == [[1440, 60], [2880, 30]]
        and "email_reminders" not in e.changes
        for e in entries
    )


@pytest.mark.parametrize("minutes", [[0], [10081], [60, -5], [1, 2, 3, 4, 5, 6]])
async def test_bad_reminder_minutes_name_the_field(
    storage: Container, cast: Cast, minutes: list[int]
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await storage.notifications().set_preferences(
            cast.trainee,
            email_session_changes=True,
            email_reminders=True,
            email_course_updates=True,
            reminder_minutes=minutes,
        )
    assert [e.field for e in raised.value.errors] == ["reminder_minutes"]
    assert await storage.notifications().preferences(cast.trainee) == Preferences(cast.trainee.id)


async def test_mail_follows_the_preference_and_goes_once(
    storage: Container, cast: Cast, clock: FakeClock
) -> None:
    await tell(storage, cast.trainee.id, "a", mail=MailTemplate.SESSION_ASSIGNED)
    await tell(storage, cast.trainee.id, "a", mail=MailTemplate.SESSION_ASSIGNED)
    (payload,) = await mail_jobs(storage)
    assert payload["template"] == "session_assigned"
    assert payload["to"] == cast.trainee.user.email
    context = payload["context"]
    assert isinstance(context, dict)
    assert context["session_title"] == "Safety"
    assert context["title"] == "Title a"
    await storage.notifications().set_preferences(
        cast.trainee,
        email_session_changes=False,
        email_reminders=True,
        email_course_updates=True,
        reminder_minutes=[60],
    )
    clock.advance(seconds=1)
    stored = await tell(storage, cast.trainee.id, "b", mail=MailTemplate.SESSION_ASSIGNED)
    assert stored is not None  # stored and pushed whatever the preference
    assert len(await mail_jobs(storage)) == 1
    await tell(
        storage,
        cast.trainee.id,
        "c",
        kind=NotificationKind.COURSE_ENROLLED,
        mail=MailTemplate.COURSE_ENROLLED,
    )
    assert sorted(str(p["template"]) for p in await mail_jobs(storage)) == [
        "course_enrolled",
        "session_assigned",
    ]


async def test_a_deleted_users_notifications_and_preferences_go_with_them(
    storage: Container, cast: Cast, clock: FakeClock
) -> None:
    await tell(storage, cast.third_trainee.id, "x")
    await storage.notifications().set_preferences(
        cast.third_trainee,
        email_session_changes=False,
        email_reminders=False,
        email_course_updates=False,
        reminder_minutes=[15],
    )
    await storage.users().delete_user(cast.admin, cast.third_trainee.id)
    async with storage.uow()(read_only=True) as uow:
        assert await uow.notifications.count_unread(cast.third_trainee.id) == 0
        prefs = await uow.notification_preferences.get(cast.third_trainee.id)
    assert prefs == Preferences(cast.third_trainee.id)


async def test_many_are_told_at_once_each_once(storage: Container, cast: Cast) -> None:
    people = [cast.trainee.user, cast.other_trainee.user, cast.trainee.user]
    await tell(storage, cast.other_trainee.id, "moved:1")
    async with storage.uow()() as uow:
        stored = await notify_many(
            uow,
            people,
            NotificationKind.SESSION_UPDATED,
            title="Moved",
            message="m",
            dedupe_key="moved:1",
            now=storage.clock().now(),
            mail=MailTemplate.SESSION_UPDATED,
        )
        await uow.commit()
    # The other trainee had heard of it already; the trainee, listed twice, hears once.
    assert [n.user_id for n in stored] == [cast.trainee.id]
    assert stored[0].id > 0
    assert [n.id for n in await storage.notifications().list(cast.trainee, Page())] == [
        stored[0].id
    ]
    assert [p["to"] for p in await mail_jobs(storage)] == [cast.trainee.user.email]
