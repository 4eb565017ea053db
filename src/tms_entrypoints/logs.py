"""Logging set-up: no secret reaches a log line. Tokens travel in WebSocket query strings,
which the server logs when a connection opens, so they are masked on the way out."""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

SECRET_IN_TEXT = re.compile(r"(?i)(token=|access_token=|password=|bearer\s+)[^\s&\"']+")


def redact(text: str) -> str:
    return SECRET_IN_TEXT.sub(r"\1***", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


def uvicorn_log_config(level: str) -> dict[str, Any]:
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact": {"()": "tms_entrypoints.logs.RedactSecrets"}}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact")
    config["loggers"]["tms"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    config["loggers"]["uvicorn"]["level"] = level.upper()
    return config
