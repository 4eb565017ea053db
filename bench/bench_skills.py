"""The skills matrix of 1,000 trainees by 50 skills: `python -m bench.bench_skills`.

A fresh SQLite database (MariaDB too with ``--databases sqlite,mariadb``) gets an admin,
1,000 trainees, 50 skills and 30,000 levels held (each trainee holds 30 of the 50), written
straight into the tables. The admin's matrix of every trainee (``limit=1000``) is then read
``--runs`` times (medians and the fastest run reported):

- ``service``: SkillMatrixService.matrix (the skills, one page of trainees, their levels:
  a fixed number of statements whatever the size);
- ``http``: GET /skills/matrix?limit=1000 through the whole app (Litestar, in process over
  httpx's ASGI transport: no socket), the answer checked to hold 1,000 rows.

Target: the matrix answers in under 200 ms.

    python -m bench.bench_skills [--databases sqlite] [--runs 15] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from bench.databases import medians, on_each_database
from tms_adapters.persistence.sql import migrations as schema
from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.engine import create_engine
from tms_adapters.persistence.sql.tables_skills import skills, user_skills
from tms_domain.accounts import Actor
from tms_domain.kernel import Page, Role
from tms_domain.skills.use_cases.matrix import MatrixFilters
from tms_entrypoints.container import Container, build_container, running
from tms_entrypoints.http.app import create_app
from tms_entrypoints.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support import add_user, bearer, login

TRAINEES = 1000
SKILLS = 50
HELD = 30


async def seed(url: str) -> None:
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(t.users),
                [
                    {
                        "username": f"trainee-{i:04d}",
                        "username_key": f"trainee-{i:04d}",
                        "username_skeleton": f"trainee-{i:04d}",
                        "email": f"trainee-{i:04d}@example.org",
                        "email_key": f"trainee-{i:04d}@example.org",
                        "role": "trainee",
                        "first_name": f"First{i:04d}",
                        "last_name": f"Last{i % 97:02d}",
                        "password_hash": "x",
                        "is_temporary_password": False,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(TRAINEES)
                ],
            )
            await conn.execute(
                insert(skills),
                [
                    {
                        "name": f"Skill {i:02d}",
                        "name_key": f"skill {i:02d}",
                        "category": f"Category {i % 5}",
                        "description": "What a person who has it can do.",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(SKILLS)
                ],
            )
            await conn.execute(
                insert(user_skills),
                [
                    {
                        "user_id": trainee,
                        "skill_id": 1 + (trainee + k) % SKILLS,
                        "level": 1 + (trainee + k) % 5,
                        "source": "course",
                        "awarded_at": now,
                    }
                    for trainee in range(1, TRAINEES + 1)
                    for k in range(HELD)
                ],
            )
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
    await seed(url)
    settings = Settings(database_url=url, secret_key="b" * 48, env="test")
    container: Container = build_container(settings)
    async with running(container):
        admin = await add_user(container, "bench-admin", Role.ADMIN)
        service = container.skill_matrix()
        actor = Actor(user=admin)
        everyone = Page(0, TRAINEES)

        async def direct() -> Any:
            found = await service.matrix(actor, MatrixFilters(), everyone)
            assert len(found.rows) == TRAINEES
            assert len(found.skills) == SKILLS
            return found

        transport = httpx.ASGITransport(app=create_app(container=container))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            headers = bearer(await login(client, "bench-admin"))

            async def http() -> Any:
                response = await client.get(
                    "/skills/matrix", params={"limit": TRAINEES}, headers=headers
                )
                assert response.status_code == 200, response.text
                return response

            body = (await http()).json()
            assert len(body["rows"]) == TRAINEES
            assert sum(len(row["levels"]) for row in body["rows"]) == TRAINEES * HELD
            results = {"service": await timed(runs, direct), "http": await timed(runs, http)}
    return {
        "database": kind,
        "trainees": TRAINEES,
        "skills": SKILLS,
        "levels": TRAINEES * HELD,
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
        target = result["ms"]["http"]["median"]
        print(
            f"{result['database']}: matrix of {TRAINEES} trainees x {SKILLS} skills over HTTP "
            f"median {target} ms: {'within' if target < 200 else 'OVER'} the 200 ms target"
        )
    if args.json:
        args.json.write_text(json.dumps(found, indent=2))


if __name__ == "__main__":
    main()
