"""Sessions as iCalendar (RFC 5545): one VEVENT per session, with a UID that never
changes, the session's SEQUENCE, its times in UTC, and the join link as URL and LOCATION.

The calendar's frame (VCALENDAR and its properties) is built by the icalendar library. The
events themselves are written line by line here: the library's per-property objects and
its folding cost about a millisecond an event, and a feed of 2,000 sessions has to render
in well under 200 ms. Every property written here is a fixed name with a UTC date-time, an
integer, a URI or a TEXT escaped as RFC 5545 3.3.11 says, folded at 75 octets without
splitting a character; the tests parse the result back with the library and compare."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from icalendar import Calendar
from icalendar.prop import vText

from tms_domain.calendar import CalendarEntry, CalendarFeed
from tms_domain.training import SessionStatus

PRODID = "-//TMS//Training Management System//EN"
CRLF = b"\r\n"


def _fold(line: str) -> str:
    """A content line folded to lines of at most 75 octets (RFC 5545 3.1), never inside a
    UTF-8 sequence."""
    if len(line) <= 75 and (len(line) <= 18 or line.isascii()):
        return line  # at most 75 octets: a character takes at most 4
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts = []
    start, width = 0, 75
    while len(data) - start > width:
        cut = start + width
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: cut before its character
            cut -= 1
        parts.append(data[start:cut])
        start, width = cut, 74  # a continuation line starts with a space
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode("utf-8")


_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
"""What no TEXT or URI value may hold (RFC 5545 3.3.11: control characters but HTAB; line
breaks are escaped before this applies)."""


_SPECIAL = re.compile("[\\\\;,\n\r\x00-\x08\x0b-\x1f\x7f]")


def escape_text(text: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, every line break as \\n."""
    if not _SPECIAL.search(text):
        return text
    return (
        _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


def _utc(moment: datetime) -> str:
    m = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    return f"{m.year:04d}{m.month:02d}{m.day:02d}T{m.hour:02d}{m.minute:02d}{m.second:02d}Z"


def _uri(link: str) -> str:
    # A URI value is not escaped (RFC 5545 3.3.13); control characters never belong in one.
    return _CONTROLS.sub("", link).replace("\n", "")


def _param(value: str) -> str:
    """A parameter value (RFC 5545 3.2): quoted, without the characters it cannot hold."""
    return '"' + _CONTROLS.sub("", value).replace('"', "").replace("\n", " ") + '"'


class IcsWriter:
    """Renders entries for one deployment: its public URL makes the UIDs and join links."""

    def __init__(self, public_url: str) -> None:
        self._base = public_url.rstrip("/")
        self._host = urlsplit(self._base).hostname or "localhost"

    def feed_url(self, token: str) -> str:
        """The secret URL of the feed the token opens."""
        return f"{self._base}/calendar/{token}.ics"

    def uid(self, session_id: int) -> str:
        return f"session-{session_id}@{self._host}"

    def join_url(self, entry: CalendarEntry) -> str:
        """Where to go at the time: the session's class link if it has one, otherwise the
        app's join page (which sends an enrolled trainee on to the class)."""
        return entry.class_link or f"{self._base}/app/join/{entry.session_link}"

    def event(self, entry: CalendarEntry, extra: tuple[str, ...] = ()) -> bytes:
        link = _uri(self.join_url(entry))
        about = [entry.description] if entry.description else []
        about.append(f"Trainer: {entry.trainer_name}")
        about.append(f"Join: {link}")
        # The entry's last change, not the time of the request: the feed's bytes (and so
        # its ETag) stay the same until something in it changes.
        stamp = _utc(entry.updated_at)
        cancelled = entry.status is SessionStatus.CANCELLED
        return (
            "\r\n".join(
                [
                    _fold(line)
                    for line in (
                        "BEGIN:VEVENT",
                        f"UID:{escape_text(self.uid(entry.session_id))}",
                        f"DTSTAMP:{stamp}",
                        f"LAST-MODIFIED:{stamp}",
                        f"DTSTART:{_utc(entry.starts_at)}",
                        f"DTEND:{_utc(entry.ends_at)}",
                        f"SEQUENCE:{int(entry.sequence)}",
                        f"SUMMARY:{escape_text(entry.title)}",
                        f"DESCRIPTION:{escape_text(chr(10) * 2).join(map(escape_text, about))}",
                        f"URL:{link}",
                        f"LOCATION:{escape_text(link)}",
                        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
                        f"TRANSP:{'TRANSPARENT' if cancelled else 'OPAQUE'}",
                        *extra,
                        "END:VEVENT",
                    )
                ]
            ).encode("utf-8")
            + CRLF
        )

    def _calendar(
        self, name: str, entries: Iterable[CalendarEntry], method: str = "PUBLISH"
    ) -> bytes:
        return self._framed(name, method, [self.event(entry) for entry in entries])

    def _framed(self, name: str, method: str, events: list[bytes]) -> bytes:
        frame = Calendar()
        frame.add("prodid", PRODID)
        frame.add("version", "2.0")
        frame.add("calscale", "GREGORIAN")
        frame.add("method", method)
        frame.add("x-wr-calname", vText(_CONTROLS.sub("", name)))
        head, end = frame.to_ical().split(b"END:VCALENDAR")
        return b"".join([head, *events, b"END:VCALENDAR", end])

    def invite(
        self,
        entry: CalendarEntry,
        method: str,
        *,
        organizer: tuple[str, str],
        attendee: tuple[str, str],
    ) -> bytes:
        """One session as an iTIP message for a mail attachment (RFC 5546): ``method``
        REQUEST (an invitation, or its update: same UID, higher SEQUENCE) or CANCEL (the
        entry's STATUS:CANCELLED), from ``organizer`` to ``attendee`` ((name, address))."""
        if method not in ("REQUEST", "CANCEL"):
            raise ValueError(f"Not an invitation method: {method}")
        extra = (
            f"ORGANIZER;CN={_param(organizer[0])}:mailto:{_uri(organizer[1])}",
            f"ATTENDEE;CN={_param(attendee[0])};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION"
            f";RSVP=FALSE:mailto:{_uri(attendee[1])}",
        )
        return self._framed(entry.title, method, [self.event(entry, extra)])

    def feed(self, feed: CalendarFeed) -> bytes:
        return self._calendar(f"Training sessions of {feed.owner.name}", feed.entries)

    def session(self, entry: CalendarEntry) -> bytes:
        return self._calendar(entry.title, [entry])
