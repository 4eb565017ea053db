"""Helpers shared by the tests: users made quickly, actors, sign-ins, HTTP headers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from tms_domain.accounts import Actor, User
from tms_domain.kernel import Role
from tms_entrypoints.container import Container
from tms_entrypoints.http.app import create_app

PASSWORD = "correct horse battery staple"
"""A password that meets the policy for every user these helpers make."""

OTHER_PASSWORD = "lunar tractor violin 42"

SECRET_MARKERS = ("$argon2", "$pbkdf2", "password_hash")
"""Text that must never appear in anything a client receives."""


async def add_user(
    container: Container,
    username: str,
    role: Role = Role.TRAINEE,
    *,
    password: str = PASSWORD,
    temporary: bool = False,
    email: str | None = None,
    first_name: str = "Test",
    last_name: str = "Person",
    password_hash: str | None = None,
) -> User:
    """Store a user directly (no use case, no audit entry), hashed as the app would."""
    now = container.clock().now()
    stored_hash = password_hash or await container.hasher().hash(password)
    async with container.uow()() as uow:
        user = await uow.users.add(
            User(
                id=0,
                username=username,
                email=email or f"{username}@example.org",
                role=role,
                first_name=first_name,
                last_name=last_name,
                password_hash=stored_hash,
                is_temporary_password=temporary,
                created_at=now,
                updated_at=now,
            )
        )
        await uow.commit()
    return user


async def add_admin(container: Container, username: str = "root") -> Actor:
    """An admin with full rights, as an actor (no sign-in behind it)."""
    return Actor(user=await add_user(container, username, Role.ADMIN))


async def sign_in(container: Container, login: str, password: str = PASSWORD) -> tuple[str, Actor]:
    """Sign in through the use case; the token and the actor it stands for."""
    signed_in = await container.auth().sign_in(login, password)
    return signed_in.access_token, await container.auth().authenticate(signed_in.access_token)


async def current_user(container: Container, user_id: int) -> User | None:
    async with container.uow()(read_only=True) as uow:
        return await uow.users.get(user_id)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# Training: a cast of users and sessions made quickly (shared by the training tests).

import secrets  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

from tms_domain.training import SessionStatus, TrainingSession  # noqa: E402
from tms_domain.training.use_cases.sessions import NewSession  # noqa: E402

TRAINING_START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
"""A Monday three days after the test clock's start: sessions are placed around it."""


def at(hours: float = 0, minutes: float = 0) -> datetime:
    """A moment relative to TRAINING_START."""
    return TRAINING_START + timedelta(hours=hours, minutes=minutes)


@dataclass(frozen=True)
class Cast:
    """Who acts in the training tests: the session's trainer and an outsider trainer, an
    enrolled trainee and two others."""

    admin: Actor
    trainer: Actor
    other_trainer: Actor
    trainee: Actor
    other_trainee: Actor
    third_trainee: Actor


async def add_cast(container: Container) -> Cast:
    async def actor(username: str, role: Role, first_name: str) -> Actor:
        return Actor(
            user=await add_user(container, username, role, first_name=first_name, last_name="Doe")
        )

    return Cast(
        admin=await actor("root", Role.ADMIN, "Ada"),
        trainer=await actor("tom", Role.TRAINER, "Tom"),
        other_trainer=await actor("tina", Role.TRAINER, "Tina"),
        trainee=await actor("pia", Role.TRAINEE, "Pia"),
        other_trainee=await actor("paul", Role.TRAINEE, "Paul"),
        third_trainee=await actor("pete", Role.TRAINEE, "Pete"),
    )


async def add_session(
    container: Container,
    actor: Actor,
    *,
    trainer_id: int | None = None,
    trainees: tuple[int, ...] = (),
    start: datetime = TRAINING_START,
    minutes: int = 60,
    title: str = "Session",
    **fields: object,
) -> TrainingSession:
    """Schedule a session through the use case (the actor delivers it unless told)."""
    details = await container.sessions().create_session(
        actor,
        NewSession(
            title=title,
            trainer_id=trainer_id if trainer_id is not None else actor.id,
            scheduled_date=start,
            duration_minutes=minutes,
            trainee_ids=trainees,
            **fields,  # type: ignore[arg-type]
        ),
    )
    return details.session


class RecordingClient(httpx.AsyncClient):
    """An HTTP client that keeps every response body it received, to check for leaks."""

    bodies: list[str]


@asynccontextmanager
async def api_client(container: Container) -> AsyncIterator[RecordingClient]:
    """The real Litestar app over this container, called in the test's own event loop.

    Litestar 2's AsyncTestClient runs the app on another thread and event loop and serves
    one request at a time (litestar#1920): an asyncmy engine shared with the test breaks
    there, and two "concurrent" requests would never race. httpx's ASGI transport has
    neither problem. The app's lifespan only releases what the container fixtures release.
    On leaving, no body received may have carried a password hash.
    """
    bodies: list[str] = []

    async def keep(response: httpx.Response) -> None:
        await response.aread()
        bodies.append(response.text)

    async with RecordingClient(
        transport=httpx.ASGITransport(app=create_app(container=container)),
        base_url="http://testserver",
        event_hooks={"response": [keep]},
    ) as client:
        client.bodies = bodies
        yield client
    leaks = [body for body in bodies if any(marker in body for marker in SECRET_MARKERS)]
    assert leaks == [], "a response carried a password hash"


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    response = await client.post("/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


USER_KEYS = frozenset(
    {
        "id",
        "username",
        "email",
        "role",
        "first_name",
        "last_name",
        "name",
        "is_temporary_password",
        "created_at",
        "updated_at",
    }
)
"""A User as the contract shows it: these keys and no others (never a hash)."""


# Rows written straight through the repositories, for the storage tests.

STORED_AT = datetime(2026, 5, 1, 9, 30, 15, 123456, tzinfo=UTC)
"""A time with microseconds, which every store must give back as it was given."""


def a_user(username: str, role: Role = Role.TRAINEE, **fields: object) -> User:
    values: dict[str, object] = {
        "id": 0,
        "username": username,
        "email": f"{username}@example.org",
        "role": role,
        "first_name": "Test",
        "last_name": "Person",
        "password_hash": "$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA",
        "is_temporary_password": False,
        "created_at": STORED_AT,
        "updated_at": STORED_AT,
    }
    values.update(fields)
    return User(**values)  # type: ignore[arg-type]


async def add(container: Container, *users: User) -> list[User]:
    async with container.uow()() as uow:
        added = [await uow.users.add(user) for user in users]
        await uow.commit()
    return added


async def save(container: Container, user: User) -> None:
    async with container.uow()() as uow:
        await uow.users.update(user)
        await uow.commit()


async def get(container: Container, user_id: int) -> User | None:
    async with container.uow()(read_only=True) as uow:
        return await uow.users.get(user_id)


def a_session(
    trainer_id: int,
    start: datetime = TRAINING_START,
    minutes: int = 60,
    *,
    trainees: tuple[int, ...] = (),
    status: SessionStatus = SessionStatus.SCHEDULED,
    title: str = "Session",
) -> TrainingSession:
    return TrainingSession(
        id=0,
        title=title,
        description="About it",
        trainer_id=trainer_id,
        trainee_ids=list(trainees),
        scheduled_date=start,
        duration_minutes=minutes,
        status=status,
        class_link="https://meet.example.org/x",
        session_link=secrets.token_urlsafe(24),
        created_at=TRAINING_START,
        updated_at=TRAINING_START,
    )


async def store(container: Container, *sessions: TrainingSession) -> list[TrainingSession]:
    async with container.uow()() as uow:
        added = [await uow.sessions.add(s) for s in sessions]
        await uow.commit()
    return added
