"""WS /ws: live events for the signed-in caller.

Authentication: `?token=`, the `Sec-WebSocket-Protocol` header (`bearer, <token>` or the
token alone), or a first message `{"type": "auth", "token": ...}`. Then the server sends
`ready`, replays missed events when asked (`?since=` or `{"type": "resume", "since": n}`),
and streams live ones. A bad token, or a sign-in that ends, closes with 4401; a client too
far behind is closed with 4002 and should resume. A socket over the caps of its user or its
client address is closed with 1013 (try again later); one that sends too many messages a
second, with 4429.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Any

import msgspec
from litestar import WebSocket, websocket
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect

from tms_adapters.realtime.hub import CLOSE_SIGN_IN_ENDED, Close, EventHub, Listener
from tms_domain.accounts import Actor
from tms_domain.accounts.use_cases.auth import AuthService
from tms_domain.kernel import AuthenticationFailed, DomainError, Permission, StoredEvent, authorize

log = logging.getLogger(__name__)

AUTH_TIMEOUT_SECONDS = 10
MAX_MESSAGE_BYTES = 4096
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL_ERROR = 1011
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_TOO_MANY_MESSAGES = 4429
REPLAY_FRAMES_AT_ONCE = 50
"""A long replay lets the other work of the process run between this many frames."""


class ClientMessage(msgspec.Struct, forbid_unknown_fields=False):
    type: str
    token: str | None = None
    since: int | None = None


def frame(
    kind: str, data: dict[str, Any], event_id: int | None = None, at: datetime | None = None
) -> str:
    message: dict[str, Any] = {"type": kind, "data": data}
    if event_id is not None:
        message["id"] = event_id
    if at is not None:
        message["ts"] = at.isoformat()
    return msgspec.json.encode(message).decode()


_last_encoded: tuple[StoredEvent | None, str] = (None, "")


def event_frame(event: StoredEvent) -> str:
    """The event as sent; encoded once for all the connections it goes to in turn."""
    global _last_encoded
    encoded, text = _last_encoded
    if encoded is not event:
        text = frame(event.type, event.data, event.id, event.at)
        _last_encoded = (event, text)
    return text


def _offered_token(socket: WebSocket[Any, Any, Any]) -> tuple[str | None, str | None]:
    """(token, subprotocol to accept with) from the query or the subprotocol header."""
    token = socket.query_params.get("token")
    offered = [p.strip() for p in socket.scope.get("subprotocols", []) if p.strip()]
    if "bearer" in offered:
        others = [p for p in offered if p != "bearer"]
        return (token or (others[0] if others else None)), "bearer"
    if not token and len(offered) == 1:
        return offered[0], offered[0]
    return token, None


def _since(text: str | None) -> int | None:
    if text is None or text == "":
        return None
    try:
        value = int(text)
    except ValueError:
        return -1
    return value


class Connection:
    """One socket and its listener. Sending runs in a task that exists only while events
    wait to be sent: an idle connection holds no task besides the one reading from it."""

    __slots__ = ("hub", "listener", "send_lock", "sent_id", "socket", "started", "writer")

    def __init__(self, socket: WebSocket[Any, Any, Any], hub: EventHub, listener: Listener):
        self.socket = socket
        self.hub = hub
        self.listener = listener
        self.sent_id = 0
        self.send_lock = asyncio.Lock()
        self.started = False
        """Live events wait until ``ready`` (and the replay asked for) has gone out."""
        self.writer: asyncio.Task[None] | None = None
        listener.wake = self.wake

    def wake(self) -> None:
        if self.started and self.writer is None and self.listener.pending:
            self.writer = asyncio.get_running_loop().create_task(self.write())

    async def start(self, since: int | None) -> None:
        self.sent_id = self.hub.last_id
        await self.send(frame("ready", {"user_id": self.listener.user_id, "last_id": self.sent_id}))
        if since is not None:
            await self.replay(since)
        self.started = True
        self.wake()

    async def stop(self) -> None:
        if self.writer is not None:
            self.writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, Exception):
                await self.writer

    async def send(self, text: str) -> None:
        async with self.send_lock:
            await self.socket.send_text(text)

    async def error(self, message: str) -> None:
        await self.send(frame("error", {"message": message}))

    async def close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self.socket.close(code=code, reason=reason[:120])

    async def replay(self, since: int) -> None:
        """Send, in order, every event for the caller after ``since`` that the hub has
        seen, or ``resync`` when they cannot all be sent (too many, or too old); live
        events waiting up to there are then skipped. The send lock keeps live events from
        slipping in between."""
        if since < 0:
            await self.error("since must be a whole number of 0 or more")
            return
        async with self.send_lock:
            until = self.hub.last_id
            replay = await self.hub.replay(self.listener, since, until)
            if not replay.complete:
                await self.socket.send_text(
                    frame(
                        "resync",
                        {
                            "message": "Too many events since then, or some no longer "
                            "kept: reload what you show",
                            "last_id": until,
                        },
                    )
                )
            for count, event in enumerate(replay.events, start=1):
                await self.socket.send_text(event_frame(event))
                if count % REPLAY_FRAMES_AT_ONCE == 0:
                    await asyncio.sleep(0)
            self.sent_id = max(self.sent_id, until)

    async def write(self) -> None:
        pending = self.listener.pending
        try:
            while pending:
                item = pending.pop(0)
                if isinstance(item, Close):
                    await self.close(item.code, item.reason)
                    return
                async with self.send_lock:
                    if item.id is not None and item.id <= self.sent_id:
                        continue
                    await self.socket.send_text(event_frame(item))
                    self.sent_id = item.id or self.sent_id
        except (WebSocketDisconnect, ConnectionError):
            return  # the reading side ends too
        except Exception:
            log.exception("could not send live events")
            await self.close(CLOSE_INTERNAL_ERROR, "Server error: reconnect with since")
        finally:
            self.writer = None

    async def read(self) -> None:
        """Answer the client's messages until it leaves or sends faster than allowed (a
        token bucket: ``rate`` a second, as many at once)."""
        rate = self.hub.messages_per_second
        clock = asyncio.get_running_loop().time
        allowance, last = float(rate), clock()
        while True:
            text = await self.socket.receive_text()
            if rate:
                now = clock()
                allowance = min(float(rate), allowance + (now - last) * rate)
                last = now
                if allowance < 1:
                    await self.close(
                        CLOSE_TOO_MANY_MESSAGES,
                        f"More than {rate} messages a second: reconnect with since",
                    )
                    return
                allowance -= 1
            if len(text.encode()) > MAX_MESSAGE_BYTES:
                await self.error(f"Messages are limited to {MAX_MESSAGE_BYTES} bytes")
                continue
            try:
                message = msgspec.json.decode(text, type=ClientMessage)
            except msgspec.DecodeError:
                await self.error('Send JSON like {"type": "ping"}')
                continue
            if message.type == "ping":
                await self.send(frame("pong", {}))
            elif message.type == "resume":
                await self.replay(message.since if message.since is not None else -1)
            elif message.type != "auth":
                # Client messages never reach anyone else.
                await self.error('Unknown message type: send "ping" or "resume"')


async def _authenticate(
    socket: WebSocket[Any, Any, Any], auth: AuthService, token: str | None
) -> Actor | None:
    if token is None:
        try:
            async with asyncio.timeout(AUTH_TIMEOUT_SECONDS):
                text = await socket.receive_text()
            message = msgspec.json.decode(text[:MAX_MESSAGE_BYTES], type=ClientMessage)
            token = message.token if message.type == "auth" else None
        except (TimeoutError, msgspec.DecodeError):
            token = None
    if not token:
        await socket.close(code=CLOSE_SIGN_IN_ENDED, reason="Authentication required")
        return None
    client = socket.client.host if socket.client else None
    try:
        actor = await auth.authenticate(token, client)
        authorize(actor, Permission.HOLD_LIVE_CONNECTION)
    except AuthenticationFailed as error:
        await socket.close(code=CLOSE_SIGN_IN_ENDED, reason=error.message[:120])
        return None
    except DomainError as error:
        await socket.close(code=CLOSE_POLICY, reason=error.message[:120])
        return None
    return actor


@websocket("/ws")
async def events_socket(
    socket: WebSocket[Any, Any, Any],
    auth: NamedDependency[AuthService],
    hub: NamedDependency[EventHub],
) -> None:
    token, subprotocol = _offered_token(socket)
    await socket.accept(subprotocols=subprotocol)
    address = socket.client.host if socket.client else ""
    if not hub.sockets_per_address.take(address):
        await _close(socket, CLOSE_TRY_AGAIN_LATER, "Too many connections from your address")
        return
    try:
        listener = await _sign_in(socket, auth, hub, token)
        if listener is None:
            return
        if not hub.sockets_per_user.take(listener.user_id):
            await _close(socket, CLOSE_TRY_AGAIN_LATER, "Too many connections for this user")
            return
        try:
            await _serve(socket, hub, listener)
        finally:
            hub.sockets_per_user.give_back(listener.user_id)
    finally:
        hub.sockets_per_address.give_back(address)


async def _serve(socket: WebSocket[Any, Any, Any], hub: EventHub, listener: Listener) -> None:
    connection = Connection(socket, hub, listener)
    hub.add(listener)
    try:
        await connection.start(_since(socket.query_params.get("since")))
        # Closing the socket, as the writer does when told to, ends the reading too.
        await connection.read()
    except (WebSocketDisconnect, ConnectionError):
        pass
    finally:
        hub.remove(listener)
        await connection.stop()


async def _close(socket: WebSocket[Any, Any, Any], code: int, reason: str) -> None:
    with contextlib.suppress(Exception):
        await socket.close(code=code, reason=f"{reason}: close one or try again later")


async def _sign_in(
    socket: WebSocket[Any, Any, Any], auth: AuthService, hub: EventHub, token: str | None
) -> Listener | None:
    """Authenticate the socket: its listener, or None once it is closed. (The signed-in
    user and the token are not kept for the life of the connection.)"""
    actor = await _authenticate(socket, auth, token)
    if actor is None:
        return None
    return hub.listener(
        actor.id,
        sees_everything=actor.user.is_admin and not actor.user.is_temporary_password,
        sign_in_id=actor.sign_in_id,
        expires_at=actor.expires_at,
    )
