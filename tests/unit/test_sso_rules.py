"""Single sign-on's pure rules: the role map setting, roles read from a dotted claim, what
an ID token's claims say about a person, PKCE's S256 challenge, and the settings that go
together."""

from __future__ import annotations

import pytest

from tms_domain.accounts.sso import (
    ProviderIdentity,
    RoleMap,
    RoleMapError,
    claim_at,
    pkce_challenge,
)
from tms_domain.kernel import Role
from tms_entrypoints.settings import Settings, SettingsError


def test_the_role_map_maps_to_the_highest_role_and_back() -> None:
    roles = RoleMap.parse(" tms-admins = admin , tms-trainers=trainer,staff=trainer,")
    assert roles.role_for(("offline_access", "tms-trainers")) is Role.TRAINER
    assert roles.role_for(("tms-trainers", "tms-admins")) is Role.ADMIN
    assert roles.role_for(("offline_access",)) is None
    assert roles.provider_role_for(Role.TRAINER) == "tms-trainers"
    assert roles.provider_role_for(Role.TRAINEE) == "trainee"
    assert RoleMap.parse("").role_for(("admin",)) is None


@pytest.mark.parametrize("text", ["admins", "=admin", "admins=root"])
def test_a_role_map_that_cannot_be_read_says_why(text: str) -> None:
    with pytest.raises(RoleMapError):
        RoleMap.parse(text)


def test_roles_come_from_the_configured_claim() -> None:
    claims = {
        "iss": "https://sso.example.org",
        "sub": "42",
        "email": " ada@example.org ",
        "email_verified": "true",
        "realm_access": {"roles": ["a", 7, "b"]},
        "groups": "teachers",
    }
    keycloak = ProviderIdentity.of(claims, "realm_access.roles")
    assert keycloak.roles == ("a", "b")
    assert keycloak.email == "ada@example.org"
    # Only the JSON true counts as verified, never a string that says so.
    assert keycloak.email_verified is False
    assert ProviderIdentity.of(claims, "groups").roles == ("teachers",)
    assert ProviderIdentity.of(claims, "resource_access.tms.roles").roles == ()
    assert claim_at(claims, "realm_access.roles.x") is None


def test_the_pkce_challenge_is_rfc_7636s_example() -> None:
    assert (
        pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"oidc_issuer": "https://sso.example.org"}, "TMS_OIDC_CLIENT_ID"),
        ({"keycloak_admin_url": "https://kc", "keycloak_realm": "tms"}, "CLIENT_SECRET"),
        ({"oidc_role_map": "x=boss"}, "TMS_OIDC_ROLE_MAP"),
        (
            {"oidc_issuer": "sso", "oidc_client_id": "c", "oidc_client_secret": "s"},
            "http",
        ),
        ({"oidc_scopes": "email profile"}, "openid"),
    ],
)
def test_identity_settings_are_checked(settings: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings(**settings).validate()  # type: ignore[arg-type]
