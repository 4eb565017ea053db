"""Bridges from the container into Litestar: small provider functions, no @inject."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide

from tms_domain.accounts import Actor
from tms_domain.accounts.use_cases.auth import AuthService
from tms_domain.kernel import AuthenticationFailed
from tms_entrypoints.container import Container

NOT_AUTHENTICATED = "Not authenticated"


def bearer_token(request: Request[Any, Any, Any]) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed(NOT_AUTHENTICATED)
    return token.strip()


def client_address(request: Request[Any, Any, Any]) -> str | None:
    return request.client.host if request.client else None


async def provide_actor(
    request: Request[Any, Any, Any], auth: NamedDependency[AuthService]
) -> Actor:
    """The signed-in caller; 401 when the token is missing, bad, expired or revoked."""
    return await auth.authenticate(bearer_token(request), client_address(request))


def dependencies(container: Container) -> dict[str, Provide]:
    def service(name: str) -> Provide:
        provider = getattr(container, name)

        def provide() -> Any:
            return provider()

        return Provide(provide, use_cache=True, sync_to_thread=False)

    names = (
        "auth",
        "users",
        "sessions",
        "assignments",
        "attendance",
        "progress",
        "analytics",
        "audit",
        "hub",
        "reports",
    )
    provided = {name: service(name) for name in names}
    provided["jobs"] = Provide(lambda: container.jobs.admin(), use_cache=True, sync_to_thread=False)
    provided["actor"] = Provide(provide_actor)
    return provided
