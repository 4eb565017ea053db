"""The calendar ports' contract, kept alike by the in-memory, SQLite and MariaDB adapters:
feed tokens (one per user, replaced, revoked, gone with the user) and the feed's query
(whose sessions, which fields, in which order), with the SEQUENCE stored as it bumps."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from support import Cast, add_cast, add_session, at
from tms_domain.calendar import token_digest
from tms_domain.kernel import NotFound, Role
from tms_domain.training import SessionChanges, SessionStatus
from tms_entrypoints.container import Container


@pytest.fixture
async def cast(storage: Container) -> Cast:
    return await add_cast(storage)


async def owner_of(container: Container, token: str) -> int | None:
    async with container.uow()(read_only=True) as uow:
        owner = await uow.calendar_tokens.owner(token_digest(token))
        return owner.user_id if owner else None


async def test_a_token_opens_its_owners_feed_until_replaced_or_revoked(
    storage: Container, cast: Cast
) -> None:
    calendar = storage.calendar()
    first = await calendar.issue_token(cast.trainee)
    assert await owner_of(storage, first) == cast.trainee.id
    async with storage.uow()(read_only=True) as uow:
        owner = await uow.calendar_tokens.owner(token_digest(first))
    assert owner is not None
    assert (owner.role, owner.name) == (Role.TRAINEE, "Pia Doe")

    second = await calendar.issue_token(cast.trainee)
    assert second != first
    assert await owner_of(storage, first) is None
    assert await owner_of(storage, second) == cast.trainee.id
    with pytest.raises(NotFound):
        await calendar.feed(first)

    other = await calendar.issue_token(cast.trainer)
    assert await calendar.revoke_token(cast.trainee) is True
    assert await calendar.revoke_token(cast.trainee) is False
    assert await owner_of(storage, second) is None
    assert await owner_of(storage, other) == cast.trainer.id


async def test_tokens_asked_for_at_once_leave_exactly_one_working(
    storage: Container, cast: Cast
) -> None:
    calendar = storage.calendar()
    tokens = await asyncio.gather(*(calendar.issue_token(cast.trainee) for _ in range(5)))
    owners = [await owner_of(storage, token) for token in tokens]
    assert owners.count(cast.trainee.id) == 1
    assert owners.count(None) == 4


async def test_only_the_digest_is_stored(storage: Container, cast: Cast) -> None:
    token = await storage.calendar().issue_token(cast.trainee)
    async with storage.uow()(read_only=True) as uow:
        assert await uow.calendar_tokens.owner(token) is None
        assert await uow.calendar_tokens.owner(token_digest(token)) is not None


async def test_a_deleted_users_token_dies_with_them(storage: Container, cast: Cast) -> None:
    token = await storage.calendar().issue_token(cast.third_trainee)
    await storage.users().delete_user(cast.admin, cast.third_trainee.id)
    assert await owner_of(storage, token) is None


async def test_the_feed_holds_the_trainees_sessions_or_the_trainers(
    storage: Container, cast: Cast
) -> None:
    later = await add_session(
        storage, cast.trainer, trainees=(cast.trainee.id,), start=at(48), title="Later"
    )
    sooner = await add_session(
        storage,
        cast.trainer,
        trainees=(cast.trainee.id, cast.other_trainee.id),
        start=at(2),
        title="Sooner",
        description="Bring boots",
        class_link="https://meet.example.org/x",
    )
    not_hers = await add_session(
        storage, cast.trainer, trainees=(cast.other_trainee.id,), start=at(5)
    )
    elsewhere = await add_session(
        storage, cast.other_trainer, trainees=(cast.other_trainee.id,), start=at(9)
    )
    async with storage.uow()(read_only=True) as uow:
        hers = await uow.calendar_queries.entries(trainee_id=cast.trainee.id)
        his = await uow.calendar_queries.entries(trainer_id=cast.trainer.id)
        one = await uow.calendar_queries.entries(session_id=sooner.id)
        nobody = await uow.calendar_queries.entries(trainee_id=cast.third_trainee.id)
    assert [e.session_id for e in hers] == [sooner.id, later.id]
    assert [e.session_id for e in his] == [sooner.id, not_hers.id, later.id]
    assert elsewhere.id not in {e.session_id for e in his}
    assert nobody == []
    (entry,) = one
    assert entry.title == "Sooner"
    assert entry.description == "Bring boots"
    assert entry.trainer_name == "Tom Doe"
    assert entry.starts_at == at(2)
    assert entry.ends_at == at(3)
    assert entry.status is SessionStatus.SCHEDULED
    assert entry.class_link == "https://meet.example.org/x"
    assert entry.session_link == sooner.session_link
    assert entry.sequence == 0
    assert entry.updated_at == sooner.updated_at


async def test_the_stored_sequence_bumps_with_time_place_link_or_status(
    storage: Container, cast: Cast
) -> None:
    session = await add_session(storage, cast.trainer, trainees=(cast.trainee.id,), start=at(2))
    sessions = storage.sessions()

    async def sequence() -> int:
        async with storage.uow()(read_only=True) as uow:
            (entry,) = await uow.calendar_queries.entries(session_id=session.id)
            stored = await uow.sessions.get(session.id)
        assert stored is not None
        assert stored.sequence == entry.sequence
        return entry.sequence

    await sessions.update_session(cast.trainer, session.id, SessionChanges(title="Renamed"))
    assert await sequence() == 0
    await sessions.update_session(
        cast.trainer, session.id, SessionChanges(scheduled_date=at(2) + timedelta(hours=1))
    )
    assert await sequence() == 1
    await sessions.update_session(
        cast.trainer, session.id, SessionChanges(class_link="https://meet.example.org/y")
    )
    assert await sequence() == 2
    await sessions.add_trainee(cast.trainer, session.id, cast.other_trainee.id)
    assert await sequence() == 2  # the trainee's own feed gains the event; nothing moved
    await sessions.update_session(
        cast.trainer, session.id, SessionChanges(status=SessionStatus.CANCELLED)
    )
    assert await sequence() == 3
    async with storage.uow()(read_only=True) as uow:
        (entry,) = await uow.calendar_queries.entries(session_id=session.id)
    assert entry.status is SessionStatus.CANCELLED
    assert entry.title == "Renamed"


async def test_one_session_as_an_entry_for_whoever_may_read_it(
    storage: Container, cast: Cast
) -> None:
    session = await add_session(storage, cast.trainer, trainees=(cast.trainee.id,), start=at(2))
    calendar = storage.calendar()
    for reader in (cast.admin, cast.trainer, cast.trainee):
        assert (await calendar.session_entry(reader, session.id)).session_id == session.id
    for outsider in (cast.other_trainee, cast.other_trainer):
        with pytest.raises(NotFound):
            await calendar.session_entry(outsider, session.id)
    with pytest.raises(NotFound):
        await calendar.session_entry(cast.admin, session.id + 1000)
