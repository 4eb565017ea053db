"""An OpenID Connect provider over HTTP (httpx) with ID tokens checked by joserfc.

Discovery from ``<issuer>/.well-known/openid-configuration`` (the document must name the
configured issuer); the authorization code flow with PKCE (S256); the ID token checked
against the provider's JWKS: an asymmetric algorithm from the allow-list only (``none`` and
the HMAC ones are refused before any key is looked at, so a public key can never serve as
an HMAC secret), a key the JWKS names (fetched again once when a token names a key it does
not hold: the provider rotated its keys), then issuer, audience, expiry and nonce.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from tms_domain.kernel import AuthenticationFailed, ProviderUnavailable

ALLOWED_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
"""Signatures by the provider's private key only: never ``none``, never HS*."""
UNREACHABLE = "The identity provider cannot be reached right now: try again shortly"
BAD_TOKEN = "The identity provider's answer could not be trusted: sign in again"  # noqa: S105 (a message)
DISCOVERY_SECONDS = 3600.0
"""How long the discovery document is kept before it is read again."""


def _url(base: str, params: Mapping[str, str]) -> str:
    return f"{base}{'&' if '?' in base else '?'}{urlencode(params)}"


class JoserfcOidcProvider:
    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: str,
        *,
        clock: Callable[[], datetime],
        scopes: str = "openid email profile",
        timeout: float = 10.0,
        jwks_refresh_seconds: float = 10.0,
        leeway_seconds: int = 60,
    ) -> None:
        self._issuer = issuer.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._scopes = scopes
        self._jwks_refresh_seconds = jwks_refresh_seconds
        self._leeway = leeway_seconds
        self._http = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None
        self._keys_at = 0.0

    async def close(self) -> None:
        await self._http.aclose()

    async def _get_json(self, url: str) -> Any:
        try:
            response = await self._http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise ProviderUnavailable(UNREACHABLE) from error

    async def _discovered(self) -> dict[str, Any]:
        if self._metadata is None or time.monotonic() - self._metadata_at > DISCOVERY_SECONDS:
            found = await self._get_json(f"{self._issuer}/.well-known/openid-configuration")
            if not isinstance(found, dict) or str(found.get("issuer", "")).rstrip("/") != (
                self._issuer
            ):
                raise ProviderUnavailable(
                    "The identity provider's discovery document names another issuer"
                )
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(found.get(name), str):
                    raise ProviderUnavailable(f"The identity provider names no {name}")
            self._metadata, self._metadata_at = found, time.monotonic()
        return self._metadata

    async def authorization_url(
        self, *, state: str, nonce: str, code_challenge: str, redirect_uri: str
    ) -> str:
        metadata = await self._discovered()
        return _url(
            metadata["authorization_endpoint"],
            {
                "response_type": "code",
                "client_id": self._client_id,
                "redirect_uri": redirect_uri,
                "scope": self._scopes,
                "state": state,
                "nonce": nonce,
                "code_challenge": code_challenge,
                "code_challenge_method": "S256",
            },
        )

    async def redeem(
        self, *, code: str, code_verifier: str, redirect_uri: str, nonce: str
    ) -> Mapping[str, Any]:
        metadata = await self._discovered()
        try:
            response = await self._http.post(
                metadata["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect_uri,
                    "code_verifier": code_verifier,
                    "client_id": self._client_id,
                },
                auth=(self._client_id, self._client_secret),
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as error:
            raise ProviderUnavailable(UNREACHABLE) from error
        if response.status_code >= 500:
            raise ProviderUnavailable(UNREACHABLE)
        try:
            answer = response.json() if response.status_code == 200 else None
        except ValueError:
            answer = None
        id_token = answer.get("id_token") if isinstance(answer, dict) else None
        if not isinstance(id_token, str):
            raise AuthenticationFailed("The identity provider refused the sign-in code")
        return await self.verify(id_token, nonce=nonce)

    async def verify(self, id_token: str, *, nonce: str) -> Mapping[str, Any]:
        """The ID token's claims once every check passes; AuthenticationFailed else."""
        metadata = await self._discovered()
        try:
            header = jws.extract_compact(id_token.encode("ascii")).protected
        except (JoseError, ValueError, UnicodeError):
            raise AuthenticationFailed(BAD_TOKEN) from None
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise AuthenticationFailed(BAD_TOKEN)
        keys = await self._key_set(metadata["jwks_uri"], header.get("kid"))
        try:
            claims = dict(jwt.decode(id_token, keys, algorithms=[algorithm]).claims)
        except (JoseError, ValueError):
            raise AuthenticationFailed(BAD_TOKEN) from None
        self._check_claims(claims, str(metadata["issuer"]), nonce)
        return claims

    def _check_claims(self, claims: dict[str, Any], issuer: str, nonce: str) -> None:
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience
        now = self._clock().timestamp()
        expires = claims.get("exp")
        checks = (
            claims.get("iss") == issuer,
            isinstance(audiences, list) and self._client_id in audiences,
            not isinstance(audiences, list)
            or len(audiences) == 1
            or claims.get("azp") == self._client_id,
            isinstance(expires, int | float) and now < expires + self._leeway,
            isinstance(claims.get("nonce"), str)
            and hmac.compare_digest(str(claims["nonce"]).encode(), nonce.encode()),
            isinstance(claims.get("sub"), str) and bool(claims["sub"]),
        )
        if not all(checks):
            raise AuthenticationFailed(BAD_TOKEN)

    async def _key_set(self, jwks_uri: str, kid: object) -> KeySet:
        """The provider's keys; read again when a token names a key they lack (rotation),
        at most once per ``jwks_refresh_seconds`` so that made-up key ids cost nothing."""
        stale = self._keys is None or (
            isinstance(kid, str)
            and not any(key.kid == kid for key in self._keys)
            and time.monotonic() - self._keys_at >= self._jwks_refresh_seconds
        )
        if stale:
            found = await self._get_json(jwks_uri)
            try:
                self._keys = KeySet.import_key_set(found)
            except (JoseError, ValueError, TypeError, KeyError) as error:
                raise ProviderUnavailable("The identity provider's keys cannot be read") from error
            self._keys_at = time.monotonic()
        assert self._keys is not None  # noqa: S101 (read just above)
        return self._keys

    async def end_session_url(self, *, post_logout_redirect_uri: str) -> str | None:
        endpoint = (await self._discovered()).get("end_session_endpoint")
        if not isinstance(endpoint, str):
            return None
        return _url(
            endpoint,
            {"client_id": self._client_id, "post_logout_redirect_uri": post_logout_redirect_uri},
        )
