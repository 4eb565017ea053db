"""The edge of a real `tms serve` on loopback: one access-log line per request (text, or
JSON with TMS_LOG_FORMAT=json) with secrets masked however their key is spelt, an
X-Request-ID on every answer, control characters in a path answered 400 and escaped in the
log, and JSON bodies that cannot be read answered 400 saying why and where.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

import servers
from servers import TmsServer, running

SECRET_KEY = "serve-edge-secret-key-" + "e" * 32
ADMIN_PASSWORD = "Granite-Orchard-6150"
JOIN_LINK = "join-link-Secret-7781"
QUERY_SECRET = "query-Secret-4412"


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
def web_dist(tmp_path: Path) -> Path:
    """A built web client of one page: its file route is where a NUL in a path used to
    reach the file system."""
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>TMS</title>")
    return dist


@pytest.fixture
def server(tmp_path: Path, web_dist: Path) -> Iterator[TmsServer]:
    with running(sqlite_server(tmp_path, TMS_WEB_DIST=str(web_dist))) as started:
        yield started


@contextlib.asynccontextmanager
async def admin_client(server: TmsServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        answer = await client.post(
            "/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        yield client


async def make_requests_with_secrets(server: TmsServer) -> dict[str, str]:
    """Requests whose paths and queries carry secrets; the request ids they were given."""
    ids: dict[str, str] = {}
    async with admin_client(server) as client:
        token = client.headers["Authorization"].removeprefix("Bearer ")
        answer = await client.get("/health", headers={"X-Request-ID": "probe-1.A_b"})
        assert answer.headers["X-Request-ID"] == "probe-1.A_b"
        ids["given"] = "probe-1.A_b"
        for unsafe in ("x" * 65, "has space", "semi;colon", "<script>"):
            answer = await client.get("/health", headers={"X-Request-ID": unsafe})
            assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"]), unsafe
        answer = await client.get("/nowhere")
        assert answer.status_code == 404
        assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"])
        ids["404"] = answer.headers["X-Request-ID"]
        answer = await client.get(
            f"/sessions/?limit=5&%74oken={QUERY_SECRET}&pass%77ord={QUERY_SECRET}"
        )
        assert answer.status_code == 200
        answer = await client.get(f"/join/{JOIN_LINK}")
        assert answer.status_code in (403, 404)
        async with websockets.connect(f"{server.ws_url}?%74oken={token}") as socket:
            assert json.loads(await socket.recv())["type"] == "ready"
    ids["token"] = token
    return ids


def assert_no_secret(log: str, token: str) -> None:
    for secret in (token, JOIN_LINK, QUERY_SECRET, ADMIN_PASSWORD):
        assert secret not in log, secret


async def test_one_access_line_per_request_with_secrets_masked(server: TmsServer) -> None:
    ids = await make_requests_with_secrets(server)
    server.stop()
    log = server.log()
    assert_no_secret(log, ids["token"])
    access = [line for line in log.splitlines() if re.search(r"\d+\.\d+ms [\w.-]+$", line)]
    assert any(
        re.search(r"127\.0\.0\.1 GET /health 200 \d+\.\dms probe-1\.A_b$", line) for line in access
    ), access
    assert any("GET /nowhere 404 " in line and line.endswith(ids["404"]) for line in access)
    assert any(
        "GET /sessions/?limit=5&%74oken=***&pass%77ord=*** 200 " in line for line in access
    ), access
    assert any(re.search(r"GET /join/\*\*\* 40[34] ", line) for line in access), access
    assert any(re.search(r"WS /ws\?%74oken=\*\*\* 101 ", line) for line in access), access


async def test_json_log_lines_carry_the_request_fields(tmp_path: Path, web_dist: Path) -> None:
    settings = {"TMS_LOG_FORMAT": "json", "TMS_WEB_DIST": str(web_dist)}
    with running(sqlite_server(tmp_path, **settings)) as server:
        ids = await make_requests_with_secrets(server)
    log = server.log()
    assert_no_secret(log, ids["token"])
    entries: list[dict[str, Any]] = []
    for line in log.splitlines():
        if line.startswith("{"):
            entries.append(json.loads(line))
        else:  # only what `tms serve` prints before serving is not a log line
            assert line.startswith(("Created the admin account", "TMS is serving", "  ")), line
    assert any(e["logger"] == "uvicorn.error" for e in entries)
    access = [e for e in entries if e["logger"] == "tms.access"]
    given = next(e for e in access if e.get("request_id") == ids["given"])
    assert {k: given[k] for k in ("method", "path", "status", "client")} == {
        "method": "GET",
        "path": "/health",
        "status": 200,
        "client": "127.0.0.1",
    }
    assert given["duration_ms"] >= 0
    assert {e["path"] for e in access} >= {
        "/nowhere",
        "/sessions/?limit=5&%74oken=***&pass%77ord=***",
        "/join/***",
        "/ws?%74oken=***",
    }


async def test_control_characters_in_a_path_answer_400_and_forge_no_log_line(
    server: TmsServer,
) -> None:
    async with admin_client(server) as client:
        for path in ("/app/%00", "/users/1%00", "/x%0AFORGED%20line", "/x%0D%0AFORGED", "/%1B[2J"):
            answer = await client.get(path)
            assert answer.status_code == 400, (path, answer.text)
            assert answer.json() == {"detail": "The path holds control characters"}
            assert answer.headers["X-Request-ID"]
    server.stop()
    log = server.log()
    assert not [line for line in log.splitlines() if line.startswith("FORGED")], log
    assert "GET /x\\nFORGED line 400 " in log
    assert "Traceback" not in log


async def test_a_body_that_is_not_json_answers_400_saying_where(server: TmsServer) -> None:
    async with admin_client(server) as client:
        as_json = {"Content-Type": "application/json"}
        cases = {
            b'{"username": "al': "it ends too early at line 1, column 17",
            b'{"username": "x" "password"}': "expected ',' or '}' at line 1, column 18",
            # Columns count characters (the é is two bytes), lines start at 1.
            b'{"title": "Caf\xc3\xa9" "x"}': "expected ',' or '}' at line 1, column 18",
            b'{\n  "title": "Caf\xc3\xa9",\n  "x": @\n}': "invalid character at line 3, column 8",
        }
        for body, where in cases.items():
            for method, path in (
                ("POST", "/auth/login"),
                ("POST", "/users/"),
                ("PUT", "/attendance/1"),
            ):
                answer = await client.request(method, path, content=body, headers=as_json)
                assert answer.status_code == 400, (path, answer.text)
                assert answer.json() == {"detail": f"The body is not valid JSON: {where}"}


async def test_json_nested_a_thousand_deep_answers_400(server: TmsServer) -> None:
    async with admin_client(server) as client:
        for body in (b"[" * 1000 + b"]" * 1000, b'{"a":' * 1000 + b"1" + b"}" * 1000):
            for method, path in (("POST", "/auth/login"), ("POST", "/sessions/")):
                answer = await client.request(
                    method, path, content=body, headers={"Content-Type": "application/json"}
                )
                assert answer.status_code == 400, (path, answer.text)
                assert answer.json() == {"detail": "The body is nested too deeply to be read"}
    server.stop()
    assert "RecursionError" not in server.log()


async def test_ids_beyond_64_bits_in_any_path_answer_4xx(server: TmsServer) -> None:
    """A database integer holds 64 bits: a larger id must be refused before it reaches one
    (it was a 500 on POST /auth/reset-password/{user_id})."""
    huge = str(2**64 * 539)
    async with admin_client(server) as client:
        document = (await client.get("/openapi.json", follow_redirects=True)).json()
        tried = 0
        for template, item in document["paths"].items():
            if "{" not in template:
                continue
            path = re.sub(r"\{[^}]+\}", huge, template)
            for method in ("get", "post", "put", "delete"):
                if method not in item:
                    continue
                # A body valid where one is needed, so that the id is what is judged.
                body = {"new_password": "Valid-Passphrase-2026"}
                answer = await client.request(method.upper(), path, json=body)
                assert answer.status_code < 500, (method, template, answer.text)
                tried += 1
    assert tried > 15


async def test_a_client_that_leaves_before_the_answer_is_logged_499(server: TmsServer) -> None:
    body = b'{"username": "admin", "password": "x"}'
    _reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(
        b"POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"X-Request-ID: leaves-early\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body[:10])
    )
    await writer.drain()
    await asyncio.sleep(0.3)
    writer.close()
    await writer.wait_closed()
    await asyncio.sleep(0.5)
    server.stop()
    lines = [line for line in server.log().splitlines() if line.endswith(" leaves-early")]
    assert len(lines) == 1, server.log()
    assert " POST /auth/login 499 " in lines[0]
    assert "unhandled error" not in server.log()
