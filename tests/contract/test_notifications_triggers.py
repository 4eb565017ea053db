"""What people are told when their sessions and courses change, on memory, SQLite and
MariaDB: each change notifies the right people once, in the change's own commit, with the
mail job carrying the session's calendar entry (method and SEQUENCE) to attach as .ics."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import FakeClock
from course_rows import add_course
from support import Cast, add_cast, add_session, at
from tms_domain.accounts import Actor
from tms_domain.kernel import InvalidInput
from tms_domain.kernel.paging import Page
from tms_domain.notifications import MAIL_JOB
from tms_domain.training import SessionChanges, SessionStatus
from tms_entrypoints.container import Container


@pytest.fixture
async def cast(storage: Container) -> Cast:
    return await add_cast(storage)


async def kinds(container: Container, who: Actor) -> list[str]:
    """What the user was told, oldest first."""
    found = await container.notifications().list(who, Page())
    return [n.kind.value for n in reversed(found)]


async def mails(container: Container, to: Actor) -> list[dict[str, Any]]:
    async with container.uow()(read_only=True) as uow:
        jobs = await uow.jobs.page(None, skip=0, limit=1000)
    found = [job for job in jobs if job.kind == MAIL_JOB and job.payload["to"] == to.user.email]
    return [job.payload for job in sorted(found, key=lambda job: job.id)]


async def test_enrolment_by_staff_tells_the_trainee_with_an_invitation(
    storage: Container, cast: Cast
) -> None:
    session = await add_session(storage, cast.trainer, title="Forklift")
    await storage.sessions().add_trainee(cast.trainer, session.id, cast.trainee.id)
    assert await kinds(storage, cast.trainee) == ["session_assigned"]
    assert await kinds(storage, cast.trainer) == []
    (notification,) = await storage.notifications().list(cast.trainee, Page())
    assert notification.link == f"/sessions/{session.id}"
    assert "Forklift" in notification.message
    (mail,) = await mails(storage, cast.trainee)
    assert mail["template"] == "session_assigned"
    assert mail["calendar"]["method"] == "REQUEST"
    assert mail["calendar"]["entry"]["session_id"] == session.id
    assert mail["calendar"]["entry"]["sequence"] == 0
    assert mail["context"]["session_title"] == "Forklift"
    assert mail["context"]["trainer_name"] == "Tom Doe"


async def test_trainees_listed_at_creation_are_told(storage: Container, cast: Cast) -> None:
    await add_session(storage, cast.trainer, trainees=(cast.trainee.id, cast.other_trainee.id))
    assert await kinds(storage, cast.trainee) == ["session_assigned"]
    assert await kinds(storage, cast.other_trainee) == ["session_assigned"]


async def test_a_move_tells_trainees_and_trainer_with_the_sequence_bumped(
    storage: Container, cast: Cast, clock: FakeClock
) -> None:
    session = await add_session(storage, cast.trainer, trainees=(cast.trainee.id,))
    clock.advance(minutes=1)
    sessions = storage.sessions()
    await sessions.update_session(cast.trainer, session.id, SessionChanges(title="Renamed"))
    assert await kinds(storage, cast.trainee) == ["session_assigned"]  # a title is no news
    clock.advance(minutes=1)
    await sessions.update_session(
        cast.trainer, session.id, SessionChanges(scheduled_date=at(hours=2))
    )
    assert await kinds(storage, cast.trainee) == ["session_assigned", "session_updated"]
    assert await kinds(storage, cast.trainer) == ["session_updated"]
    updated = (await mails(storage, cast.trainee))[-1]
    assert updated["template"] == "session_updated"
    assert updated["calendar"]["method"] == "REQUEST"
    assert updated["calendar"]["entry"]["sequence"] == 1
    assert updated["context"]["was_at"] == at().isoformat()
    clock.advance(minutes=1)
    await sessions.update_session(
        cast.trainer, session.id, SessionChanges(class_link="https://meet.example.org/x")
    )
    last = (await mails(storage, cast.trainee))[-1]
    assert last["calendar"]["entry"]["sequence"] == 2
    assert await kinds(storage, cast.trainee) == [
        "session_assigned",
        "session_updated",
        "session_updated",
    ]


async def test_a_cancellation_tells_everyone_why_with_a_cancel(
    storage: Container, cast: Cast, clock: FakeClock
) -> None:
    session = await add_session(storage, cast.trainer, trainees=(cast.trainee.id,))
    clock.advance(minutes=1)
    await storage.sessions().update_session(
        cast.admin,
        session.id,
        SessionChanges(status=SessionStatus.CANCELLED, cancellation_reason="Trainer is ill"),
    )
    assert await kinds(storage, cast.trainee) == ["session_assigned", "session_cancelled"]
    assert await kinds(storage, cast.trainer) == ["session_cancelled"]
    (told, _) = await storage.notifications().list(cast.trainee, Page())
    assert told.message.endswith("was cancelled: Trainer is ill")
    cancel = (await mails(storage, cast.trainee))[-1]
    assert cancel["calendar"]["method"] == "CANCEL"
    assert cancel["calendar"]["entry"]["sequence"] == 1
    assert cancel["context"]["reason"] == "Trainer is ill"
    async with storage.uow()(read_only=True) as uow:
        from tms_domain.audit import AuditQuery

        (entry,) = await uow.audit_history.page(AuditQuery(action="session.updated"))
    assert entry.changes["cancellation_reason"] == [None, "Trainer is ill"]


async def test_a_reason_without_cancelling_names_the_field(storage: Container, cast: Cast) -> None:
    session = await add_session(storage, cast.trainer)
    with pytest.raises(InvalidInput) as raised:
        await storage.sessions().update_session(
            cast.trainer, session.id, SessionChanges(title="x", cancellation_reason="Why")
        )
    assert [e.field for e in raised.value.errors] == ["cancellation_reason"]


async def test_removal_and_list_changes_tell_who_came_and_who_went(
    storage: Container, cast: Cast, clock: FakeClock
) -> None:
    session = await add_session(storage, cast.trainer, trainees=(cast.trainee.id,))
    clock.advance(minutes=1)
    await storage.sessions().remove_trainee(cast.trainer, session.id, cast.trainee.id)
    assert await kinds(storage, cast.trainee) == ["session_assigned", "session_removed"]
    clock.advance(minutes=1)
    await storage.sessions().update_session(
        cast.trainer,
        session.id,
        SessionChanges(trainee_ids=(cast.trainee.id, cast.other_trainee.id)),
    )
    clock.advance(minutes=1)
    await storage.sessions().update_session(
        cast.trainer, session.id, SessionChanges(trainee_ids=(cast.other_trainee.id,))
    )
    assert await kinds(storage, cast.trainee) == [
        "session_assigned",
        "session_removed",
        "session_assigned",
        "session_removed",
    ]
    assert await kinds(storage, cast.other_trainee) == ["session_assigned"]
    removed = (await mails(storage, cast.trainee))[-1]
    assert removed["template"] == "session_removed"
    assert "calendar" not in removed


async def test_deleting_a_coming_session_cancels_it_for_its_people(
    storage: Container, cast: Cast
) -> None:
    session = await add_session(storage, cast.trainer, trainees=(cast.trainee.id,))
    await storage.sessions().delete_session(cast.admin, session.id)
    assert await kinds(storage, cast.trainee) == ["session_assigned", "session_cancelled"]
    cancel = (await mails(storage, cast.trainee))[-1]
    assert cancel["calendar"]["method"] == "CANCEL"


async def test_course_enrolment_tells_the_trainee(storage: Container, cast: Cast) -> None:
    course = await add_course(storage, "CRS-1", "Hazmat basics")
    await storage.course_enrolments().enrol(cast.admin, course.id, [cast.trainee.id])
    await storage.course_enrolments().enrol(cast.admin, course.id, [cast.trainee.id])
    assert await kinds(storage, cast.trainee) == ["course_enrolled"]
    (told,) = await storage.notifications().list(cast.trainee, Page())
    assert (told.link, told.message) == (f"/learning/{course.id}", "Hazmat basics")
    (mail,) = await mails(storage, cast.trainee)
    assert (mail["template"], mail["context"]["course_title"]) == (
        "course_enrolled",
        "Hazmat basics",
    )


async def test_preferences_keep_the_mail_but_not_the_notification(
    storage: Container, cast: Cast
) -> None:
    await storage.notifications().set_preferences(cast.trainee, email_session_changes=False)
    session = await add_session(storage, cast.trainer)
    await storage.sessions().add_trainee(cast.trainer, session.id, cast.trainee.id)
    assert await kinds(storage, cast.trainee) == ["session_assigned"]
    assert await mails(storage, cast.trainee) == []
