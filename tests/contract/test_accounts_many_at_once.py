"""Writes of many rows at once, kept alike by the in-memory, SQLite and MariaDB adapters
(the bulk import's chunks use them): users added all or none, with their ids in the order
given; invitation links with their ids; audit entries in the order given."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from support import a_user, add
from tms_domain.accounts import LinkPurpose, PasswordLink, token_hash
from tms_domain.audit import AuditEntry, AuditQuery
from tms_domain.kernel import Conflict
from tms_entrypoints.container import Container

NOW = datetime(2026, 5, 1, 9, 30, 15, 123456, tzinfo=UTC)


async def test_users_are_added_at_once_with_their_ids_in_order(storage: Container) -> None:
    users = [a_user(name) for name in ("zed", "amy", "mo")]
    async with storage.uow()() as uow:
        added = await uow.users.add_many(users)
        await uow.commit()
    assert [u.username for u in added] == ["zed", "amy", "mo"]
    assert len({u.id for u in added}) == 3
    async with storage.uow()(read_only=True) as uow:
        found = await uow.users.get_many([u.id for u in added])
    assert {i: u.username for i, u in found.items()} == {u.id: u.username for u in added}


@pytest.mark.parametrize("clash", ["stored", "among-them", "look-alike"])
async def test_one_clash_adds_none_and_the_unit_of_work_goes_on(
    storage: Container, clash: str
) -> None:
    await add(storage, a_user("taken"))
    last = {"stored": "TAKEN", "among-them": "new1", "look-alike": "t\u0430ken"}[clash]
    users = [a_user("new1"), a_user("new2", email="n2@example.org")]
    users.append(a_user(last, email="other@example.org"))
    async with storage.uow()() as uow:
        with pytest.raises(Conflict):
            await uow.users.add_many(users)
        [alone] = await uow.users.add_many([a_user("alone")])
        await uow.commit()
    async with storage.uow()(read_only=True) as uow:
        assert await uow.users.find_by_emails(["new1@example.org", "n2@example.org"]) == {}
        assert await uow.users.get(alone.id) is not None


async def test_links_and_audit_entries_are_stored_at_once(storage: Container) -> None:
    alice, bob = await add(storage, a_user("alice"), a_user("bob"))
    issued = [PasswordLink.issue(u.id, LinkPurpose.INVITATION, NOW) for u in (alice, bob)]
    entries = [
        AuditEntry(
            action=f"user.step{n}",
            target_type="user",
            target_id=alice.id,
            actor_id=None,
            actor=None,
            at=NOW,
            client_address=None,
            changes={"n": [None, n]},
        )
        for n in range(3)
    ]
    async with storage.uow()() as uow:
        links = await uow.password_links.add_many([link for link, _ in issued])
        await uow.audit.record_many(entries)
        await uow.audit.record_many([])
        await uow.commit()
    assert [link.user_id for link in links] == [alice.id, bob.id]
    async with storage.uow()(read_only=True) as uow:
        for link, (_, token) in zip(links, issued, strict=True):
            found = await uow.password_links.find(token_hash(token))
            assert found is not None
            assert (found.id, found.user_id) == (link.id, link.user_id)
        trail = await uow.audit_history.page(AuditQuery(target_id=alice.id))
    assert [e.action for e in trail] == ["user.step2", "user.step1", "user.step0"]
