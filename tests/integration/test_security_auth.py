"""Brute force against POST /auth/login, through the real app.

Per account: 5 failures in a row lock it for a minute, twice as long for each further
failure, up to an hour; while locked every attempt answers 429 with Retry-After, the right
password included. Unknown usernames are counted and answered the same way. Per client
address: only so many failures a minute across all accounts. A success after the lock
expires resets the count; an admin can lift a lock, and both are in the audit trail.
Counters are shared by app instances through Redis when it is configured. A sign-in with an
unknown username takes as long as one with a wrong password.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import statistics
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from dependency_injector import providers

from conftest import REDIS_URL, FakeClock, make_settings, require_redis
from support import PASSWORD, add_user, bearer
from tms_adapters.persistence.sql import migrations as schema
from tms_adapters.security.throttle import RedisAttemptStore
from tms_domain.accounts import AttemptStore, account_attempts_key
from tms_domain.kernel import Role
from tms_entrypoints.container import Container, build_container, running
from tms_entrypoints.http.app import create_app

WRONG = "not the password 123"
Answer = tuple[int, str, str | None]
"""What a sign-in answered: status, detail, Retry-After."""


async def sqlite_url(directory: Path) -> str:
    url = f"sqlite+aiosqlite:///{directory / 'tms.db'}"
    await schema.upgrade(url)
    return url


@pytest.fixture(params=["memory", "sql"])
async def container(
    request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Container]:
    """The app's container over memory or SQL (SQLite), with a clock the test moves."""
    if request.param == "memory":
        settings = make_settings(storage="memory")
    else:
        settings = make_settings(database_url=await sqlite_url(tmp_path))
    container = build_container(settings)
    container.clock.override(clock)
    async with running(container):
        yield container


@contextlib.asynccontextmanager
async def client_of(
    container: Container, address: str = "192.0.2.10"
) -> AsyncIterator[httpx.AsyncClient]:
    """The real app in this event loop, as seen from one client address."""
    transport = httpx.ASGITransport(app=create_app(container=container), client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def attempt(client: httpx.AsyncClient, username: str, password: str) -> Answer:
    response = await client.post("/auth/login", json={"username": username, "password": password})
    assert response.status_code in (200, 401, 429), response.text
    assert "access_token" not in response.text or response.status_code == 200
    detail = "" if response.status_code == 200 else str(response.json()["detail"])
    return response.status_code, detail, response.headers.get("retry-after")


async def token_of(client: httpx.AsyncClient, username: str) -> str:
    response = await client.post("/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def statuses(answers: list[Answer]) -> list[int]:
    return [status for status, _, _ in answers]


async def clear_of_a_minute_boundary(now: Callable[[], float]) -> None:
    """Address counters count per minute of a real clock: wait out the last seconds of one
    so that a test's failures all fall in the same minute."""
    if (left := 60 - now() % 60) < 5:
        await asyncio.sleep(left + 0.1)


async def test_fifty_wrong_passwords_lock_the_account_and_a_later_success_resets_it(
    container: Container, clock: FakeClock
) -> None:
    await add_user(container, "alice")
    await add_user(container, "bob")
    async with client_of(container) as client:
        answers = [await attempt(client, "alice", WRONG) for _ in range(50)]
        right_while_locked = await attempt(client, "alice", PASSWORD)
        other_account = await attempt(client, "bob", PASSWORD)

        assert statuses(answers) == [401] * 5 + [429] * 45
        assert {detail for status, detail, _ in answers if status == 401} == {
            "Incorrect username or password"
        }
        for status, detail, retry_after in [*answers[5:], right_while_locked]:
            assert status == 429
            assert "locked" in detail
            assert retry_after == "60"
            assert "try again in 60 seconds" in detail
        assert other_account[0] == 200

        clock.advance(seconds=30)
        status, detail, retry_after = await attempt(client, "alice", PASSWORD)
        assert (status, retry_after) == (429, "30")

        clock.advance(seconds=31)
        assert (await attempt(client, "alice", PASSWORD))[0] == 200
        # The success reset the count: the next lock again takes five failures.
        again = [await attempt(client, "alice", WRONG) for _ in range(6)]
        assert statuses(again) == [401] * 5 + [429]

        # A failure right after a lock expires locks again, twice as long.
        clock.advance(seconds=61)
        assert (await attempt(client, "alice", WRONG))[0] == 401
        assert (await attempt(client, "alice", PASSWORD))[::2] == (429, "120")


async def test_the_lock_doubles_up_to_an_hour(container: Container, clock: FakeClock) -> None:
    await add_user(container, "alice")
    async with client_of(container) as client:
        assert statuses([await attempt(client, "alice", WRONG) for _ in range(4)]) == [401] * 4
        waits = []
        for _ in range(8):
            assert (await attempt(client, "alice", WRONG))[0] == 401
            status, _, retry_after = await attempt(client, "alice", WRONG)
            assert status == 429
            assert retry_after is not None
            waits.append(int(retry_after))
            clock.advance(seconds=waits[-1])
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]


async def test_unknown_usernames_are_answered_the_same_way_in_the_same_sequence(
    container: Container, clock: FakeClock
) -> None:
    await add_user(container, "alice")

    async def run(username: str) -> list[Answer]:
        async with client_of(container, address=f"192.0.2.{len(username)}") as client:
            answers = [await attempt(client, username, WRONG) for _ in range(7)]
            answers.append(await attempt(client, username, PASSWORD))
            clock.advance(seconds=61)
            answers.append(await attempt(client, username, WRONG))
            answers.append(await attempt(client, username, WRONG))
            clock.advance(seconds=121)
        return answers

    known = await run("alice")
    unknown = await run("nobody-here")

    assert known == unknown
    assert statuses(known) == [401] * 5 + [429] * 3 + [401, 429]


async def test_the_address_limit_counts_failures_across_accounts(clock: FakeClock) -> None:
    container = build_container(
        make_settings(storage="memory", failed_signins_per_address_per_minute=3)
    )
    container.clock.override(clock)
    async with running(container):
        for name in ("u1", "u2", "u3", "u4", "bob"):
            await add_user(container, name)
        await clear_of_a_minute_boundary(time.monotonic)
        async with client_of(container, "198.51.100.7") as attacker:
            spread = [await attempt(attacker, name, WRONG) for name in ("u1", "u2", "ghost")]
            blocked = await attempt(attacker, "u4", WRONG)
            blocked_right = await attempt(attacker, "bob", PASSWORD)
        async with client_of(container, "198.51.100.8") as bystander:
            elsewhere = await attempt(bystander, "bob", PASSWORD)

    assert statuses(spread) == [401, 401, 401]
    for status, detail, retry_after in (blocked, blocked_right):
        assert status == 429
        assert "from your address" in detail
        assert retry_after == "60"
    assert elsewhere[0] == 200


async def test_an_admin_unlocks_an_account_and_the_trail_shows_the_lock_and_the_unlock(
    container: Container,
) -> None:
    alice = await add_user(container, "alice")
    root = await add_user(container, "root", Role.ADMIN)
    await add_user(container, "tom", Role.TRAINER)
    async with client_of(container) as client:
        admin = bearer(await token_of(client, "root"))
        trainer = bearer(await token_of(client, "tom"))
        for _ in range(5):
            await attempt(client, "alice", WRONG)
        assert (await attempt(client, "alice", PASSWORD))[0] == 429

        state = await client.get(f"/users/{alice.id}/lockout", headers=admin)
        assert state.status_code == 200
        assert state.json()["failures"] == 5
        assert state.json()["locked"] is True
        assert state.json()["locked_until"] == "2026-05-01T09:01:00+00:00"
        refused = await client.post(f"/users/{alice.id}/unlock", headers=trainer)
        assert refused.status_code == 403
        assert (await client.get(f"/users/{alice.id}/lockout", headers=trainer)).status_code == 403
        assert (await client.post("/users/999999/unlock", headers=admin)).status_code == 404

        unlocked = await client.post(f"/users/{alice.id}/unlock/", headers=admin)
        assert unlocked.status_code == 200, unlocked.text
        after = (await client.get(f"/users/{alice.id}/lockout", headers=admin)).json()
        assert (after["failures"], after["locked"], after["locked_until"]) == (0, False, None)
        assert (await attempt(client, "alice", PASSWORD))[0] == 200

        trail = await client.get(
            "/audit/", params={"target_type": "user", "target_id": alice.id}, headers=admin
        )
        assert trail.status_code == 200
        entries = {entry["action"]: entry for entry in trail.json()}
        locked = await client.get("/audit/", params={"action": "user.locked"}, headers=admin)
        by_admin = await client.get("/audit/", params={"actor_id": root.id}, headers=admin)

    # Alice's sign-in after the unlock, and the admin's own, are audited as user.signed_in.
    assert set(entries) == {"user.locked", "user.unlocked", "user.signed_in"}
    assert entries["user.signed_in"]["actor_id"] == alice.id
    assert entries["user.locked"]["actor_id"] is None
    assert entries["user.locked"]["changes"]["locked_until"] == [
        None,
        "2026-05-01T09:01:00+00:00",
    ]
    assert entries["user.unlocked"]["actor_id"] == root.id
    assert entries["user.unlocked"]["changes"] == {"failures": [5, 0]}
    assert [e["target_id"] for e in locked.json()] == [alice.id]
    assert [e["action"] for e in by_admin.json() if e["action"] != "user.signed_in"] == [
        "user.unlocked"
    ]


# Several instances: the counters live in Redis


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """Keys of this test's own, removed afterwards."""
    require_redis()
    prefix = f"tms:test:{secrets.token_hex(6)}:"
    yield prefix
    cleaner = RedisAttemptStore(REDIS_URL, prefix)
    keys = [key async for key in cleaner._redis.scan_iter(match=prefix + "*")]
    if keys:
        await cleaner._redis.delete(*keys)
    await cleaner.close()


async def test_two_instances_share_the_counters_through_redis(
    tmp_path: Path, clock: FakeClock, redis_prefix: str
) -> None:
    settings = make_settings(
        database_url=await sqlite_url(tmp_path),
        redis_url=REDIS_URL,
        failed_signins_per_address_per_minute=8,
    )
    instances: list[Container] = []
    for _ in range(2):
        container = build_container(settings)
        container.clock.override(clock)
        # Each instance its own client; the container closes it.
        container.attempts.override(providers.Object(RedisAttemptStore(REDIS_URL, redis_prefix)))
        instances.append(container)
    first, second = instances
    async with running(first), running(second):
        alice = await add_user(first, "alice")
        await add_user(first, "root", Role.ADMIN)
        await clear_of_a_minute_boundary(time.time)
        async with client_of(first) as one, client_of(second) as two:
            admin = bearer(await token_of(two, "root"))
            answers = [await attempt(client, "alice", WRONG) for client in (one, two) * 3]
            assert statuses(answers) == [401] * 5 + [429]
            assert (await attempt(one, "alice", PASSWORD))[0] == 429
            assert (await attempt(two, "alice", PASSWORD))[0] == 429

            assert (await two.post(f"/users/{alice.id}/unlock", headers=admin)).status_code == 200
            assert (await attempt(one, "alice", PASSWORD))[0] == 200

            # Three more failures from the same address (eight in all) reach its limit on
            # either instance.
            for client, name in ((one, "x"), (two, "y"), (one, "z")):
                assert (await attempt(client, name, WRONG))[0] == 401
            throttled = await attempt(two, "alice", PASSWORD)
            assert throttled[0] == 429
            assert "from your address" in throttled[1]


# Deleting a user ends their counts


async def lock_then_delete(container: Container, store: AttemptStore) -> int:
    """Lock alice out, have the admin delete her; her id."""
    await add_user(container, "root", Role.ADMIN)
    alice = await add_user(container, "alice")
    async with client_of(container) as client:
        admin = bearer(await token_of(client, "root"))
        assert statuses([await attempt(client, "alice", WRONG) for _ in range(6)])[-1] == 429
        assert (await store.failures(account_attempts_key(alice.id)))[0] == 5
        assert (await client.delete(f"/users/{alice.id}", headers=admin)).status_code == 200
    return alice.id


async def test_deleting_a_user_ends_their_failed_sign_in_count(container: Container) -> None:
    store = container.attempts()

    alice_id = await lock_then_delete(container, store)

    assert await store.failures(account_attempts_key(alice_id)) == (0, None)


async def test_deleting_a_user_ends_their_failed_sign_in_count_in_redis(
    tmp_path: Path, clock: FakeClock, redis_prefix: str
) -> None:
    container = build_container(
        make_settings(database_url=await sqlite_url(tmp_path), redis_url=REDIS_URL)
    )
    container.clock.override(clock)
    store = RedisAttemptStore(REDIS_URL, redis_prefix)
    container.attempts.override(providers.Object(store))
    async with running(container):
        alice_id = await lock_then_delete(container, store)

        assert await store.failures(account_attempts_key(alice_id)) == (0, None)
        assert [key async for key in store._redis.scan_iter(match=redis_prefix + "user:*")] == []


# Timing


async def test_an_unknown_username_takes_as_long_as_a_wrong_password(clock: FakeClock) -> None:
    # Hashing costly enough to dominate a sign-in, as in production (if unknown usernames
    # skipped it, they would answer several times faster).
    container = build_container(
        make_settings(
            storage="memory",
            argon2_time_cost=2,
            argon2_memory_kib=8192,
            lockout_threshold=1000,
            failed_signins_per_address_per_minute=1000,
        )
    )
    container.clock.override(clock)
    async with running(container):
        await add_user(container, "alice")
        durations: dict[str, list[float]] = {"alice": [], "nobody": []}
        async with client_of(container) as client:
            for username in ("alice", "nobody") * 2:  # warm up
                await attempt(client, username, WRONG)
            for _ in range(15):
                for username, taken in durations.items():
                    began = time.perf_counter()
                    status = (await attempt(client, username, WRONG))[0]
                    taken.append(time.perf_counter() - began)
                    assert status == 401

    known, unknown = (statistics.median(durations[name]) for name in ("alice", "nobody"))
    ratio = unknown / known
    assert 0.5 <= ratio <= 2.0, f"unknown {unknown * 1000:.1f} ms, known {known * 1000:.1f} ms"
