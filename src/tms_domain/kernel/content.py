"""Lesson content: the Markdown renderer port and the video URL rule."""

from __future__ import annotations

from typing import Protocol
from urllib.parse import urlsplit

from tms_domain.kernel.errors import InvalidInput


class ContentRenderer(Protocol):
    def render_markdown(self, text: str) -> str:
        """Safe HTML for the Markdown text: no script, no event handlers, no javascript: links."""
        ...


def check_video_url(url: str) -> str:
    """The URL if it is https with a host; InvalidInput on field video_url otherwise."""
    value = url.strip()
    parts = urlsplit(value)
    if (
        parts.scheme.lower() != "https"
        or not parts.hostname
        or parts.username
        or parts.password
        or any(c.isspace() for c in value)
    ):
        raise InvalidInput.for_field("video_url", "Video URL must be an https:// address")
    return value
