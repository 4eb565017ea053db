"""A real SMTP server on loopback for the mail tests (aiosmtpd, in a thread of its own):
plain, STARTTLS or TLS with a self-signed certificate, with or without AUTH, refusing the
recipients it is told to (for good, or once for now), slow if asked, counting what each
recipient received; and a server that accepts connections and never answers."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import logging
import socket
import ssl
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import free_port
from mail_support import parse

# aiosmtpd logs every command at INFO from its own thread, which may outlive the test whose
# output pytest captured ("I/O operation on closed file" in the run's log): its warnings
# are enough.
logging.getLogger("mail.log").setLevel(logging.WARNING)

USERNAME, PASSWORD = "mailer", "smtp-secret-42"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class RecordingHandler:
    """Keeps every message it accepts; answers ``refuse[address]`` to that recipient,
    ``451`` to a recipient of ``defer_once`` the first time it is given (then takes it), and
    ``451`` after the data of a message to a recipient of ``defer_data_once`` the first
    time (then takes it)."""

    refuse: dict[str, str] = field(default_factory=dict)
    defer_once: set[str] = field(default_factory=set)
    defer_data_once: set[str] = field(default_factory=set)
    data_seconds: float = 0
    """How long the server sits on each message before it answers (a slow server)."""
    hold_after: int | None = None
    """From this many messages received on, each further message (whole, its final "."
    read) is taken at once, as a server that queued it, but its answer is held until
    ``let_go()`` (its client is gone by then: killed)."""
    holding: int = 0
    """Messages held now."""
    _let_go: threading.Event = field(default_factory=threading.Event)
    received: list[Received] = field(default_factory=list)
    answered: list[tuple[str, str]] = field(default_factory=list)
    """(recipient, answer) for every recipient the server was given."""

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        answer = self.refuse.get(address, "250 OK")
        if address in self.defer_once:
            self.defer_once.discard(address)
            answer = "451 4.3.0 Try again later"
        self.answered.append((address, answer))
        if answer.startswith("250"):
            envelope.rcpt_tos.append(address)
        return answer

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.data_seconds:
            await asyncio.sleep(self.data_seconds)
        raw = bytes(envelope.original_content or envelope.content)
        if self.hold_after is not None and len(self.received) >= self.hold_after:
            # Taken (as a mail server that queued it), but not answered until let go.
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), parse(raw), raw)
            )
            self.holding += 1
            while not self._let_go.is_set():
                await asyncio.sleep(0.01)
            self.holding -= 1
            return "250 Message accepted for delivery"
        deferred = self.defer_data_once & set(envelope.rcpt_tos)
        if deferred:
            self.defer_data_once -= deferred
            for address in deferred:
                self.answered.append((address, "451 after the data"))
            return "451 4.3.0 Try the message again later"
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parse(raw), raw))
        return "250 Message accepted for delivery"

    def let_go(self) -> None:
        """Answer the held messages and hold no more."""
        self.hold_after = None
        self._let_go.set()

    def copies(self) -> Counter[str]:
        """How many messages each recipient received."""
        return Counter(to for received in list(self.received) for to in received.recipients)

    def duplicates(self) -> dict[str, list[str]]:
        """Each recipient who received more than one message, with their Message-IDs."""
        ids: dict[str, list[str]] = {}
        for received in list(self.received):
            for to in received.recipients:
                ids.setdefault(to, []).append(str(received.message["Message-ID"]))
        return {to: found for to, found in ids.items() if len(found) > 1}


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword)
        and data.login == USERNAME.encode()
        and data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key (PEM files)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@contextlib.contextmanager
def smtp_server(
    handler: RecordingHandler,
    *,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
    auth: bool = False,
) -> Iterator[int]:
    """Serve on 127.0.0.1 until the block ends; yields the port."""
    port = free_port()
    kwargs: dict[str, Any] = {}
    if starttls is not None:
        kwargs |= {"tls_context": starttls, "require_starttls": True}
    if auth:
        kwargs |= {
            "authenticator": _authenticator,
            "auth_required": True,
            "auth_require_tls": starttls is not None or implicit_tls is not None,
        }
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, ssl_context=implicit_tls, **kwargs
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """Takes connections (the kernel completes them) and never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield int(listener.getsockname()[1])
