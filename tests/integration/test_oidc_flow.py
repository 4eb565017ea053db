"""Single sign-on end to end against a real OpenID Connect provider on loopback (the
oidc-provider-mock package): the app sends the browser there, the provider signs the
person in and sends them back, the app checks the ID token, finds, links or makes the
account and hands the web client a one-time code that POST /auth/oidc/exchange trades for
a sign-in. Over the in-memory store and SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from oidc_provider_mock import User as ProviderUser

from conftest import FakeClock, make_settings
from oidc_servers import mock_provider
from support import PASSWORD, add_admin, add_user, api_client
from tms_adapters.persistence.sql import migrations as schema
from tms_domain.audit.model import AuditQuery
from tms_domain.kernel import Role
from tms_entrypoints.container import Container, build_container, running

PUBLIC_URL = "http://tms.test"
ADMIN_CLAIMS = {
    "email": "ada@example.org",
    "email_verified": True,
    "preferred_username": "ada",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "realm_access": {"roles": ["offline_access", "tms-admins"]},
}


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with mock_provider(
        ProviderUser(sub="ada-sub", claims=ADMIN_CLAIMS),
        ProviderUser(
            sub="bob-sub",
            claims={
                "email": "bob@example.org",
                "email_verified": True,
                "preferred_username": "bob",
            },
        ),
        ProviderUser(
            sub="eve-sub",
            claims={
                "email": "bob@example.org",
                "email_verified": False,
                "preferred_username": "eve",
            },
        ),
    ) as url:
        yield url


@asynccontextmanager
async def sso_container(
    kind: str, tmp_path: Path, clock: FakeClock, **settings: Any
) -> AsyncIterator[Container]:
    extra: dict[str, Any] = {"storage": "memory"}
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}"
        await schema.upgrade(url)
        extra = {"database_url": url}
    container = build_container(make_settings(public_url=PUBLIC_URL, **extra, **settings))
    container.clock.override(clock)
    async with running(container):
        yield container


def oidc(issuer: str, **more: Any) -> dict[str, Any]:
    return {
        "oidc_issuer": issuer,
        "oidc_client_id": "tms-client",
        "oidc_client_secret": "tms-secret",
        "oidc_role_map": "tms-admins=admin,tms-trainers=trainer",
        **more,
    }


async def sign_in_at_provider(client: httpx.AsyncClient, subject: str) -> httpx.Response:
    """What the browser does: the app's login, the provider's form, back to the callback."""
    started = await client.get("/auth/oidc/login")
    assert started.status_code == 302, started.text
    assert started.headers["cache-control"] == "no-store"
    authorize = started.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["nonce"]
    assert query["state"]
    assert query["redirect_uri"] == [f"{PUBLIC_URL}/auth/oidc/callback"]
    async with httpx.AsyncClient() as browser:
        answered = await browser.post(authorize, data={"sub": subject})
    assert answered.status_code == 302, answered.text
    back = urlsplit(answered.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == f"{PUBLIC_URL}/auth/oidc/callback"
    return await client.get(f"{back.path}?{back.query}")


def fragment_code(callback: httpx.Response) -> str:
    assert callback.status_code == 302, callback.text
    target = urlsplit(callback.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{PUBLIC_URL}/app/sso"
    assert target.query == ""
    (code,) = parse_qs(target.fragment)["code"]
    return code


@pytest.fixture(params=["memory", "sqlite"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_providers_are_empty_without_single_sign_on(tmp_path: Path, clock: FakeClock) -> None:
    async with (
        sso_container("memory", tmp_path, clock) as container,
        api_client(container) as client,
    ):
        assert (await client.get("/auth/providers")).json() == []
        assert (await client.get("/auth/oidc/login")).status_code == 404


async def test_first_sign_in_provisions_the_account_with_the_mapped_role(
    issuer: str, kind: str, tmp_path: Path, clock: FakeClock
) -> None:
    async with (
        sso_container(kind, tmp_path, clock, **oidc(issuer, oidc_provider_name="Acme SSO")) as c,
        api_client(c) as client,
    ):
        assert (await client.get("/auth/providers")).json() == [
            {"id": "oidc", "name": "Acme SSO", "login_url": f"{PUBLIC_URL}/auth/oidc/login"}
        ]
        code = fragment_code(await sign_in_at_provider(client, "ada-sub"))
        answer = await client.post("/auth/oidc/exchange", json={"code": code})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == {"access_token", "user", "force_password_change", "token_type"}
        assert body["user"]["username"] == "ada"
        assert body["user"]["role"] == "admin"
        assert body["user"]["email"] == "ada@example.org"
        assert (body["user"]["first_name"], body["user"]["last_name"]) == ("Ada", "Lovelace")
        assert body["force_password_change"] is False
        me = await client.get(
            f"/users/{body['user']['id']}",
            headers={"Authorization": f"Bearer {body['access_token']}"},
        )
        assert me.status_code == 200
        # The code works once.
        again = await client.post("/auth/oidc/exchange", json={"code": code})
        assert again.status_code == 401
        # A second sign-in finds the same account rather than making another.
        code = fragment_code(await sign_in_at_provider(client, "ada-sub"))
        second = (await client.post("/auth/oidc/exchange", json={"code": code})).json()
        assert second["user"]["id"] == body["user"]["id"]
        # No password signs in to an account made by the provider.
        refused = await client.post("/auth/login", json={"username": "ada", "password": "!sso"})
        assert refused.status_code == 401
        async with c.uow()(read_only=True) as uow:
            entries = await uow.audit_history.page(AuditQuery(target_id=body["user"]["id"]))
        actions = [entry.action for entry in entries]
        assert "user.created" in actions
        assert "user.identity_linked" in actions


async def test_a_verified_email_links_the_existing_account_and_an_unverified_one_does_not(
    issuer: str, kind: str, tmp_path: Path, clock: FakeClock
) -> None:
    async with sso_container(kind, tmp_path, clock, **oidc(issuer)) as c, api_client(c) as client:
        bob = await add_user(c, "bobby", Role.TRAINER, email="bob@example.org")
        # Eve's provider account claims Bob's address without having verified it.
        refused = await sign_in_at_provider(client, "eve-sub")
        assert refused.status_code == 401
        assert "verify" in refused.json()["detail"]
        async with c.uow()(read_only=True) as uow:
            assert await uow.user_identities.is_linked(bob.id) is False
            assert await uow.users.find_by_login("eve") is None
        code = fragment_code(await sign_in_at_provider(client, "bob-sub"))
        body = (await client.post("/auth/oidc/exchange", json={"code": code})).json()
        assert body["user"]["id"] == bob.id
        assert body["user"]["role"] == "trainer"


async def test_password_sign_in_can_be_turned_off_for_linked_accounts(
    issuer: str, tmp_path: Path, clock: FakeClock
) -> None:
    settings = oidc(issuer, oidc_password_sign_in=False)
    async with sso_container("memory", tmp_path, clock, **settings) as c, api_client(c) as client:
        await add_user(c, "bobby", Role.TRAINEE, email="bob@example.org")
        await add_user(c, "carol", Role.TRAINEE, email="carol@example.org")
        before = await client.post("/auth/login", json={"username": "bobby", "password": PASSWORD})
        assert before.status_code == 200
        fragment_code(await sign_in_at_provider(client, "bob-sub"))
        after = await client.post("/auth/login", json={"username": "bobby", "password": PASSWORD})
        assert after.status_code == 401
        assert "single sign-on" in after.json()["detail"]
        other = await client.post("/auth/login", json={"username": "carol", "password": PASSWORD})
        assert other.status_code == 200


async def accounts(container: Container) -> int:
    async with container.uow()(read_only=True) as uow:
        return len(await uow.user_directory.page(skip=0, limit=100))


async def test_state_and_code_are_single_use_and_expire(
    issuer: str, tmp_path: Path, clock: FakeClock
) -> None:
    async with (
        sso_container("memory", tmp_path, clock, **oidc(issuer)) as c,
        api_client(c) as client,
    ):
        started = await client.get("/auth/oidc/login")
        state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
        async with httpx.AsyncClient() as browser:
            answered = await browser.post(started.headers["location"], data={"sub": "bob-sub"})
        back = urlsplit(answered.headers["location"])
        forged = await client.get(f"{back.path}?code=whatever&state=not-{state}")
        assert forged.status_code == 401
        assert await accounts(c) == 0  # nothing provisioned
        malformed = await client.get(back.path, params={"code": "x", "state": "<script>"})
        assert malformed.status_code == 422
        assert malformed.json()["errors"][0]["field"] == "state"
        first = await client.get(f"{back.path}?{back.query}")
        code = fragment_code(first)
        assert await accounts(c) == 1
        replayed = await client.get(f"{back.path}?{back.query}")
        assert replayed.status_code == 401
        assert await accounts(c) == 1
        clock.advance(seconds=61)
        late = await client.post("/auth/oidc/exchange", json={"code": code})
        assert late.status_code == 401
        # A state left unanswered for more than ten minutes is no good either.
        started = await client.get("/auth/oidc/login")
        async with httpx.AsyncClient() as browser:
            answered = await browser.post(started.headers["location"], data={"sub": "bob-sub"})
        clock.advance(minutes=11)
        back = urlsplit(answered.headers["location"])
        assert (await client.get(f"{back.path}?{back.query}")).status_code == 401


async def test_provider_error_and_logout_at_the_provider(
    issuer: str, tmp_path: Path, clock: FakeClock
) -> None:
    async with (
        sso_container("memory", tmp_path, clock, **oidc(issuer)) as c,
        api_client(c) as client,
    ):
        started = await client.get("/auth/oidc/login")
        state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
        denied = await client.get(f"/auth/oidc/callback?error=access_denied&state={state}")
        assert denied.status_code == 401
        assert "access_denied" in denied.json()["detail"]
        out = await client.get("/auth/oidc/logout")
        assert out.status_code == 302
        target = urlsplit(out.headers["location"])
        assert f"{target.scheme}://{target.netloc}" == issuer
        query = parse_qs(target.query)
        assert query["post_logout_redirect_uri"] == [f"{PUBLIC_URL}/app/login"]
        assert query["client_id"] == ["tms-client"]
        admin = await add_admin(c)
        assert admin.role is Role.ADMIN
