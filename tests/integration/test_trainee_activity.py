"""When a trainee was last active (`GET /trainers/{id}/trainees`): a sign-in, an enrolment,
a present mark or a session of theirs that took place, whichever is latest, on SQLite and
MariaDB through the real app, and the same answers from the in-memory adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from conftest import FakeClock, container_on, make_settings
from support import Cast, add_cast, add_session, api_client, bearer, sign_in
from tms_adapters.realtime.hub import EventHub
from tms_domain.training import SessionChanges, SessionStatus
from tms_entrypoints.container import Container, build_container, running


@pytest.fixture(params=["memory", "sql"])
async def any_container(
    request: pytest.FixtureRequest, database_url: str, clock: FakeClock
) -> AsyncIterator[Container]:
    """The in-memory adapters and the SQL ones (on SQLite and MariaDB) must agree."""
    if request.param == "sql":
        async with container_on(database_url, clock) as container:
            yield container
        return
    container = build_container(make_settings(storage="memory"))
    container.clock.override(clock)
    async with running(container):
        yield container


async def overview(client: Any, token: str, trainer_id: int) -> dict[int, tuple[Any, Any]]:
    response = await client.get(f"/trainers/{trainer_id}/trainees", headers=bearer(token))
    assert response.status_code == 200, response.text
    return {o["trainee"]["id"]: (o["last_active"], o["status"]) for o in response.json()}


async def test_a_trainee_enrolled_today_in_a_future_session_is_active(
    sql_container: Container, clock: FakeClock
) -> None:
    cast = await add_cast(sql_container)
    token, _ = await sign_in(sql_container, cast.trainer.user.username)
    enrolled_at = clock.now()
    async with api_client(sql_container) as client:
        created = await client.post(
            "/sessions/",
            headers=bearer(token),
            json={
                "title": "Next week",
                "trainer_id": cast.trainer.id,
                "trainees": [cast.trainee.id],
                "scheduled_date": (enrolled_at + timedelta(days=7)).isoformat(),
                "duration_minutes": 60,
            },
        )
        assert created.status_code == 201, created.text
        clock.advance(hours=3)
        added = await client.post(
            f"/sessions/{created.json()['id']}/trainees/{cast.other_trainee.id}",
            headers=bearer(token),
        )
        assert added.status_code == 200, added.text
        clock.advance(hours=1)

        assert await overview(client, token, cast.trainer.id) == {
            cast.trainee.id: (enrolled_at.isoformat(), "active"),
            cast.other_trainee.id: ((enrolled_at + timedelta(hours=3)).isoformat(), "active"),
        }
        clock.current = enrolled_at + timedelta(days=30, seconds=1)
        token, _ = await sign_in(sql_container, cast.trainer.user.username)
        # A week in, the session took place: that is the latest activity for both.
        started = (enrolled_at + timedelta(days=7)).isoformat()
        assert await overview(client, token, cast.trainer.id) == {
            cast.trainee.id: (started, "active"),
            cast.other_trainee.id: (started, "active"),
        }
        clock.current = enrolled_at + timedelta(days=37, seconds=1)
        token, _ = await sign_in(sql_container, cast.trainer.user.username)
        assert await overview(client, token, cast.trainer.id) == {
            cast.trainee.id: (started, "inactive"),
            cast.other_trainee.id: (started, "inactive"),
        }


async def test_each_kind_of_activity_counts_up_to_now(
    any_container: Container, clock: FakeClock
) -> None:
    cast = await add_cast(any_container)
    start = clock.now()
    # Enrolled at the start; the session took place ten days later.
    held = await add_session(
        any_container,
        cast.trainer,
        start=start + timedelta(days=10),
        trainees=(cast.trainee.id, cast.other_trainee.id, cast.third_trainee.id),
    )
    # A cancelled session's start is no activity (its enrolment, at the start, is).
    cancelled = await add_session(
        any_container,
        cast.other_trainer,
        start=start + timedelta(days=20),
        trainees=(cast.third_trainee.id,),
    )
    await any_container.sessions().update_session(
        cast.other_trainer, cancelled.id, SessionChanges(status=SessionStatus.CANCELLED)
    )
    clock.current = start + timedelta(days=15)
    await any_container.attendance().mark(cast.trainer, held.id, cast.trainee.id, True)
    await any_container.attendance().mark(cast.trainer, held.id, cast.third_trainee.id, False)
    clock.current = start + timedelta(days=16)
    await sign_in(any_container, cast.other_trainee.user.username)
    clock.current = start + timedelta(days=25)

    async def last_active() -> dict[int, tuple[datetime | None, bool]]:
        found = await any_container.progress().trainer_trainees(cast.admin, cast.trainer.id)
        return {o.trainee.id: (o.last_active, o.active) for o in found}

    assert await last_active() == {
        cast.trainee.id: (start + timedelta(days=15), True),  # marked present
        cast.other_trainee.id: (start + timedelta(days=16), True),  # signed in
        cast.third_trainee.id: (start + timedelta(days=10), True),  # the session took place
    }
    async with any_container.uow()(read_only=True) as uow:
        ids = [cast.trainee.id, cast.other_trainee.id, cast.third_trainee.id]
        # Nothing after ``until`` counts; the enrolments at the start are the only activity.
        assert await uow.trainee_activity.last_activity(
            ids, start + timedelta(days=5)
        ) == dict.fromkeys(ids, start)
        assert await uow.trainee_activity.last_activity(ids, start - timedelta(seconds=1)) == {}
        assert await uow.sign_in_history.last_signed_in(ids, start + timedelta(days=20)) == {
            cast.other_trainee.id: start + timedelta(days=16)
        }
        assert await uow.sign_in_history.last_signed_in(ids, start + timedelta(days=15)) == {}
    clock.current = start + timedelta(days=46, seconds=1)
    assert await last_active() == {
        cast.trainee.id: (start + timedelta(days=15), False),
        cast.other_trainee.id: (start + timedelta(days=16), False),
        cast.third_trainee.id: (start + timedelta(days=10), False),
    }


async def test_ended_sign_ins_are_kept_as_the_record_of_activity(
    sql_container: Container, clock: FakeClock
) -> None:
    """The event hub prunes sign-ins; one that ended yesterday still shows that its user was
    active, for as long as activity counts."""
    cast: Cast = await add_cast(sql_container)
    signed_in_at = clock.now()
    await sign_in(sql_container, cast.trainee.user.username)
    hub = EventHub(sql_container.uow(), clock)
    clock.current = signed_in_at + timedelta(days=2)
    await hub.prune()
    async with sql_container.uow()(read_only=True) as uow:
        assert await uow.sign_in_history.last_signed_in([cast.trainee.id], clock.now()) == {
            cast.trainee.id: signed_in_at
        }
    clock.current = signed_in_at + timedelta(days=32)
    await hub.prune()
    async with sql_container.uow()(read_only=True) as uow:
        assert await uow.sign_in_history.last_signed_in([cast.trainee.id], clock.now()) == {}
