"""Handler dependencies resolved without a task group where none can wait.

Litestar resolves a handler's dependencies in batches (those whose own dependencies are
resolved) and runs every batch of two or more in an anyio task group, so that their awaits
overlap. Most of ours are plain functions that build a service from the container: they
never wait, so the group only adds its cost, a tenth of the event loop's time on a listing
(the task group, a task per dependency, their cancel scopes; litestar issue #4563).

``resolve_without_waiting_groups`` replaces ``KwargsModel.resolve_dependencies``: in each
batch the dependencies that cannot wait (a synchronous callable, or a synchronous
generator, not run in a thread) are resolved first, one after the other; what is left is
awaited directly when it is one dependency, in a task group as before when it is more. A
batch's dependencies never depend on each other, and one that cannot wait runs to its end
without yielding either way, so the values and the exceptions are the ones Litestar gives
(a failure is raised itself, not inside a group); generators are still cleaned up, in
the order they were entered, as in Litestar.
"""

from __future__ import annotations

from typing import Any

from anyio import create_task_group
from litestar._kwargs.cleanup import DependencyCleanupGroup
from litestar._kwargs.dependencies import DependencyContainer, resolve_dependency
from litestar._kwargs.kwargs_model import KwargsModel
from litestar.connection import ASGIConnection


def cannot_wait(dependency: DependencyContainer) -> bool:
    provide = dependency.provide
    return bool(provide.has_sync_callable and not provide.has_async_generator_dependency)


async def resolve_without_waiting_groups(
    self: KwargsModel, connection: ASGIConnection[Any, Any, Any, Any], kwargs: dict[str, Any]
) -> DependencyCleanupGroup:
    cleanup_group = DependencyCleanupGroup()
    for batch in self.dependency_batches:
        waiting = []
        for dependency in batch:
            if cannot_wait(dependency):
                await resolve_dependency(dependency, connection, kwargs, cleanup_group)
            else:
                waiting.append(dependency)
        if len(waiting) == 1:
            await resolve_dependency(waiting[0], connection, kwargs, cleanup_group)
        elif waiting:
            # As Litestar does it.
            try:
                async with create_task_group() as task_group:
                    for dependency in waiting:
                        task_group.start_soon(
                            resolve_dependency, dependency, connection, kwargs, cleanup_group
                        )
            except ExceptionGroup as group:
                raise group.exceptions[0] from group
    return cleanup_group


def install() -> None:
    """Idempotent; done by the application factory."""
    KwargsModel.resolve_dependencies = resolve_without_waiting_groups  # type: ignore[method-assign]
