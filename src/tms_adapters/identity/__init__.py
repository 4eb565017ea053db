"""Identity adapters: an OpenID Connect provider for single sign-on (httpx and joserfc),
and accounts provisioned into Keycloak through its admin API."""

from tms_adapters.identity.keycloak import KeycloakProvisioner, KeycloakUnavailable
from tms_adapters.identity.oidc import ALLOWED_ALGORITHMS, JoserfcOidcProvider

__all__ = [
    "ALLOWED_ALGORITHMS",
    "JoserfcOidcProvider",
    "KeycloakProvisioner",
    "KeycloakUnavailable",
]
