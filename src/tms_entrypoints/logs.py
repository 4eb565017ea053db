"""Logging set-up: one line per event, as text or JSON (TMS_LOG_FORMAT), with no secret and
no control character in it.

Secrets travel in query strings (a WebSocket's token) and a few paths, and the server and
its libraries log them: every line is cleaned on its way out. A query key is read as the
server reads it, percent-decoded (`%74oken=` is `token=`), and the value of any key that
names a secret is masked. Control characters (a `%0A` decoded into a path) are escaped,
so that no client can forge a log line.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from tms_adapters.tracing import REQUEST_ID as REQUEST_ID

SECRET_WORDS = (
    "token",
    "passw",
    "pwd",
    "secret",
    "key",
    "auth",
    "sig",
    "credential",
    "code",
    "link",
)
"""A query key or path parameter whose name holds one of these names a secret."""

_PAIR = re.compile(r"(?P<key>[^\s&;?=\"'<>]+)=(?P<value>[^\s&;\"'<>]*)")
_JSON_PAIR = re.compile(r"\"(?P<key>[^\"\s]{1,64})\"(?P<colon>\s*:\s*)\"[^\"]*\"")
_FEED_PATH = re.compile(r"(/calendar/)[^/\s?#\"'<>]+")
"""A calendar feed's path: the token in it is the feed's only credential."""
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MASK = "***"


def names_a_secret(name: str) -> bool:
    lowered = unquote_plus(name).lower()
    return any(word in lowered for word in SECRET_WORDS)


def _mask_pair(match: re.Match[str]) -> str:
    return f"{match['key']}={MASK}" if names_a_secret(match["key"]) else match[0]


def _mask_json_pair(match: re.Match[str]) -> str:
    if not names_a_secret(match["key"]):
        return match[0]
    return f'"{match["key"]}"{match["colon"]}"{MASK}"'


def redact(text: str) -> str:
    """``text`` with the value of every secret-named query key or JSON key, every bearer
    token and every calendar feed token, masked."""
    text = _FEED_PATH.sub(rf"\g<1>{MASK}", text)
    text = _PAIR.sub(_mask_pair, text)
    text = _JSON_PAIR.sub(_mask_json_pair, text)
    return _BEARER.sub(rf"\g<1>{MASK}", text)


def escape_controls(text: str) -> str:
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], text)


def redact_query(query: str) -> str:
    """A raw query string with the values of secret-named keys masked."""
    parts = re.split(r"([&;])", query)
    return "".join(
        f"{part.partition('=')[0]}={MASK}"
        if "=" in part and names_a_secret(part.partition("=")[0])
        else part
        for part in parts
    )


class CleanRecords(logging.Filter):
    """Masks secrets and escapes control characters in every message; stamps each record
    with the request being served."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = escape_controls(redact(message))
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        return True


_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
}
"""What every record has; anything else on one was passed by its caller as ``extra``."""


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request_id (the request
    being served, or the one that caused the job being run), the caller's extra fields
    (a job's id and kind, an access line's client, method, path, status, duration), and the
    exception's traceback in one string."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for name, value in vars(record).items():
            if name in entry or name in _RECORD_ATTRIBUTES or name.startswith("_"):
                continue
            entry[name] = escape_controls(redact(value)) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def log_config(level: str, log_format: str = "text") -> dict[str, Any]:
    """The logging configuration of the server (uvicorn's, made to clean every line), for
    `logging.config.dictConfig`; ``log_format`` is text or json."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"clean": {"()": "tms_entrypoints.logs.CleanRecords"}}
    config["formatters"]["json"] = {"()": "tms_entrypoints.logs.JsonFormatter"}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("clean")
        if log_format == "json":
            handler["formatter"] = "json"
    config["loggers"]["tms"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    config["loggers"]["uvicorn"]["level"] = level.upper()
    config["root"] = {"handlers": ["default"], "level": level.upper()}
    return config
