"""WS /ws: live events for the signed-in caller.

Authentication: `?token=`, the `Sec-WebSocket-Protocol` header (`bearer, <token>` or the
token alone), or a first message `{"type": "auth", "token": ...}`. Then the server sends
`ready`, replays missed events when asked (`?since=` or `{"type": "resume", "since": n}`),
and streams live ones. A bad token, or a sign-in that ends, closes with 4401; a client too
far behind is closed with 4002 and should resume.
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
from tms_domain.errors import AuthenticationFailed, DomainError
from tms_domain.model import Actor, DomainEvent
from tms_domain.policy.access import Permission, authorize
from tms_domain.ports import Clock
from tms_domain.services.auth import AuthService

log = logging.getLogger(__name__)

AUTH_TIMEOUT_SECONDS = 10
MAX_MESSAGE_BYTES = 4096
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009


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


def event_frame(event: DomainEvent) -> str:
    return frame(event.type, event.data, event.id, event.at)


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
    def __init__(self, socket: WebSocket[Any, Any, Any], hub: EventHub) -> None:
        self.socket = socket
        self.hub = hub
        self.sent_id = 0
        self.send_lock = asyncio.Lock()

    async def send(self, text: str) -> None:
        async with self.send_lock:
            await self.socket.send_text(text)

    async def error(self, message: str) -> None:
        await self.send(frame("error", {"message": message}))

    async def close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self.socket.close(code=code, reason=reason[:120])

    async def replay(self, listener: Listener, since: int) -> None:
        """Send, in order, every event for the caller after ``since`` that the hub has
        seen; queued live events up to there are then skipped. The send lock keeps live
        events from slipping in between."""
        if since < 0:
            await self.error("since must be a whole number of 0 or more")
            return
        async with self.send_lock:
            until = self.hub.last_id
            for event in await self.hub.replay(listener, since, until):
                await self.socket.send_text(event_frame(event))
            self.sent_id = max(self.sent_id, until)

    async def write(self, listener: Listener) -> None:
        while True:
            item = await listener.queue.get()
            if isinstance(item, Close):
                await self.close(item.code, item.reason)
                return
            async with self.send_lock:
                if item.id is not None and item.id <= self.sent_id:
                    continue
                await self.socket.send_text(event_frame(item))
                self.sent_id = item.id or self.sent_id

    async def read(self, listener: Listener) -> None:
        while True:
            text = await self.socket.receive_text()
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
                await self.replay(listener, message.since if message.since is not None else -1)
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
    actor = await _authenticate(socket, auth, token)
    if actor is None:
        return
    user = actor.user
    listener = hub.listener(
        user.id,
        sees_everything=user.is_admin and not user.is_temporary_password,
        sign_in_id=actor.sign_in_id,
    )
    connection = Connection(socket, hub)
    hub.add(listener)
    tasks: list[asyncio.Task[None]] = []
    try:
        connection.sent_id = hub.last_id
        since = _since(socket.query_params.get("since"))
        await connection.send(frame("ready", {"user_id": user.id, "last_id": hub.last_id}))
        if since is not None:
            await connection.replay(listener, since)
        tasks = [
            asyncio.create_task(connection.write(listener)),
            asyncio.create_task(connection.read(listener)),
            asyncio.create_task(_expire(listener, actor, hub.clock)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    except (WebSocketDisconnect, ConnectionError):
        pass
    finally:
        hub.remove(listener)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, Exception):
                await task


async def _expire(listener: Listener, actor: Actor, clock: Clock) -> None:
    """Close the connection when the token's sign-in expires."""
    expires_at = actor.expires_at
    if expires_at is None:
        await asyncio.Event().wait()
        return
    await asyncio.sleep(max(0.0, (expires_at - clock.now()).total_seconds()))
    listener.close(CLOSE_SIGN_IN_ENDED, "Your sign-in has expired: sign in again")
    await asyncio.Event().wait()
