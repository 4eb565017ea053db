"""The Standard Webhooks signature: ``v1,`` + base64 of HMAC-SHA256 over
``"{id}.{timestamp}.{body}"``, keyed with the base64-decoded part of the secret after
``whsec_``."""

from __future__ import annotations

import base64
import hashlib
import hmac

from tms_domain.integrations.rules import SECRET_PREFIX


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": "tms-webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }
