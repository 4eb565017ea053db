"""Load generators, each in a process of its own, reporting one JSON line.

wrk (Debian: ``apt-get install wrk``) is preferred: written in C, it spends a small share of
one core on 16 connections, which matters on a 2-core machine where the server under test
needs the rest. Without it, ``python -m bench.httpx_load`` does the same job with httpx and
asyncio, at a higher cost in CPU (the results say which generator ran).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

MARKER = "BENCH_JSON "

_REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors":%d,"bad_status":%d,'
    .. '"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d}\\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""

_LOGIN_LUA = """
local bodies = {}
local counter = 0
init = function(args)
  local password = args[2]
  for name in io.lines(args[1]) do
    bodies[#bodies + 1] = '{"username":"' .. name .. '","password":"' .. password .. '"}'
  end
  counter = math.random(#bodies)
end
request = function()
  counter = counter + 1
  local body = bodies[(counter % #bodies) + 1]
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
"""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    errors: int
    bad_status: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @classmethod
    def parse(cls, output: str) -> LoadResult:
        for line in output.splitlines():
            if line.startswith(MARKER):
                data = json.loads(line[len(MARKER) :])
                return cls(
                    requests=data["requests"],
                    seconds=data["duration_us"] / 1e6,
                    errors=data["errors"],
                    bad_status=data["bad_status"],
                    p50_ms=data["p50_us"] / 1000,
                    p95_ms=data["p95_us"] / 1000,
                    p99_ms=data["p99_us"] / 1000,
                    max_ms=data["max_us"] / 1000,
                )
        raise RuntimeError(f"the load generator reported nothing:\n{output[-2000:]}")


@dataclass(frozen=True)
class Login:
    """Sign in as these users in turn, all with one password."""

    usernames_file: Path
    password: str


class LoadGenerator:
    def __init__(self, work_dir: Path, *, prefer_wrk: bool = True) -> None:
        self.wrk = shutil.which("wrk") if prefer_wrk else None
        self._dir = Path(tempfile.mkdtemp(prefix="lua-", dir=work_dir))
        (self._dir / "report.lua").write_text(_REPORT_LUA)
        (self._dir / "login.lua").write_text(_LOGIN_LUA + _REPORT_LUA)

    @property
    def name(self) -> str:
        if self.wrk:
            done = subprocess.run([self.wrk, "--version"], capture_output=True, text=True)
            first = (done.stdout or done.stderr).splitlines()
            return first[0].split(" [")[0] if first else "wrk"
        import httpx

        return f"httpx {httpx.__version__} (asyncio, python -m bench.httpx_load)"

    def start(
        self,
        url: str,
        *,
        concurrency: int,
        seconds: float,
        token: str | None = None,
        login: Login | None = None,
    ) -> subprocess.Popen[str]:
        """Start a bounded run (it stops by itself after ``seconds``); ``finish`` reads it."""
        if self.wrk:
            command = [
                self.wrk,
                "-t1",
                f"-c{concurrency}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "60s",
                "-s",
                str(self._dir / ("login.lua" if login else "report.lua")),
            ]
            if token:
                command += ["-H", f"Authorization: Bearer {token}"]
            command.append(url)
            if login:
                command += ["--", str(login.usernames_file), login.password]
        else:
            command = [
                sys.executable,
                "-m",
                "bench.httpx_load",
                url,
                "--concurrency",
                str(concurrency),
                "--seconds",
                str(seconds),
            ]
            if token:
                command += ["--token", token]
            if login:
                command += [
                    "--login-users",
                    str(login.usernames_file),
                    "--password",
                    login.password,
                ]
        return subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    @staticmethod
    def finish(process: subprocess.Popen[str], timeout: float) -> LoadResult:
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            raise RuntimeError("the load generator did not stop in time") from None
        return LoadResult.parse(output)

    def run(
        self,
        url: str,
        *,
        concurrency: int,
        seconds: float,
        token: str | None = None,
        login: Login | None = None,
    ) -> LoadResult:
        process = self.start(
            url, concurrency=concurrency, seconds=seconds, token=token, login=login
        )
        return self.finish(process, timeout=seconds + 90)
