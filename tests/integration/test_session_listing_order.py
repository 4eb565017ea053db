"""`GET /sessions/?order=desc`: a history, latest first, paged the same way (what a trainer's
"Past sessions" shows), on SQLite and MariaDB through the real app."""

from __future__ import annotations

from support import add_cast, add_session, api_client, at, bearer, sign_in
from tms_entrypoints.container import Container


async def test_sessions_newest_first_with_filters_and_paging(sql_container: Container) -> None:
    cast = await add_cast(sql_container)
    made = [
        await add_session(sql_container, cast.trainer, start=at(hours), title=f"S{hours}")
        for hours in (5, -30, 1, -2, 48)
    ]
    await add_session(sql_container, cast.other_trainer, start=at(-1))
    token, _ = await sign_in(sql_container, cast.trainer.user.username)
    by_start = [s.id for s in sorted(made, key=lambda s: s.scheduled_date)]
    async with api_client(sql_container) as client:

        async def ids(**params: object) -> list[int]:
            response = await client.get("/sessions/", params=params, headers=bearer(token))
            assert response.status_code == 200, response.text
            return [s["id"] for s in response.json()]

        assert await ids() == by_start
        assert await ids(order="asc") == by_start
        assert await ids(order="desc") == by_start[::-1]
        assert await ids(order="desc", to=at(0).isoformat()) == [by_start[1], by_start[0]]
        assert await ids(order="desc", skip=1, limit=2) == by_start[::-1][1:3]
        refused = await client.get("/sessions/", params={"order": "up"}, headers=bearer(token))
        assert refused.status_code == 422
