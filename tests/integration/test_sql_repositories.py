"""What only the SQL adapters promise, on SQLite and MariaDB: ids never reused across a
restart, rows written before look-alike keys existed, datetimes read back in UTC. The rest
of the accounts, audit and events contract is in tests/contract."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from support import a_user, add, get, save
from tms_domain.kernel import Conflict
from tms_entrypoints.container import Container

NOW = datetime(2026, 5, 1, 9, 30, 15, 123456, tzinfo=UTC)


# Users


async def test_the_id_of_a_deleted_user_is_never_given_again(
    sql_container: Container, database_url: str
) -> None:
    """SQLite gave the highest deleted id again at once; InnoDB keeps its counter in memory
    and, since MariaDB 10.2.4, on disk across restarts: FLUSH TABLES reopens the table from
    disk, the nearest a test on a shared server comes to a restart."""
    alice, leaver = await add(sql_container, a_user("alice"), a_user("leaver"))
    async with sql_container.uow()() as uow:
        await uow.users.delete(leaver.id)
        await uow.commit()
    await sql_container.engine().dispose()
    if not database_url.startswith("sqlite"):
        async with sql_container.engine().connect() as conn:
            await conn.exec_driver_sql("FLUSH TABLES users")

    [newcomer] = await add(sql_container, a_user("newcomer"))

    assert newcomer.id > leaver.id > alice.id


async def test_a_user_without_a_look_alike_key_keeps_working_until_renamed(
    sql_container: Container,
) -> None:
    """Keys were given in id order when they came in: a later look-alike has none."""
    _alice, twin = await add(sql_container, a_user("alice"), a_user("twin"))
    async with sql_container.engine().begin() as conn:
        await conn.execute(
            text(
                "UPDATE users SET username = 'a1ice', username_key = 'a1ice',"
                " username_skeleton = NULL WHERE id = :id"
            ),
            {"id": twin.id},
        )
    still = replace(twin, first_name="Still", username="A1ICE")

    await save(sql_container, still)
    with pytest.raises(Conflict):
        await save(sql_container, replace(still, username="\u0430lice"))
    await save(sql_container, replace(still, username="unique.twin"))
    with pytest.raises(Conflict):
        await add(sql_container, a_user("unique.twin", email="other@example.org"))

    stored = await get(sql_container, twin.id)
    assert stored is not None
    assert (stored.username, stored.first_name) == ("unique.twin", "Still")


async def test_datetimes_come_back_aware_in_utc_with_microseconds(
    sql_container: Container,
) -> None:
    paris_summer = timezone(timedelta(hours=2))
    created = datetime(2026, 7, 1, 14, 5, 6, 789012, tzinfo=paris_summer)
    [user] = await add(sql_container, a_user("alice", created_at=created, updated_at=created))

    stored = await get(sql_container, user.id)

    assert stored is not None
    assert stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset() == timedelta(0)
    assert stored.created_at == created
    assert stored.created_at.hour == 12
    assert stored.created_at.microsecond == 789012


# Sign-ins
