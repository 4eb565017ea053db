"""The `tms` command as a fresh clone runs it: `tms serve` on an empty SQLite file prints a
temporary admin password, serves real HTTP on loopback, and stops on SIGTERM; failures
are reported clearly, and never with a database password."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import free_port

TMS = str(Path(sys.executable).with_name("tms"))
NEW_PASSWORD = "a brand new admin passphrase"
STARTUP_SECONDS = 60


def clean_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment without any TMS_* setting of the machine, plus these."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMS_")}
    env.update(
        TMS_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'var' / 'tms.db'}",
        TMS_VAR_DIR=str(tmp_path / "var"),
    )
    env.update(settings)
    return env


def run_tms(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TMS, *args],
        cwd=tmp_path,
        env=clean_env(tmp_path, **settings),
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
        check=False,
    )


class Server:
    """`tms serve` in a subprocess; its stdout lines are collected as they come."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [TMS, "serve", "--port", str(self.port)],
            cwd=tmp_path,
            env=clean_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for_line(self, pattern: str) -> re.Match[str]:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.process.poll() is None, "tms serve exited:\n" + "".join(self.output)
                continue
            self.output.append(line)
            if match := re.search(pattern, line):
                return match
        pytest.fail(f"no line matching {pattern!r} in:\n" + "".join(self.output))

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "tms serve exited:\n" + "".join(self.output)
            try:
                response = httpx.get(f"{self.base_url}/health", timeout=2)
            except httpx.TransportError:
                time.sleep(0.1)
                continue
            if response.status_code == 200:
                return
        pytest.fail("the server never became healthy")

    def stop(self) -> int:
        """SIGTERM, then the exit status once the server has shut down."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        self.log()
        return status

    def log(self) -> str:
        """Everything the server printed so far."""
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return "".join(self.output)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path)
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait()


def test_a_fresh_start_serves_and_the_admin_signs_in_and_changes_the_password(
    server: Server, tmp_path: Path
) -> None:
    server.wait_for_line(r"admin account 'admin' with the temporary password")
    password = server.wait_for_line(r"^ {4}(\S+)\s*$").group(1)
    server.wait_until_healthy()

    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        first = client.post("/auth/login", json={"username": "admin", "password": password})
        assert first.status_code == 200, server.log()
        assert first.json()["force_password_change"] is True
        headers = {"Authorization": f"Bearer {first.json()['access_token']}"}
        assert client.get("/users/", headers=headers).status_code == 403

        changed = client.post(
            "/auth/change-password", json={"new_password": NEW_PASSWORD}, headers=headers
        )
        assert changed.status_code == 200, server.log()
        assert client.get("/users/", headers=headers).status_code == 200

        old = client.post("/auth/login", json={"username": "admin", "password": password})
        again = client.post("/auth/login", json={"username": "admin", "password": NEW_PASSWORD})
        assert old.status_code == 401
        assert again.status_code == 200
        assert again.json()["force_password_change"] is False

    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert server.stop() in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in server.log()

    # A second start finds the admin: no new password is made or printed.
    second = run_tms(tmp_path, "create-admin")
    assert second.returncode == 0, second.stderr
    assert "password" not in second.stdout
    assert password not in second.stdout + second.stderr


def test_migrate_names_an_unreachable_database_without_its_password(tmp_path: Path) -> None:
    result = run_tms(tmp_path, "migrate", TMS_DATABASE_URL="mysql+asyncmy://u:s3cret@127.0.0.1:1/x")

    assert result.returncode != 0
    assert "mysql+asyncmy://u:***@127.0.0.1:1/x" in result.stderr
    assert "s3cret" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = run_tms(tmp_path, "--help")

    assert result.returncode == 0
    for command in ("serve", "migrate", "create-admin", "users"):
        assert command in result.stdout


def test_several_workers_without_redis_fail_clearly(tmp_path: Path) -> None:
    result = run_tms(tmp_path, "serve", "--workers", "2", "--port", str(free_port()))

    assert result.returncode == 2
    assert "TMS_REDIS_URL" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "var" / "tms.db").exists()
