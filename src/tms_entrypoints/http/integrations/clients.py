"""/api-clients (admins) and /auth/token (partners: OAuth 2.0 client credentials)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal
from urllib.parse import unquote_plus

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody

from tms_domain.accounts import Actor
from tms_domain.integrations import ApiClient
from tms_domain.integrations.use_cases.clients import ApiClientService, ClientSecret
from tms_domain.kernel import AuthenticationFailed, InvalidInput
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.params import Id
from tms_entrypoints.http.schemas import MessageOut, Timestamp, iso

ScopeName = Literal[
    "users:read",
    "users:write",
    "sessions:read",
    "sessions:write",
    "courses:read",
    "courses:write",
    "progress:read",
    "reports:read",
]
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class ApiClientIn(msgspec.Struct):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    scopes: Annotated[list[ScopeName], msgspec.Meta(min_length=1, max_length=8)]


class ApiClientSecretOut(msgspec.Struct, omit_defaults=True):
    """Shown this once: keep the secret now (only a digest of it is stored)."""

    id: int
    client_id: str
    client_secret: str
    previous_secret_valid_until: Timestamp | None = None
    """After a rotation: until when the secret it replaced still works."""

    @classmethod
    def of(cls, issued: ClientSecret) -> ApiClientSecretOut:
        until = issued.previous_valid_until
        return cls(issued.id, issued.client_id, issued.client_secret, iso(until) if until else None)


class ApiClientOut(msgspec.Struct):
    id: int
    name: str
    client_id: str
    scopes: list[str]
    created_at: Timestamp
    updated_at: Timestamp
    previous_secret_valid_until: Timestamp | None

    @classmethod
    def of(cls, client: ApiClient) -> ApiClientOut:
        until = client.previous_valid_until
        return cls(
            id=client.id,
            name=client.name,
            client_id=client.client_id,
            scopes=sorted(client.scopes),
            created_at=iso(client.created_at),
            updated_at=iso(client.updated_at),
            previous_secret_valid_until=iso(until) if until else None,
        )


class TokenOut(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    scope: str


class OAuthErrorOut(msgspec.Struct):
    """RFC 6749, section 5.2."""

    error: str
    error_description: str


class ApiClientsController(Controller):
    path = "/api-clients"
    tags = ["api-clients"]

    @get("/", operation_id="listApiClients", responses=ERROR_RESPONSES)
    async def list_clients(
        self, actor: NamedDependency[Actor], api_clients: NamedDependency[ApiClientService]
    ) -> list[ApiClientOut]:
        """Admins: every API client (never a secret)."""
        return [ApiClientOut.of(client) for client in await api_clients.list_clients(actor)]

    @post("/", operation_id="createApiClient", status_code=201, responses=ERROR_RESPONSES)
    async def create_client(
        self,
        data: JSONBody[ApiClientIn],
        actor: NamedDependency[Actor],
        api_clients: NamedDependency[ApiClientService],
    ) -> Response[ApiClientSecretOut]:
        """Admins: a client for a partner, with its scopes. The secret is answered this
        once."""
        issued = await api_clients.create(actor, data.name, list(data.scopes))
        return Response(ApiClientSecretOut.of(issued), status_code=201, headers=NO_STORE)

    @post(
        "/{client_id:int}/rotate-secret",
        operation_id="rotateApiClientSecret",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def rotate_secret(
        self,
        client_id: Id,
        actor: NamedDependency[Actor],
        api_clients: NamedDependency[ApiClientService],
    ) -> Response[ApiClientSecretOut]:
        """Admins: a new secret, answered this once; the previous one works on for
        `TMS_API_CLIENT_SECRET_GRACE_SECONDS`."""
        issued = await api_clients.rotate(actor, client_id)
        return Response(ApiClientSecretOut.of(issued), headers=NO_STORE)

    @delete(
        "/{client_id:int}",
        operation_id="revokeApiClient",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def revoke_client(
        self,
        client_id: Id,
        actor: NamedDependency[Actor],
        api_clients: NamedDependency[ApiClientService],
    ) -> MessageOut:
        """Admins: the client is revoked; its tokens fail from the next request on."""
        await api_clients.revoke(actor, client_id)
        return MessageOut("API client revoked")


def _oauth_error(status: int, error: str, description: str, **headers: str) -> Response[Any]:
    return Response(
        OAuthErrorOut(error, description), status_code=status, headers={**NO_STORE, **headers}
    )


def _basic_credentials(request: Request[Any, Any, Any]) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    client_id, _, secret = decoded.partition(":")
    # RFC 6749 2.3.1: both are form-encoded before they are joined.
    return unquote_plus(client_id), unquote_plus(secret)


@post(
    "/auth/token",
    operation_id="issueClientToken",
    tags=["api-clients"],
    status_code=200,
    responses={
        400: ResponseSpec(
            OAuthErrorOut,
            description="invalid_request, invalid_scope or unsupported_grant_type",
            generate_examples=False,
        ),
        401: ResponseSpec(OAuthErrorOut, description="invalid_client", generate_examples=False),
    },
)
async def issue_client_token(
    request: Request[Any, Any, Any], api_clients: NamedDependency[ApiClientService]
) -> Response[Any]:
    """OAuth 2.0 client credentials (RFC 6749, 4.4), form-encoded: `grant_type=
    client_credentials`, the client's `client_id` and `client_secret` in the body or by
    HTTP Basic, and optionally `scope` (space-separated, the client's own; all of them by
    default). Errors as RFC 6749 writes them: `invalid_client` 401, `invalid_scope`,
    `unsupported_grant_type` and `invalid_request` 400."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return _oauth_error(400, "invalid_request", "Send the form as x-www-form-urlencoded")
    form = await request.form()
    grant_type = form.get("grant_type")
    if grant_type != "client_credentials":
        if not grant_type:
            return _oauth_error(400, "invalid_request", "grant_type is missing")
        return _oauth_error(400, "unsupported_grant_type", "Only client_credentials is offered")
    basic = _basic_credentials(request)
    client_id, secret = basic or (form.get("client_id"), form.get("client_secret"))
    if not isinstance(client_id, str) or not isinstance(secret, str) or not client_id:
        return _oauth_error(
            401, "invalid_client", "Give client_id and client_secret", **_challenge(basic)
        )
    scope = form.get("scope")
    try:
        token = await api_clients.issue_token(
            client_id, secret, scope if isinstance(scope, str) else None
        )
    except AuthenticationFailed as failed:
        return _oauth_error(401, "invalid_client", failed.message, **_challenge(basic))
    except InvalidInput as invalid:
        return _oauth_error(400, "invalid_scope", invalid.message)
    return Response(
        TokenOut(token.access_token, "Bearer", token.expires_in, token.scope), headers=NO_STORE
    )


def _challenge(basic: tuple[str, str] | None) -> dict[str, str]:
    return {"WWW-Authenticate": 'Basic realm="tms"'} if basic is not None else {}
