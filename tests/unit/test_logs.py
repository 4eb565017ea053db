"""What a log line may hold: secrets masked however a client spells their key, control
characters escaped, and in JSON one object a line with the request's fields."""

from __future__ import annotations

import json
import logging

import pytest

from tms_entrypoints.logs import (
    REQUEST_ID,
    CleanRecords,
    JsonFormatter,
    escape_controls,
    redact,
    redact_query,
)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('"WebSocket /ws?token=abc.def.ghi" [accepted]', "abc.def.ghi"),
        ('"WebSocket /ws?%74oken=abc.def.ghi" [accepted]', "abc.def.ghi"),
        ("GET /x?%74%6F%6B%65%6E=abc.def.ghi&limit=5", "abc.def.ghi"),
        ("GET /x?limit=5&access_token=s3cr3t-value", "s3cr3t-value"),
        ("GET /x?Password=hunter2-hunter2", "hunter2-hunter2"),
        ("GET /x?pass%77ord=hunter2-hunter2", "hunter2-hunter2"),
        ("GET /x?api_key=k-123456&x=1", "k-123456"),
        ("GET /x?client%5Fsecret=whsec_abcdef", "whsec_abcdef"),
        ("GET /auth/oidc/callback?code=one-time-code&state=s", "one-time-code"),
        ("Authorization: Bearer eyJhbGciOi.payload.sig", "eyJhbGciOi.payload.sig"),
        ('body {"new_password": "Ember-Quartz-5572", "name": "x"}', "Ember-Quartz-5572"),
    ],
)
def test_secret_values_are_masked_however_their_key_is_spelt(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned
    assert "***" in cleaned


def test_what_is_not_secret_is_kept() -> None:
    text = 'GET /sessions/?limit=100&status=scheduled {"title": "Onboarding"}'
    assert redact(text) == text


def test_a_query_string_is_masked_key_by_key() -> None:
    assert (
        redact_query("limit=5&%74oken=abc;secret=x&flag") == "limit=5&%74oken=***;secret=***&flag"
    )


def test_control_characters_are_escaped() -> None:
    assert escape_controls("GET /x\nINFO forged\r\x00\x1b[31m\u2028") == (
        "GET /x\\nINFO forged\\r\\x00\\x1b[31m\\u2028"
    )


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    entry = logging.LogRecord("tms.access", logging.INFO, __file__, 1, message, args, None)
    entry.__dict__.update(extra)
    return entry


def test_a_record_is_cleaned_and_stamped_with_the_request_being_served() -> None:
    marker = REQUEST_ID.set("req-42")
    try:
        entry = record("GET %s", "/ws?%74oken=abc\nFORGED")
        assert CleanRecords().filter(entry)
    finally:
        REQUEST_ID.reset(marker)
    assert entry.getMessage() == "GET /ws?%74oken=***\\nFORGED"
    assert entry.request_id == "req-42"  # type: ignore[attr-defined]


def test_json_lines_carry_the_request_fields() -> None:
    entry = record(
        "GET /health 200",
        request_id="abc",
        method="GET",
        path="/health",
        status=200,
        duration_ms=1.5,
        client="127.0.0.1",
    )
    line = JsonFormatter().format(entry)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "GET /health 200"
    assert parsed["level"] == "INFO"
    assert parsed["logger"] == "tms.access"
    assert parsed["time"].endswith("+00:00")
    assert {k: parsed[k] for k in ("request_id", "method", "path", "status", "duration_ms")} == {
        "request_id": "abc",
        "method": "GET",
        "path": "/health",
        "status": 200,
        "duration_ms": 1.5,
    }


def test_json_lines_carry_every_field_a_caller_adds_cleaned_like_the_message() -> None:
    entry = record(
        "job 7 (mail.sent) started",
        job_id=7,
        job_kind="mail.sent",
        attempt=1,
        target="/x?token=abc.def\nFORGED",
    )
    marker = REQUEST_ID.set("req-that-enqueued")
    try:
        assert CleanRecords().filter(entry)
    finally:
        REQUEST_ID.reset(marker)
    parsed = json.loads(JsonFormatter().format(entry))
    assert {k: parsed[k] for k in ("request_id", "job_id", "job_kind", "attempt")} == {
        "request_id": "req-that-enqueued",
        "job_id": 7,
        "job_kind": "mail.sent",
        "attempt": 1,
    }
    assert parsed["target"] == "/x?token=***\\nFORGED"
    # Only what the caller added: none of the record's own attributes.
    assert not {"args", "msg", "levelno", "pathname", "exc_info"} & set(parsed)


def test_a_line_logged_outside_any_request_says_so() -> None:
    entry = record("workers started")
    assert CleanRecords().filter(entry)
    assert json.loads(JsonFormatter().format(entry))["request_id"] is None
