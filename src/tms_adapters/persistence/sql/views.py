"""The read-side view ports in SQL: rows straight to the structs of persistence/views.py.

The session listing also keeps the pages it encoded, by the data's version: the event
sequence (``event_sequence.last_id``), which every committed change moves forward in its
own transaction, since every change records the events clients are told of. A request
reads the version (one primary-key read on the request's shared connection), then either
sends the page encoded for that version, or reads and encodes it (data read after the
version is at least as new as it, never older). So a change is seen by the very next
listing, on every instance, and an unchanged page costs no row reading nor encoding.

Timestamps are read as stored (SQLite's text, MariaDB's naive datetime) and turned into the
contract's text once per distinct value (``timestamp_text``), skipping the UTC datetime the
tables' type would build for each, only to be formatted again."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

import msgspec
from sqlalchemy import ColumnElement, String, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.common import chunks
from tms_adapters.persistence.sql.training import waitlists_of
from tms_adapters.persistence.views import SessionView, UserView, timestamp_text
from tms_domain.accounts import display_name
from tms_domain.kernel import Role
from tms_domain.training import Booking, SessionQuery


def raw(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A timestamp column as the driver returns it, without the tables' conversion."""
    return type_coerce(column, String)


_u = t.users.c
_USER_VIEW_COLUMNS: tuple[ColumnElement[Any], ...] = (
    _u.id,
    _u.username,
    _u.email,
    _u.role,
    _u.first_name,
    _u.last_name,
    _u.is_temporary_password,
    raw(_u.created_at),
    raw(_u.updated_at),
)


class SqlaUserViews:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def page(self, *, skip: int, limit: int, role: Role | None = None) -> Sequence[object]:
        query = select(*_USER_VIEW_COLUMNS).order_by(_u.id).offset(skip).limit(limit)
        if role is not None:
            query = query.where(_u.role == role.value)
        rows = (await self._conn.execute(query)).all()
        view, text = UserView, timestamp_text
        return [
            view(
                user_id,
                username,
                email,
                role_name,
                first,
                last,
                display_name(first, last),
                bool(temporary),
                text(created),
                text(updated),
            )
            for (
                user_id,
                username,
                email,
                role_name,
                first,
                last,
                temporary,
                created,
                updated,
            ) in rows
        ]


def _user_view(row: Sequence[Any]) -> UserView:
    user_id, username, email, role_name, first, last, temporary, created, updated = row
    return UserView(
        user_id,
        username,
        email,
        role_name,
        first,
        last,
        display_name(first, last),
        bool(temporary),
        timestamp_text(created),
        timestamp_text(updated),
    )


_s = t.training_sessions.c
_SESSION_VIEW_COLUMNS: tuple[ColumnElement[Any], ...] = (
    _s.id,
    _s.title,
    _s.description,
    _s.trainer_id,
    raw(_s.scheduled_date),
    _s.duration_minutes,
    _s.status,
    _s.class_link,
    _s.session_link,
    raw(_s.created_at),
    raw(_s.updated_at),
    _s.capacity,
    _s.self_booking,
    raw(_s.booking_closes_at),
    _s.room_id,
)


PAGES_KEPT = 256
PAGE_BYTES_KEPT = 64 * 1024 * 1024
"""Encoded session pages kept per database (engine), at most, in all."""


PageKey = tuple[int, SessionQuery]
"""Whose page (the caller's id: the booking and waitlist place shown are theirs), of what."""


class EncodedPages:
    """The pages encoded at the data's latest version seen, least recently used first out."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._pages: OrderedDict[PageKey, msgspec.Raw] = OrderedDict()
        self._bytes = 0

    def get(self, version: int, query: PageKey) -> msgspec.Raw | None:
        with self._lock:
            if version != self._version:
                return None
            page = self._pages.get(query)
            if page is not None:
                self._pages.move_to_end(query)
            return page

    def put(self, version: int, query: PageKey, page: msgspec.Raw) -> None:
        size = len(memoryview(page))
        if size > PAGE_BYTES_KEPT // 4:
            return
        with self._lock:
            if self._version is not None and version < self._version:
                return  # read before a newer change that another request has seen
            if version != self._version:
                self._version, self._bytes = version, 0
                self._pages.clear()
            previous = self._pages.pop(query, None)
            if previous is not None:
                self._bytes -= len(memoryview(previous))
            self._pages[query] = page
            self._bytes += size
            while len(self._pages) > PAGES_KEPT or self._bytes > PAGE_BYTES_KEPT:
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= len(memoryview(dropped))


_encoded_pages: WeakKeyDictionary[object, EncodedPages] = WeakKeyDictionary()
_SEQUENCE = t.event_sequence.c


def encoded_pages(conn: AsyncConnection) -> EncodedPages:
    """The pages kept for the database ``conn`` is connected to (one per engine)."""
    engine = conn.sync_engine.engine
    pages = _encoded_pages.get(engine)
    if pages is None:
        pages = _encoded_pages[engine] = EncodedPages()
    return pages


class SqlaSessionViews:
    """A page not kept costs three statements whatever its size: its sessions, their
    enrolments, and the users enrolled (chosen by the database from the page's sessions,
    each read once); a fourth, their waitlists, when a session of the page has a capacity
    (without one, nobody waits: as ``with_trainees`` in training.py).

    Pages are kept per caller (``PageKey``): the booking and waitlist place a session shows
    are the caller's. A trainee's and a trainer's pages are theirs alone anyway (the query
    names them); only admins, who list the same sessions, each keep their own copy."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def page(self, query: SessionQuery, viewer_id: int) -> object:
        """The page, encoded (msgspec.Raw: sent as it is)."""
        version = (
            await self._conn.execute(select(_SEQUENCE.last_id).where(_SEQUENCE.id == 1))
        ).scalar()
        pages = encoded_pages(self._conn)
        key = (viewer_id, query)
        if version is not None and (kept := pages.get(version, key)) is not None:
            return kept
        page = msgspec.Raw(msgspec.json.encode(await self.views(query, viewer_id)))
        if version is not None:
            pages.put(version, key, page)
        return page

    async def views(self, query: SessionQuery, viewer_id: int) -> Sequence[object]:
        """The page's views, read now."""
        # The filters and order of SqlaSessionListing.page (training_queries.py); the
        # contract tests hold the two to the same sessions.
        statement = select(*_SESSION_VIEW_COLUMNS)
        if query.status is not None:
            statement = statement.where(_s.status == query.status.value)
        if query.trainer_id is not None:
            statement = statement.where(_s.trainer_id == query.trainer_id)
        if query.trainee_id is not None:
            e = t.enrolments.c
            statement = statement.where(
                _s.id.in_(select(e.session_id).where(e.trainee_id == query.trainee_id))
            )
        if query.starts_from is not None:
            statement = statement.where(_s.scheduled_date >= query.starts_from)
        if query.starts_before is not None:
            statement = statement.where(_s.scheduled_date < query.starts_before)
        order = (
            (_s.scheduled_date.desc(), _s.id.desc())
            if query.newest_first
            else (_s.scheduled_date, _s.id)
        )
        statement = statement.order_by(*order).offset(query.skip).limit(query.limit)
        rows = (await self._conn.execute(statement)).all()
        if not rows:
            return []
        enrolled, trainees = await self._trainees([row[0] for row in rows])
        limited = [row[0] for row in rows if row[11] is not None]
        waitlists = await waitlists_of(self._conn, limited) if limited else {}
        text, view = timestamp_text, SessionView
        views = []
        for (
            session_id,
            title,
            description,
            trainer_id,
            scheduled,
            duration,
            status,
            class_link,
            session_link,
            created,
            updated,
            capacity,
            self_booking,
            closes,
            room_id,
        ) in rows:
            enrolled_ids = enrolled.get(session_id, ())
            waitlist = waitlists.get(session_id, [])
            if viewer_id in enrolled_ids:
                booking, position = Booking.ENROLLED.value, None
            elif viewer_id in waitlist:
                booking, position = Booking.WAITLISTED.value, waitlist.index(viewer_id) + 1
            else:
                booking, position = None, None
            views.append(
                view(
                    session_id,
                    title,
                    description,
                    trainer_id,
                    trainees.get(session_id, []),
                    text(scheduled),
                    duration,
                    status,
                    class_link,
                    session_link,
                    text(created),
                    text(updated),
                    capacity,
                    bool(self_booking),
                    text(closes) if closes is not None else None,
                    room_id,
                    None if capacity is None else max(0, capacity - len(enrolled_ids)),
                    len(waitlist),
                    booking,
                    position,
                )
            )
        return views

    async def _trainees(
        self, session_ids: Sequence[int]
    ) -> tuple[dict[int, list[int]], dict[int, list[UserView]]]:
        """Each session's enrolled ids, and its trainees' views, in enrolment order; each
        user's view made once."""
        e = t.enrolments.c
        pairs: list[tuple[int, int]] = []
        users: dict[int, UserView] = {}
        for chunk in chunks(sorted(session_ids)):
            enrolled = await self._conn.execute(
                select(e.session_id, e.trainee_id)
                .where(e.session_id.in_(chunk))
                .order_by(e.session_id, e.id)
            )
            pairs.extend(enrolled.all())
            rows = await self._conn.execute(
                select(*_USER_VIEW_COLUMNS).where(
                    _u.id.in_(select(e.trainee_id).where(e.session_id.in_(chunk)))
                )
            )
            for row in rows.all():
                users[row[0]] = _user_view(row)
        ids: dict[int, list[int]] = {}
        by_session: dict[int, list[UserView]] = {}
        for session_id, trainee_id in pairs:
            ids.setdefault(session_id, []).append(trainee_id)
            user = users.get(trainee_id)
            if user is not None:
                by_session.setdefault(session_id, []).append(user)
        return ids, by_session
