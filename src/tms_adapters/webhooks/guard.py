"""The SSRF guard: a webhook goes over http(s) to a public address only (unless the
deployment allows private ones, for tests), and the address checked is the one connected
to, so a name that resolves elsewhere the second time (DNS rebinding) gains nothing."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RESOLVE_TIMEOUT_SECONDS = 5.0
RESOLVED_KEPT_SECONDS = 10.0
"""How long a name's addresses are reused: a burst of deliveries to one receiver asks the
resolver once, not once per message. What is reused is what was checked (and pinned), so
a name that changes meanwhile reaches no other address."""
RESOLVED_KEPT_AT_MOST = 1000
DEFAULT_PORTS = {"http": 80, "https": 443}


class TargetRefused(Exception):
    """Why a URL may not be a webhook target (a message for the admin)."""


@dataclass(frozen=True)
class Target:
    """Where to connect: the URL's parts and the address checked and pinned."""

    url: SplitResult
    host: str
    port: int
    address: IpAddress


def refused_address(address: IpAddress) -> bool:
    """Private, loopback, link-local, multicast, reserved, unspecified or otherwise not
    global; an IPv4 address mapped into IPv6 is judged as itself."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


class AddressGuard:
    def __init__(
        self, *, allow_private: bool = False, kept_seconds: float = RESOLVED_KEPT_SECONDS
    ) -> None:
        self._allow_private = allow_private
        self._kept_seconds = kept_seconds
        self._resolved: dict[tuple[str, int], tuple[float, list[IpAddress]]] = {}

    async def resolve(self, url: str) -> Target:
        """The URL's target with the address to connect to; TargetRefused when it may not
        be one. Every address the name resolves to must be allowed (the first is pinned)."""
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS:
            raise TargetRefused("The URL must start with http:// or https://")
        host = parts.hostname
        if not host:
            raise TargetRefused("The URL names no host")
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError as error:
            raise TargetRefused("The URL's port is not a number from 1 to 65535") from error
        addresses = await self._addresses(host, port)
        if not self._allow_private:
            for address in addresses:
                if refused_address(address):
                    raise TargetRefused(
                        f"The URL points at a private, loopback or link-local address"
                        f" ({address}): webhooks go to public addresses only"
                    )
        return Target(parts, host, port, addresses[0])

    async def refusal(self, url: str) -> str | None:
        try:
            await self.resolve(url)
        except TargetRefused as refused:
            return str(refused)
        return None

    async def _addresses(self, host: str, port: int) -> list[IpAddress]:
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        now = time.monotonic()
        kept = self._resolved.get((host, port))
        if kept is not None and kept[0] > now:
            return kept[1]
        addresses = await self._resolve(host, port)
        if len(self._resolved) >= RESOLVED_KEPT_AT_MOST:
            self._resolved.clear()
        self._resolved[(host, port)] = (now + self._kept_seconds, addresses)
        return addresses

    @staticmethod
    async def _resolve(host: str, port: int) -> list[IpAddress]:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
                found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, TimeoutError) as error:
            raise TargetRefused(f"The host {host!r} does not resolve") from error
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
        if not addresses:
            raise TargetRefused(f"The host {host!r} does not resolve")
        return list(dict.fromkeys(addresses))
