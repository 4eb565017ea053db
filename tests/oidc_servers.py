"""Identity servers on loopback for the single sign-on tests: the real OpenID Connect
provider of the oidc-provider-mock package, a stand-in provider that hands out ID tokens a
test crafts (with keys the test holds) and checks PKCE, and a stand-in for the handful of
Keycloak admin endpoints provisioning calls."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import werkzeug.serving
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from conftest import free_port


@contextmanager
def mock_provider(*users: Any) -> Iterator[str]:
    """oidc-provider-mock on 127.0.0.1; yields its issuer. ``users``: its User objects."""
    import oidc_provider_mock

    # The provider's OAuth library refuses plain http unless told this is a test.
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    server = werkzeug.serving.make_server(
        "127.0.0.1",
        free_port(),
        oidc_provider_mock.app(require_nonce=True, user_claims=users),
        threaded=True,
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def s256(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


def unsigned(claims: dict[str, Any]) -> str:
    """A token with ``alg: none`` (no signature), as an attacker would send it."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@dataclass
class StandInProvider:
    """Discovery, JWKS and a token endpoint. The token endpoint answers ``id_token`` (or
    the result of ``make_token(nonce)``) after checking the PKCE verifier against the
    challenge the authorization URL carried."""

    issuer: str = ""
    keys: list[RSAKey] = field(default_factory=list)
    make_token: Any = None
    challenges: dict[str, str] = field(default_factory=dict)
    """code -> the S256 challenge it was issued for."""
    jwks_reads: int = 0
    pkce_failures: int = 0

    def key(self, kid: str) -> RSAKey:
        return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig"})

    def sign(self, claims: dict[str, Any], key: RSAKey, alg: str = "RS256") -> str:
        return jwt.encode({"alg": alg, "kid": key.kid}, claims, key, algorithms=[alg])

    def claims(self, nonce: str, /, **overrides: Any) -> dict[str, Any]:
        import time

        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "subject-1",
            "aud": "tms-client",
            "exp": now + 300,
            "iat": now,
            "nonce": nonce,
            "email": "crafted@example.org",
            "email_verified": True,
            "preferred_username": "crafted",
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path == "/.well-known/openid-configuration":
                    self._json(
                        200,
                        {
                            "issuer": provider.issuer,
                            "authorization_endpoint": f"{provider.issuer}/authorize",
                            "token_endpoint": f"{provider.issuer}/token",
                            "jwks_uri": f"{provider.issuer}/jwks",
                        },
                    )
                elif path == "/jwks":
                    provider.jwks_reads += 1
                    self._json(200, KeySet(list(provider.keys)).as_dict(private=False))
                else:
                    self._json(404, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                challenge = provider.challenges.get(form.get("code", ""))
                if challenge is None or s256(form.get("code_verifier", "")) != challenge:
                    provider.pkce_failures += 1
                    self._json(400, {"error": "invalid_grant"})
                    return
                nonce = form["code"].partition(":")[2]
                self._json(200, {"access_token": "at", "id_token": provider.make_token(nonce)})

        return Handler


@contextmanager
def stand_in_provider() -> Iterator[StandInProvider]:
    provider = StandInProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), provider.handler())
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class StandInKeycloak:
    """The admin endpoints provisioning calls, over users and realm roles in memory."""

    realm: str = "tms"
    client_id: str = "tms-admin"
    client_secret: str = "admin-secret"
    url: str = ""
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)
    mappings: dict[str, list[str]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    fail_next_create: int = 0

    def handler(self) -> type[BaseHTTPRequestHandler]:
        kc = self
        admin = f"/admin/realms/{self.realm}"

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(
                self, status: int, body: Any = None, headers: dict[str, str] | None = None
            ) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", 0)))

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") == "Bearer kc-admin-token":
                    return True
                self._send(401, {"error": "unauthorized"})
                return False

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                kc.calls.append(f"GET {parts.path}")
                if not self._authorised():
                    return
                if parts.path == f"{admin}/users":
                    wanted = parse_qs(parts.query).get("username", [""])[0].lower()
                    self._send(200, [u for u in kc.users.values() if u["username"] == wanted])
                elif parts.path.startswith(f"{admin}/roles/"):
                    role = kc.roles.get(parts.path.rpartition("/")[2])
                    self._send(200 if role else 404, role or {"error": "Could not find role"})
                else:
                    self._send(404, {})

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                kc.calls.append(f"POST {parts.path}")
                body = self._body()
                if parts.path == f"/realms/{kc.realm}/protocol/openid-connect/token":
                    expected = base64.b64encode(f"{kc.client_id}:{kc.client_secret}".encode())
                    ok = self.headers.get("Authorization") == f"Basic {expected.decode()}"
                    ok = ok and b"grant_type=client_credentials" in body
                    self._send(
                        200 if ok else 401,
                        {"access_token": "kc-admin-token", "expires_in": 300}
                        if ok
                        else {"error": "unauthorized_client"},
                    )
                    return
                if not self._authorised():
                    return
                if parts.path == f"{admin}/users":
                    if kc.fail_next_create:
                        kc.fail_next_create -= 1
                        self._send(503, {"error": "unavailable"})
                        return
                    user = json.loads(body)
                    user["username"] = user["username"].lower()
                    if any(u["username"] == user["username"] for u in kc.users.values()):
                        self._send(409, {"errorMessage": "User exists with same username"})
                        return
                    user["id"] = str(uuid.uuid4())
                    kc.users[user["id"]] = user
                    self._send(201, None, {"Location": f"{kc.url}{admin}/users/{user['id']}"})
                elif parts.path.endswith("/role-mappings/realm"):
                    user_id = parts.path.split("/")[-3]
                    if user_id not in kc.users:
                        self._send(404, {"error": "User not found"})
                        return
                    names = [role["name"] for role in json.loads(body)]
                    held = kc.mappings.setdefault(user_id, [])
                    held.extend(name for name in names if name not in held)
                    self._send(204)
                else:
                    self._send(404, {})

        return Handler


@contextmanager
def stand_in_keycloak(*roles: str) -> Iterator[StandInKeycloak]:
    kc = StandInKeycloak(roles={name: {"id": str(uuid.uuid4()), "name": name} for name in roles})
    server = ThreadingHTTPServer(("127.0.0.1", 0), kc.handler())
    kc.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield kc
    finally:
        server.shutdown()
        server.server_close()


class VouchingProvider:
    """An identity provider (the IdentityProvider port) that signs in one verified address,
    for tests about something else than the flow (audit, leaks): the flow itself is tested
    against the real provider and the stand-in above."""

    issuer = "https://idp.test"

    def __init__(self, email: str, subject: str = "vouched") -> None:
        self.email = email
        self.subject = subject

    async def authorization_url(
        self, *, state: str, nonce: str, code_challenge: str, redirect_uri: str
    ) -> str:
        return f"{self.issuer}/authorize?{urlencode({'state': state})}"

    async def redeem(
        self, *, code: str, code_verifier: str, redirect_uri: str, nonce: str
    ) -> dict[str, Any]:
        return {
            "iss": self.issuer,
            "sub": self.subject,
            "email": self.email,
            "email_verified": True,
        }

    async def end_session_url(self, *, post_logout_redirect_uri: str) -> str | None:
        return None
