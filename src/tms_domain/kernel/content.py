"""Content that authors write and learners read: Markdown bodies rendered to safe HTML (by
a ``ContentRenderer``), and video links, https only, embedded when they are of a host the
player of which is known."""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from tms_domain.kernel.errors import InvalidInput

MAX_URL_LENGTH = 2000


class ContentRenderer(Protocol):
    def render_markdown(self, text: str) -> str:
        """Markdown (CommonMark and tables) as HTML that is safe to put in a page as it is:
        no raw HTML from the text, no script, no event handlers, no styles, links only to
        http, https and mailto addresses."""
        ...


_HOST = re.compile(r"(?=.{1,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]+\Z")


def check_video_url(url: str, field: str = "video_url") -> str:
    """``url`` when it is an https address of a named host: surrounding spaces are dropped,
    the scheme written in lower case. InvalidInput (on ``field``) for any other scheme
    (javascript:, data:, http:, ...), for an address without a host or with a user name or
    password in it, with spaces or control characters inside, or over 2,000 characters."""
    url = url.strip()
    if not url:
        raise InvalidInput.for_field(field, "A video URL is required")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput.for_field(field, "The video URL is longer than 2,000 characters")
    if any(ch.isspace() or unicodedata.category(ch)[0] in "CZ" for ch in url):
        raise InvalidInput.for_field(field, "The video URL must not contain spaces or controls")
    if "\\" in url:
        raise InvalidInput.for_field(field, "The video URL must not contain backslashes")
    if not url[:8].lower() == "https://":
        raise InvalidInput.for_field(field, "The video URL must be an https:// address")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise InvalidInput.for_field(field, "The video URL is not a valid address") from None
    if "@" in parts.netloc:
        raise InvalidInput.for_field(
            field, "The video URL must not contain a user name or password"
        )
    host = (parts.hostname or "").rstrip(".")
    if not host or not _valid_host(host):
        raise InvalidInput.for_field(field, "The video URL must name a host")
    return "https" + url[5:]


def _valid_host(host: str) -> bool:
    if host.startswith("[") or ":" in host:
        return True  # an IPv6 literal, which urlsplit has checked
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return _HOST.match(ascii_host) is not None


_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}\Z")
_YOUTUBE_HOSTS = frozenset(
    {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"}
    | {"youtube-nocookie.com", "www.youtube-nocookie.com"}
)
_YOUTUBE_PATHS = ("embed", "shorts", "live", "v", "e")
_VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})
_SECONDS = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?\Z")


def video_embed_url(url: str) -> str | None:
    """The player address to embed for a video on YouTube (any of its addresses, youtu.be
    and youtube-nocookie.com too: ``https://www.youtube-nocookie.com/embed/<id>``, with
    ``?start=<seconds>`` when the link has a start time) or Vimeo
    (``https://player.vimeo.com/video/<id>``, ``?h=<hash>`` for an unlisted one); None for
    any other address, which is shown as a link."""
    try:
        checked = check_video_url(url)
    except InvalidInput:
        return None
    parts = urlsplit(checked)
    host = (parts.hostname or "").rstrip(".")
    segments = [segment for segment in parts.path.split("/") if segment]
    query = parse_qs(parts.query)
    if host == "youtu.be" or host in _YOUTUBE_HOSTS:
        return _youtube(host, segments, query)
    if host in _VIMEO_HOSTS:
        return _vimeo(host, segments)
    return None


def _youtube(host: str, segments: list[str], query: dict[str, list[str]]) -> str | None:
    video_id: str | None = None
    if host == "youtu.be":
        video_id = segments[0] if segments else None
    elif segments == ["watch"]:
        video_id = query.get("v", [None])[0]
    elif len(segments) >= 2 and segments[0] in _YOUTUBE_PATHS:
        video_id = segments[1]
    if video_id is None or not _YOUTUBE_ID.match(video_id):
        return None
    embed = f"https://www.youtube-nocookie.com/embed/{video_id}"
    start = _seconds((query.get("t") or query.get("start") or [""])[0])
    return f"{embed}?start={start}" if start else embed


def _seconds(value: str) -> int | None:
    match = _SECONDS.match(value) if value else None
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds or None


def _vimeo(host: str, segments: list[str]) -> str | None:
    if host == "player.vimeo.com":
        if len(segments) != 2 or segments[0] != "video" or not segments[1].isdecimal():
            return None
        return f"https://player.vimeo.com/video/{segments[1]}"
    numeric = [i for i, segment in enumerate(segments) if segment.isascii() and segment.isdigit()]
    if not numeric:
        return None
    at = numeric[-1]
    embed = f"https://player.vimeo.com/video/{segments[at]}"
    unlisted = segments[at + 1] if at + 1 < len(segments) else ""
    if re.fullmatch(r"[0-9a-f]{6,32}", unlisted):
        return f"{embed}?h={unlisted}"
    return embed
