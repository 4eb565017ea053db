"""/me/calendar-token, /calendar/{token}.ics and /sessions/{id}/ics: sessions for calendar
apps. The feed's token is its only credential: it is never logged (the access log masks
the path) and is stored only as a digest."""

from __future__ import annotations

import hashlib
from typing import Annotated

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import PathParameter

from tms_adapters.calendar.ics import IcsWriter
from tms_domain.accounts import Actor
from tms_domain.calendar.use_cases.feeds import FEED_NOT_FOUND, CalendarService
from tms_domain.kernel import NotFound
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.params import Id
from tms_entrypoints.http.schemas import MessageOut

CALENDAR_MEDIA_TYPE = "text/calendar"  # Litestar adds "; charset=utf-8" to a text type
FEED_SUFFIX = ".ics"  # the feed URL's ending (IcsWriter.feed_url)
FEED_CACHE = "private, max-age=300"


class CalendarTokenOut(msgspec.Struct):
    url: str
    """The secret feed URL: whoever holds it reads the caller's sessions."""


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


@post(
    "/me/calendar-token",
    operation_id="createCalendarToken",
    tags=["calendar"],
    status_code=201,
    responses=ERROR_RESPONSES,
)
async def create_calendar_token(
    actor: NamedDependency[Actor],
    calendar: NamedDependency[CalendarService],
    ics: NamedDependency[IcsWriter],
) -> CalendarTokenOut:
    """A new secret feed URL of the caller's sessions for calendar apps; any earlier one
    stops working (404)."""
    token = await calendar.issue_token(actor)
    return CalendarTokenOut(ics.feed_url(token))


@delete(
    "/me/calendar-token",
    operation_id="revokeCalendarToken",
    tags=["calendar"],
    status_code=200,
    responses=ERROR_RESPONSES,
)
async def revoke_calendar_token(
    actor: NamedDependency[Actor], calendar: NamedDependency[CalendarService]
) -> MessageOut:
    """The caller's feed URL stops working (404). Answers 200 whether or not there was
    one."""
    if await calendar.revoke_token(actor):
        return MessageOut("Calendar feed revoked")
    return MessageOut("There was no calendar feed to revoke")


@get(
    "/calendar/{feed_token:str}",
    operation_id="getCalendarFeed",
    tags=["calendar"],
    media_type=CALENDAR_MEDIA_TYPE,
    responses=ERROR_RESPONSES,
)
async def calendar_feed(
    feed_token: Annotated[
        str,
        PathParameter(
            max_length=200, description="the secret token, then `.ics` (as in the feed URL)"
        ),
    ],
    request: Request[None, None, State],
    calendar: NamedDependency[CalendarService],
    ics: NamedDependency[IcsWriter],
) -> Response[bytes]:
    """The token holder's sessions as iCalendar (trainee: enrolled; trainer and admin:
    delivered), cancelled ones `STATUS:CANCELLED`. No sign-in: the URL is the credential.
    A revoked or unknown token: 404. `If-None-Match` with the current ETag: 304."""
    if not feed_token.endswith(FEED_SUFFIX):
        raise NotFound(FEED_NOT_FOUND)
    feed = await calendar.feed(feed_token.removesuffix(FEED_SUFFIX))
    body = ics.feed(feed)
    etag = _etag(body)
    headers = {"ETag": etag, "Cache-Control": FEED_CACHE}
    if feed.entries:
        last = max(entry.updated_at for entry in feed.entries)
        headers["Last-Modified"] = last.strftime("%a, %d %b %Y %H:%M:%S GMT")
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(b"", status_code=304, headers=headers, media_type=CALENDAR_MEDIA_TYPE)
    return Response(body, headers=headers, media_type=CALENDAR_MEDIA_TYPE)


@get(
    "/sessions/{session_id:int}/ics",
    operation_id="getSessionIcs",
    tags=["sessions"],
    media_type=CALENDAR_MEDIA_TYPE,
    responses=ERROR_RESPONSES,
)
async def session_ics(
    session_id: Id,
    actor: NamedDependency[Actor],
    calendar: NamedDependency[CalendarService],
    ics: NamedDependency[IcsWriter],
) -> Response[bytes]:
    """One session as iCalendar, to add to a calendar app: for whoever may read the
    session (anyone else: 404)."""
    entry = await calendar.session_entry(actor, session_id)
    return Response(
        ics.session(entry),
        media_type=CALENDAR_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="session-{entry.session_id}.ics"',
            "Cache-Control": "private, no-cache",
        },
    )
