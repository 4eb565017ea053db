"""`tms serve` facing clients that are slow, greedy or oversized, through a real server on
loopback: request heads past the size limits answer 414/431 at once (a 16 MiB header costs
the server neither seconds nor memory), a client trickling its head or its body a byte a
second is cut within 30 s with the default settings while a large body at a steady rate
outlasts the body timeout (a minimum rate, not a total), idle connections are closed, one
address cannot hold more connections than its cap; and a port in use is said in one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

import servers
from servers import TMS, TmsServer, running

SECRET_KEY = "serve-limits-secret-key-" + "s" * 32
ADMIN_PASSWORD = "Granite-Orchard-6150"


def sqlite_server(directory: Path, **settings: str) -> TmsServer:
    env = servers.server_env(
        f"sqlite+aiosqlite:///{directory / 'tms.db'}",
        directory,
        secret_key=SECRET_KEY,
        admin_password=ADMIN_PASSWORD,
        **settings,
    )
    return TmsServer(env, directory)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TmsServer]:
    """The default limits."""
    with running(sqlite_server(tmp_path)) as started:
        yield started


@contextlib.asynccontextmanager
async def connection(
    server: TmsServer,
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def status_and_body(response: bytes) -> tuple[int, dict[str, object]]:
    head, _, body = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body) if body else {}


async def exchange(server: TmsServer, request: bytes) -> bytes:
    """Send the request whole and read until the server closes the connection."""
    async with connection(server) as (reader, writer):
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), 10)


def request_with(*headers: str, target: str = "/health") -> bytes:
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", *headers, "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


# Sizes


async def test_request_heads_past_the_size_limits_answer_414_or_431(server: TmsServer) -> None:
    # Within the limits (8 KiB a line, 32 KiB in all): served.
    fits = request_with(*(f"X-Fill-{n}: {'a' * 7000}" for n in range(4)))
    assert status_and_body(await exchange(server, fits))[0] == 200

    long_line = request_with(f"X-Long: {'a' * 9000}")
    status, body = status_and_body(await exchange(server, long_line))
    assert (status, body) == (431, {"detail": "A request header field is too large"})

    many_lines = request_with(*(f"X-Fill-{n}: {'a' * 7000}" for n in range(6)))
    status, body = status_and_body(await exchange(server, many_lines))
    assert (status, body) == (431, {"detail": "The request headers are too large"})

    long_target = request_with(target="/health?" + "q=1&" * 2500)
    status, body = status_and_body(await exchange(server, long_target))
    assert (status, body) == (414, {"detail": "The request line is too long"})


async def send_huge_header(server: TmsServer, megabytes: int) -> float:
    """Send a header of ``megabytes`` MiB in 64 KiB pieces until the server answers or
    cuts the connection; the seconds that took."""
    began = time.monotonic()
    piece = b"a" * 65536
    async with connection(server) as (reader, writer):
        writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: ")
        with contextlib.suppress(ConnectionError):
            for _ in range(megabytes * 16):
                writer.write(piece)
                await writer.drain()
                if reader.at_eof() or writer.is_closing():
                    break
            with contextlib.suppress(asyncio.TimeoutError):
                answer = await asyncio.wait_for(reader.read(), 5)
                if answer:
                    assert status_and_body(answer)[0] == 431, answer[:200]
    return time.monotonic() - began


async def test_huge_headers_are_cut_early_and_cost_neither_time_nor_memory(
    server: TmsServer,
) -> None:
    assert server.process is not None
    before = rss_mib(server.process.pid)
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        senders = [asyncio.create_task(send_huge_header(server, 16)) for _ in range(10)]
        health: list[float] = []
        while not all(sender.done() for sender in senders):
            began = time.monotonic()
            assert (await client.get("/health")).status_code == 200
            health.append(time.monotonic() - began)
            await asyncio.sleep(0.05)
        took = await asyncio.gather(*senders)
    assert max(took) < 5, took
    assert max(health) < 1, health
    assert rss_mib(server.process.pid) - before < 64


# Time


async def trickle(
    server: TmsServer, first: bytes, slowly: bytes, every: float = 1.0
) -> tuple[float, bytes]:
    """Send ``first`` at once, then ``slowly`` a byte every ``every`` seconds until the
    server closes the connection: how long the server waited, and what it answered."""
    async with connection(server) as (reader, writer):
        writer.write(first)
        await writer.drain()
        began = time.monotonic()
        for byte in slowly:
            writer.write(bytes([byte]))
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            with contextlib.suppress(asyncio.TimeoutError):
                answer = await asyncio.wait_for(reader.read(), every)
                return time.monotonic() - began, answer
        raise AssertionError("the server waited for the whole request")


async def test_a_client_trickling_its_head_or_its_body_is_cut_within_30_seconds(
    server: TmsServer,
) -> None:
    head = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: " + "s" * 60 + "\r\n\r\n"
    body = json.dumps({"username": "admin", "password": "x" * 80}).encode()
    post = (
        "POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    (head_wait, head_answer), (body_wait, body_answer) = await asyncio.gather(
        trickle(server, b"", head.encode()), trickle(server, post, body)
    )
    assert head_wait < 30
    assert status_and_body(head_answer) == (
        408,
        {"detail": "The request head took too long to arrive"},
    )
    assert body_wait < 30
    assert status_and_body(body_answer) == (
        408,
        {"detail": "The request body took too long to arrive"},
    )
    # And the server still serves.
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        assert (await client.get("/health")).status_code == 200


async def send_steadily(
    server: TmsServer, head: bytes, body: bytes, *, piece: int, every: float
) -> tuple[float, bytes]:
    """Send ``head``, then ``body`` in pieces of ``piece`` bytes every ``every`` seconds (a
    steady rate), then read the answer: how long the body took, and what came back. A
    server that cuts in between answers before the body is through."""
    async with connection(server) as (reader, writer):
        writer.write(head)
        await writer.drain()
        began = time.monotonic()
        for at in range(0, len(body), piece):
            writer.write(body[at : at + piece])
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            with contextlib.suppress(asyncio.TimeoutError):
                # One read, not a read to the end: a read to the end cut short by the
                # timeout would lose what it had already received.
                first = await asyncio.wait_for(reader.read(65536), every)
                took = time.monotonic() - began
                return took, first + await asyncio.wait_for(reader.read(), 30)
        took = time.monotonic() - began
        return took, await asyncio.wait_for(reader.read(), 30)


async def test_a_large_body_at_a_steady_rate_outlasts_the_body_timeout_a_trickled_one_does_not(
    tmp_path: Path,
) -> None:
    """The body timeout is a grace period, not a total: each TMS_BODY_MIN_RATE_BYTES that
    arrive buy a second more. 2 MiB sent at 512 KiB/s take twice the body timeout and are
    answered by the app; 60 bytes a second are cut once the timeout (and what they
    bought) has passed."""
    settings = {
        "TMS_BODY_TIMEOUT_SECONDS": "2",
        "TMS_BODY_MIN_RATE_BYTES": "65536",
        "TMS_MAX_BODY_BYTES": str(8 * 1024 * 1024),
    }
    body = json.dumps(
        {"username": "admin", "password": "wrong", "padding": "p" * 2 * 1024 * 1024}
    ).encode()
    head = (
        "POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with running(sqlite_server(tmp_path, **settings)) as server:
        (steady_took, steady_answer), (trickle_took, trickle_answer) = await asyncio.gather(
            send_steadily(server, head, body, piece=64 * 1024, every=0.125),
            send_steadily(server, head, body, piece=30, every=0.5),
        )

    assert steady_took > 3.5
    steady_status, steady_body = status_and_body(steady_answer)
    assert steady_status != 408
    assert steady_status in (400, 401, 422), steady_body
    assert trickle_took < 5
    assert status_and_body(trickle_answer) == (
        408,
        {"detail": "The request body took too long to arrive"},
    )


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> bytes:
    return await asyncio.wait_for(reader.read(), seconds)


async def test_idle_connections_are_closed(tmp_path: Path) -> None:
    settings = {"TMS_KEEP_ALIVE_SECONDS": "1", "TMS_HEADER_TIMEOUT_SECONDS": "2"}
    with running(sqlite_server(tmp_path, **settings)) as server:
        # A connection that never sends a request is closed, with no answer.
        async with connection(server) as (reader, _writer):
            began = time.monotonic()
            assert await closed_within(reader, 5) == b""
            assert 1.5 < time.monotonic() - began < 4
        # A connection kept alive after a response is closed when idle.
        async with connection(server) as (reader, writer):
            writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            await writer.drain()
            answer = await reader.readuntil(b"}")
            assert answer.startswith(b"HTTP/1.1 200 ")
            began = time.monotonic()
            assert await closed_within(reader, 5) == b""
            assert time.monotonic() - began < 2


# Connections per address


async def test_one_address_holds_at_most_its_cap_of_connections(tmp_path: Path) -> None:
    with running(sqlite_server(tmp_path, TMS_MAX_CONNECTIONS_PER_ADDRESS="5")) as server:
        async with contextlib.AsyncExitStack() as held:
            for _ in range(5):
                await held.enter_async_context(connection(server))
            async with connection(server) as (reader, _writer):
                status, body = status_and_body(await closed_within(reader, 5))
            assert (status, body) == (
                429,
                {"detail": "Too many open connections from your address (at most 5)"},
            )
        # The held connections are closed: the address may connect again.
        deadline = time.monotonic() + 5
        async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
            while (await client.get("/health")).status_code != 200:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.1)


# The port


def test_serving_on_a_port_in_use_fails_in_one_line_before_any_banner(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = sqlite_server(tmp_path).env
        done = subprocess.run(
            [TMS, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"tms: error: cannot listen on 127.0.0.1:{port}: the port is already in use"
        " (another server? choose one with --port or TMS_PORT)"
    ]
    assert not (tmp_path / "tms.db").exists(), "it migrated before finding the port taken"
