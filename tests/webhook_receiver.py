"""A real HTTP receiver of webhooks on loopback, for the tests and the bench. It checks each
message's signature with the independent `standardwebhooks` package, and answers as its
``mode`` says: ``ok`` (204), ``fail`` (500), ``redirect`` (302 elsewhere) or ``hang`` (no
answer for a minute)."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool


@dataclass
class Receiver:
    secret: str = ""
    mode: str = "ok"
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def verified(self) -> list[Received]:
        with self.lock:
            return [item for item in self.received if item.verified]

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"{len(self.received)} of {count} messages arrived")


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            verified = True
            try:
                Webhook(receiver.secret).verify(body, headers)
            except (WebhookVerificationError, ValueError):
                verified = False
            with receiver.lock:
                receiver.received.append(Received(headers, body, verified))
            if receiver.mode == "hang":
                time.sleep(60)
                return
            status = {"ok": 204, "fail": 500, "redirect": 302}[receiver.mode]
            answer = b"" if status == 204 else b"x" * 5000
            self.send_response(status)
            if status == 302:
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    return Handler


@contextmanager
def receiving(
    receiver: Receiver, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1"
) -> Iterator[Receiver]:
    """Served on 127.0.0.1; with ``tls``, over HTTPS, its URL naming ``host``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    scheme = "http"
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    receiver.url = f"{scheme}://{host}:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
