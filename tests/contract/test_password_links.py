"""The one-time password links' port, kept alike by the in-memory, SQLite and MariaDB
adapters; and the accounts-by-e-mail use cases over each of them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from support import a_user, add
from tms_domain.accounts import LinkPurpose, PasswordLink, token_hash
from tms_domain.accounts.links import USED_LINK
from tms_domain.kernel import BadRequest
from tms_entrypoints.container import Container

NOW = datetime(2026, 5, 1, 9, 30, 15, 123456, tzinfo=UTC)


async def test_a_link_is_found_by_its_token_hash_only(storage: Container) -> None:
    [user] = await add(storage, a_user("alice"))
    link, token = PasswordLink.issue(user.id, LinkPurpose.INVITATION, NOW)
    async with storage.uow()() as uow:
        stored = await uow.password_links.add(link)
        await uow.commit()
    assert stored.id > 0
    assert link.token_hash == token_hash(token) != token
    async with storage.uow()(read_only=True) as uow:
        found = await uow.password_links.find(token_hash(token))
        assert await uow.password_links.find(token) is None
        assert await uow.password_links.find(token_hash(token + "x")) is None
    assert found == stored
    assert found.expires_at == NOW + timedelta(hours=72)


async def test_ending_a_users_links_leaves_used_ones_and_other_users_alone(
    storage: Container,
) -> None:
    alice, bob = await add(storage, a_user("alice"), a_user("bob"))
    issued = {
        name: PasswordLink.issue(owner.id, purpose, NOW)[0]
        for name, owner, purpose in (
            ("invite", alice, LinkPurpose.INVITATION),
            ("reset", alice, LinkPurpose.PASSWORD_RESET),
            ("used", alice, LinkPurpose.PASSWORD_RESET),
            ("bob", bob, LinkPurpose.INVITATION),
        )
    }
    async with storage.uow()() as uow:
        for link in issued.values():
            await uow.password_links.add(link)
        issued["used"].use(NOW)
        await uow.password_links.update(issued["used"])
        await uow.commit()
    later = NOW + timedelta(minutes=1)
    async with storage.uow()() as uow:
        assert (
            await uow.password_links.end_all(alice.id, later, purpose=LinkPurpose.INVITATION) == 1
        )
        assert await uow.password_links.end_all(alice.id, later) == 1
        await uow.commit()
    async with storage.uow()(read_only=True) as uow:
        found = {
            name: await uow.password_links.find(link.token_hash) for name, link in issued.items()
        }
    assert {name: (link.used_at, link.ended_at) for name, link in found.items() if link} == {
        "invite": (None, later),
        "reset": (None, later),
        "used": (NOW, None),
        "bob": (None, None),
    }


async def test_two_uses_of_one_link_at_once_set_one_password(storage: Container) -> None:
    [user] = await add(storage, a_user("racer"))
    link, token = PasswordLink.issue(user.id, LinkPurpose.PASSWORD_RESET, NOW)
    async with storage.uow()() as uow:
        await uow.password_links.add(link)
        await uow.commit()
    links = storage.password_links()
    outcomes = await asyncio.gather(
        links.set_password(token, "quiet meadow lantern 77"),
        links.set_password(token, "third sunny harbour 9"),
        return_exceptions=True,
    )
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(refused) == 1
    assert isinstance(refused[0], BadRequest)
    assert refused[0].message == USED_LINK
