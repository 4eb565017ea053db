"""Helpers for the mail tests: run the due background jobs, read the outbox, find links."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

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
