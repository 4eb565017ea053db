"""Properties of the access matrix: nobody raises their own privileges, and a temporary
password allows nothing but reading oneself and changing it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_settings
from tms_domain.accounts import Actor, User, UserChanges
from tms_domain.kernel import (
    ALLOWED_WITH_TEMPORARY_PASSWORD,
    MATRIX,
    Forbidden,
    NotFound,
    PasswordChangeRequired,
    Permission,
    Role,
    Target,
    authorize,
    is_allowed,
)
from tms_entrypoints.container import build_container, running

PRIVILEGED = (
    Permission.UPDATE_USER_PRIVILEGES,
    Permission.CREATE_USER,
    Permission.RESET_PASSWORD,
    Permission.DELETE_USER,
)
NOON = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

user_ids = st.integers(min_value=1, max_value=6)
ANY_ROLE = st.sampled_from(Role)
ANY_FLAG = st.booleans()


def make_user(user_id: int, role: Role, *, temporary: bool = False) -> User:
    return User(
        id=user_id,
        username=f"user{user_id}",
        email=f"user{user_id}@example.org",
        role=role,
        first_name="Test",
        last_name="Person",
        password_hash="not-a-real-hash",
        is_temporary_password=temporary,
        created_at=NOON,
        updated_at=NOON,
    )


@st.composite
def actors(
    draw: st.DrawFn,
    roles: st.SearchStrategy[Role] = ANY_ROLE,
    temporary: st.SearchStrategy[bool] = ANY_FLAG,
) -> Actor:
    return Actor(make_user(draw(user_ids), draw(roles), temporary=draw(temporary)))


# Small ids, so that the actor is often the target, the trainer, or among the trainees.
targets = st.builds(
    Target,
    user_id=st.none() | user_ids,
    trainer_id=st.none() | user_ids,
    trainee_ids=st.frozensets(user_ids, max_size=3),
    assigned_trainer_ids=st.frozensets(user_ids, max_size=3),
)


def refused(actor: Actor, permission: Permission, target: Target) -> bool:
    try:
        authorize(actor, permission, target)
    except (Forbidden, NotFound):
        return True
    return False


@given(
    actor=actors(roles=st.sampled_from([Role.TRAINER, Role.TRAINEE])),
    permission=st.sampled_from(PRIVILEGED),
    target=targets,
)
def test_no_one_but_an_admin_obtains_a_privileged_permission(
    actor: Actor, permission: Permission, target: Target
) -> None:
    assert not is_allowed(actor, permission, target)
    assert refused(actor, permission, target)


@given(
    admin=actors(roles=st.just(Role.ADMIN)),
    permission=st.sampled_from([Permission.UPDATE_USER_PRIVILEGES, Permission.DELETE_USER]),
    target=targets,
)
def test_an_admin_cannot_change_their_own_privileges_or_delete_themself(
    admin: Actor, permission: Permission, target: Target
) -> None:
    own = Target(
        user_id=admin.id,
        trainer_id=target.trainer_id,
        trainee_ids=target.trainee_ids,
        assigned_trainer_ids=target.assigned_trainer_ids,
    )

    assert not is_allowed(admin, permission, own)
    assert refused(admin, permission, own)


@given(admin=actors(roles=st.just(Role.ADMIN), temporary=st.just(False)), other=user_ids)
def test_an_admin_manages_the_privileges_of_others(admin: Actor, other: int) -> None:
    target = Target(user_id=other)

    for permission in PRIVILEGED:
        assert is_allowed(admin, permission, target) == (
            other != admin.id or permission in (Permission.CREATE_USER, Permission.RESET_PASSWORD)
        )


@given(
    actor=actors(temporary=st.just(True)),
    permission=st.sampled_from(Permission),
    target=targets,
)
def test_a_temporary_password_allows_only_three_permissions(
    actor: Actor, permission: Permission, target: Target
) -> None:
    if permission in ALLOWED_WITH_TEMPORARY_PASSWORD:
        return
    assert not is_allowed(actor, permission, target)
    with pytest.raises(PasswordChangeRequired):
        authorize(actor, permission, target)


def test_the_three_permissions_left_to_a_temporary_password() -> None:
    assert {
        Permission.READ_OWN_USER,
        Permission.CHANGE_OWN_PASSWORD,
        Permission.HOLD_LIVE_CONNECTION,
    } == ALLOWED_WITH_TEMPORARY_PASSWORD
    for role in Role:
        actor = Actor(make_user(1, role, temporary=True))
        assert is_allowed(actor, Permission.READ_OWN_USER, Target(user_id=1))
        assert is_allowed(actor, Permission.CHANGE_OWN_PASSWORD, Target(user_id=1))
        assert not is_allowed(actor, Permission.READ_OWN_USER, Target(user_id=2))
        assert not is_allowed(actor, Permission.CHANGE_OWN_PASSWORD, Target(user_id=2))


def test_every_permission_has_a_rule_row() -> None:
    assert set(MATRIX) == set(Permission)


# The same property through the use case: whatever a user sends about themself, their role
# and temporary-password flag stay as they were.

changes = st.builds(
    UserChanges,
    first_name=st.none() | st.sampled_from(["Ada", "Grace"]),
    role=st.none() | st.sampled_from(Role),
    is_temporary_password=st.none() | st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(role=st.sampled_from(Role), wanted=changes)
def test_no_update_of_oneself_changes_ones_own_privileges(role: Role, wanted: UserChanges) -> None:
    async def scenario() -> None:
        container = build_container(make_settings(storage="memory"))
        async with running(container):
            async with container.uow()() as uow:
                stored = await uow.users.add(make_user(0, role))
                await uow.commit()
            actor = Actor(stored)
            try:
                await container.users().update_user(actor, stored.id, wanted)
                was_refused = False
            except Forbidden:
                was_refused = True
            async with container.uow()(read_only=True) as uow:
                after = await uow.users.get(stored.id)
        assert after is not None
        assert after.role is role
        assert after.is_temporary_password is False
        escalates = (wanted.role not in (None, role)) or bool(wanted.is_temporary_password)
        assert was_refused == escalates
        if escalates:
            assert after.first_name == "Test"
        elif wanted.first_name is not None:
            assert after.first_name == wanted.first_name

    asyncio.run(scenario())


@given(actor=actors(temporary=st.just(False)), target=targets)
def test_only_trainees_book_everyone_reads_rooms_only_admins_manage_them(
    actor: Actor, target: Target
) -> None:
    assert is_allowed(actor, Permission.BOOK_SESSION, target) == (actor.role is Role.TRAINEE)
    assert is_allowed(actor, Permission.LIST_ROOMS, target)
    assert is_allowed(actor, Permission.MANAGE_ROOMS, target) == (actor.role is Role.ADMIN)


batch_targets = st.builds(
    Target,
    trainee_ids=st.frozensets(user_ids, max_size=3),
    batch_trainer_ids=st.frozensets(user_ids, max_size=3),
)


@given(actor=actors(temporary=st.just(False)), target=batch_targets)
def test_a_batch_is_read_by_admins_its_trainers_and_its_members_and_managed_by_admins(
    actor: Actor, target: Target
) -> None:
    admin, trainer = actor.role is Role.ADMIN, actor.role is Role.TRAINER
    follows = trainer and actor.id in target.batch_trainer_ids
    member = actor.role is Role.TRAINEE and actor.id in target.trainee_ids
    assert is_allowed(actor, Permission.LIST_BATCHES, target)
    assert is_allowed(actor, Permission.READ_BATCH, target) == (admin or follows or member)
    # Members never see who else is in their batch.
    assert is_allowed(actor, Permission.LIST_BATCH_TRAINEES, target) == (admin or follows)
    assert is_allowed(actor, Permission.MANAGE_BATCHES, target) == admin
    if not (admin or follows or member):
        with pytest.raises(NotFound):
            authorize(actor, Permission.READ_BATCH, target)
