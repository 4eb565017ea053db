"""The read-side views are the contract's shapes, byte for byte: a listing built straight
from the rows (no domain objects) encodes exactly as the DTO built from the aggregate did,
over memory, SQLite and MariaDB, whatever the names, roles and times hold."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from conftest import FakeClock
from support import add_user, bearer, sign_in
from tms_domain.kernel import Role
from tms_entrypoints.container import Container
from tms_entrypoints.http.accounts.schemas import UserOut
from tms_entrypoints.http.app import create_app

PEOPLE: Sequence[tuple[str, Role, str, str, bool, dict[str, float]]] = (
    # username, role, first name, last name, temporary password, clock step before adding
    ("root", Role.ADMIN, "Ada", "Root", False, {}),
    ("tomás", Role.TRAINER, "Tomás", "Ñúñez", False, {"microseconds": 250_001}),
    ("zhang.wei", Role.TRAINEE, "伟", "张", True, {"seconds": 1}),  # microsecond back to 250001
    ("solo", Role.TRAINEE, "Solo", "", False, {"microseconds": 749_999}),  # a whole second
    ("quote", Role.TRAINEE, 'Say "hi"\\', "O'Brien\u2028", False, {"days": 400}),
    ("emoji", Role.TRAINER, "🙂", "Ünïcödé", True, {"hours": 13, "minutes": 7}),
)


async def add_people(container: Container, clock: FakeClock) -> None:
    for username, role, first, last, temporary, step in PEOPLE:
        clock.advance(**step)
        await add_user(
            container,
            username,
            role,
            first_name=first,
            last_name=last,
            temporary=temporary,
            password_hash="x" if username != "root" else None,
        )


def encoded_from_aggregates(users: Sequence[object]) -> bytes:
    return msgspec.json.encode([UserOut.of(user) for user in users])  # type: ignore[arg-type]


@pytest.mark.parametrize("role", [None, Role.TRAINEE, Role.TRAINER])
@pytest.mark.parametrize(("skip", "limit"), [(0, 1000), (1, 2), (5, 10)])
async def test_user_views_encode_as_the_dto_of_the_aggregate(
    storage: Container, clock: FakeClock, role: Role | None, skip: int, limit: int
) -> None:
    await add_people(storage, clock)
    async with storage.uow()(read_only=True) as uow:
        aggregates = await uow.user_directory.page(skip=skip, limit=limit, role=role)
        views = await uow.user_views.page(skip=skip, limit=limit, role=role)
    assert msgspec.json.encode(views) == encoded_from_aggregates(aggregates)
    assert len(views) == len(aggregates)


async def test_the_user_listing_answers_what_it_answered_before(
    storage: Container, clock: FakeClock
) -> None:
    """GET /users/ through the app: its body is the encoding of the aggregates' DTOs."""
    await add_people(storage, clock)
    token, _actor = await sign_in(storage, "root")
    async with storage.uow()(read_only=True) as uow:
        aggregates = await uow.user_directory.page(skip=0, limit=100)
        trainees = await uow.user_directory.page(skip=1, limit=2, role=Role.TRAINEE)
    engine = storage.engine()
    if engine is not None:
        await engine.dispose()  # the test client runs the app on an event loop of its own
    async with AsyncTestClient(create_app(container=storage)) as client:
        listed = await client.get("/users/", headers=bearer(token))
        paged = await client.get("/users/?role=trainee&skip=1&limit=2", headers=bearer(token))
    assert listed.status_code == paged.status_code == 200
    assert listed.content == encoded_from_aggregates(aggregates)
    assert paged.content == encoded_from_aggregates(trainees)
