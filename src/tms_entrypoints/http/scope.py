"""Each HTTP request's reads share one database connection and transaction: the token check
and the handler's work are one unit of work on the wire (see
``tms_adapters.persistence.sql.request_scope``). The shared connection goes back to the
pool as the response starts, before its body is sent (a streamed download holds none)."""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from tms_adapters.persistence.sql.request_scope import shared_reads


class SharedReadsPerRequest:
    """Wraps the app's ASGI handler; WebSockets (long-lived) are left alone."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        async with shared_reads() as reads:

            async def send_after_reads(message: Message) -> None:
                if message["type"] == "http.response.start":
                    await reads.close()
                await send(message)

            await self.app(scope, receive, send_after_reads)
