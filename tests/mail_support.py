"""Helpers for the mail tests: run the due background jobs, read the outbox, find links,
start `tms serve` with mail settings and call its API as the admin."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import httpx

import servers
from servers import TmsServer
from tms_entrypoints.container import Container

LINK_TOKEN = re.compile(r"/app/set-password#token=([A-Za-z0-9_\-]+)")


async def run_due_jobs(container: Container, limit: int = 100) -> int:
    """Run jobs until none is due; how many ran."""
    executor = container.jobs.executor()
    ran = 0
    while ran < limit and await executor.run_next():
        ran += 1
    return ran


def parse(data: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def outbox(directory: Path) -> list[EmailMessage]:
    """The messages written to the outbox folder, oldest first."""
    if not directory.is_dir():
        return []
    return [parse(path.read_bytes()) for path in sorted(directory.glob("*.eml"))]


def bodies(message: EmailMessage) -> tuple[str, str]:
    """(text, html) of a multipart/alternative message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None

    def lf(content: object) -> str:
        return str(content).replace("\r\n", "\n")

    return lf(text.get_content()), lf(html.get_content())


def link_token(message: EmailMessage) -> str:
    text, html = bodies(message)
    found = LINK_TOKEN.search(text)
    assert found is not None, text
    assert found.group(1) in html
    return found.group(1)


ADMIN_PASSWORD = "admin passphrase for the mail tests"
SECRET_KEY = "mail-tests-secret-key-" + "x" * 32


def mail_env(database_url: str, directory: Path, **settings: str) -> dict[str, str]:
    """A `tms` process's environment for the mail tests (SMTP without TLS unless told)."""
    return servers.server_env(
        database_url,
        directory,
        secret_key=SECRET_KEY,
        admin_password=ADMIN_PASSWORD,
        **{
            "TMS_JOBS_POLL_MS": "200",
            "TMS_JOBS_BACKOFF_SECONDS": "1",
            "TMS_PUBLIC_URL": "https://training.acme.example",
            "TMS_ORGANISATION_NAME": "Acme Training",
            "TMS_MAIL_FROM": "Acme Training <training@acme.example>",
            "TMS_SMTP_SECURITY": "none",
            "TMS_SMTP_TIMEOUT_SECONDS": "2",
            **settings,
        },
    )


def start_server(directory: Path, **settings: str) -> TmsServer:
    """`tms serve` over SQLite in ``directory`` (not started yet)."""
    env = mail_env(f"sqlite+aiosqlite:///{directory / 'tms.db'}", directory, **settings)
    return TmsServer(env, directory)


@asynccontextmanager
async def admin_api(server: TmsServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        response = await client.post(
            "/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert response.status_code == 200, response.text
        client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        yield client


def new_user(username: str, **fields: object) -> dict[str, object]:
    return {
        "username": username,
        "email": f"{username}@example.org",
        "first_name": "Robin",
        "last_name": "Example",
        "role": "trainee",
        **fields,
    }
