"""API client secrets are stored as HMAC-SHA256 digests keyed with the app's secret key.

Why not argon2id, as for passwords: a client secret is 256 random bits, not something a
person chose, so no dictionary or brute-force attack can find it from its digest and a slow
hash buys nothing, while it would cost ~50 ms of CPU on every token request (the token
endpoint aims at a p50 under 10 ms). The key means a copy of the database alone cannot
even check a guess."""

from __future__ import annotations

import hashlib
import hmac


class HmacSecretDigest:
    def __init__(self, key: str) -> None:
        self._key = ("api-client-secret:" + key).encode()

    def digest(self, secret: str) -> str:
        return hmac.new(self._key, secret.encode(), hashlib.sha256).hexdigest()
