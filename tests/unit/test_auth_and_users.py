"""Every auth and users use case, over the in-memory adapters."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import math
from collections.abc import Awaitable, Callable

import pytest
from dependency_injector import providers

from conftest import FakeClock
from support import OTHER_PASSWORD, PASSWORD, add_user, current_user, sign_in
from tms_adapters.security import Argon2PasswordHasher
from tms_domain.accounts import UNAMBIGUOUS_ALPHABET, Actor, User, UserChanges
from tms_domain.accounts.use_cases.auth import BAD_CREDENTIALS
from tms_domain.accounts.use_cases.users import NewUser
from tms_domain.audit import AuditEntry, AuditQuery
from tms_domain.kernel import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Page,
    PasswordChangeRequired,
    Role,
    StoredEvent,
)
from tms_entrypoints.container import Container

# passlib's pbkdf2_sha256 hash of PASSWORD, as the earlier system stored it
# (the same vector as tests/integration/test_security_adapters.py).
LEGACY_HASH = (
    "$pbkdf2-sha256$29000$DgEAwPj/P0foHaOUsjZGqA$dwHrrpYVhEmtZYEnMJ3Twd4e82jEt5CwlVPrS1tgFuw"
)


async def admin_actor(container: Container, username: str = "root") -> Actor:
    _token, actor = await sign_in(
        container, (await add_user(container, username, Role.ADMIN)).username
    )
    return actor


async def audit_entries(container: Container, **query: object) -> list[AuditEntry]:
    async with container.uow()(read_only=True) as uow:
        return await uow.audit_history.page(AuditQuery(**query))  # type: ignore[arg-type]


async def stored_events(container: Container) -> list[StoredEvent]:
    async with container.uow()(read_only=True) as uow:
        return await uow.events.since(0, limit=1000)


async def still_signed_in(container: Container, token: str) -> bool:
    try:
        await container.auth().authenticate(token)
    except AuthenticationFailed:
        return False
    return True


def new_user(username: str, role: Role = Role.TRAINEE, **fields: object) -> NewUser:
    values: dict[str, object] = {
        "username": username,
        "email": f"{username}@example.org",
        "first_name": "New",
        "last_name": "Comer",
        "role": role,
    }
    values.update(fields)
    return NewUser(**values)  # type: ignore[arg-type]


def error_fields(error: InvalidInput) -> list[str]:
    return [e.field for e in error.errors]


# Sign-in


async def test_sign_in_by_username_or_email_in_any_case(memory_container: Container) -> None:
    user = await add_user(memory_container, "Alice", email="Alice.Smith@Example.org")

    for login in ("Alice", "alice", "ALICE", "alice.smith@example.org", "ALICE.SMITH@EXAMPLE.ORG"):
        signed_in = await memory_container.auth().sign_in(login, PASSWORD)
        actor = await memory_container.auth().authenticate(signed_in.access_token)

        assert signed_in.user.id == user.id
        assert actor.id == user.id
        assert not signed_in.force_password_change


async def test_wrong_password_and_unknown_user_fail_alike(memory_container: Container) -> None:
    await add_user(memory_container, "alice")

    with pytest.raises(AuthenticationFailed) as wrong_password:
        await memory_container.auth().sign_in("alice", PASSWORD + "!")
    with pytest.raises(AuthenticationFailed) as unknown_user:
        await memory_container.auth().sign_in("nobody", PASSWORD)

    assert wrong_password.value.message == unknown_user.value.message == BAD_CREDENTIALS


async def test_a_legacy_pbkdf2_hash_signs_in_and_is_replaced_by_argon2id(
    memory_container: Container,
) -> None:
    user = await add_user(memory_container, "veteran", password_hash=LEGACY_HASH)

    await memory_container.auth().sign_in("veteran", PASSWORD)

    stored = await current_user(memory_container, user.id)
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert await memory_container.auth().sign_in("veteran", PASSWORD)
    with pytest.raises(AuthenticationFailed):
        await memory_container.auth().sign_in("veteran", "wrong " + PASSWORD)


class CountingHasher:
    """The container's hasher, counting the verifications (burns included) asked of it."""

    def __init__(self, hasher: Argon2PasswordHasher) -> None:
        self.hasher = hasher
        self.verifications = 0

    async def hash(self, password: str) -> str:
        return await self.hasher.hash(password)

    async def verify(self, password_hash: str, password: str) -> bool:
        self.verifications += 1
        return await self.hasher.verify(password_hash, password)

    async def burn(self, password: str) -> None:
        self.verifications += 1
        await self.hasher.burn(password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self.hasher.needs_rehash(password_hash)

    def hashes_as_typed(self, password_hash: str) -> bool:
        return self.hasher.hashes_as_typed(password_hash)

    def shutdown(self) -> None:
        self.hasher.shutdown()


async def outdated_hash(password: str) -> str:
    """An argon2id hash with twice the memory and passes of the test container's hasher:
    one made before the parameters changed."""
    earlier = Argon2PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1, max_workers=1)
    try:
        return await earlier.hash(password)
    finally:
        earlier.shutdown()


def legacy_hash(password: str) -> str:
    """passlib's pbkdf2_sha256 form, as the earlier system hashed the password as typed."""
    salt = b"sixteen bytes!!!"
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 1000)

    def ab64(data: bytes) -> str:
        return base64.b64encode(data).decode().rstrip("=").replace("+", ".")

    return f"$pbkdf2-sha256$1000${ab64(salt)}${ab64(digest)}"


@pytest.mark.parametrize(
    "attempt",
    [
        ("nobody", PASSWORD),
        ("alice", "wrong " + PASSWORD),
        ("alice", "ﬁne Ⅻ apples"),  # changes under NFKC
        ("veteran", "ﬁne Ⅻ apples"),
        ("veteran", "wrong"),
    ],
)
async def test_every_failed_sign_in_costs_one_verification(
    memory_container: Container, attempt: tuple[str, str]
) -> None:
    await add_user(memory_container, "alice")
    await add_user(memory_container, "veteran", password_hash=LEGACY_HASH)
    counting = CountingHasher(memory_container.hasher())
    memory_container.hasher.override(providers.Object(counting))

    with pytest.raises(AuthenticationFailed):
        await memory_container.auth().sign_in(*attempt)

    assert counting.verifications == 1


async def test_a_hash_made_with_other_argon2_parameters_is_upgraded_at_sign_in(
    memory_container: Container,
) -> None:
    """Hashes made before the parameters changed (here: twice the memory and passes of the
    test container's) sign in, once, with one verification, and are then replaced by one
    with the current parameters, which goes on signing in."""
    old_hash = await outdated_hash(PASSWORD)
    user = await add_user(memory_container, "returning", password_hash=old_hash)
    counting = CountingHasher(memory_container.hasher())
    memory_container.hasher.override(providers.Object(counting))

    await memory_container.auth().sign_in("returning", PASSWORD)

    assert counting.verifications == 1
    stored = await current_user(memory_container, user.id)
    assert stored is not None
    assert old_hash.startswith("$argon2id$v=19$m=2048,t=2,p=1$")
    assert stored.password_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert not counting.needs_rehash(stored.password_hash)
    assert await memory_container.auth().sign_in("returning", PASSWORD)
    with pytest.raises(AuthenticationFailed):
        await memory_container.auth().sign_in("returning", "wrong " + PASSWORD)


async def test_two_sign_ins_at_once_that_both_upgrade_the_hash_both_sign_in(
    memory_container: Container,
) -> None:
    """Two devices sign in at once with a hash made before the parameters changed: both
    verify the old hash and the first to finish replaces it. The second then finds another
    hash than the one it verified: it checks the password again against that one rather
    than refusing a right password."""
    old_hash = await outdated_hash(PASSWORD)
    user = await add_user(memory_container, "returning", password_hash=old_hash)
    counting = CountingHasher(memory_container.hasher())
    memory_container.hasher.override(providers.Object(counting))
    auth = memory_container.auth()

    first, second = await asyncio.gather(
        auth.sign_in("returning", PASSWORD), auth.sign_in("returning", PASSWORD)
    )

    assert first.user.id == second.user.id == user.id
    assert first.access_token != second.access_token
    assert counting.verifications == 3  # the second sign-in verified twice
    stored = await current_user(memory_container, user.id)
    assert stored is not None
    assert not counting.needs_rehash(stored.password_hash)


async def test_a_password_changed_during_a_sign_in_refuses_the_old_one(
    memory_container: Container,
) -> None:
    """The check happens outside the sign-in's transaction: a change that lands meanwhile is
    not outlived by a sign-in with the password it replaced."""
    user = await add_user(memory_container, "alice")
    hasher = memory_container.hasher()
    verified = asyncio.Event()
    changed = asyncio.Event()

    class ChangedWhileVerifying(CountingHasher):
        async def verify(self, password_hash: str, password: str) -> bool:
            matches = await super().verify(password_hash, password)
            if not verified.is_set():
                verified.set()
                await changed.wait()
            return matches

    memory_container.hasher.override(providers.Object(ChangedWhileVerifying(hasher)))

    async def change_password() -> None:
        await verified.wait()
        async with memory_container.core().uow() as uow:
            stored = await uow.users.get(user.id, for_update=True)
            assert stored is not None
            stored.password_hash = await hasher.hash(OTHER_PASSWORD)
            await uow.users.update(stored)
            await uow.commit()
        changed.set()

    signing_in = asyncio.ensure_future(memory_container.auth().sign_in("alice", PASSWORD))
    await change_password()
    with pytest.raises(AuthenticationFailed) as refused:
        await signing_in
    assert refused.value.message == BAD_CREDENTIALS
    assert await memory_container.auth().sign_in("alice", OTHER_PASSWORD)


async def test_a_failed_sign_in_leaves_an_outdated_hash_alone(memory_container: Container) -> None:
    old_hash = await outdated_hash(PASSWORD)
    user = await add_user(memory_container, "returning", password_hash=old_hash)

    with pytest.raises(AuthenticationFailed):
        await memory_container.auth().sign_in("returning", "wrong " + PASSWORD)

    stored = await current_user(memory_container, user.id)
    assert stored is not None
    assert stored.password_hash == old_hash


async def test_a_legacy_hash_of_a_password_as_typed_signs_in_as_typed_then_normalised(
    memory_container: Container,
) -> None:
    typed, normalised = "ﬁne Ⅻ apples and pears", "fine XII apples and pears"
    await add_user(memory_container, "veteran", password_hash=legacy_hash(typed))

    with pytest.raises(AuthenticationFailed):
        await memory_container.auth().sign_in("veteran", normalised)
    await memory_container.auth().sign_in("veteran", typed)

    # Replaced by a hash of the normalised password: either form now signs in.
    assert await memory_container.auth().sign_in("veteran", normalised)
    assert await memory_container.auth().sign_in("veteran", typed)


async def test_a_sign_in_expires_after_its_lifetime(
    memory_container: Container, clock: FakeClock
) -> None:
    await add_user(memory_container, "alice")
    token, _actor = await sign_in(memory_container, "alice")

    clock.advance(hours=7, minutes=59)
    assert await still_signed_in(memory_container, token)
    clock.advance(minutes=2)
    assert not await still_signed_in(memory_container, token)


# Temporary passwords


async def test_a_temporary_password_allows_only_reading_oneself_and_changing_it(
    memory_container: Container,
) -> None:
    other = await add_user(memory_container, "other")
    await add_user(memory_container, "boss", Role.ADMIN, temporary=True)
    signed_in = await memory_container.auth().sign_in("boss", PASSWORD)
    actor = await memory_container.auth().authenticate(signed_in.access_token)
    auth, users = memory_container.auth(), memory_container.users()
    refused: list[Callable[[], Awaitable[object]]] = [
        lambda: users.list_users(actor, Page()),
        lambda: users.get_user(actor, other.id),
        lambda: users.create_user(actor, new_user("fresh")),
        lambda: users.update_user(actor, actor.id, UserChanges(first_name="Renamed")),
        lambda: users.update_user(actor, other.id, UserChanges(first_name="Renamed")),
        lambda: users.delete_user(actor, other.id),
        lambda: auth.reset_password(actor, other.id, OTHER_PASSWORD),
        lambda: auth.change_admin_password(actor, OTHER_PASSWORD),
    ]

    assert signed_in.force_password_change
    for operation in refused:
        with pytest.raises(PasswordChangeRequired):
            await operation()
    assert (await users.get_user(actor, actor.id)).id == actor.id

    await auth.change_password(actor, None, OTHER_PASSWORD)

    full_rights = await auth.authenticate(signed_in.access_token)
    assert not full_rights.user.is_temporary_password
    assert len(await users.list_users(full_rights, Page())) == 2


# Changing one's own password


async def test_changing_the_password_needs_the_current_one(memory_container: Container) -> None:
    await add_user(memory_container, "alice")
    _token, actor = await sign_in(memory_container, "alice")

    with pytest.raises(InvalidInput) as missing:
        await memory_container.auth().change_password(actor, None, OTHER_PASSWORD)
    with pytest.raises(InvalidInput) as wrong:
        await memory_container.auth().change_password(actor, "not it at all", OTHER_PASSWORD)

    assert error_fields(missing.value) == ["current_password"]
    assert error_fields(wrong.value) == ["current_password"]
    assert await memory_container.auth().sign_in("alice", PASSWORD)


async def test_a_new_password_lists_every_policy_violation(memory_container: Container) -> None:
    await add_user(memory_container, "dragon")
    _token, actor = await sign_in(memory_container, "dragon")

    with pytest.raises(InvalidInput) as refused:
        await memory_container.auth().change_password(actor, PASSWORD, "dragon")

    messages = [e.message for e in refused.value.errors]
    assert set(error_fields(refused.value)) == {"new_password"}
    assert any("too short" in m for m in messages)
    assert any("too common" in m for m in messages)
    assert any("similar to the username" in m for m in messages)
    assert any("similar to the email" in m for m in messages)


async def test_changing_the_password_ends_the_other_sign_ins_only(
    memory_container: Container, clock: FakeClock
) -> None:
    user = await add_user(memory_container, "alice")
    kept_token, actor = await sign_in(memory_container, "alice")
    other_token, _other = await sign_in(memory_container, "alice")

    await memory_container.auth().change_password(actor, PASSWORD, OTHER_PASSWORD)

    assert await still_signed_in(memory_container, kept_token)
    assert not await still_signed_in(memory_container, other_token)
    with pytest.raises(AuthenticationFailed):
        await memory_container.auth().sign_in("alice", PASSWORD)
    assert await memory_container.auth().sign_in("alice", OTHER_PASSWORD)
    [entry] = await audit_entries(memory_container, action="user.password_changed")
    assert (entry.target_id, entry.actor_id, entry.actor, entry.at) == (
        user.id,
        user.id,
        "alice",
        clock.now(),
    )


async def test_an_admin_changes_their_own_password_without_the_current_one(
    memory_container: Container,
) -> None:
    await add_user(memory_container, "root", Role.ADMIN)
    kept_token, admin = await sign_in(memory_container, "root")
    other_token, _other = await sign_in(memory_container, "root")

    await memory_container.auth().change_admin_password(admin, OTHER_PASSWORD)

    assert await still_signed_in(memory_container, kept_token)
    assert not await still_signed_in(memory_container, other_token)
    assert await memory_container.auth().sign_in("root", OTHER_PASSWORD)
    [entry] = await audit_entries(memory_container, action="user.password_changed")
    assert entry.actor_id == admin.id


async def test_only_an_admin_may_use_admin_change_password(memory_container: Container) -> None:
    await add_user(memory_container, "teacher", Role.TRAINER)
    _token, trainer = await sign_in(memory_container, "teacher")

    with pytest.raises(Forbidden):
        await memory_container.auth().change_admin_password(trainer, OTHER_PASSWORD)
    assert await memory_container.auth().sign_in("teacher", PASSWORD)


# Resetting someone's password


async def test_a_reset_ends_every_sign_in_and_makes_the_password_temporary(
    memory_container: Container, clock: FakeClock
) -> None:
    admin = await admin_actor(memory_container)
    user = await add_user(memory_container, "alice")
    first, _ = await sign_in(memory_container, "alice")
    second, _ = await sign_in(memory_container, "alice")

    await memory_container.auth().reset_password(admin, user.id, OTHER_PASSWORD)

    assert not await still_signed_in(memory_container, first)
    assert not await still_signed_in(memory_container, second)
    signed_in = await memory_container.auth().sign_in("alice", OTHER_PASSWORD)
    assert signed_in.force_password_change
    [entry] = await audit_entries(memory_container, action="user.password_reset")
    assert (entry.target_id, entry.actor_id, entry.actor, entry.at) == (
        user.id,
        admin.id,
        "root",
        clock.now(),
    )
    [event] = [e for e in await stored_events(memory_container) if e.type == "password_reset"]
    assert event.data["reset_by"] == admin.id
    assert OTHER_PASSWORD not in repr(event.data)


async def test_only_an_admin_resets_and_the_policy_applies(memory_container: Container) -> None:
    admin = await admin_actor(memory_container)
    user = await add_user(memory_container, "alice")
    await add_user(memory_container, "teacher", Role.TRAINER)
    _token, trainer = await sign_in(memory_container, "teacher")

    with pytest.raises(Forbidden):
        await memory_container.auth().reset_password(trainer, user.id, OTHER_PASSWORD)
    with pytest.raises(InvalidInput) as weak:
        await memory_container.auth().reset_password(admin, user.id, "alice")
    with pytest.raises(NotFound):
        await memory_container.auth().reset_password(admin, 999, OTHER_PASSWORD)

    assert set(error_fields(weak.value)) == {"new_password"}
    assert not (await memory_container.auth().sign_in("alice", PASSWORD)).force_password_change


class PausingHasher(Argon2PasswordHasher):
    """The real hasher, holding each verification until the test lets it go on."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1, max_workers=2)
        self.verifying = asyncio.Event()
        self.go_on = asyncio.Event()

    async def verify(self, password_hash: str, password: str) -> bool:
        matches = await super().verify(password_hash, password)
        self.verifying.set()
        await self.go_on.wait()
        return matches


async def test_a_sign_in_checked_before_a_reset_does_not_outlive_it(
    memory_container: Container,
) -> None:
    hasher = PausingHasher()
    memory_container.hasher.override(hasher)
    user = await add_user(memory_container, "alice")
    admin = Actor(await add_user(memory_container, "root", Role.ADMIN))

    signing_in = asyncio.create_task(memory_container.auth().sign_in("alice", PASSWORD))
    await hasher.verifying.wait()
    await memory_container.auth().reset_password(admin, user.id, OTHER_PASSWORD)
    hasher.go_on.set()

    with pytest.raises(AuthenticationFailed):
        await signing_in


# Signing out


async def test_sign_out_ends_this_sign_in_only(memory_container: Container) -> None:
    await add_user(memory_container, "alice")
    token, actor = await sign_in(memory_container, "alice")
    other_token, _other = await sign_in(memory_container, "alice")

    await memory_container.auth().sign_out(actor)

    assert not await still_signed_in(memory_container, token)
    assert await still_signed_in(memory_container, other_token)


async def test_sign_out_everywhere_ends_every_sign_in(memory_container: Container) -> None:
    await add_user(memory_container, "alice")
    await add_user(memory_container, "bob")
    token, actor = await sign_in(memory_container, "alice")
    other_token, _other = await sign_in(memory_container, "alice")
    bobs_token, _bob = await sign_in(memory_container, "bob")

    ended = await memory_container.auth().sign_out_everywhere(actor)

    assert ended == 2
    assert not await still_signed_in(memory_container, token)
    assert not await still_signed_in(memory_container, other_token)
    assert await still_signed_in(memory_container, bobs_token)


# Creating users


async def test_a_generated_temporary_password_is_strong_and_shown_once(
    memory_container: Container, clock: FakeClock
) -> None:
    admin = await admin_actor(memory_container)

    created = await memory_container.users().create_user(admin, new_user("alice"))
    another = await memory_container.users().create_user(admin, new_user("bob"))

    password = created.temporary_password
    assert password is not None
    assert password != another.temporary_password
    symbols = password.replace("-", "")
    assert set(symbols) <= set(UNAMBIGUOUS_ALPHABET)
    assert len(symbols) * math.log2(len(UNAMBIGUOUS_ALPHABET)) >= 80
    assert created.user.is_temporary_password
    signed_in = await memory_container.auth().sign_in("alice", password)
    assert signed_in.force_password_change
    stored = await current_user(memory_container, created.user.id)
    assert stored is not None
    assert password not in stored.password_hash
    trail = await audit_entries(memory_container, action="user.created")
    events = await stored_events(memory_container)
    assert password not in repr(trail) + repr(events)
    assert stored.password_hash not in repr(trail) + repr(events)
    entry = next(e for e in trail if e.target_id == created.user.id)
    assert (entry.actor_id, entry.actor, entry.at) == (admin.id, "root", clock.now())
    assert entry.changes["username"] == [None, "alice"]


async def test_a_given_password_is_checked_with_the_profile(memory_container: Container) -> None:
    admin = await admin_actor(memory_container)

    with pytest.raises(InvalidInput) as refused:
        await memory_container.users().create_user(
            admin, new_user("alice", email="not-an-email", password="alice")
        )

    fields = error_fields(refused.value)
    assert "email" in fields
    assert fields.count("password") >= 3
    assert len(await memory_container.users().list_users(admin, Page())) == 1


async def test_a_given_password_is_temporary_unless_said_otherwise(
    memory_container: Container,
) -> None:
    admin = await admin_actor(memory_container)

    temporary = await memory_container.users().create_user(
        admin, new_user("alice", password=OTHER_PASSWORD)
    )
    lasting = await memory_container.users().create_user(
        admin, new_user("bob", password=OTHER_PASSWORD, is_temporary_password=False)
    )

    assert temporary.temporary_password is None
    assert lasting.temporary_password is None
    assert temporary.user.is_temporary_password
    assert not lasting.user.is_temporary_password
    assert not (await memory_container.auth().sign_in("bob", OTHER_PASSWORD)).force_password_change


@pytest.mark.parametrize(
    ("username", "email"),
    [("ALICE", "someone.else@example.org"), ("someone_else", "ALICE@Example.ORG")],
)
async def test_duplicate_usernames_and_emails_conflict_in_any_case(
    memory_container: Container, username: str, email: str
) -> None:
    admin = await admin_actor(memory_container)
    await memory_container.users().create_user(admin, new_user("alice"))

    with pytest.raises(Conflict):
        await memory_container.users().create_user(admin, new_user(username, email=email))

    assert len(await memory_container.users().list_users(admin, Page())) == 2


@pytest.mark.parametrize("look_alike", ["\u0430lice", "ＡＬＩＣＥ", "a1ice", "Alice"])
async def test_a_username_like_another_is_a_conflict_naming_nobody(
    memory_container: Container, look_alike: str
) -> None:
    admin = await admin_actor(memory_container)
    users = memory_container.users()
    await users.create_user(admin, new_user("alice"))
    bob = (await users.create_user(admin, new_user("bob"))).user

    with pytest.raises(Conflict) as created:
        await users.create_user(admin, new_user(look_alike, email="other@example.org"))
    with pytest.raises(Conflict) as renamed:
        await users.update_user(admin, bob.id, UserChanges(username=look_alike))

    for refusal in (created.value.message, renamed.value.message):
        assert "alice" not in refusal.lower()


async def test_a_username_is_kept_nfkc_normalised_and_without_at(
    memory_container: Container,
) -> None:
    admin = await admin_actor(memory_container)
    users = memory_container.users()

    created = await users.create_user(admin, new_user(" ｊｕｌｉａ ", email="julia@example.org"))
    with pytest.raises(InvalidInput) as refused:
        await users.create_user(admin, new_user("ju@lia", email="ju@example.org"))

    assert created.user.username == "julia"
    assert error_fields(refused.value) == ["username"]


async def test_only_an_admin_creates_users(memory_container: Container) -> None:
    await add_user(memory_container, "teacher", Role.TRAINER)
    _token, trainer = await sign_in(memory_container, "teacher")

    with pytest.raises(Forbidden):
        await memory_container.users().create_user(trainer, new_user("alice", Role.ADMIN))


# Reading users


async def test_trainees_read_only_themselves(memory_container: Container) -> None:
    other = await add_user(memory_container, "other")
    await add_user(memory_container, "teacher", Role.TRAINER)
    await add_user(memory_container, "alice")
    _t, trainee = await sign_in(memory_container, "alice")
    _t, trainer = await sign_in(memory_container, "teacher")
    users = memory_container.users()

    assert (await users.get_user(trainee, trainee.id)).username == "alice"
    with pytest.raises(Forbidden):
        await users.get_user(trainee, other.id)
    with pytest.raises(Forbidden):
        await users.list_users(trainee, Page())
    assert (await users.get_user(trainer, other.id)).username == "other"
    assert [u.username for u in await users.list_users(trainer, Page(), Role.TRAINEE)] == [
        "other",
        "alice",
    ]
    assert [u.username for u in await users.list_users(trainer, Page(skip=1, limit=1))] == [
        "teacher"
    ]


# Updating users


async def test_anyone_may_change_their_own_names_email_and_username(
    memory_container: Container,
) -> None:
    await add_user(memory_container, "alice")
    _token, actor = await sign_in(memory_container, "alice")

    updated = await memory_container.users().update_user(
        actor,
        actor.id,
        UserChanges(
            username="alice2",
            email="alice2@example.org",
            first_name="Alicia",
            last_name="Keys",
            role=Role.TRAINEE,
            is_temporary_password=False,
        ),
    )

    assert (updated.username, updated.email, updated.name) == (
        "alice2",
        "alice2@example.org",
        "Alicia Keys",
    )
    assert await memory_container.auth().sign_in("ALICE2", PASSWORD)
    [entry] = await audit_entries(memory_container, action="user.updated")
    assert entry.changes["username"] == ["alice", "alice2"]
    assert "role" not in entry.changes


SELF_PRIVILEGE_CHANGES = [
    *[(role, UserChanges(role=other)) for role in Role for other in Role if other is not role],
    *[(role, UserChanges(is_temporary_password=True)) for role in Role],
    *[(role, UserChanges(password=OTHER_PASSWORD)) for role in Role],
]


@pytest.mark.parametrize(
    ("role", "changes"),
    SELF_PRIVILEGE_CHANGES,
    ids=[
        f"{role}-{next(k for k, v in vars(c).items() if v is not None)}"
        for role, c in SELF_PRIVILEGE_CHANGES
    ],
)
async def test_nobody_changes_their_own_role_flag_or_password_by_update(
    memory_container: Container, role: Role, changes: UserChanges
) -> None:
    user = await add_user(memory_container, "self", role)
    _token, actor = await sign_in(memory_container, "self")

    with pytest.raises(Forbidden):
        await memory_container.users().update_user(actor, actor.id, changes)

    assert await current_user(memory_container, user.id) == user


async def test_a_trainee_cannot_update_someone_else(memory_container: Container) -> None:
    other = await add_user(memory_container, "other")
    await add_user(memory_container, "alice")
    _token, actor = await sign_in(memory_container, "alice")

    with pytest.raises(Forbidden):
        await memory_container.users().update_user(actor, other.id, UserChanges(first_name="X"))


async def test_an_admins_role_change_ends_the_users_sign_ins(memory_container: Container) -> None:
    admin = await admin_actor(memory_container)
    user = await add_user(memory_container, "teacher", Role.TRAINER)
    token, _trainer = await sign_in(memory_container, "teacher")

    updated = await memory_container.users().update_user(
        admin, user.id, UserChanges(role=Role.TRAINEE)
    )

    assert updated.role is Role.TRAINEE
    assert not await still_signed_in(memory_container, token)
    _token, again = await sign_in(memory_container, "teacher")
    assert again.role is Role.TRAINEE
    [entry] = await audit_entries(memory_container, action="user.updated")
    assert entry.changes == {"role": ["trainer", "trainee"]}


async def test_an_admin_sets_another_users_password_and_it_is_temporary(
    memory_container: Container,
) -> None:
    admin = await admin_actor(memory_container)
    user = await add_user(memory_container, "alice")
    token, _actor = await sign_in(memory_container, "alice")

    await memory_container.users().update_user(admin, user.id, UserChanges(password=OTHER_PASSWORD))

    assert not await still_signed_in(memory_container, token)
    assert (await memory_container.auth().sign_in("alice", OTHER_PASSWORD)).force_password_change
    [entry] = await audit_entries(memory_container, action="user.updated")
    assert OTHER_PASSWORD not in repr(entry.changes)


async def test_an_update_to_a_taken_username_or_email_conflicts(
    memory_container: Container,
) -> None:
    admin = await admin_actor(memory_container)
    await add_user(memory_container, "alice")
    bob = await add_user(memory_container, "bob")
    users = memory_container.users()

    with pytest.raises(Conflict):
        await users.update_user(admin, bob.id, UserChanges(username="Alice"))
    with pytest.raises(Conflict):
        await users.update_user(admin, bob.id, UserChanges(email="ALICE@example.org"))

    assert await current_user(memory_container, bob.id) == bob


async def test_an_unchanged_update_records_nothing(memory_container: Container) -> None:
    await add_user(memory_container, "alice")
    _token, actor = await sign_in(memory_container, "alice")

    await memory_container.users().update_user(
        actor, actor.id, UserChanges(username="alice", role=Role.TRAINEE)
    )

    assert await audit_entries(memory_container, action="user.updated") == []


# Deleting users


async def test_an_admin_deletes_a_user_and_the_audit_trail_keeps_it(
    memory_container: Container, clock: FakeClock
) -> None:
    admin = await admin_actor(memory_container)
    user = await add_user(memory_container, "alice")
    token, _actor = await sign_in(memory_container, "alice")

    await memory_container.users().delete_user(admin, user.id)

    assert await current_user(memory_container, user.id) is None
    assert not await still_signed_in(memory_container, token)
    [entry] = await audit_entries(memory_container, action="user.deleted")
    assert (entry.target_id, entry.actor_id, entry.at) == (user.id, admin.id, clock.now())
    assert entry.changes["username"] == ["alice", None]
    with pytest.raises(NotFound):
        await memory_container.users().delete_user(admin, user.id)


async def test_nobody_deletes_themselves_and_only_admins_delete(
    memory_container: Container,
) -> None:
    admin = await admin_actor(memory_container)
    other = await add_user(memory_container, "other")
    await add_user(memory_container, "teacher", Role.TRAINER)
    _token, trainer = await sign_in(memory_container, "teacher")

    with pytest.raises(Forbidden):
        await memory_container.users().delete_user(admin, admin.id)
    with pytest.raises(Forbidden):
        await memory_container.users().delete_user(trainer, other.id)

    assert await current_user(memory_container, admin.id) is not None
    assert await current_user(memory_container, other.id) is not None


# The bootstrap admin


async def test_ensure_admin_creates_a_temporary_admin_once(memory_container: Container) -> None:
    users = memory_container.users()

    created = await users.ensure_admin("admin", "admin@tms.local", None)
    again = await users.ensure_admin("admin", "admin@tms.local", None)

    assert created is not None
    assert again is None
    assert created.user.role is Role.ADMIN
    assert created.temporary_password is not None
    signed_in = await memory_container.auth().sign_in("admin", created.temporary_password)
    assert signed_in.force_password_change
    [entry] = await audit_entries(memory_container, action="user.created")
    assert (entry.target_id, entry.actor_id) == (created.user.id, None)


async def test_ensure_admin_uses_a_given_password_that_meets_the_policy(
    memory_container: Container,
) -> None:
    users = memory_container.users()

    with pytest.raises(InvalidInput) as weak:
        await users.ensure_admin("admin", "admin@tms.local", "admin")
    created = await users.ensure_admin("admin", "admin@tms.local", OTHER_PASSWORD)

    assert set(error_fields(weak.value)) == {"password"}
    assert created is not None
    assert created.temporary_password is None
    assert not created.user.is_temporary_password
    assert not (
        await memory_container.auth().sign_in("admin", OTHER_PASSWORD)
    ).force_password_change


async def test_nothing_a_use_case_returns_or_records_carries_a_password(
    memory_container: Container,
) -> None:
    admin = await admin_actor(memory_container)
    created = await memory_container.users().create_user(admin, new_user("alice"))
    await memory_container.users().update_user(
        admin, created.user.id, UserChanges(password=OTHER_PASSWORD, first_name="Al")
    )
    await memory_container.auth().reset_password(admin, created.user.id, PASSWORD)
    stored: User | None = await current_user(memory_container, created.user.id)
    assert stored is not None

    recorded = repr(await audit_entries(memory_container)) + repr(
        await stored_events(memory_container)
    )

    for secret in (stored.password_hash, PASSWORD, OTHER_PASSWORD, "$argon2"):
        assert secret not in recorded
