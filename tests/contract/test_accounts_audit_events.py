"""The accounts, audit and event ports' contract and the unit of work's, kept alike by the
in-memory, SQLite and MariaDB adapters."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from support import a_user, add, get, save
from tms_domain.accounts import SignIn, User, UserChanged
from tms_domain.audit import AuditEntry, AuditQuery
from tms_domain.kernel import Audience, Conflict, Role, StoredEvent
from tms_entrypoints.container import Container

NOW = datetime(2026, 5, 1, 9, 30, 15, 123456, tzinfo=UTC)


# Users


async def test_a_user_is_added_found_updated_and_deleted(storage: Container) -> None:
    [alice] = await add(storage, a_user("Alice", email="Alice@Example.org"))

    assert alice.id > 0
    assert await get(storage, alice.id) == alice
    async with storage.uow()(read_only=True) as uow:
        for login in ("alice", "ALICE", "alice@example.org", "ALICE@EXAMPLE.ORG"):
            found = await uow.users.find_by_login(login)
            assert found is not None
            assert found.id == alice.id
        assert await uow.users.find_by_login("bob") is None

    alice.username = "alice.w"
    alice.role = Role.TRAINER
    alice.is_temporary_password = True
    alice.updated_at = NOW + timedelta(minutes=5)
    async with storage.uow()() as uow:
        await uow.users.update(alice)
        await uow.commit()
    assert await get(storage, alice.id) == alice

    async with storage.uow()() as uow:
        await uow.users.delete(alice.id)
        await uow.commit()
    assert await get(storage, alice.id) is None


async def test_users_are_listed_by_id_filtered_by_role_before_paging(
    storage: Container,
) -> None:
    added = await add(
        storage,
        a_user("t1"),
        a_user("boss", Role.ADMIN),
        a_user("t2"),
        a_user("coach", Role.TRAINER),
        a_user("t3"),
    )
    ids = {user.username: user.id for user in added}

    async with storage.uow()(read_only=True) as uow:
        everyone = await uow.user_directory.page(skip=0, limit=100)
        trainees = await uow.user_directory.page(skip=1, limit=1, role=Role.TRAINEE)
        last_two = await uow.user_directory.page(skip=3, limit=10)
        counts = await uow.analytics.count_by_role()
        many = await uow.users.get_many([ids["t1"], ids["coach"], 999])

    assert [u.username for u in everyone] == ["t1", "boss", "t2", "coach", "t3"]
    assert [u.username for u in trainees] == ["t2"]
    assert [u.username for u in last_two] == ["coach", "t3"]
    assert counts == {Role.ADMIN: 1, Role.TRAINER: 1, Role.TRAINEE: 3}
    assert sorted(u.username for u in many.values()) == ["coach", "t1"]


@pytest.mark.parametrize(
    "duplicate",
    [
        a_user("ALICE", email="other@example.org"),
        a_user("someone", email="alice@example.org"),
        a_user("someone", email="Alice@EXAMPLE.org"),
    ],
    ids=["username-in-other-case", "same-email", "email-in-other-case"],
)
async def test_a_duplicate_username_or_email_is_a_conflict(
    storage: Container, duplicate: User
) -> None:
    await add(storage, a_user("alice"))

    with pytest.raises(Conflict):
        await add(storage, duplicate)

    async with storage.uow()(read_only=True) as uow:
        assert [u.username for u in await uow.user_directory.page(skip=0, limit=10)] == ["alice"]


async def test_an_update_onto_a_taken_username_or_email_is_a_conflict(
    storage: Container,
) -> None:
    _alice, bob = await add(storage, a_user("alice"), a_user("bob"))

    for change in ({"username": "Alice"}, {"email": "ALICE@example.org"}):
        with pytest.raises(Conflict):
            await save(storage, replace(bob, **change))

    assert await get(storage, bob.id) == bob


async def test_two_transactions_adding_the_same_username_leave_one_user(
    storage: Container,
) -> None:
    async def attempt(email: str) -> str:
        try:
            await add(storage, a_user("racer", email=email))
        except Conflict:
            return "conflict"
        return "added"

    outcomes = await asyncio.gather(attempt("one@example.org"), attempt("two@example.org"))

    assert sorted(outcomes) == ["added", "conflict"]
    async with storage.uow()(read_only=True) as uow:
        assert len(await uow.user_directory.page(skip=0, limit=10)) == 1


@pytest.mark.parametrize(
    "look_alike",
    ["\u0430lice", "ａｌｉｃｅ", "a1ice", "ALICE"],
    ids=["cyrillic-a", "full-width", "digit-one-for-l", "upper-case"],
)
async def test_a_username_that_looks_like_another_is_a_conflict(
    storage: Container, look_alike: str
) -> None:
    _alice, bob = await add(storage, a_user("alice"), a_user("bob"))

    with pytest.raises(Conflict) as added:
        await add(storage, a_user(look_alike, email="new@example.org"))
    with pytest.raises(Conflict) as renamed:
        await save(storage, replace(bob, username=look_alike))

    for refusal in (added.value.message, renamed.value.message):
        assert "alice" not in refusal.lower()
    assert await get(storage, bob.id) == bob


async def test_two_transactions_adding_look_alike_usernames_leave_one_user(
    storage: Container,
) -> None:
    async def attempt(username: str, email: str) -> str:
        try:
            await add(storage, a_user(username, email=email))
        except Conflict:
            return "conflict"
        return "added"

    outcomes = await asyncio.gather(
        attempt("mallory", "one@example.org"), attempt("rnallory", "two@example.org")
    )

    assert sorted(outcomes) == ["added", "conflict"]
    async with storage.uow()(read_only=True) as uow:
        assert len(await uow.user_directory.page(skip=0, limit=10)) == 1


async def test_a_login_with_at_means_the_email_even_when_an_old_username_has_it(
    storage: Container,
) -> None:
    holder, owner = await add(
        storage,
        a_user("bob@example.org", email="robert@example.org"),  # from before usernames lost @
        a_user("bob"),
    )

    async with storage.uow()(read_only=True) as uow:
        by_email = await uow.users.find_by_login("BOB@example.org")
        by_own_email = await uow.users.find_by_login("robert@example.org")
        by_name = await uow.users.find_by_login("bob")
        by_full_width_name = await uow.users.find_by_login("ｂｏｂ")

    found = [by_email, by_own_email, by_name, by_full_width_name]
    assert [user.id if user else None for user in found] == [
        owner.id,
        holder.id,
        owner.id,
        owner.id,
    ]


async def test_cyrillic_and_cjk_text_round_trips(storage: Container) -> None:
    [user] = await add(
        storage,
        a_user(
            "Андрей",
            email="андрей@пример.рф",
            first_name="Анна-Мария Ёлкина",
            last_name="李小龍 𠮷野家 😀",
        ),
    )

    stored = await get(storage, user.id)
    async with storage.uow()(read_only=True) as uow:
        found = await uow.users.find_by_login("АНДРЕЙ")

    assert stored is not None
    assert (stored.username, stored.email, stored.first_name, stored.last_name) == (
        "Андрей",
        "андрей@пример.рф",
        "Анна-Мария Ёлкина",
        "李小龍 𠮷野家 😀",
    )
    assert found is not None
    assert found.id == user.id


def a_sign_in(sign_in_id: str, user_id: int) -> SignIn:
    return SignIn(
        id=sign_in_id, user_id=user_id, created_at=NOW, expires_at=NOW + timedelta(hours=8)
    )


async def test_sign_ins_are_read_with_their_user_and_revoked(storage: Container) -> None:
    alice, bob = await add(storage, a_user("alice"), a_user("bob"))
    later = NOW + timedelta(minutes=1, microseconds=5)
    async with storage.uow()() as uow:
        for sign_in_id, user in (("a1", alice), ("a2", alice), ("a3", alice), ("b1", bob)):
            await uow.sign_ins.add(a_sign_in(sign_in_id, user.id))
        await uow.commit()

    async with storage.uow()(read_only=True) as uow:
        found = await uow.sign_ins.get_with_user("a1")
        assert await uow.sign_ins.get_with_user("nope") is None
    assert found is not None
    sign_in, user = found
    assert sign_in == a_sign_in("a1", alice.id)
    assert user == alice
    assert sign_in.is_active(NOW)

    async with storage.uow()() as uow:
        await uow.sign_ins.revoke("a1", later)
        ended = await uow.sign_ins.revoke_all(alice.id, later, except_id="a2")
        await uow.commit()

    assert ended == 1
    async with storage.uow()(read_only=True) as uow:
        states = {
            sign_in_id: found[0].revoked_at
            for sign_in_id in ("a1", "a2", "a3", "b1")
            if (found := await uow.sign_ins.get_with_user(sign_in_id))
        }
    assert states == {"a1": later, "a2": None, "a3": later, "b1": None}

    async with storage.uow()() as uow:
        assert await uow.sign_ins.revoke_all(alice.id, later) == 1
        await uow.commit()


async def test_deleting_a_user_deletes_their_sign_ins(storage: Container) -> None:
    [alice] = await add(storage, a_user("alice"))
    async with storage.uow()() as uow:
        await uow.sign_ins.add(a_sign_in("a1", alice.id))
        await uow.commit()

    async with storage.uow()() as uow:
        await uow.users.delete(alice.id)
        await uow.commit()

    async with storage.uow()(read_only=True) as uow:
        assert await uow.sign_ins.get_with_user("a1") is None


# The unit of work


async def delete_then_fail(container: Container, user_id: int) -> None:
    async with container.uow()() as uow:
        await uow.users.delete(user_id)
        raise RuntimeError("the use case failed")


async def test_leaving_a_unit_of_work_without_commit_rolls_back(
    storage: Container,
) -> None:
    [alice] = await add(storage, a_user("alice"))

    async with storage.uow()() as uow:
        await uow.users.add(a_user("bob"))
        alice.first_name = "Changed"
        await uow.users.update(alice)
        uow.record(UserChanged(alice))
    with pytest.raises(RuntimeError):
        await delete_then_fail(storage, alice.id)

    async with storage.uow()(read_only=True) as uow:
        assert [u.username for u in await uow.user_directory.page(skip=0, limit=10)] == ["alice"]
        assert (await uow.users.get(alice.id)).first_name == "Test"  # type: ignore[union-attr]
        assert await uow.events.last_id() == 0
        assert await uow.events.since(0, limit=10) == []


async def test_events_get_increasing_ids_and_are_read_since_an_id(
    storage: Container,
) -> None:
    async with storage.uow()() as uow:
        await uow.events.append(
            [
                StoredEvent("user_created", {"user_id": 1, "name": "Анна"}, Audience()),
                StoredEvent("user_updated", {"user_id": 1}, Audience(frozenset({1, 2}))),
            ]
        )
        await uow.commit()
    async with storage.uow()() as uow:
        await uow.events.append(
            [StoredEvent("user_deleted", {"user_id": 1}, Audience(frozenset({3})))]
        )
        await uow.commit()

    async with storage.uow()(read_only=True) as uow:
        every = await uow.events.since(0, limit=100)
        after_first = await uow.events.since(every[0].id or 0, limit=100)
        first_two = await uow.events.since(0, limit=2)
        last_id = await uow.events.last_id()

    ids = [event.id for event in every]
    assert [event.type for event in every] == ["user_created", "user_updated", "user_deleted"]
    assert ids == sorted(ids)
    assert len(set(ids)) == 3
    assert ids[0] is not None
    assert ids[0] > 0
    assert last_id == ids[-1]
    assert [event.id for event in after_first] == ids[1:]
    assert [event.id for event in first_two] == ids[:2]
    assert every[0].data == {"user_id": 1, "name": "Анна"}
    assert every[1].audience == Audience(frozenset({1, 2}))
    assert every[2].at == storage.clock().now()
    assert every[2].at is not None
    assert every[2].at.tzinfo is not None


async def test_the_audit_trail_keeps_its_entries(storage: Container) -> None:
    async with storage.uow()() as uow:
        for action, target_id in (("user.created", 7), ("user.password_reset", 7)):
            await uow.audit.record(
                AuditEntry(
                    action=action,
                    target_type="user",
                    target_id=target_id,
                    actor_id=1,
                    actor="root",
                    at=NOW,
                    client_address="127.0.0.1",
                    changes={"first_name": [None, "Ёлка"]},
                )
            )
        await uow.commit()

    async with storage.uow()(read_only=True) as uow:
        entries = await uow.audit_history.page(AuditQuery(target_id=7))
        resets = await uow.audit_history.page(AuditQuery(action="user.password_reset"))

    assert [e.action for e in entries] == ["user.password_reset", "user.created"]
    assert entries[0].changes == {"first_name": [None, "Ёлка"]}
    assert entries[0].at == NOW
    assert [e.action for e in resets] == ["user.password_reset"]
