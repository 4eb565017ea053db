"""The benchmark suite: `make bench` (several minutes) and `make bench-quick` (under one).

For each database (SQLite; MariaDB when reachable) it fills a fresh database with
`tms demo` data (20 trainers, 1,000 trainees, 2,000 sessions of 10 trainees), starts the
real server (`tms serve`, or granian on the same app factory to compare servers) on a free
loopback port, and measures with a load generator in a separate process (wrk, or httpx when
wrk is missing):

- sign-in (POST /auth/login, rotating over demo trainees) at concurrency 1 and 16, and the
  latency of GET /health while 16 sign-ins run, against the raw argon2 hash rate measured
  in this process on the same cores with the server's parameters;
- GET /sessions/?limit=100, ?limit=1000, GET /users/?limit=1000, GET /analytics/overview at
  concurrency 1 and 16;
- the ceiling: a minimal Litestar app (bench/ceiling.py) on the same server and settings,
  answering a fixed JSON body as large as the limit=100 answer (and the same document
  re-encoded on every request);
- the server's CPU time per request and its memory after warm-up and after the suite;
- where the time of the listings goes, by layer (py-spy), for the main configuration.

Every figure is the median over ``--runs`` runs (3 by default; the runs interleave the
scenarios so that a noisy moment does not land on one scenario only). Results go to
bench/results/ (JSON and Markdown); a full run also writes bench/RESULTS.md.

    python -m bench.run [--quick] [--runs 3] [--seconds 4] [--databases sqlite,mariadb]
                        [--servers uvicorn,granian] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import json
import os
import platform
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench import profile
from bench.load import LoadGenerator, Login
from bench.servers import (
    Server,
    ServerFailed,
    cpu_seconds,
    free_port,
    reachable,
    start_server,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
ADMIN_PASSWORD = "bench admin passphrase 2026"
DEMO_SEED = 2026
MARIADB_URL = os.environ.get("TMS_BENCH_MARIADB_URL", "mysql+asyncmy://root@127.0.0.1:3306/")
REDIS_URL = os.environ.get("TMS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    path: str
    concurrency: int
    kind: str = "get"
    """get | login | health_under_login"""


SCENARIOS = (
    Scenario("signin_c1", "POST /auth/login", "/auth/login", 1, "login"),
    Scenario("signin_c16", "POST /auth/login", "/auth/login", 16, "login"),
    Scenario(
        "health_under_signin",
        "GET /health while 16 sign-ins run",
        "/health",
        1,
        "health_under_login",
    ),
    Scenario("health_c1", "GET /health", "/health", 1),
    Scenario("sessions100_c1", "GET /sessions/?limit=100", "/sessions/?limit=100", 1),
    Scenario("sessions100_c16", "GET /sessions/?limit=100", "/sessions/?limit=100", 16),
    Scenario("sessions1000_c1", "GET /sessions/?limit=1000", "/sessions/?limit=1000", 1),
    Scenario("sessions1000_c16", "GET /sessions/?limit=1000", "/sessions/?limit=1000", 16),
    Scenario("users1000_c1", "GET /users/?limit=1000", "/users/?limit=1000", 1),
    Scenario("users1000_c16", "GET /users/?limit=1000", "/users/?limit=1000", 16),
    Scenario("overview_c1", "GET /analytics/overview", "/analytics/overview", 1),
    Scenario("overview_c16", "GET /analytics/overview", "/analytics/overview", 16),
)
CEILING_SCENARIOS = (
    Scenario("ceiling_fixed_c1", "ceiling: fixed body (limit=100 size)", "/fixed", 1),
    Scenario("ceiling_fixed_c16", "ceiling: fixed body (limit=100 size)", "/fixed", 16),
    Scenario("ceiling_encoded_c1", "ceiling: same document, encoded per request", "/encoded", 1),
    Scenario("ceiling_encoded_c16", "ceiling: same document, encoded per request", "/encoded", 16),
)
PROFILED = ("sessions100_c16", "sessions1000_c16", "users1000_c16")


@dataclass(frozen=True)
class Config:
    database: str
    server: str
    workers: int

    @property
    def name(self) -> str:
        return f"{self.database}/{self.server}/{self.workers}w"

    @property
    def ceiling_name(self) -> str:
        return f"ceiling/{self.server}/{self.workers}w"


@dataclass
class Measurement:
    config: str
    scenario: str
    run: int
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    bad_status: int
    cpu_ms_per_request: float | None
    extra: dict[str, float] = field(default_factory=dict)


@dataclass
class Suite:
    quick: bool
    runs: int
    seconds: int
    signin_seconds: int
    measurements: list[Measurement] = field(default_factory=list)
    memory: dict[str, dict[str, float]] = field(default_factory=dict)
    hash_rates: dict[str, float] = field(default_factory=dict)
    hash_rate_samples: dict[str, list[float]] = field(default_factory=dict)
    not_run: dict[str, str] = field(default_factory=dict)
    demo_seconds: dict[str, float] = field(default_factory=dict)
    profiles: dict[str, Any] = field(default_factory=dict)
    load_average: dict[str, list[float]] = field(default_factory=dict)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the machine ------------------------------------------------------------------------


def describe_machine(generator: LoadGenerator) -> dict[str, Any]:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gib = 0.0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = int(line.split()[1]) / 1024 / 1024
    system = platform.platform()
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                system = line.split("=", 1)[1].strip('"') + f" (Linux {platform.release()})"
    versions = {}
    for package in (
        "litestar",
        "uvicorn",
        "granian",
        "uvloop",
        "httptools",
        "msgspec",
        "sqlalchemy",
        "asyncmy",
        "aiosqlite",
        "argon2-cffi",
    ):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[package] = importlib.metadata.version(package)
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "memory_gib": round(memory_gib, 1),
        "system": system,
        "python": platform.python_version(),
        "load_generator": generator.name,
        "versions": versions,
        "mariadb": mariadb_version(),
    }


def mariadb_version() -> str | None:
    parts = urlsplit(MARIADB_URL.replace("+asyncmy", ""))
    if not reachable(parts.hostname or "127.0.0.1", parts.port or 3306):
        return None

    async def ask() -> str:
        conn = await _mariadb_connect()
        async with conn.cursor() as cursor:
            await cursor.execute("SELECT VERSION()")
            row = await cursor.fetchone()
        conn.close()
        return str(row[0])

    try:
        return asyncio.run(ask())
    except Exception as error:
        return f"unreachable ({error})"


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --- argon2 -----------------------------------------------------------------------------


def argon2_parameters() -> str:
    from tms_entrypoints.settings import Settings

    settings = Settings()
    return (
        f"{settings.argon2_memory_kib / 1024:g} MiB, {settings.argon2_time_cost} passes, "
        f"{settings.argon2_parallelism} lane(s)"
    )


def raw_hash_rate(seconds: float = 3.0) -> float:
    """Hashes per second with the server's argon2 parameters, one thread per core, at the
    priority the server's hashing pool runs at (lower than requests': on a machine shared
    with other work, both lose the same share)."""
    from argon2 import PasswordHasher, Type

    from tms_adapters.security.hashing import yield_cpu_to_requests
    from tms_entrypoints.settings import Settings

    settings = Settings()
    hasher = PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
        type=Type.ID,
    )
    cores = len(os.sched_getaffinity(0))
    done = 0
    deadline = time.perf_counter() + seconds

    def work(_: int) -> int:
        yield_cpu_to_requests()  # the priority the server's hashing threads run at
        count = 0
        while time.perf_counter() < deadline or count == 0:
            hasher.hash("a benchmark password")
            count += 1
        return count

    started = time.perf_counter()
    with ThreadPoolExecutor(cores) as pool:
        done = sum(pool.map(work, range(cores)))
    return done / (time.perf_counter() - started)


# --- databases --------------------------------------------------------------------------


async def _mariadb_connect() -> Any:
    import asyncmy

    parts = urlsplit(MARIADB_URL.replace("+asyncmy", ""))
    return await asyncmy.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=parts.username or "root",
        password=parts.password or "",
    )


async def _mariadb_statement(sql: str) -> None:
    conn = await _mariadb_connect()
    async with conn.cursor() as cursor:
        await cursor.execute(sql)
    conn.close()


@contextlib.contextmanager
def database(kind: str, work_dir: Path) -> Iterator[str]:
    """A fresh, empty database of the kind, dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{work_dir / 'bench.db'}"
        return
    name = f"tms_bench_{secrets.token_hex(3)}"
    asyncio.run(
        _mariadb_statement(
            f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
    )
    try:
        yield MARIADB_URL.rstrip("/") + "/" + name
    finally:
        asyncio.run(_mariadb_statement(f"DROP DATABASE IF EXISTS `{name}`"))


def tms_env(database_url: str, work_dir: Path, *, redis: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMS_")}
    env.update(
        TMS_DATABASE_URL=database_url,
        TMS_ADMIN_PASSWORD=ADMIN_PASSWORD,
        TMS_SECRET_KEY="bench-" + secrets.token_urlsafe(40),
        TMS_VAR_DIR=str(work_dir / "var"),
    )
    if redis:
        env["TMS_REDIS_URL"] = REDIS_URL
    return env


def fill_demo(env: dict[str, str], work_dir: Path, *, quick: bool) -> float:
    sessions = 1000 if quick else 2000
    command = [
        str(BIN / "tms"),
        "demo",
        "--trainers",
        "20",
        "--trainees",
        "1000",
        "--sessions",
        str(sessions),
        "--per-session",
        "10",
        "--seed",
        str(DEMO_SEED),
    ]
    started = time.perf_counter()
    done = subprocess.run(
        command, env=env, cwd=work_dir, capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(f"tms demo failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


# --- servers ----------------------------------------------------------------------------


def start_tms(config: Config, env: dict[str, str], work_dir: Path) -> Server:
    port = free_port()
    log_path = RESULTS / f"server-{config.name.replace('/', '-')}.log"
    if config.server == "uvicorn":
        command = [str(BIN / "tms"), "serve", "--port", str(port), "--workers", str(config.workers)]
    else:
        # `tms serve` runs uvicorn; granian serves the same app factory, once the database
        # is migrated and the admin exists (what `tms serve` does before serving).
        prepared = subprocess.run(
            [str(BIN / "tms"), "create-admin"],
            env=env,
            cwd=work_dir,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if prepared.returncode != 0:
            raise ServerFailed(f"tms create-admin failed: {prepared.stderr}")
        command = granian_command("tms_entrypoints.http.asgi:create", port, config.workers)
    return start_server(config.name, command, env=env, port=port, log_path=log_path, cwd=work_dir)


def granian_command(target: str, port: int, workers: int) -> list[str]:
    if not (BIN / "granian").exists():
        raise ServerFailed("granian is not installed here (pip install granian to compare)")
    return [
        str(BIN / "granian"),
        "--interface",
        "asgi",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--log-level",
        "warning",
        "--no-access-log",
        target,
    ]


def start_ceiling(config: Config, body_file: Path, work_dir: Path) -> Server:
    port = free_port()
    env = {**os.environ, "BENCH_BODY_FILE": str(body_file), "PYTHONPATH": str(ROOT)}
    if config.server == "uvicorn":
        # The settings `tms serve` gives uvicorn: uvloop and httptools when installed (auto),
        # no access log.
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.ceiling:create",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(config.workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
    else:
        command = granian_command("bench.ceiling:create", port, config.workers)
    log_path = RESULTS / f"server-{config.ceiling_name.replace('/', '-')}.log"
    return start_server(
        config.ceiling_name, command, env=env, port=port, log_path=log_path, cwd=work_dir
    )


def sign_in(server: Server, username: str, password: str) -> str:
    answer = httpx.post(
        server.url("/auth/login"), json={"username": username, "password": password}, timeout=60
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


# --- measuring --------------------------------------------------------------------------


class Bench:
    def __init__(self, suite: Suite, generator: LoadGenerator, work_dir: Path) -> None:
        self.suite = suite
        self.load = generator
        self.work_dir = work_dir
        self.profile_target: Config | None = None

    def seconds_for(self, scenario: Scenario) -> int:
        if scenario.kind != "get":
            return self.suite.signin_seconds
        return self.suite.seconds

    def measure(
        self,
        server: Server,
        config_name: str,
        scenario: Scenario,
        run: int,
        *,
        token: str | None = None,
        login: Login | None = None,
        seconds: int | None = None,
    ) -> Measurement:
        duration = seconds or self.seconds_for(scenario)
        cpu_before = server.cpu_seconds()
        extra: dict[str, float] = {}
        if scenario.kind == "health_under_login":
            assert login is not None
            sign_ins = self.load.start(
                server.url("/auth/login"), concurrency=16, seconds=duration, login=login
            )
            time.sleep(0.5)  # let the sign-ins fill the hashing pool first
            result = self.load.run(
                server.url(scenario.path), concurrency=1, seconds=max(1, duration - 1)
            )
            behind = LoadGenerator.finish(sign_ins, timeout=duration + 90)
            extra = {"signin_rps": round(behind.rps, 2), "signin_p99_ms": behind.p99_ms}
        elif scenario.kind == "login":
            result = self.load.run(
                server.url(scenario.path),
                concurrency=scenario.concurrency,
                seconds=duration,
                login=login,
            )
        else:
            database_pids = database_server_pids(config_name)
            database_before = cpu_seconds(database_pids)
            load_before = children_cpu_seconds()
            result = self.load.run(
                server.url(scenario.path),
                concurrency=scenario.concurrency,
                seconds=duration,
                token=token,
            )
            if result.requests:
                # Where the rest of the machine's CPU went: the load generator (a child,
                # reaped by now) and, on MariaDB, its server on this machine.
                load_ms = 1000 * (children_cpu_seconds() - load_before) / result.requests
                extra["load_cpu_ms"] = round(load_ms, 3)
                if database_pids:
                    database_ms = cpu_seconds(database_pids) - database_before
                    extra["database_cpu_ms"] = round(1000 * database_ms / result.requests, 3)
        cpu = server.cpu_seconds() - cpu_before
        measurement = Measurement(
            config=config_name,
            scenario=scenario.key,
            run=run,
            requests=result.requests,
            rps=round(result.rps, 2),
            p50_ms=round(result.p50_ms, 2),
            p95_ms=round(result.p95_ms, 2),
            p99_ms=round(result.p99_ms, 2),
            errors=result.errors,
            bad_status=result.bad_status,
            cpu_ms_per_request=(
                round(1000 * cpu / result.requests, 2)
                if result.requests and scenario.kind == "get"
                else None
            ),
            extra=extra,
        )
        self.suite.measurements.append(measurement)
        # Requests the load generator stopped waiting for are still being served (sign-ins
        # still hashing, listings still encoding): let them finish before the next scenario.
        settle(server)
        log(
            f"  {config_name:<24} {scenario.key:<20} run {run}: {result.rps:8.1f} req/s  "
            f"p50 {result.p50_ms:7.1f}  p99 {result.p99_ms:7.1f} ms"
            + (
                f"  ({result.bad_status} bad, {result.errors} errors)"
                if result.bad_status or result.errors
                else ""
            )
        )
        return measurement

    def run_tms(self, config: Config, env: dict[str, str], body_file: Path) -> bool:
        """Measure one configuration; False when it could not run (the reason is recorded)."""
        suite = self.suite
        if config.workers > 1 and not reachable_redis():
            suite.not_run[config.name] = f"Redis is not reachable at {REDIS_URL}"
            return False
        log(f"{config.name}: raw argon2 hash rate ...")
        rates = [raw_hash_rate(1.5 if suite.quick else 3.0)]
        try:
            server = start_tms(config, env, self.work_dir)
        except ServerFailed as error:
            suite.not_run[config.name] = str(error)
            log(f"{config.name}: not run: {error}")
            return False
        suite.load_average[config.name] = load_average()
        try:
            token = sign_in(server, "admin", ADMIN_PASSWORD)
            trainees = httpx.get(
                server.url("/users/?role=trainee&limit=200"),
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            ).json()
            users_file = self.work_dir / "trainees.txt"
            users_file.write_text("\n".join(u["username"] for u in trainees) + "\n")
            from tms_entrypoints.demo import DEMO_PASSWORD

            login = Login(users_file, DEMO_PASSWORD)
            if not body_file.exists():
                body = httpx.get(
                    server.url("/sessions/?limit=100"),
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=60,
                )
                body.raise_for_status()
                body_file.write_bytes(body.content)
            log(f"{config.name}: warming up")
            for scenario in SCENARIOS:
                if scenario.kind == "get" and scenario.concurrency == 16:
                    self.load.run(server.url(scenario.path), concurrency=16, seconds=1, token=token)
            self.load.run(
                server.url("/auth/login"),
                concurrency=16,
                seconds=1 if suite.quick else 2,
                login=login,
            )
            settle(server)
            warm = server.rss_mib()
            for run in range(1, suite.runs + 1):
                for scenario in SCENARIOS:
                    if scenario.key == "signin_c16" and not suite.quick:
                        # Next to the sign-ins it is compared with (the server is idle now).
                        rates.append(raw_hash_rate(2.0))
                    self.measure(server, config.name, scenario, run, token=token, login=login)
            suite.hash_rates[config.name] = round(statistics.median(rates), 2)
            suite.hash_rate_samples[config.name] = [round(rate, 2) for rate in rates]
            time.sleep(1)
            suite.memory[config.name] = {
                "after_warm_up_mib": round(warm, 1),
                "after_suite_mib": round(server.rss_mib(), 1),
            }
            if config == self.profile_target and profile.available():
                self.profile(server, config, token)
        finally:
            suite.load_average[config.name] += load_average()
            server.stop()
        return True

    def profile(self, server: Server, config: Config, token: str) -> None:
        for key in PROFILED:
            scenario = next(s for s in SCENARIOS if s.key == key)
            raw = RESULTS / f"profile-{config.name.replace('/', '-')}-{key}.txt"
            seconds = 6
            process = self.load.start(
                server.url(scenario.path), concurrency=16, seconds=seconds + 2, token=token
            )
            time.sleep(1)
            try:
                profile.record(server.process.pid, seconds, raw)
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
                log(f"py-spy failed: {error}")
                LoadGenerator.finish(process, timeout=120)
                return
            LoadGenerator.finish(process, timeout=120)
            shares, busiest = profile.summarise(raw)
            self.suite.profiles[f"{config.name} {key}"] = {
                "layers": [asdict(share) for share in shares],
                "busiest": busiest,
            }

    def run_ceiling(self, config: Config, body_file: Path) -> None:
        suite = self.suite
        name = config.ceiling_name
        if name in suite.memory or name in suite.not_run:
            return
        try:
            server = start_ceiling(config, body_file, self.work_dir)
        except ServerFailed as error:
            suite.not_run[name] = str(error)
            return
        scenarios = [s for s in CEILING_SCENARIOS if not suite.quick or "fixed" in s.key]
        try:
            for scenario in scenarios:
                if scenario.concurrency == 16:
                    self.load.run(server.url(scenario.path), concurrency=16, seconds=1)
            warm = server.rss_mib()
            for run in range(1, suite.runs + 1):
                for scenario in scenarios:
                    self.measure(server, name, scenario, run)
            suite.memory[name] = {
                "after_warm_up_mib": round(warm, 1),
                "after_suite_mib": round(server.rss_mib(), 1),
            }
        finally:
            server.stop()


def children_cpu_seconds() -> float:
    """CPU time of this process's children that have ended (the load generators)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def database_server_pids(config_name: str) -> list[int]:
    """MariaDB's server process when it runs on this machine (its CPU is taken from the same
    cores as the app's); none for SQLite, which runs inside the app."""
    if not config_name.startswith("mariadb/"):
        return []
    host = urlsplit(MARIADB_URL.replace("+asyncmy", "")).hostname or "127.0.0.1"
    if host not in ("127.0.0.1", "localhost", "::1"):
        return []
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() in ("mariadbd", "mysqld"):
                    found.append(int(entry.name))
    return found


def settle(server: Server, limit: float = 120) -> None:
    """Wait until the server is idle (under a tenth of a core for 0.3 s)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = server.cpu_seconds()
        time.sleep(0.3)
        if server.cpu_seconds() - before < 0.03:
            return


def reachable_redis() -> bool:
    parts = urlsplit(REDIS_URL)
    return reachable(parts.hostname or "127.0.0.1", parts.port or 6379)


def mariadb_reachable() -> bool:
    parts = urlsplit(MARIADB_URL.replace("+asyncmy", ""))
    return reachable(parts.hostname or "127.0.0.1", parts.port or 3306)


# --- results ----------------------------------------------------------------------------


def medians(suite: Suite) -> dict[tuple[str, str], dict[str, float]]:
    grouped: dict[tuple[str, str], list[Measurement]] = {}
    for m in suite.measurements:
        grouped.setdefault((m.config, m.scenario), []).append(m)
    found: dict[tuple[str, str], dict[str, float]] = {}
    for key, items in grouped.items():
        summary: dict[str, float] = {
            "runs": len(items),
            "rps": statistics.median(m.rps for m in items),
            "p50_ms": statistics.median(m.p50_ms for m in items),
            "p95_ms": statistics.median(m.p95_ms for m in items),
            "p99_ms": statistics.median(m.p99_ms for m in items),
            "bad": sum(m.bad_status + m.errors for m in items),
        }
        cpu = [m.cpu_ms_per_request for m in items if m.cpu_ms_per_request is not None]
        if cpu:
            summary["cpu_ms"] = statistics.median(cpu)
        for extra in items[0].extra:
            summary[extra] = statistics.median(m.extra[extra] for m in items)
        found[key] = summary
    return found


def two_workers(
    table: dict[tuple[str, str], dict[str, float]], config: Config
) -> tuple[float, float | None] | None:
    """Two workers' throughput on limit=100 at c16 against one worker's, and the most two
    cores allow: every request costs the app's CPU, the database server's (MariaDB here) and
    the load generator's, all on the same cores, while one worker is held to one core by
    its own CPU alone. None when either was not measured."""
    one = table.get((config.name, "sessions100_c16"))
    two = table.get((f"{config.database}/{config.server}/2w", "sessions100_c16"))
    if not one or not two or not one["rps"]:
        return None
    cores = len(os.sched_getaffinity(0))
    spent = [two.get("cpu_ms"), two.get("database_cpu_ms", 0.0), two.get("load_cpu_ms")]
    if any(part is None for part in spent) or not sum(p or 0 for p in spent):
        return two["rps"] / one["rps"], None
    most = 1000 * cores / sum(p or 0 for p in spent)
    return two["rps"] / one["rps"], most / one["rps"]


@dataclass(frozen=True)
class Target:
    what: str
    goal: str
    value: str
    met: bool | None


def evaluate(suite: Suite, config: Config) -> list[Target]:
    table = medians(suite)
    name = config.name

    def get(scenario: str, metric: str) -> float | None:
        return table.get((name, scenario), {}).get(metric)

    targets = []

    def check(what: str, goal: str, value: float | None, ok: bool | None, unit: str) -> None:
        shown = "not measured" if value is None else f"{value:.1f} {unit}".strip()
        targets.append(Target(what, goal, shown, None if value is None else ok))

    value = get("sessions100_c1", "p50_ms")
    check(
        "GET /sessions/?limit=100, c1, p50",
        "< 8 ms",
        value,
        value is not None and value < 8,
        "ms",
    )
    value = get("sessions100_c16", "rps")
    check(
        "GET /sessions/?limit=100, c16",
        ">= 450 req/s",
        value,
        value is not None and value >= 450,
        "req/s",
    )
    ceiling = table.get((config.ceiling_name, "ceiling_fixed_c16"), {}).get("rps")
    if value is not None and ceiling:
        targets.append(
            Target(
                "  ... as a share of the ceiling (fixed body, c16)",
                "report",
                f"{100 * value / ceiling:.0f} % of {ceiling:.0f} req/s",
                None,
            )
        )
    value = get("sessions1000_c1", "p50_ms")
    check(
        "GET /sessions/?limit=1000, c1, p50",
        "< 30 ms",
        value,
        value is not None and value < 30,
        "ms",
    )
    value = get("users1000_c1", "p50_ms")
    check("GET /users/?limit=1000, c1, p50", "< 8 ms", value, value is not None and value < 8, "ms")
    value = get("health_under_signin", "p99_ms")
    check(
        "GET /health p99 while 16 sign-ins run",
        "< 25 ms",
        value,
        value is not None and value < 25,
        "ms",
    )
    value = get("signin_c16", "rps")
    rate = suite.hash_rates.get(name)
    if value is not None and rate:
        targets.append(
            Target(
                "sign-in throughput, c16, vs raw argon2 rate",
                ">= 80 %",
                f"{value:.2f} of {rate:.2f} hashes/s = {100 * value / rate:.0f} %",
                value >= 0.8 * rate,
            )
        )
    scaling = two_workers(table, config)
    cores = len(os.sched_getaffinity(0))
    if scaling is not None:
        ratio, bound = scaling
        targets.append(
            Target(
                "--workers 2 with Redis vs 1, GET /sessions/?limit=100, c16",
                ">= 1.7x",
                f"{ratio:.2f}x"
                + (f" (the {cores} cores allow at most {bound:.2f}x)" if bound else ""),
                ratio >= 1.7,
            )
        )
    memory = suite.memory.get(name)
    if memory:
        growth = 100 * (memory["after_suite_mib"] / memory["after_warm_up_mib"] - 1)
        targets.append(
            Target(
                "server memory after the suite vs after warm-up",
                "<= +20 %",
                f"{memory['after_warm_up_mib']:.0f} -> {memory['after_suite_mib']:.0f} MiB "
                f"({growth:+.1f} %)",
                growth <= 20,
            )
        )
    return targets


def markdown(
    suite: Suite,
    machine: dict[str, Any],
    configs: list[Config],
    main: Config | None,
    label: str | None = None,
) -> str:
    table = medians(suite)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
    lines = [
        f"### Benchmark results ({'quick run' if suite.quick else 'full run'}, {when}"
        + (f", {label}" if label else "")
        + ")",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB; "
        f"{machine['system']}; Python {machine['python']}; MariaDB {machine['mariadb']}. "
        f"{versions}. Load generator: {machine['load_generator']}, in its own process, over "
        f"loopback. Data: `tms demo` (20 trainers, 1,000 trainees, "
        f"{1000 if suite.quick else 2000} sessions x 10 trainees). Every figure is the median "
        f"of {suite.runs} run(s) of {suite.seconds} s ({suite.signin_seconds} s for sign-ins). "
        f"argon2id: the server's defaults ({argon2_parameters()}). "
        "The machine is shared: load averages per configuration are in the JSON.",
        "",
        "Reproduce with `make bench` (this table, several minutes) or `make bench-quick` "
        "(SQLite, one short run); raw runs, medians, profiles and server logs go to "
        "bench/results/. Cells: requests/s · p50 / p99 latency in ms.",
        "",
    ]
    if main is not None:
        lines += [
            f"#### Targets ({main.name}; they are set for MariaDB and one worker)",
            "",
            "| what | target | measured | met |",
            "|---|---|---|---|",
        ]
        for target in evaluate(suite, main):
            met = {True: "yes", False: "**no**", None: ""}[target.met]
            lines.append(f"| {target.what} | {target.goal} | {target.value} | {met} |")
        lines.append("")
    ran = [c for c in configs if c.name not in suite.not_run]
    if ran:
        lines += [
            "#### Requests/s and latency (p50 / p99 ms) per configuration",
            "",
            "| scenario | c | " + " | ".join(c.name for c in ran) + " |",
            "|---|---|" + "---|" * len(ran),
        ]
        for scenario in SCENARIOS:
            cells = []
            for c in ran:
                row = table.get((c.name, scenario.key))
                if row is None:
                    cells.append("")
                elif scenario.kind == "health_under_login":
                    cells.append(
                        f"p50 {row['p50_ms']:.1f} / p99 {row['p99_ms']:.1f} "
                        f"(sign-ins {row['signin_rps']:.2f}/s)"
                    )
                else:
                    cells.append(
                        f"{row['rps']:.1f} · {row['p50_ms']:.1f} / "
                        f"{row['p99_ms']:.1f}" + (" ⚠" if row["bad"] else "")
                    )
            label = scenario.label
            conc = "16 + 1" if scenario.kind == "health_under_login" else scenario.concurrency
            lines.append(f"| {label} | {conc} | " + " | ".join(cells) + " |")
        ceilings = sorted({c.ceiling_name for c in ran if c.ceiling_name in suite.memory})
        for scenario in CEILING_SCENARIOS:
            cells = []
            for c in ran:
                row = table.get((c.ceiling_name, scenario.key))
                cells.append(
                    f"{row['rps']:.1f} · {row['p50_ms']:.1f} / {row['p99_ms']:.1f}" if row else ""
                )
            if ceilings:
                lines.append(
                    f"| {scenario.label} | {scenario.concurrency} | " + " | ".join(cells) + " |"
                )
        lines += [
            "",
            "Server CPU time per request (ms, median) and share of the ceiling:",
            "",
            "| scenario | c | " + " | ".join(c.name for c in ran) + " |",
            "|---|---|" + "---|" * len(ran),
        ]
        for scenario in SCENARIOS:
            if scenario.kind != "get":
                continue
            cells = []
            for c in ran:
                row = table.get((c.name, scenario.key), {})
                ceiling = table.get(
                    (c.ceiling_name, f"ceiling_fixed_c{scenario.concurrency}"), {}
                ).get("rps")
                cpu = row.get("cpu_ms")
                share = (
                    f", {100 * row['rps'] / ceiling:.0f} % of ceiling"
                    if ceiling and row and scenario.path.startswith("/sessions/?limit=100")
                    else ""
                )
                cells.append(f"{cpu:.2f}{share}" if cpu is not None else "")
            lines.append(
                f"| {scenario.label} | {scenario.concurrency} | " + " | ".join(cells) + " |"
            )
        lines += [
            "",
            "CPU per request of GET /sessions/?limit=100 at c16, on the machine's cores (ms,"
            " median): the app, the database server (MariaDB runs beside it; SQLite inside"
            " it), the load generator:",
            "",
            "| configuration | app | database server | load generator | total |",
            "|---|---|---|---|---|",
        ]
        for c in ran:
            row = table.get((c.name, "sessions100_c16"), {})
            if "cpu_ms" in row and "load_cpu_ms" in row:
                parts = [row["cpu_ms"], row.get("database_cpu_ms", 0.0), row["load_cpu_ms"]]
                lines.append(
                    f"| {c.name} | "
                    + " | ".join(f"{part:.2f}" for part in parts)
                    + f" | {sum(parts):.2f} |"
                )
        lines += [
            "",
            "| memory (RSS, MiB) | after warm-up | after the suite | growth |",
            "|---|---|---|---|",
        ]
        for name, memory in suite.memory.items():
            growth = 100 * (memory["after_suite_mib"] / memory["after_warm_up_mib"] - 1)
            lines.append(
                f"| {name} | {memory['after_warm_up_mib']:.0f} | "
                f"{memory['after_suite_mib']:.0f} | {growth:+.1f} % |"
            )
        lines += [
            "",
            "| raw argon2 rate (hashes/s, all cores; median of samples by the sign-ins) | value |",
            "|---|---|",
        ]
        for name, rate in suite.hash_rates.items():
            lines.append(f"| {name} | {rate:.2f} |")
        if suite.demo_seconds:
            lines += [
                "",
                "`tms demo` (full data set) took: "
                + ", ".join(f"{db} {seconds:.1f} s" for db, seconds in suite.demo_seconds.items())
                + ".",
            ]
    for key, found in suite.profiles.items():
        lines += [
            "",
            f"Where the time goes, {key} (py-spy, share of busy samples):",
            "",
            "| layer | share |",
            "|---|---|",
        ]
        for share in found["layers"]:
            lines.append(f"| {share['layer']} | {share['percent']:.0f} % |")
    if suite.not_run:
        lines += ["", "Not run:", ""]
        for name, reason in suite.not_run.items():
            lines.append(f"- {name}: {reason.splitlines()[0][:300]}")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="SQLite, uvicorn, one worker, one short run (under a minute)",
    )
    parser.add_argument("--runs", type=int, help="runs per scenario (default 3; quick 1)")
    parser.add_argument("--seconds", type=int, help="seconds per measurement (default 4)")
    parser.add_argument("--signin-seconds", type=int, help="seconds per sign-in measurement")
    parser.add_argument("--databases", help="sqlite,mariadb (default both; quick sqlite)")
    parser.add_argument("--servers", help="uvicorn,granian (default both; quick uvicorn)")
    parser.add_argument("--workers", help="1,2 (default both; quick 1)")
    parser.add_argument("--httpx", action="store_true", help="use httpx even when wrk exists")
    parser.add_argument(
        "--label", help="name this run in its result files (and leave bench/RESULTS.md alone)"
    )
    return parser.parse_args(argv)


def configurations(args: argparse.Namespace) -> list[Config]:
    databases = (args.databases or ("sqlite" if args.quick else "sqlite,mariadb")).split(",")
    servers = (args.servers or ("uvicorn" if args.quick else "uvicorn,granian")).split(",")
    workers = [int(w) for w in (args.workers or ("1" if args.quick else "1,2")).split(",")]
    configs = []
    for db in databases:
        for server in servers:
            for count in workers:
                # By default, the comparisons (granian, two workers) are made on MariaDB, the
                # database of the targets; granian at one worker.
                if not (args.workers or args.servers) and (
                    (server == "granian" and count > 1)
                    or (db == "sqlite" and not args.quick and (server, count) != ("uvicorn", 1))
                ):
                    continue
                configs.append(Config(db, server, count))
    return configs


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    suite = Suite(
        quick=args.quick,
        runs=args.runs or (1 if args.quick else 3),
        seconds=args.seconds or (1 if args.quick else 4),
        signin_seconds=args.signin_seconds or (2 if args.quick else 6),
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    configs = configurations(args)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tms-bench-") as temp:
        work_dir = Path(temp)
        generator = LoadGenerator(work_dir, prefer_wrk=not args.httpx)
        if not generator.wrk:
            log("wrk not found (Debian: apt-get install wrk): using the httpx load generator")
        machine = describe_machine(generator)
        body_file = work_dir / "sessions-limit-100.json"
        bench = Bench(suite, generator, work_dir)
        if not args.quick:
            preferred = "mariadb" if mariadb_reachable() else "sqlite"
            bench.profile_target = next(
                (c for c in configs if c.database == preferred and c.workers == 1), None
            )
        for db in dict.fromkeys(c.database for c in configs):
            db_configs = [c for c in configs if c.database == db]
            if db == "mariadb" and not mariadb_reachable():
                for c in db_configs:
                    suite.not_run[c.name] = f"MariaDB is not reachable at {MARIADB_URL}"
                continue
            db_dir = work_dir / db
            db_dir.mkdir()
            with database(db, db_dir) as url:
                log(f"{db}: filling with tms demo ...")
                suite.demo_seconds[db] = round(
                    fill_demo(tms_env(url, db_dir, redis=False), db_dir, quick=args.quick), 1
                )
                for config in db_configs:
                    env = tms_env(url, db_dir, redis=config.workers > 1)
                    bench.run_tms(config, env, body_file)
        if body_file.exists():
            for config in configs:
                if config.name not in suite.not_run:
                    bench.run_ceiling(config, body_file)
    main_config = next(
        (c for c in configs if c.name == "mariadb/uvicorn/1w" and c.name not in suite.not_run),
        next((c for c in configs if c.name not in suite.not_run), None),
    )
    report = markdown(suite, machine, configs, main_config, args.label)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S") + (f"-{args.label}" if args.label else "")
    document = {
        "machine": machine,
        "quick": suite.quick,
        "runs": suite.runs,
        "seconds": suite.seconds,
        "signin_seconds": suite.signin_seconds,
        "elapsed_seconds": round(time.perf_counter() - started, 1),
        "medians": [
            {"config": config, "scenario": scenario, **values}
            for (config, scenario), values in medians(suite).items()
        ],
        "measurements": [asdict(m) for m in suite.measurements],
        "memory": suite.memory,
        "hash_rates": suite.hash_rates,
        "hash_rate_samples": suite.hash_rate_samples,
        "demo_seconds": suite.demo_seconds,
        "profiles": suite.profiles,
        "load_average": suite.load_average,
        "not_run": suite.not_run,
        "targets": [asdict(t) for t in evaluate(suite, main_config)] if main_config else [],
    }
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(document, indent=2))
    (RESULTS / f"bench-{stamp}.md").write_text(report)
    if not suite.quick and not args.label:
        write_results(ROOT / "bench" / "RESULTS.md", report)
    print(report)
    log(f"Done in {time.perf_counter() - started:.0f} s; results in {RESULTS}")
    if shutil.which("wrk") is None and not args.httpx:
        log("Tip: apt-get install wrk for a lighter load generator.")


def write_results(path: Path, report: str) -> None:
    """The run's report at the top of bench/RESULTS.md; the earlier runs and the other
    benches' sections (each a ``## `` heading) stay below it."""
    earlier = path.read_text() if path.exists() else ""
    path.write_text(report.rstrip("\n") + "\n\n" + earlier if earlier else report)


if __name__ == "__main__":
    main()
