"""Driving the TMS use cases directly, with no web server: what a partner embedding the
domain package does.

    python examples/embedding.py                  # in-memory adapters
    python examples/embedding.py sqlite my.db     # a SQLite file (migrated first)

The same access rules apply as over HTTP: every call names the acting user.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

from tms_adapters.persistence.sql import migrations
from tms_domain.accounts import Actor
from tms_domain.accounts.use_cases.users import NewUser
from tms_domain.kernel import Page, Role
from tms_domain.training.use_cases.sessions import NewSession, SessionFilters
from tms_entrypoints.container import Container, build_container
from tms_entrypoints.settings import Settings


async def run_programme(container: Container) -> dict[str, object]:
    """Create people, schedule a session, take attendance, read progress."""
    users = container.users()
    created = await users.ensure_admin("admin", "admin@example.org", "Sturdy-Garden-93")
    admin_user = created.user if created else await _find(container, "admin")
    admin = Actor(admin_user)

    trainer = await users.create_user(
        admin, NewUser("tina", "tina@example.org", "Tina", "Trainer", Role.TRAINER)
    )
    trainee = await users.create_user(
        admin,
        NewUser(
            "tom",
            "tom@example.org",
            "Tom",
            "Trainee",
            Role.TRAINEE,
            password="Quiet-River-4417",
            is_temporary_password=False,
        ),
    )
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    session = await container.sessions().create_session(
        admin,
        NewSession(
            title="Onboarding",
            trainer_id=trainer.user.id,
            scheduled_date=start,
            duration_minutes=90,
            trainee_ids=(trainee.user.id,),
        ),
    )
    await container.attendance().mark(admin, session.session.id, trainee.user.id, present=True)
    progress = await container.progress().trainee_progress(admin, trainee.user.id)
    listed = await container.sessions().list_sessions(admin, SessionFilters(), Page())
    return {
        "trainer_temporary_password_given": trainer.temporary_password is not None,
        "sessions": [d.session.title for d in listed],
        "progress_percentage": progress.percentage,
    }


async def _find(container: Container, username: str) -> object:
    async with container.uow()(read_only=True) as uow:
        return await uow.users.find_by_login(username)


async def main(argv: list[str]) -> None:
    if len(argv) >= 3 and argv[1] == "sqlite":
        url = f"sqlite+aiosqlite:///{argv[2]}"
        await migrations.upgrade(url)
        settings = Settings(database_url=url, secret_key="embedding-example-" + "k" * 32)
    else:
        settings = Settings(storage="memory", secret_key="embedding-example-" + "k" * 32)
    container = build_container(settings)
    try:
        print(await run_programme(container))
    finally:
        container.hasher().shutdown()
        if settings.storage == "sql":
            await container.engine().dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv))
