"""Handler dependencies resolve as Litestar resolves them, without a task group for the ones
that cannot wait (tms_entrypoints/http/resolution.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from litestar import get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.testing import create_test_client

from tms_entrypoints.http import resolution


@pytest.fixture(autouse=True)
def installed() -> None:
    resolution.install()


def test_plain_and_generator_dependencies_resolve_and_clean_up_in_order() -> None:
    closed: list[str] = []

    def config() -> dict[str, int]:
        return {"size": 3}

    def service(config: NamedDependency[dict[str, int]]) -> str:
        return f"service of {config['size']}"

    def opened() -> Iterator[str]:
        yield "file"
        closed.append("file")

    async def connection() -> AsyncIterator[str]:
        yield "connection"
        closed.append("connection")

    @get(
        "/",
        dependencies={
            "config": Provide(config, sync_to_thread=False),
            "service": Provide(service, sync_to_thread=False),
            "opened": Provide(opened, sync_to_thread=False),
            "connection": Provide(connection),
        },
    )
    async def handler(
        service: NamedDependency[str],
        opened: NamedDependency[str],
        connection: NamedDependency[str],
    ) -> list[str]:
        return [service, opened, connection]

    with create_test_client([handler]) as client:
        answer = client.get("/")
        assert answer.json() == ["service of 3", "file", "connection"]
    assert sorted(closed) == ["connection", "file"]


def test_dependencies_that_wait_still_wait_together() -> None:
    """Two that wait on each other would never finish one after the other."""
    events: dict[str, asyncio.Event] = {}

    def plain() -> str:
        return "plain"

    async def first() -> str:
        events.setdefault("first", asyncio.Event()).set()
        await asyncio.wait_for(events.setdefault("second", asyncio.Event()).wait(), 5)
        return "first"

    async def second() -> str:
        events.setdefault("second", asyncio.Event()).set()
        await asyncio.wait_for(events.setdefault("first", asyncio.Event()).wait(), 5)
        return "second"

    @get(
        "/",
        dependencies={
            "plain": Provide(plain, sync_to_thread=False),
            "first": Provide(first),
            "second": Provide(second),
        },
    )
    async def handler(
        plain: NamedDependency[str], first: NamedDependency[str], second: NamedDependency[str]
    ) -> list[str]:
        return [plain, first, second]

    with create_test_client([handler]) as client:
        assert client.get("/").json() == ["plain", "first", "second"]


@pytest.mark.parametrize("waits", [False, True])
def test_a_failing_dependency_answers_with_its_own_error(waits: bool) -> None:
    def refuse() -> str:
        raise NotAuthorizedException("not you")

    async def refuse_later() -> str:
        await asyncio.sleep(0)
        raise NotAuthorizedException("not you")

    async def other() -> str:
        await asyncio.sleep(0)
        return "other"

    async def third() -> str:
        await asyncio.sleep(0)
        return "third"

    @get(
        "/",
        dependencies={
            "refused": Provide(refuse_later) if waits else Provide(refuse, sync_to_thread=False),
            "other": Provide(other),
            "third": Provide(third),
        },
    )
    async def handler(
        refused: NamedDependency[str], other: NamedDependency[str], third: NamedDependency[str]
    ) -> str:
        return refused

    with create_test_client([handler]) as client:
        answer = client.get("/")
        assert answer.status_code == 401
        assert answer.json()["detail"] == "not you"
