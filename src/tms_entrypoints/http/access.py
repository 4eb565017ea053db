"""The outermost layer of every request and WebSocket the app serves: its id, its line in
the access log, and the refusal of paths that hold control characters.

- The id is the client's `X-Request-ID` when it is short and safe (1 to 64 letters,
  digits, `-`, `_`, `.`), else a new one; every answer carries it back, and every line
  logged while serving the request names it.
- The access log (logger `tms.access`) has one line per request: client address, method,
  path and query with secrets masked (secret-named query keys and path parameters, such
  as a join link), status, duration and id; a WebSocket's line comes when it ends, with
  101 when it was accepted.
- A path with a control character (a decoded `%00` or `%0A`) matches no route and could
  only confuse the code below and the logs: it answers 400 here.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any, cast

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from tms_entrypoints.logs import MASK, REQUEST_ID, names_a_secret, redact_query

access_log = logging.getLogger("tms.access")

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SAFE_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def loggable_target(scope: Scope, path: str | None = None) -> str:
    """The path (the scope's, or ``path``) and query as they may be logged: secret path
    parameters and the values of secret-named query keys masked."""
    path = scope.get("path", "") if path is None else path
    for name, value in (scope.get("path_params") or {}).items():
        if names_a_secret(name) and isinstance(value, str) and value:
            path = path.replace(value, MASK)
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{redact_query(query)}" if query else path


class RequestEdge:
    """Wraps the app's ASGI handler (inside Litestar's own, so that every answer, an
    error's or a 404's, passes through it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in (ScopeType.HTTP, ScopeType.WEBSOCKET):
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        path = scope.get("path", "")  # as the client sent it: routing normalises the scope's
        marker = REQUEST_ID.set(request_id)
        exchange = _Exchange(receive, send, request_id)
        began = time.perf_counter()
        try:
            if _CONTROL.search(path):
                await refuse_control_characters(scope, exchange.send)
            else:
                await self.app(scope, exchange.receive, exchange.send)
        except BaseException:
            exchange.status = exchange.status or 500  # what the server answers for it
            raise
        finally:
            elapsed_ms = round((time.perf_counter() - began) * 1000, 1)
            # 499, as nginx logs it: the client went away before the answer (whatever the
            # app then tried to send it).
            status = 499 if exchange.client_left else exchange.status or 499
            self.log(scope, path, status, elapsed_ms, request_id)
            REQUEST_ID.reset(marker)

    @staticmethod
    def log(scope: Scope, path: str, status: int, elapsed_ms: float, request_id: str) -> None:
        client = scope.get("client")
        address = client[0] if client else "-"
        method = scope.get("method", "WS") if scope["type"] == ScopeType.HTTP else "WS"
        target = loggable_target(scope, path)
        access_log.info(
            "%s %s %s %d %.1fms %s",
            address,
            method,
            target,
            status,
            elapsed_ms,
            request_id,
            extra={
                "request_id": request_id,
                "client": address,
                "method": method,
                "path": target,
                "status": status,
                "duration_ms": elapsed_ms,
            },
        )


async def refuse_control_characters(scope: Scope, send: Send) -> None:
    if scope["type"] == ScopeType.WEBSOCKET:
        await send({"type": "websocket.close", "code": 1008, "reason": ""})
        return
    body = json.dumps({"detail": "The path holds control characters"}).encode()
    start: dict[str, Any] = {
        "type": "http.response.start",
        "status": 400,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    await send(start)  # type: ignore[arg-type]
    await send({"type": "http.response.body", "body": body, "more_body": False})


class _Exchange:
    """One request's messages as the edge watches them: the status answered, whether the
    answer was sent in full, whether the client left first; the request id goes on the
    answer's headers."""

    def __init__(self, receive: Receive, send: Send, request_id: str) -> None:
        self._receive = receive
        self._send = send
        self._request_id = request_id
        self.status = 0
        self.answered = False
        self.client_left = False

    async def receive(self) -> ReceiveMessage:
        message = await self._receive()
        if message["type"] == "http.disconnect" and not self.answered:
            self.client_left = True
        return message

    async def send(self, message: Message) -> None:
        event = cast("dict[str, Any]", message)
        kind = event["type"]
        if kind == "http.response.body" and not event.get("more_body", False):
            self.answered = True
        elif kind in ("http.response.start", "websocket.http.response.start"):
            self.status = event["status"]
            MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = self._request_id
        elif kind == "websocket.accept":
            self.status = 101
            header = (b"x-request-id", self._request_id.encode())
            event["headers"] = [*(event.get("headers") or ()), header]
        elif kind == "websocket.close" and not self.status:
            self.status = 403
        await self._send(message)
