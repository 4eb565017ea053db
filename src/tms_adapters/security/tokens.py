"""Access tokens: JWTs signed with a shared secret (python-jose), read defensively.

python-jose has had advisories (algorithm confusion, compressed tokens), so a token is
checked by hand before the library sees it, and only its signature check is left to it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from jose import jwk, jws
from jose.exceptions import JOSEError

from tms_domain.kernel import AuthenticationFailed

ALLOWED_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
MAX_TOKEN_LENGTH = 4096
MIN_SECRET_KEY_BYTES = 32

_ACCESS_KIND = "access"
_CLIENT_KIND = "client"
_SCOPES = re.compile(r"[a-z]+:[a-z]+( [a-z]+:[a-z]+)*")
_ALLOWED_HEADERS = frozenset({"alg", "typ"})
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_USER_ID = re.compile(r"[1-9][0-9]{0,17}")
_REFUSAL = "Invalid or expired token"


class JoseTokenService:
    """Issues and reads access tokens.

    Rules for reading, every failure raising AuthenticationFailed with one generic message:
    - at most 4 KiB, three base64url segments;
    - header: only ``alg`` (exactly the configured HMAC algorithm; never ``none``, never an
      asymmetric one) and ``typ`` (``JWT``); anything else, such as ``zip``, is refused;
    - signature valid under the secret key;
    - claims: ``iss`` the configured issuer, ``typ`` ``access``, ``sub`` a positive user id
      as a string, ``sid`` a non-empty sign-in id, integer ``iat`` and ``exp``, and ``exp``
      later than the clock's now.
    """

    def __init__(
        self,
        secret_key: str,
        *,
        algorithm: str = "HS256",
        issuer: str = "tms",
        clock: Callable[[], datetime],
    ) -> None:
        if algorithm not in ALLOWED_ALGORITHMS:
            raise ValueError(f"Token algorithm must be one of {sorted(ALLOWED_ALGORITHMS)}")
        if len(secret_key.encode("utf-8")) < MIN_SECRET_KEY_BYTES:
            raise ValueError(f"The token secret key needs at least {MIN_SECRET_KEY_BYTES} bytes")
        # A Key object, so python-jose never tries to read the secret as JSON (a JWK).
        self._key = jwk.construct(secret_key, algorithm)
        self._algorithm = algorithm
        self._issuer = issuer
        self._clock = clock

    def issue(self, *, user_id: int, sign_in_id: str, expires_at: datetime) -> str:
        if expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware")
        claims = {
            "sub": str(user_id),
            "sid": sign_in_id,
            "iat": int(self._now().timestamp()),
            "exp": int(expires_at.timestamp()),
            "iss": self._issuer,
            "typ": _ACCESS_KIND,
        }
        return jws.sign(claims, self._key, algorithm=self._algorithm)

    def issue_client(self, *, client_id: int, scopes: str, expires_at: datetime) -> str:
        """A partner's API client token: ``typ`` ``client``, its scopes in ``scope``."""
        claims = {
            "sub": str(client_id),
            "scope": scopes,
            "iat": int(self._now().timestamp()),
            "exp": int(expires_at.timestamp()),
            "iss": self._issuer,
            "typ": _CLIENT_KIND,
        }
        return jws.sign(claims, self._key, algorithm=self._algorithm)

    def read_client(self, token: str) -> tuple[int, frozenset[str]]:
        """Return (client id, scopes), with the same checks as ``read`` and ``typ``
        ``client``; AuthenticationFailed for any bad token."""
        claims = self._claims(token)
        subject, scopes, expires_at = claims.get("sub"), claims.get("scope"), claims.get("exp")
        if not (
            isinstance(subject, str)
            and _USER_ID.fullmatch(subject)
            and isinstance(scopes, str)
            and _SCOPES.fullmatch(scopes)
            and isinstance(expires_at, int)
            and not isinstance(expires_at, bool)
            and claims.get("iss") == self._issuer
            and claims.get("typ") == _CLIENT_KIND
            and self._now().timestamp() < expires_at
        ):
            raise AuthenticationFailed(_REFUSAL)
        return int(subject), frozenset(scopes.split())

    def read(self, token: str) -> tuple[int, str]:
        """Return (user_id, sign_in_id); raise AuthenticationFailed for any bad token."""
        return self._identity(self._claims(token))

    def _claims(self, token: str) -> dict[str, Any]:
        if len(token) > MAX_TOKEN_LENGTH or not _COMPACT_JWS.fullmatch(token):
            raise AuthenticationFailed(_REFUSAL)
        try:
            header = jws.get_unverified_header(token)
            if not self._is_expected_header(header):
                raise AuthenticationFailed(_REFUSAL)
            payload = jws.verify(token, self._key, algorithms=[self._algorithm])
            claims = json.loads(payload)
        # RecursionError: JSON nested deeply enough, in a header python-jose parses unverified.
        except (JOSEError, ValueError, RecursionError) as error:
            raise AuthenticationFailed(_REFUSAL) from error
        if not isinstance(claims, dict):
            raise AuthenticationFailed(_REFUSAL)
        return claims

    def _is_expected_header(self, header: dict[str, Any]) -> bool:
        return (
            header.keys() <= _ALLOWED_HEADERS
            and header.get("alg") == self._algorithm
            and header.get("typ", "JWT") == "JWT"
        )

    def _identity(self, claims: dict[str, Any]) -> tuple[int, str]:
        subject, sign_in_id = claims.get("sub"), claims.get("sid")
        issued_at, expires_at = claims.get("iat"), claims.get("exp")
        if not (
            isinstance(subject, str)
            and _USER_ID.fullmatch(subject)
            and isinstance(sign_in_id, str)
            and sign_in_id
            and isinstance(issued_at, int)
            and isinstance(expires_at, int)
            # bool is an int subclass; JSON true is no timestamp.
            and not isinstance(issued_at, bool)
            and not isinstance(expires_at, bool)
            and claims.get("iss") == self._issuer
            and claims.get("typ") == _ACCESS_KIND
            and self._now().timestamp() < expires_at
        ):
            raise AuthenticationFailed(_REFUSAL)
        return int(subject), sign_in_id

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("The clock must return timezone-aware datetimes")
        return now
