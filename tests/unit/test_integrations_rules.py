"""The integrations' rules alone: what a client's scopes open in the access matrix, the SSRF
guard's verdicts, the signature as an independent implementation checks it, the retry
window, and client tokens kept apart from people's."""

from __future__ import annotations

import ipaddress
import time
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook as StandardWebhook

from conftest import TEST_SECRET
from tms_adapters.security import JoseTokenService
from tms_adapters.webhooks import AddressGuard, AiohttpWebhookSender, refused_address, signature
from tms_adapters.webhooks.signing import headers
from tms_domain.accounts import Actor, User
from tms_domain.integrations import ApiClient, DeliveryPolicy
from tms_domain.integrations.model import Webhook
from tms_domain.integrations.rules import delivery_jobs, new_webhook_secret
from tms_domain.integrations.use_cases.clients import client_actor
from tms_domain.kernel import (
    Audience,
    AuthenticationFailed,
    Forbidden,
    Permission,
    Role,
    StoredEvent,
    authorize,
    is_allowed,
)
from tms_domain.kernel.access import SCOPE_OF
from webhook_receiver import Receiver, receiving

NOW = datetime(2026, 5, 1, 9, tzinfo=UTC)


def a_client(*scopes: str) -> Actor:
    client = ApiClient(1, "Partner", "tms_x", frozenset(scopes), "d", NOW, NOW)
    return client_actor(client, frozenset(scopes), None)


def test_a_client_is_allowed_only_what_its_scopes_name() -> None:
    reader = a_client("sessions:read")
    assert is_allowed(reader, Permission.LIST_SESSIONS)
    assert is_allowed(reader, Permission.READ_SESSION)
    assert not is_allowed(reader, Permission.CREATE_SESSION)
    assert not is_allowed(reader, Permission.LIST_USERS)
    with pytest.raises(Forbidden):
        authorize(reader, Permission.READ_COURSE)  # a 403, not the hiding 404
    everything = a_client(*set(SCOPE_OF.values()))
    for permission in Permission:
        assert is_allowed(everything, permission) == (permission in SCOPE_OF), permission
    assert everything.username == "Partner"
    assert everything.scopes is not None


def test_people_are_untouched_by_scopes() -> None:
    user = User(2, "ada", "a@x.org", Role.ADMIN, "A", "L", "h", False, NOW, NOW)
    assert is_allowed(Actor(user=user), Permission.READ_AUDIT)


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("127.0.0.1", True),
        ("10.20.30.40", True),
        ("172.16.0.1", True),
        ("192.168.0.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("0.0.0.0", True),
        ("224.0.0.1", True),
        ("240.0.0.1", True),
        ("::1", True),
        ("::", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("::ffff:127.0.0.1", True),
        ("::ffff:10.0.0.1", True),
        ("93.184.215.14", False),
        ("2606:4700::1111", False),
        ("::ffff:93.184.215.14", False),
    ],
)
def test_the_guard_refuses_every_non_public_address(address: str, refused: bool) -> None:
    assert refused_address(ipaddress.ip_address(address)) is refused


async def test_the_guard_resolves_names_and_checks_schemes() -> None:
    guard = AddressGuard()
    assert "private" in (await guard.refusal("http://localhost/x") or "")
    assert "http" in (await guard.refusal("file:///etc/passwd") or "")
    assert "resolve" in (await guard.refusal("https://no-such-host.invalid/x") or "")
    assert await guard.refusal("https://93.184.215.14/x") is None
    assert await AddressGuard(allow_private=True).refusal("http://localhost/x") is None


def test_the_signature_is_what_standard_webhooks_verifies() -> None:
    secret = new_webhook_secret()
    body = b'{"type":"room_created","data":{"id":1}}'
    stamp = int(time.time())
    sent = headers(secret, "msg_1", stamp, body)
    assert sent["webhook-signature"] == signature(secret, "msg_1", stamp, body)
    assert StandardWebhook(secret).verify(body, sent) == {"type": "room_created", "data": {"id": 1}}
    other = StandardWebhook(new_webhook_secret())
    with pytest.raises(Exception, match="signature"):
        other.verify(body, sent)


async def test_the_address_is_checked_again_when_delivering() -> None:
    """A subscription made while private targets were allowed (or whose name now resolves
    elsewhere) is refused at delivery: nothing reaches the receiver."""
    with receiving(Receiver()) as receiver:
        sender = AiohttpWebhookSender(AddressGuard(allow_private=False))
        result = await sender.send(receiver.url, new_webhook_secret(), "msg_1", 1, b"{}")
        await sender.close()
    assert result.status_code is None
    assert (result.error or "").startswith("Refused")
    assert receiver.received == []


def test_deliveries_are_retried_with_backoff_for_a_day() -> None:
    policy = DeliveryPolicy()
    now, delays, attempt = NOW, [], 1
    while (due := policy.next_attempt(attempt, NOW, now)) is not None:
        delays.append(due - now)
        now, attempt = due, attempt + 1
    assert delays[:4] == [
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert max(delays) == timedelta(hours=2)
    assert timedelta(hours=22) < now - NOW <= timedelta(days=1)


def test_client_tokens_and_people_tokens_never_pass_for_each_other() -> None:
    tokens = JoseTokenService(TEST_SECRET, clock=lambda: NOW)
    client_token = tokens.issue_client(
        client_id=7, scopes="users:read", expires_at=NOW + timedelta(hours=1)
    )
    assert tokens.read_client(client_token) == (7, frozenset({"users:read"}))
    with pytest.raises(AuthenticationFailed):
        tokens.read(client_token)
    person = tokens.issue(user_id=7, sign_in_id="s", expires_at=NOW + timedelta(hours=1))
    with pytest.raises(AuthenticationFailed):
        tokens.read_client(person)
    unsigned = client_token.rsplit(".", 1)[0] + "."
    with pytest.raises(AuthenticationFailed):
        tokens.read_client(unsigned)
    expired = tokens.issue_client(
        client_id=7, scopes="users:read", expires_at=NOW - timedelta(seconds=1)
    )
    with pytest.raises(AuthenticationFailed):
        tokens.read_client(expired)


def test_a_private_event_fans_out_to_no_webhook_even_one_naming_it() -> None:
    """A user's own notification (private) is never delivered to a partner, even by a
    subscription stored naming it before the list of event types left it out."""
    now = datetime.now(UTC)
    hook = Webhook(1, "https://93.184.215.14/hook", ("notification", "session_created"),
                   new_webhook_secret(), True, now, now)  # fmt: skip
    private = StoredEvent(
        "notification", {"user_id": 7, "title": "You were enrolled"},
        Audience(frozenset({7}), private=True), id=10, at=now,
    )  # fmt: skip
    public = StoredEvent("session_created", {"id": 3}, Audience(frozenset({7})), id=11, at=now)
    jobs = delivery_jobs([private, public], [hook], now)
    assert [(job.event_type, job.message_id) for job, _ in jobs] == [("session_created", "msg_11")]
