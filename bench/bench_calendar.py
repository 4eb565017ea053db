"""A calendar feed of 2,000 sessions: `python -m bench.bench_calendar`.

A fresh SQLite database (MariaDB too with ``--databases sqlite,mariadb``) gets one trainer,
one trainee and 2,000 sessions (each with the trainee enrolled, every tenth cancelled, a
description and a class link on each), written straight into the tables. The trainee's
feed is then read ``--runs`` times (medians and the fastest run reported):

- ``query``: the feed's one read-side query (CalendarService.feed: token lookup + entries);
- ``render``: those entries written as iCalendar (IcsWriter.feed);
- ``http``: GET /calendar/{token}.ics through the whole app (Litestar, in process over
  httpx's ASGI transport: no socket), the answer parsed once to check it holds 2,000
  events.

Target: the feed renders (query + render) in under 200 ms.

    python -m bench.bench_calendar [--databases sqlite] [--runs 15] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from icalendar import Calendar
from sqlalchemy import insert

from bench.databases import medians, on_each_database
from tms_adapters.persistence.sql import migrations as schema
from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.engine import create_engine
from tms_domain.accounts import Actor
from tms_entrypoints.container import Container, build_container, running
from tms_entrypoints.http.app import create_app
from tms_entrypoints.settings import Settings

SESSIONS = 2000
START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


async def seed(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        async with engine.begin() as conn:
            users = []
            for username, role in (("bench-trainer", "trainer"), ("bench-trainee", "trainee")):
                result = await conn.execute(
                    insert(t.users).values(
                        username=username,
                        username_key=username,
                        username_skeleton=username,
                        email=f"{username}@example.org",
                        email_key=f"{username}@example.org",
                        role=role,
                        first_name=role.title(),
                        last_name="Bench",
                        password_hash="x",
                        is_temporary_password=False,
                        created_at=now,
                        updated_at=now,
                    )
                )
                users.append(int(result.inserted_primary_key[0]))  # type: ignore[index]
            trainer, trainee = users
            rows = [
                {
                    "title": f"Session {i}: ladders, scaffolds; harnesses",
                    "description": "Bring boots and gloves.\nWe meet at the main gate.",
                    "trainer_id": trainer,
                    "scheduled_date": START + timedelta(hours=2 * i),
                    "ends_at": START + timedelta(hours=2 * i, minutes=90),
                    "duration_minutes": 90,
                    "status": "cancelled" if i % 10 == 0 else "scheduled",
                    "class_link": f"https://meet.example.org/room-{i}",
                    "session_link": f"bench-link-{i:06d}-abcdefgh",
                    "created_at": now,
                    "updated_at": now,
                    "sequence": i % 4,
                }
                for i in range(SESSIONS)
            ]
            await conn.execute(insert(t.training_sessions), rows)
            ids = range(1, SESSIONS + 1)
            await conn.execute(
                insert(t.enrolments),
                [{"session_id": i, "trainee_id": trainee, "enrolled_at": now} for i in ids],
            )
        return trainer, trainee
    finally:
        await engine.dispose()


async def timed(runs: int, step: Callable[[], Awaitable[Any]]) -> list[float]:
    await step()  # warm: connections, caches
    took = []
    for _ in range(runs):
        began = time.perf_counter()
        await step()
        took.append((time.perf_counter() - began) * 1000)
    return took


async def measure(kind: str, url: str, runs: int) -> dict[str, Any]:
    await schema.upgrade(url)
    _trainer, trainee_id = await seed(url)
    settings = Settings(database_url=url, secret_key="b" * 48, env="test")
    container: Container = build_container(settings)
    async with running(container):
        async with container.uow()(read_only=True) as uow:
            user = await uow.users.get(trainee_id)
        assert user is not None
        token = await container.calendar().issue_token(Actor(user=user))
        calendar, ics = container.calendar(), container.ics()
        feed = await calendar.feed(token)
        assert len(feed.entries) == SESSIONS

        async def query() -> Any:
            return await calendar.feed(token)

        async def render() -> Any:
            return ics.feed(feed)

        async def both() -> Any:
            return ics.feed(await calendar.feed(token))

        transport = httpx.ASGITransport(app=create_app(container=container))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def http() -> Any:
                response = await client.get(f"/calendar/{token}.ics")
                assert response.status_code == 200
                return response

            body = (await http()).content
            assert len(Calendar.from_ical(body).walk("VEVENT")) == SESSIONS
            results = {
                "query": await timed(runs, query),
                "render": await timed(runs, render),
                "query+render": await timed(runs, both),
                "http": await timed(runs, http),
            }
    return {
        "database": kind,
        "sessions": SESSIONS,
        "bytes": len(body),
        "runs": runs,
        "load_average": os.getloadavg(),
        "ms": medians(results),
    }


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    return await on_each_database(args.databases, lambda kind, url: measure(kind, url, args.runs))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # it logs each URL, token and all
    found = asyncio.run(main_async(args))
    for result in found:
        print(json.dumps(result))
        target = result["ms"]["query+render"]["median"]
        print(
            f"{result['database']}: feed of {SESSIONS} sessions (query + render) median "
            f"{target} ms: {'within' if target < 200 else 'OVER'} the 200 ms target"
        )
    if args.json:
        args.json.write_text(json.dumps(found, indent=2))


if __name__ == "__main__":
    main()
