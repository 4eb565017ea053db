"""The single sign-on ports' contract, kept alike by the in-memory, SQLite and MariaDB
adapters: started sign-ins and one-time codes are taken once and not after they expire
(two takers at once: one wins), an identity is one account and an account one identity per
provider, issuers and subjects compare exactly, and links go with the account."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from conftest import FakeClock
from support import add_user
from tms_domain.accounts.sso import SsoAttempt
from tms_domain.kernel import Conflict, Role
from tms_entrypoints.container import Container

ISSUER = "https://sso.example.org/realms/tms"


async def test_an_attempt_is_taken_once_and_not_after_it_expires(
    storage: Container, clock: FakeClock
) -> None:
    now = clock.now()
    uow_of = storage.uow()
    async with uow_of() as uow:
        for name, minutes in (("a", 10), ("b", 10), ("old", 1)):
            attempt = SsoAttempt(
                name * 3, f"nonce-{name}", f"verifier-{name}", now, now + timedelta(minutes=minutes)
            )
            await uow.sso_attempts.add(attempt)
        await uow.commit()

    async def take(state_hash: str, minutes: float = 0) -> SsoAttempt | None:
        async with uow_of() as uow:
            found = await uow.sso_attempts.take(state_hash, now + timedelta(minutes=minutes))
            await uow.commit()
            return found

    found = await take("aaa")
    assert found is not None
    assert (found.nonce, found.code_verifier) == ("nonce-a", "verifier-a")
    assert await take("aaa") is None
    assert await take("oldoldold", minutes=2) is None
    assert await take("zzz") is None
    assert await take("bbb", minutes=10) is None


async def test_two_takers_of_one_code_one_wins(storage: Container, clock: FakeClock) -> None:
    user = await add_user(storage, "pat", Role.TRAINEE)
    now = clock.now()
    uow_of = storage.uow()
    async with uow_of() as uow:
        await uow.sso_exchange_codes.add("c" * 64, user.id, now + timedelta(seconds=60))
        await uow.sso_exchange_codes.add("d" * 64, user.id, now + timedelta(seconds=60))
        await uow.commit()

    async def take(code_hash: str, seconds: float = 0) -> int | None:
        async with uow_of() as uow:
            found = await uow.sso_exchange_codes.take(code_hash, now + timedelta(seconds=seconds))
            await uow.commit()
            return found

    results = await asyncio.gather(take("c" * 64), take("c" * 64))
    assert sorted(results, key=lambda r: r is None) == [user.id, None]
    assert await take("d" * 64, seconds=60) is None


async def test_identities_link_one_to_one_exactly_and_go_with_the_account(
    storage: Container, clock: FakeClock
) -> None:
    pat = await add_user(storage, "pat", Role.TRAINEE)
    sam = await add_user(storage, "sam", Role.TRAINER)
    uow_of = storage.uow()
    async with uow_of() as uow:
        await uow.user_identities.link(ISSUER, "Subject-1", pat.id, clock.now())
        await uow.commit()
    for issuer, subject, user_id in (
        (ISSUER, "Subject-1", sam.id),  # the identity is Pat's
        (ISSUER, "subject-2", pat.id),  # Pat has an identity at this provider
    ):
        async with uow_of() as uow:
            with pytest.raises(Conflict):
                await uow.user_identities.link(issuer, subject, user_id, clock.now())
    async with uow_of() as uow:
        # Another provider may know Pat too; subjects differing in case are other people.
        await uow.user_identities.link(
            "https://other.example.org", "Subject-1", pat.id, clock.now()
        )
        await uow.user_identities.link(ISSUER, "subject-1", sam.id, clock.now())
        await uow.commit()
    async with uow_of(read_only=True) as uow:
        assert await uow.user_identities.user_for(ISSUER, "Subject-1") == pat.id
        assert await uow.user_identities.user_for(ISSUER, "subject-1") == sam.id
        assert await uow.user_identities.user_for(ISSUER + "/", "Subject-1") is None
        assert await uow.user_identities.is_linked(pat.id) is True
    async with uow_of() as uow:
        await uow.users.delete(pat.id)
        await uow.commit()
    async with uow_of(read_only=True) as uow:
        assert await uow.user_identities.user_for(ISSUER, "Subject-1") is None
        assert await uow.user_identities.is_linked(sam.id) is True
