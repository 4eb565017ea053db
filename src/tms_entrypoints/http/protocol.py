"""The HTTP/1.1 connection `tms serve` runs: uvicorn's httptools protocol with the limits a
server facing the internet needs and uvicorn lacks.

uvicorn bounds neither the size of a request head (llhttp hands the parser a header in
pieces that it joins, so one 128 MiB header stalls the event loop for seconds), nor the
time a client takes to send a head or a body (a client trickling a byte a second holds a
connection for ever), nor the connections one address holds. hypercorn and granian each
cover only part of this (a head size or a header timeout, no body deadline, no cap per
address), so `tms serve` keeps uvicorn, its graceful shutdown and WebSockets, and adds:

- a request line or header line over ``max_header_line_bytes`` answers 414 or 431, a head
  over ``max_header_bytes`` 431, counted as the bytes arrive;
- a head must arrive within ``header_timeout`` (from the connection's start, or from the
  first byte of a later request); a body has ``body_timeout`` from its head, and each byte
  of it that arrives buys ``1 / body_min_rate`` seconds more (a minimum rate, as Apache's
  mod_reqtimeout has it: a 500 MiB upload at any usable speed goes through, a body trickled
  in to hold the connection does not; with no minimum rate, ``body_timeout`` in total).
  Past either, 408 and the connection is closed (silently when nothing of a request had
  come). Time the server itself stops reading (an answer under way, an upload being stored
  more slowly than it arrives) is not the client's;
- an address holding ``connections_per_address`` open connections in this process gets
  429 on its next and that one is closed. A connection that becomes a WebSocket leaves the
  count: the WebSocket protocol has its own ping timeout.

uvicorn's keep-alive timeout closes idle connections between requests.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from tms_entrypoints.settings import Settings

log = logging.getLogger("tms.http")


@dataclass(frozen=True)
class ConnectionLimits:
    max_header_line_bytes: int
    max_header_bytes: int
    header_timeout: float
    body_timeout: float
    body_min_rate: int
    """Bytes a second that buy a body more time past ``body_timeout``; 0: none."""
    connections_per_address: int
    """0: no cap."""

    @classmethod
    def from_settings(cls, settings: Settings) -> ConnectionLimits:
        return cls(
            max_header_line_bytes=settings.max_header_line_bytes,
            max_header_bytes=settings.max_header_bytes,
            header_timeout=settings.header_timeout_seconds,
            body_timeout=settings.body_timeout_seconds,
            body_min_rate=settings.body_min_rate_bytes,
            connections_per_address=settings.max_connections_per_address,
        )


@functools.cache
def limits_from_environment() -> ConnectionLimits:
    """uvicorn builds the protocol from its own configuration, in each worker process: the
    limits come from the settings, read there once, as the app factory reads them."""
    return ConnectionLimits.from_settings(Settings.from_env())


class HeadRefused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    open_per_address: ClassVar[Counter[str]] = Counter()
    """Open connections by client address, in this process (one server per process)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits_from_environment()
        self.address: str | None = None
        self.reading: Literal["head", "body"] | None = None
        self.deadline: asyncio.TimerHandle | None = None
        self.allowed_until = 0.0
        """When the part being read must have arrived (the loop's clock); a body's moves on
        with each chunk."""
        self.message_open = False
        self.messages_begun = 0
        self.received_head_bytes = 0
        """What arrived of a head that spans chunks (the parser has not handed it over)."""
        self.parsed_head_bytes = 0
        """The request line and the header lines the parser handed over."""

    # The connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self.client is not None:
            self.address = self.client[0]
            self.open_per_address[self.address] += 1
            cap = self.limits.connections_per_address
            if cap and self.open_per_address[self.address] > cap:
                self.refuse(
                    429,
                    f"Too many open connections from your address (at most {cap})",
                    retry_after=1,
                )
                return
        self.expect("head")

    def connection_lost(self, exc: Exception | None) -> None:
        self.stop_clock()
        self.release_address()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        self.stop_clock()
        self.release_address()
        super().handle_websocket_upgrade()

    def release_address(self) -> None:
        if self.address is None:
            return
        self.open_per_address[self.address] -= 1
        if self.open_per_address[self.address] <= 0:
            del self.open_per_address[self.address]
        self.address = None

    # Reading

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        started_idle = not self.message_open
        self.messages_begun = 0
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as error:
            if isinstance(error.__context__, HeadRefused):
                self.refuse(error.__context__.status, error.__context__.detail)
                return
            self.logger.warning("Invalid HTTP request received.")
            self.send_400_response("Invalid HTTP request received.")
            return
        except httptools.HttpParserError:
            self.logger.warning("Invalid HTTP request received.")
            self.send_400_response("Invalid HTTP request received.")
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        if self.reading == "head" and self.message_open:
            # Count the chunk when it is all this head's: the head began in an earlier
            # chunk, or at this one's start. A head that began behind another request in
            # the same chunk is counted from the next chunk on (a chunk is at most 256 KiB).
            if self.messages_begun == 0 or (self.messages_begun == 1 and started_idle):
                self.received_head_bytes += len(data)
            if self.received_head_bytes > self.limits.max_header_bytes:
                self.refuse(431, "The request headers are too large")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.message_open = True
        self.messages_begun += 1
        self.received_head_bytes = 0
        self.parsed_head_bytes = 0
        if self.reading != "head":
            self.expect("head")

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self.parsed_head_bytes += len(url)
        if len(self.url) > self.limits.max_header_line_bytes:
            raise HeadRefused(414, "The request line is too long")

    def on_header(self, name: bytes, value: bytes) -> None:
        line = len(name) + len(value) + 4  # ": " and CRLF
        if line > self.limits.max_header_line_bytes:
            raise HeadRefused(431, "A request header field is too large")
        self.parsed_head_bytes += line
        if self.parsed_head_bytes > self.limits.max_header_bytes:
            raise HeadRefused(431, "The request headers are too large")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.expect("body")
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if self.reading == "body" and self.limits.body_min_rate:
            self.allowed_until += len(body) / self.limits.body_min_rate
        super().on_body(body)

    def on_message_complete(self) -> None:
        self.message_open = False
        self.stop_clock()
        super().on_message_complete()

    # Deadlines

    def expect(self, part: Literal["head", "body"]) -> None:
        """Start the clock for the client to send this part of a request."""
        self.stop_clock()
        self.reading = part
        timeout = self.limits.header_timeout if part == "head" else self.limits.body_timeout
        self.allowed_until = self.loop.time() + timeout
        self.deadline = self.loop.call_later(timeout, self.too_slow)

    def stop_clock(self) -> None:
        self.reading = None
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def too_slow(self) -> None:
        self.deadline = None
        part = self.reading
        if part is None or self.transport.is_closing():
            return
        if self.flow.read_paused:
            # The server stopped reading (an earlier request is still being answered, or
            # the body is taken in more slowly than it comes): the wait is the server's.
            timeout = self.limits.header_timeout if part == "head" else self.limits.body_timeout
            self.allowed_until = max(self.allowed_until, self.loop.time() + timeout)
        left = self.allowed_until - self.loop.time()
        if left > 0:
            # A body that has bought more time with the bytes it sent.
            self.deadline = self.loop.call_later(left, self.too_slow)
            return
        if not self.message_open:
            # Nothing of a request came: close as an idle connection.
            self.stop_clock()
            self.transport.close()
            return
        self.refuse(408, f"The request {part} took too long to arrive")

    # Answers the application never sees

    def refuse(self, status: int, detail: str, retry_after: int | None = None) -> None:
        """Answer ``status`` with the API's error shape and close the connection. When a
        response is already under way the connection is only closed."""
        self.stop_clock()
        client = self.client[0] if self.client else "unknown"
        log.warning("%s to %s: %s", status, client, detail)
        cycle = self.cycle
        if cycle is not None and cycle.response_started and not cycle.response_complete:
            self.transport.close()
            return
        body = json.dumps({"detail": detail}).encode()
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"x-content-type-options: nosniff\r\n",
            b"connection: close\r\n",
        ]
        if retry_after is not None:
            head.append(b"retry-after: %d\r\n" % retry_after)
        self.transport.write(b"".join([*head, b"\r\n", body]))
        self.transport.close()
