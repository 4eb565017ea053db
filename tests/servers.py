"""Real `tms serve` processes on loopback for the integration tests that need a server of
its own (live events, shutdown, faults, fuzzing): started with the machine's environment
minus its TMS_* settings, fast password hashing, and a log file shown when a test fails."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from conftest import free_port

TMS = str(Path(sys.executable).with_name("tms"))
STARTUP_SECONDS = 90  # coverage tracing on a loaded 2-core machine slows a start several-fold
GRACEFUL_SHUTDOWN_SECONDS = 10
"""`tms serve` gives uvicorn this long to finish in-flight requests on SIGTERM."""


def server_env(
    database_url: str,
    var_dir: Path,
    *,
    secret_key: str,
    admin_password: str,
    **settings: str,
) -> dict[str, str]:
    """The machine's environment without its TMS_* settings, plus these."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMS_")}
    env.update(
        TMS_DATABASE_URL=database_url,
        TMS_VAR_DIR=str(var_dir),
        TMS_SECRET_KEY=secret_key,
        TMS_ADMIN_PASSWORD=admin_password,
        TMS_ARGON2_TIME_COST="1",
        TMS_ARGON2_MEMORY_KIB="1024",
        TMS_ARGON2_PARALLELISM="1",
        TMS_EVENT_POLL_MS="200",
        TMS_LOG_LEVEL="INFO",
    )
    env.update(settings)
    return env


@dataclass
class TmsServer:
    """One `tms serve` process on loopback; its output goes to a log file."""

    env: dict[str, str]
    directory: Path
    port: int = field(default_factory=free_port)
    workers: int = 1
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def log_path(self) -> Path:
        return self.directory / f"server-{self.port}.log"

    def spawn(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    TMS,
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                cwd=self.directory,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def start(self) -> None:
        """Spawn and wait (blocking) until /health answers 200."""
        self.spawn()
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            self._check_running()
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        pytest.fail(f"the server never became healthy:\n{self.log()}")

    async def start_async(self) -> None:
        """Spawn and wait without blocking the event loop (a proxy in it may carry the
        server's database traffic)."""
        self.spawn()
        deadline = time.monotonic() + STARTUP_SECONDS
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                self._check_running()
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(f"{self.url}/health")).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        pytest.fail(f"the server never became healthy:\n{self.log()}")

    def _check_running(self) -> None:
        assert self.process is not None
        assert self.process.poll() is None, f"tms serve exited:\n{self.log()}"

    def terminate(self) -> None:
        """SIGTERM: what a process manager does on a restart."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)

    def wait(self) -> int:
        """The exit status, once the process has ended (killed past the graceful timeout)."""
        assert self.process is not None
        try:
            return self.process.wait(timeout=GRACEFUL_SHUTDOWN_SECONDS + 10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextlib.contextmanager
def running(server: TmsServer) -> Iterator[TmsServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()
