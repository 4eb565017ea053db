"""Single sign-on: GET /auth/providers, and the OpenID Connect flow under /auth/oidc/."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from litestar.response import Redirect

from tms_domain.accounts.use_cases.sso import SsoService
from tms_entrypoints.http.accounts.schemas import LoginOut, UserOut
from tms_entrypoints.http.errors import ERROR_RESPONSES

NO_STORE = CacheControlHeader(no_store=True)
PRINTABLE = r"^[\x21-\x7e]*$"
"""What a provider puts in a query parameter: printable ASCII (RFC 6749's VSCHAR)."""
CodeAnswer = Annotated[
    str | None, QueryParameter(max_length=2048, pattern=PRINTABLE, required=False)
]
ErrorAnswer = Annotated[
    str | None, QueryParameter(max_length=256, pattern=PRINTABLE, required=False)
]
StateAnswer = Annotated[
    str | None,
    QueryParameter(name="state", max_length=128, pattern=r"^[A-Za-z0-9_-]*$", required=False),
]
"""``state`` is a name Litestar keeps for the app's state: read under another."""


class ProviderOut(msgspec.Struct):
    id: str
    name: str
    login_url: str


class ExchangeIn(msgspec.Struct):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class SsoController(Controller):
    path = "/auth"
    tags = ["auth"]

    @get("/providers", operation_id="listAuthProviders", responses=ERROR_RESPONSES)
    async def providers(self, sso: NamedDependency[SsoService]) -> list[ProviderOut]:
        """The identity providers the sign-in page offers (empty without single sign-on):
        each a button leading to its `login_url`."""
        return [ProviderOut(p.id, p.name, p.login_url) for p in sso.providers()]

    @get(
        "/oidc/login",
        operation_id="oidcLogin",
        status_code=302,
        cache_control=NO_STORE,
        responses=ERROR_RESPONSES,
    )
    async def login(self, sso: NamedDependency[SsoService]) -> Redirect:
        """Sends the browser to the identity provider to sign in (authorization code with
        PKCE; 404 without single sign-on)."""
        return Redirect(await sso.start(), status_code=302)

    @get(
        "/oidc/callback",
        operation_id="oidcCallback",
        status_code=302,
        cache_control=NO_STORE,
        responses=ERROR_RESPONSES,
    )
    async def callback(
        self,
        sso: NamedDependency[SsoService],
        code: CodeAnswer = None,
        provider_state: StateAnswer = None,
        error: ErrorAnswer = None,
    ) -> Redirect:
        """Where the provider sends the browser back: the sign-in is checked and the browser
        sent on to the web client with a one-time `code` in the URL fragment (for
        POST /auth/oidc/exchange). A wrong or used state, a refused code or an ID token that
        fails a check (signature, issuer, audience, expiry, nonce): 401, nothing made."""
        return Redirect(
            await sso.finish(code=code, state=provider_state, error=error), status_code=302
        )

    @post(
        "/oidc/exchange",
        operation_id="oidcExchange",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def exchange(
        self, data: JSONBody[ExchangeIn], sso: NamedDependency[SsoService]
    ) -> LoginOut:
        """The one-time code from the callback's redirect for a sign-in, answered as
        POST /auth/login answers. The code works once, for 60 seconds (401 after)."""
        signed_in = await sso.exchange(data.code)
        return LoginOut(
            access_token=signed_in.access_token,
            user=UserOut.of(signed_in.user),
            force_password_change=signed_in.force_password_change,
        )

    @get(
        "/oidc/logout",
        operation_id="oidcLogout",
        status_code=302,
        cache_control=NO_STORE,
        responses=ERROR_RESPONSES,
    )
    async def logout(self, sso: NamedDependency[SsoService]) -> Redirect:
        """Sends the browser to sign out at the provider too (when it offers an end-session
        endpoint; else back to the sign-in page). End this app's sign-in first with
        POST /auth/logout."""
        return Redirect(await sso.sign_out_url(), status_code=302)
