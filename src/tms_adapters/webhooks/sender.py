"""Signed webhook POSTs over httpx, to the address the guard checked (pinned: the URL's
host goes in the Host header and TLS's SNI and certificate check), no redirects, short
timeouts, and at most a few KiB of the answer read."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from tms_adapters.webhooks.guard import AddressGuard, Target, TargetRefused
from tms_adapters.webhooks.signing import headers
from tms_domain.integrations import SendResult

CONNECT_TIMEOUT_SECONDS = 5.0
TOTAL_TIMEOUT_SECONDS = 10.0
MAX_RESPONSE_BYTES = 16 * 1024
"""What is read of a receiver's answer (the log keeps 1 KiB of it)."""
PER_HOST = 4
"""Messages in flight at once to one receiver (host and port), whatever the number of
workers: a partner is not flooded, and one that hangs holds at most this many workers
(plus those waiting for it) while the others deliver elsewhere."""


def _pinned_url(target: Target) -> httpx.URL:
    host = str(target.address)
    if isinstance(target.address, ipaddress.IPv6Address):
        host = f"[{host}]"
    path = target.url.path or "/"
    query = f"?{target.url.query}" if target.url.query else ""
    return httpx.URL(f"{target.url.scheme}://{host}:{target.port}{path}{query}")


def _host_header(target: Target) -> str:
    default = 443 if target.url.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"


class HttpxWebhookSender:
    def __init__(
        self,
        guard: AddressGuard,
        *,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        total_timeout: float = TOTAL_TIMEOUT_SECONDS,
        per_host: int = PER_HOST,
    ) -> None:
        self._guard = guard
        self._total = total_timeout
        self._per_host = per_host
        self._hosts: dict[tuple[str, int | None], asyncio.Semaphore] = {}
        # No proxies from the environment (they would undo the pinning), no redirects.
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(total_timeout, connect=connect_timeout),
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )

    async def send(
        self, url: str, secret: str, message_id: str, timestamp: int, body: bytes
    ) -> SendResult:
        async with self._turn(url):
            return await self._send(url, secret, message_id, timestamp, body)

    def _turn(self, url: str) -> asyncio.Semaphore:
        """The receiver's share of the connections (one per host and port)."""
        parts = urlsplit(url)
        try:
            key = ((parts.hostname or "").lower(), parts.port)
        except ValueError:
            key = ("", None)
        turn = self._hosts.get(key)
        if turn is None:
            turn = self._hosts[key] = asyncio.Semaphore(self._per_host)
        return turn

    async def _send(
        self, url: str, secret: str, message_id: str, timestamp: int, body: bytes
    ) -> SendResult:
        began = time.perf_counter()

        def elapsed() -> float:
            return (time.perf_counter() - began) * 1000

        try:
            async with asyncio.timeout(self._total):
                target = await self._guard.resolve(url)
                return await self._post(target, secret, message_id, timestamp, body, elapsed)
        except TargetRefused as refused:
            return SendResult(None, elapsed(), "", f"Refused: {refused}")
        except TimeoutError:
            return SendResult(None, elapsed(), "", f"No answer within {self._total:g} s")
        except httpx.HTTPError as error:
            return SendResult(None, elapsed(), "", f"{type(error).__name__}: {error}"[:500])

    async def _post(
        self,
        target: Target,
        secret: str,
        message_id: str,
        timestamp: int,
        body: bytes,
        elapsed: Callable[[], float],
    ) -> SendResult:
        sent = headers(secret, message_id, timestamp, body)
        sent["host"] = _host_header(target)
        extensions = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
        request = self._client.build_request(
            "POST", _pinned_url(target), content=body, headers=sent, extensions=extensions
        )
        response = await self._client.send(request, stream=True)
        try:
            kept = bytearray()
            async for chunk in response.aiter_raw():
                kept += chunk
                if len(kept) >= MAX_RESPONSE_BYTES:
                    break
        finally:
            await response.aclose()
        return SendResult(
            response.status_code, elapsed(), kept[:MAX_RESPONSE_BYTES].decode("utf-8", "replace")
        )

    @property
    def closed(self) -> bool:
        return self._client.is_closed

    async def close(self) -> None:
        await self._client.aclose()
