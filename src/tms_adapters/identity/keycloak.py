"""Accounts made here, made in Keycloak too, through its admin REST API.

The provisioner signs in as a confidential client of the realm with a service account
(client credentials) that holds realm-management's ``manage-users`` and ``view-realm``
roles, and calls four endpoints: the realm's token endpoint, users search (by exact
username), users create (enabled, the e-mail verified, required action UPDATE_PASSWORD so
that the person chooses a password at the first sign-in) and the user's realm role
mappings. An account found there already is not made again, and adding a role the user has
changes nothing: a job that runs twice does the work once.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import httpx

from tms_domain.accounts.sso import AccountToProvision
from tms_domain.kernel.jobs import PermanentJobFailure

TOKEN_MARGIN_SECONDS = 30


class KeycloakUnavailable(Exception):
    """Keycloak could not be reached or failed (5xx): the job is tried again later."""


class KeycloakProvisioner:
    def __init__(
        self,
        admin_url: str,
        realm: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float = 10.0,
    ) -> None:
        self._base = admin_url.rstrip("/")
        self._realm = realm
        self._client_id = client_id
        self._client_secret = client_secret
        self._http = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self._token: str | None = None
        self._token_until = 0.0

    async def close(self) -> None:
        await self._http.aclose()

    @property
    def _admin(self) -> str:
        return f"{self._base}/admin/realms/{self._realm}"

    async def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            raise KeycloakUnavailable(
                f"Keycloak cannot be reached: {type(error).__name__}"
            ) from error
        if response.status_code >= 500:
            raise KeycloakUnavailable(f"Keycloak answered {response.status_code} to {method}")
        return response

    async def _headers(self) -> dict[str, str]:
        if self._token is None or time.monotonic() >= self._token_until:
            response = await self._call(
                "POST",
                f"{self._base}/realms/{self._realm}/protocol/openid-connect/token",
                data={"grant_type": "client_credentials"},
                auth=(self._client_id, self._client_secret),
            )
            if response.status_code != 200:
                raise PermanentJobFailure(
                    f"Keycloak refused the admin client's credentials ({response.status_code})"
                )
            answer = response.json()
            self._token = str(answer["access_token"])
            lifetime = float(answer.get("expires_in", 60))
            self._token_until = time.monotonic() + max(lifetime - TOKEN_MARGIN_SECONDS, 1)
        return {"Authorization": f"Bearer {self._token}"}

    def _refused(self, response: httpx.Response, what: str) -> PermanentJobFailure:
        return PermanentJobFailure(f"Keycloak refused to {what} ({response.status_code})")

    async def _find(self, username: str) -> str | None:
        response = await self._call(
            "GET",
            f"{self._admin}/users",
            params={"username": username, "exact": "true"},
            headers=await self._headers(),
        )
        if response.status_code != 200:
            raise self._refused(response, "search users")
        found = [
            u for u in response.json() if str(u.get("username", "")).lower() == username.lower()
        ]
        return str(found[0]["id"]) if found else None

    async def _create(self, account: AccountToProvision) -> str:
        response = await self._call(
            "POST",
            f"{self._admin}/users",
            json={
                "username": account.username,
                "email": account.email,
                "firstName": account.first_name,
                "lastName": account.last_name,
                "enabled": True,
                "emailVerified": True,
                "requiredActions": ["UPDATE_PASSWORD"],
            },
            headers=await self._headers(),
        )
        if response.status_code == 201:
            made_id = str(response.headers.get("Location", "")).rstrip("/").rpartition("/")[2]
            if made_id:
                return made_id
        if response.status_code in (201, 409):
            # Made by an earlier attempt (or, without a Location, just now): look it up.
            found = await self._find(account.username)
            if found is not None:
                return found
        raise self._refused(response, f"create the user {account.username!r}")

    async def provision(self, account: AccountToProvision) -> None:
        user_id = await self._find(account.username) or await self._create(account)
        headers = await self._headers()
        role = await self._call(
            "GET", f"{self._admin}/roles/{quote(account.provider_role, safe='')}", headers=headers
        )
        if role.status_code != 200:
            raise self._refused(role, f"read the realm role {account.provider_role!r}")
        mapped = await self._call(
            "POST",
            f"{self._admin}/users/{user_id}/role-mappings/realm",
            json=[role.json()],
            headers=headers,
        )
        if mapped.status_code not in (200, 204):
            raise self._refused(mapped, f"give the realm role {account.provider_role!r}")
