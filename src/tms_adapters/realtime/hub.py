"""The live-event hub of one app process.

The event store (outbox) is the source of truth: every committed event is there, numbered
in commit order without gaps. The hub delivers them, in order and exactly once, to the
connections of this process whose audience they are for. Events arrive as soon as they are
published (possibly from another process, through the channels backend); an event that
arrives ahead of one not yet seen makes the hub read the gap from the store, and a poll of
the store catches whatever a crash between commit and publish kept from being published.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

from tms_adapters.realtime.wire import is_internal, sign_ins_ended
from tms_domain.accounts import SignInsEnded
from tms_domain.kernel import Clock, StoredEvent
from tms_domain.training.use_cases.progress import ACTIVE_WINDOW
from tms_domain.unit_of_work import UnitOfWorkFactory

log = logging.getLogger(__name__)

READ_BATCH = 500
REPLAY_BURST = 5
"""Replays one user may have at once before the pace applies (tabs reconnecting together)."""

CLOSE_GOING_AWAY = 1001
GOING_AWAY_SECONDS = 2.0
"""How long connections get to close with 1001 before the server stops."""
CLOSE_SIGN_IN_ENDED = 4401
CLOSE_TOO_SLOW = 4002
"""The client fell too far behind: reconnect with ``since`` = the last id received."""


@dataclass(frozen=True)
class Close:
    code: int
    reason: str


@dataclass(eq=False, slots=True)
class Listener:
    """One open connection as the hub sees it: what is waiting to be sent to it, at most
    ``limit`` events. Kept small (slots, a list) because a process holds thousands."""

    user_id: int
    sees_everything: bool
    """Admins hear every event (not while their password is temporary)."""
    sign_in_id: str | None
    expires_at: datetime | None = None
    """When the sign-in ends: the hub closes the connection then."""
    limit: int = 1000
    pending: list[StoredEvent | Close] = field(default_factory=list)
    """Short in practice (the writer empties it as fast as the client reads)."""
    closing: bool = False
    wake: Callable[[], None] | None = None
    """Called when something is added to ``pending``: the connection starts sending."""

    def wants(self, event: StoredEvent) -> bool:
        return not is_internal(event) and event.audience.includes(
            self.user_id, is_admin=self.sees_everything
        )

    def close(self, code: int, reason: str) -> None:
        """Send what is waiting, then close; when too much is waiting, close at once (the
        client resumes from its last id)."""
        if self.closing:
            return
        self.closing = True
        if len(self.pending) >= self.limit:
            self.pending.clear()
        self._put(Close(code, reason))

    def offer(self, event: StoredEvent) -> None:
        if self.closing:
            return
        if len(self.pending) >= self.limit:
            self.close(
                CLOSE_TOO_SLOW, "Too far behind: reconnect with since=<the last id you received>"
            )
            return
        self._put(event)

    def _put(self, item: StoredEvent | Close) -> None:
        self.pending.append(item)
        if self.wake is not None:
            self.wake()


@dataclass(frozen=True, slots=True)
class Replay:
    events: list[StoredEvent]
    complete: bool
    """False when the events asked for cannot all be given (then ``events`` is empty): the
    client reloads instead."""


@dataclass(slots=True)
class Quota:
    """At most ``limit`` held at once by one key (0: no limit), in this process."""

    limit: int
    held: dict[Hashable, int] = field(default_factory=dict)

    def take(self, key: Hashable) -> bool:
        count = self.held.get(key, 0)
        if self.limit and count >= self.limit:
            return False
        self.held[key] = count + 1
        return True

    def give_back(self, key: Hashable) -> None:
        count = self.held.get(key, 0) - 1
        if count > 0:
            self.held[key] = count
        else:
            self.held.pop(key, None)


class Pace:
    """Lets each key through ``per_minute`` times a minute on average and ``burst`` times at
    once; a caller over that waits its turn (it is not refused). 0: no limit. Turns are
    reserved in call order (the generic cell rate algorithm: one theoretical arrival time
    per key), in this process."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self._interval = 60.0 / per_minute if per_minute else 0.0
        self._tolerance = self._interval * (burst - 1)
        self._due: dict[Hashable, float] = {}
        self._kept = 0

    async def turn(self, key: Hashable) -> None:
        if not self._interval:
            return
        now = asyncio.get_running_loop().time()
        due = max(self._due.get(key, now), now)
        self._due[key] = due + self._interval
        if len(self._due) > 2 * self._kept + 100:
            self._due = {k: v for k, v in self._due.items() if v > now}
            self._kept = len(self._due)
        wait = due - self._tolerance - now
        if wait > 0:
            await asyncio.sleep(wait)


class EventHub:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        *,
        poll_interval: float = 1.0,
        retention: timedelta = timedelta(hours=24),
        queue_size: int = 1000,
        replay_limit: int = 1000,
        replays_per_minute: int = 0,
        sockets_per_user: int = 0,
        sockets_per_address: int = 0,
        messages_per_second: int = 0,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._poll_interval = poll_interval
        self._retention = retention
        self._queue_size = queue_size
        self._replay_limit = replay_limit
        self._replay_pace = Pace(replays_per_minute, REPLAY_BURST)
        """Per user: a client that reconnects in a loop cannot take the whole process."""
        self.sockets_per_user = Quota(sockets_per_user)
        self.sockets_per_address = Quota(sockets_per_address)
        self.messages_per_second = messages_per_second
        """What one connection may send (0: no limit)."""
        self._listeners: set[Listener] = set()
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._chained_signals: dict[int, Any] = {}
        self._all_gone = asyncio.Event()
        self._leaving = False
        self.last_id = 0

    def listener(
        self,
        user_id: int,
        *,
        sees_everything: bool,
        sign_in_id: str | None,
        expires_at: datetime | None = None,
    ) -> Listener:
        return Listener(
            user_id=user_id,
            sees_everything=sees_everything,
            sign_in_id=sign_in_id,
            expires_at=expires_at,
            limit=self._queue_size,
        )

    async def start(self) -> None:
        async with self._uow(read_only=True) as uow:
            self.last_id = await uow.events.last_id()
        self._tasks = [
            asyncio.create_task(self._poll(), name="event-hub-poll"),
            asyncio.create_task(self._prune(), name="event-hub-prune"),
        ]
        self._go_away_on_termination()

    async def stop(self) -> None:
        """Tell every connection to go away (clients resume elsewhere) and stop polling."""
        for number, handler in self._chained_signals.items():
            signal.signal(number, handler)
        self._chained_signals = {}
        self._go_away()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    def _go_away(self) -> None:
        for listener in list(self._listeners):
            listener.close(CLOSE_GOING_AWAY, "Server shutting down: reconnect with since")

    def _go_away_on_termination(self) -> None:
        """The server (uvicorn) closes open WebSockets itself, with 1012, before the app's
        shutdown runs. On a termination signal the hub closes them first, telling clients
        1001 (going away), and then hands the signal to the server's own handler."""
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(number)
            if not callable(previous):
                continue

            def handler(signum: int, frame: FrameType | None, previous: Any = previous) -> None:
                try:
                    loop.call_soon_threadsafe(self._leave, previous, signum, frame)
                except RuntimeError:  # the loop has closed already
                    previous(signum, frame)

            signal.signal(number, handler)
            self._chained_signals[number] = previous

    def _leave(self, previous: Any, signum: int, frame: FrameType | None) -> None:
        async def leave() -> None:
            self._leaving = True
            self._all_gone.clear()
            self._go_away()
            if self._listeners:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(GOING_AWAY_SECONDS):
                        await self._all_gone.wait()
            previous(signum, frame)

        self._tasks.append(asyncio.create_task(leave(), name="event-hub-leave"))

    def add(self, listener: Listener) -> None:
        self._listeners.add(listener)
        if self._leaving:
            listener.close(CLOSE_GOING_AWAY, "Server shutting down: reconnect with since")

    def remove(self, listener: Listener) -> None:
        self._listeners.discard(listener)
        if not self._listeners:
            self._all_gone.set()

    async def ingest(self, events: Iterable[StoredEvent]) -> None:
        """Deliver published events; a gap before them is read from the store first."""
        async with self._lock:
            for event in sorted(events, key=lambda e: e.id or 0):
                if event.id is None or event.id <= self.last_id:
                    continue
                if event.id > self.last_id + 1:
                    await self._catch_up_locked()
                    continue
                self._deliver(event)

    async def catch_up(self) -> None:
        async with self._lock:
            await self._catch_up_locked()

    async def _catch_up_locked(self) -> None:
        while True:
            async with self._uow(read_only=True) as uow:
                events = await uow.events.since(self.last_id, limit=READ_BATCH)
            for event in events:
                self._deliver(event)
            if len(events) < READ_BATCH:
                return

    def _deliver(self, event: StoredEvent) -> None:
        self.last_id = max(self.last_id, event.id or 0)
        ended = sign_ins_ended(event)
        if ended is not None:
            self._end_sign_ins(ended)
            return
        for listener in self._listeners:
            if listener.wants(event):
                listener.offer(event)

    def _end_sign_ins(self, event: SignInsEnded) -> None:
        user_id, only, keep = event.user_id, event.sign_in_id, event.except_sign_in_id
        for listener in self._listeners:
            if listener.user_id != user_id:
                continue
            if only is not None and listener.sign_in_id != only:
                continue
            if keep is not None and listener.sign_in_id == keep:
                continue
            listener.close(CLOSE_SIGN_IN_ENDED, "Your sign-in has ended: sign in again")

    async def replay(self, listener: Listener, since: int, until: int) -> Replay:
        """The listener's events with ids in (since, until], in order, when they can all
        be given: at most the replay limit of them, all kept and within the retention. A
        ``since`` above ``until`` is an id this store never gave (the database was
        replaced). The listener's own events are read through the audience index; those
        of someone who hears everything, by id. A user's replays are paced."""
        if since >= until:
            return Replay([], complete=since == until)
        await self._replay_pace.turn(listener.user_id)
        async with self._uow(read_only=True) as uow:
            events = await uow.events.replay(
                None if listener.sees_everything else listener.user_id,
                since,
                until,
                limit=self._replay_limit,
                not_before=self._clock.now() - self._retention,
            )
        if events is None:
            return Replay([], complete=False)
        return Replay([event for event in events if listener.wants(event)], complete=True)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self._poll_interval)
            try:
                await self.catch_up()
            except Exception:
                log.warning("could not read new events from the store", exc_info=True)
            self._end_expired()

    def _end_expired(self) -> None:
        """Close the connections whose sign-in has expired (one sweep rather than a timer
        per connection: at most a poll interval late)."""
        now = self._clock.now()
        for listener in list(self._listeners):
            if listener.expires_at is not None and listener.expires_at <= now:
                listener.close(CLOSE_SIGN_IN_ENDED, "Your sign-in has expired: sign in again")

    async def prune(self) -> None:
        """Forget the events older than the retention, and the sign-ins that ended longer
        ago than activity counts (until then they tell when their user was last active)."""
        before = self._clock.now() - self._retention
        async with self._uow() as uow:
            pruned = await uow.events.prune(before)
            await uow.sign_ins.prune(self._clock.now() - ACTIVE_WINDOW)
            await uow.commit()
        if pruned:
            log.info("pruned %d events older than %s", pruned, before.isoformat())

    async def _prune(self) -> None:
        while True:
            try:
                await self.prune()
            except Exception:
                log.warning("could not prune old events", exc_info=True)
            await asyncio.sleep(max(60.0, self._retention.total_seconds() / 24))
