"""ID tokens the real provider cannot be made to send, from a stand-in provider on loopback
whose keys the test holds: each bad token answers 401 at the callback and makes nothing;
a rotated key is fetched again; the PKCE verifier reaches the token endpoint."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from test_oidc_flow import fragment_code, sso_container

from conftest import FakeClock
from oidc_servers import StandInProvider, stand_in_provider, unsigned
from support import RecordingClient, api_client
from tms_entrypoints.container import Container


@pytest.fixture
def provider() -> Iterator[StandInProvider]:
    with stand_in_provider() as stand_in:
        stand_in.keys.append(stand_in.key("key-1"))
        yield stand_in


@pytest.fixture
async def app(
    provider: StandInProvider, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[tuple[Container, RecordingClient]]:
    clock.current = clock.current.fromtimestamp(time.time(), clock.current.tzinfo)
    settings = {
        "oidc_issuer": provider.issuer,
        "oidc_client_id": "tms-client",
        "oidc_client_secret": "tms-secret",
    }
    async with sso_container("sqlite", tmp_path, clock, **settings) as c, api_client(c) as client:
        yield c, client


async def callback(
    client: RecordingClient, provider: StandInProvider, make: Callable[[str], str]
) -> Any:
    """Start a sign-in, have the provider answer with the token ``make(nonce)`` makes."""
    started = await client.get("/auth/oidc/login")
    query = parse_qs(urlsplit(started.headers["location"]).query)
    nonce, state = query["nonce"][0], query["state"][0]
    code = f"code-{len(provider.challenges)}:{nonce}"
    provider.challenges[code] = query["code_challenge"][0]
    provider.make_token = make
    return await client.get("/auth/oidc/callback", params={"code": code, "state": state})


async def no_accounts(container: Container) -> bool:
    async with container.uow()(read_only=True) as uow:
        return (
            await uow.users.find_by_login("crafted") is None
            and await uow.user_identities.user_for("any", "subject-1") is None
        )


async def test_a_good_token_signs_in(
    app: tuple[Container, RecordingClient], provider: StandInProvider
) -> None:
    _container, client = app
    key = provider.keys[0]
    answer = await callback(client, provider, lambda n: provider.sign(provider.claims(n), key))
    code = fragment_code(answer)
    body = (await client.post("/auth/oidc/exchange", json={"code": code})).json()
    assert body["user"]["username"] == "crafted"
    assert body["user"]["role"] == "trainee"
    assert provider.pkce_failures == 0


BAD_CLAIMS: dict[str, dict[str, Any]] = {
    "another issuer": {"iss": "http://127.0.0.1:1/other"},
    "another audience": {"aud": "someone-else"},
    "several audiences, not authorised for us": {"aud": ["tms-client", "other"], "azp": "other"},
    "expired": {"exp": int(time.time()) - 3600},
    "no expiry": {"exp": None},
    "no subject": {"sub": None},
}


@pytest.mark.parametrize("case", list(BAD_CLAIMS))
async def test_bad_claims_are_refused(
    case: str, app: tuple[Container, RecordingClient], provider: StandInProvider
) -> None:
    container, client = app
    key = provider.keys[0]
    answer = await callback(
        client, provider, lambda n: provider.sign(provider.claims(n, **BAD_CLAIMS[case]), key)
    )
    assert answer.status_code == 401, case
    assert await no_accounts(container)


async def test_a_wrong_nonce_is_refused(
    app: tuple[Container, RecordingClient], provider: StandInProvider
) -> None:
    container, client = app
    key = provider.keys[0]
    answer = await callback(
        client, provider, lambda n: provider.sign(provider.claims("another-nonce"), key)
    )
    assert answer.status_code == 401
    missing = await callback(
        client, provider, lambda n: provider.sign(provider.claims(n, nonce=None), key)
    )
    assert missing.status_code == 401
    assert await no_accounts(container)


async def test_alg_none_and_hmac_with_the_public_key_are_refused(
    app: tuple[Container, RecordingClient], provider: StandInProvider
) -> None:
    container, client = app
    answer = await callback(client, provider, lambda n: unsigned(provider.claims(n)))
    assert answer.status_code == 401
    # The classic confusion: HS256 "signed" with the provider's public key as the secret.
    # (Made by hand: joserfc itself refuses a public key as an HMAC secret.)
    public_pem = provider.keys[0].as_pem(private=False)

    def hmac_token(nonce: str) -> str:
        def part(value: dict[str, Any]) -> bytes:
            return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=")

        signing_input = part({"alg": "HS256", "kid": "key-1"}) + b"." + part(provider.claims(nonce))
        mac = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
        return (signing_input + b"." + base64.urlsafe_b64encode(mac).rstrip(b"=")).decode()

    assert (await callback(client, provider, hmac_token)).status_code == 401
    assert await no_accounts(container)


async def test_a_key_not_in_the_jwks_is_refused_and_a_rotated_one_is_fetched(
    app: tuple[Container, RecordingClient], provider: StandInProvider
) -> None:
    container, client = app
    first = provider.keys[0]
    good = await callback(client, provider, lambda n: provider.sign(provider.claims(n), first))
    fragment_code(good)
    # A key the provider never published, under a name it does not use: refused.
    stranger = provider.key("stranger")
    refused = await callback(
        client, provider, lambda n: provider.sign(provider.claims(n, sub="s2"), stranger)
    )
    assert refused.status_code == 401
    # An attacker's key under the published key's name: the signature does not verify.
    impostor = provider.key("key-1")
    refused = await callback(
        client, provider, lambda n: provider.sign(provider.claims(n, sub="s3"), impostor)
    )
    assert refused.status_code == 401
    async with container.uow()(read_only=True) as uow:
        assert await uow.user_identities.user_for(provider.issuer, "s2") is None
        assert await uow.user_identities.user_for(provider.issuer, "s3") is None


async def test_rotation_refetches_the_jwks(
    provider: StandInProvider, tmp_path: Path, clock: FakeClock
) -> None:
    from tms_adapters.identity import JoserfcOidcProvider

    adapter = JoserfcOidcProvider(
        provider.issuer, "tms-client", "s", clock=clock.now, jwks_refresh_seconds=0
    )
    clock.current = clock.current.fromtimestamp(time.time(), clock.current.tzinfo)
    try:
        first = provider.keys[0]
        claims = await adapter.verify(provider.sign(provider.claims("n"), first), nonce="n")
        assert claims["sub"] == "subject-1"
        reads = provider.jwks_reads
        rotated = provider.key("key-2")
        provider.keys[:] = [rotated]
        claims = await adapter.verify(provider.sign(provider.claims("n"), rotated), nonce="n")
        assert claims["sub"] == "subject-1"
        assert provider.jwks_reads == reads + 1
        # The retired key is gone from the JWKS read just now: its tokens no longer pass.
        from tms_domain.kernel import AuthenticationFailed

        with pytest.raises(AuthenticationFailed):
            await adapter.verify(provider.sign(provider.claims("n"), first), nonce="n")
    finally:
        await adapter.close()


async def test_a_wrong_pkce_verifier_gets_no_token(
    app: tuple[Container, RecordingClient], provider: StandInProvider
) -> None:
    container, client = app
    key = provider.keys[0]
    started = await client.get("/auth/oidc/login")
    query = parse_qs(urlsplit(started.headers["location"]).query)
    code = f"code-x:{query['nonce'][0]}"
    provider.challenges[code] = "a-challenge-the-app-never-sent"
    provider.make_token = lambda n: provider.sign(provider.claims(n), key)
    answer = await client.get(
        "/auth/oidc/callback", params={"code": code, "state": query["state"][0]}
    )
    assert answer.status_code == 401
    assert provider.pkce_failures == 1
    assert await no_accounts(container)
