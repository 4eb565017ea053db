"""Resuming live events from the very start, against the session list.

A WebSocket client that resumes with `?since=0` asks for every event it missed since the
stream began. This bench checks that such resumes, many at once and over and over, do not
slow everyone else down.

It fills a fresh SQLite database with `tms demo` data (20 trainers, 1,000 trainees, 2,000
sessions of 10 trainees; `--quick`: 1,000 sessions), adds ``--events`` events of a busy day
(sessions changed, trainees enrolled and notified, attendance marked, profiles edited, each
with the audience the use cases give it) through the unit of work, as the use cases store
them, and starts the real server (`tms serve`, one process, default settings) on a free
loopback port. Then, ``--runs`` times in turn:

- idle: this process asks GET /sessions/?limit=100 as the admin, one request at a time,
  for ``--seconds``;
- resuming: the same, while a client process keeps 16 WebSocket clients (the admin, 7
  trainers and 8 trainees, one connection each) connecting with `?since=0`, waiting until
  their replay has ended (a ping sent at once is answered after it), closing and starting
  again;
- then, the list left alone, the resumes per second and the server's CPU time per resume
  over a few seconds.

It prints the medians over the runs of each p50, of their ratio in each run (target: at
most 1.5), of the resumes per second and of the server's CPU time per resume.

    python -m bench.bench_ws_resume [--events 30000] [--seconds 8] [--runs 3] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
import websockets

from bench.run import ADMIN_PASSWORD, BIN, database, fill_demo, log, settle, sign_in, tms_env
from bench.servers import Server, free_port, start_server

DEMO_PASSWORD = "demo-lantern-2026"
"""`tms demo`'s password for every demo user."""
SOCKETS = 16
TRAINERS = 7
TRAINEES = SOCKETS - 1 - TRAINERS
TARGET_RATIO = 1.5
EVENT_BATCH = 500
SEED = 2026
CPU_SECONDS = 4.0
LIST_TIMEOUT = 30.0


# --- the event store ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    sessions: list[tuple[int, int, list[int]]]
    """(session id, trainer id, trainee ids)"""
    assigned: list[tuple[int, int]]
    """(trainer id, trainee id)"""
    usernames: dict[str, list[str]]
    """role -> usernames"""


def read_cast(path: Path) -> Cast:
    with contextlib.closing(sqlite3.connect(path)) as db:
        enrolled: dict[int, list[int]] = {}
        for session_id, trainee_id in db.execute("SELECT session_id, trainee_id FROM enrolments"):
            enrolled.setdefault(session_id, []).append(trainee_id)
        sessions = [
            (session_id, trainer_id, enrolled.get(session_id, []))
            for session_id, trainer_id in db.execute("SELECT id, trainer_id FROM training_sessions")
        ]
        assigned = list(db.execute("SELECT teacher_id, student_id FROM assignments"))
        usernames: dict[str, list[str]] = {}
        for role, username in db.execute("SELECT role, username FROM users ORDER BY id"):
            usernames.setdefault(role, []).append(username)
    return Cast(sessions, assigned, usernames)


def day_of_events(cast: Cast, count: int) -> Iterator[tuple[str, dict[str, Any], frozenset[int]]]:
    """(type, data, audience) of a busy day, in the shapes and audiences the use cases give."""
    pick = random.Random(SEED)
    now = datetime.now(UTC).isoformat()
    made = 0
    while made < count:
        session_id, trainer, trainees = pick.choice(cast.sessions)
        roll = pick.random()
        if roll < 0.4 or not trainees:
            yield (
                "session_updated",
                {
                    "session_id": session_id,
                    "status": "scheduled",
                    "updated_at": now,
                    "trainees": trainees,
                    "trainer": trainer,
                    "startTime": now,
                },
                frozenset({trainer, *trainees}),
            )
            made += 1
        elif roll < 0.6:
            trainee = pick.choice(trainees)
            yield (
                "trainee_added_to_session",
                {"session_id": session_id, "trainee_id": trainee, "updated_at": now},
                frozenset({trainer, trainee}),
            )
            yield (
                "notification",
                {
                    "type": "session_assigned",
                    "title": "You were enrolled in a session",
                    "message": f"Session {session_id} on {now}",
                    "user_id": trainee,
                    "session_id": session_id,
                    "timestamp": now,
                },
                frozenset({trainee}),
            )
            made += 2
        elif roll < 0.9 or not cast.assigned:
            trainee = pick.choice(trainees)
            yield (
                "attendance_marked",
                {
                    "session_id": session_id,
                    "trainee_id": trainee,
                    "present": True,
                    "marked_at": now,
                },
                frozenset({trainer, trainee}),
            )
            made += 1
        else:
            teacher, student = pick.choice(cast.assigned)
            yield (
                "user_updated",
                {"user_id": student, "action": "updated", "user": {"id": student}},
                frozenset({student, teacher}),
            )
            made += 1


async def store_events(env: dict[str, str], cast: Cast, count: int) -> None:
    """Through the unit of work of the installed `tms`, EVENT_BATCH to a transaction."""
    from tms_domain.kernel import Audience, StoredEvent
    from tms_entrypoints.container import build_container, running
    from tms_entrypoints.settings import Settings

    container = build_container(Settings.from_env(environ=env, env_file=None))
    events = list(day_of_events(cast, count))
    async with running(container):
        uow = container.uow()
        for start in range(0, len(events), EVENT_BATCH):
            async with uow() as work:
                batch = events[start : start + EVENT_BATCH]
                # Synthetic events in their stored (wire) form, straight into the outbox.
                await work.events.append(
                    [StoredEvent(kind, data, Audience(audience)) for kind, data, audience in batch]
                )
                await work.commit()


# --- the resuming clients -----------------------------------------------------------------


async def _resume_forever(url: str, token: str, tally: dict[str, int]) -> None:
    while True:
        try:
            async with websockets.connect(
                f"{url}?token={token}&since=0", open_timeout=30, max_size=2**24
            ) as socket:
                await socket.send(json.dumps({"type": "ping"}))
                async for message in socket:
                    kind = json.loads(message)["type"]
                    if kind == "pong":
                        break
                    tally[kind] = tally.get(kind, 0) + 1
            tally["resumes"] = tally.get("resumes", 0) + 1
        except (OSError, websockets.WebSocketException, TimeoutError):
            tally["failures"] = tally.get("failures", 0) + 1
            await asyncio.sleep(0.1)


def resumers(pipe: Connection, url: str, tokens: list[str]) -> None:
    """Resume with every token, one connection each. Told "tally", send the tally so far
    (resumes, failures, frames by type); told "stop", send it and end."""

    async def resume_all() -> None:
        tally: dict[str, int] = {}
        tasks = [asyncio.create_task(_resume_forever(url, token, tally)) for token in tokens]
        loop = asyncio.get_running_loop()
        while (await loop.run_in_executor(None, pipe.recv)) != "stop":
            pipe.send(dict(tally))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        pipe.send(tally)

    asyncio.run(resume_all())


# --- measuring ----------------------------------------------------------------------------


def list_p50(server: Server, token: str, seconds: float) -> float:
    """p50 in ms of GET /sessions/?limit=100, one request at a time (a request that times
    out counts with the time it waited)."""
    took: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url(""), headers=headers, timeout=LIST_TIMEOUT) as client:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                client.get("/sessions/?limit=100").raise_for_status()
            except httpx.TimeoutException:
                log(f"GET /sessions/?limit=100 timed out after {LIST_TIMEOUT} s")
            took.append((time.perf_counter() - started) * 1000)
    return statistics.median(took)


@dataclass
class Run:
    idle_ms: float
    resuming_ms: float
    resumes_per_second: float
    cpu_ms_per_resume: float | None
    """None when no resume ended within the window."""
    tally: dict[str, int]


def measure(server: Server, admin: str, tokens: list[str], seconds: float) -> Run:
    settle(server)
    idle_ms = list_p50(server, admin, seconds)
    ours, theirs = multiprocessing.Pipe()
    clients = multiprocessing.Process(
        target=resumers, args=(theirs, f"ws://127.0.0.1:{server.port}/ws", tokens)
    )
    clients.start()
    try:
        time.sleep(1)  # every client has connected
        resuming_ms = list_p50(server, admin, seconds)
        ours.send("tally")
        before: dict[str, int] = ours.recv()
        cpu_before, started = server.cpu_seconds(), time.monotonic()
        time.sleep(CPU_SECONDS)
        cpu, elapsed = server.cpu_seconds() - cpu_before, time.monotonic() - started
        ours.send("stop")
        tally: dict[str, int] = ours.recv()
    finally:
        clients.join(10)
        if clients.is_alive():
            clients.kill()
    resumes = tally.get("resumes", 0) - before.get("resumes", 0)
    return Run(
        idle_ms=round(idle_ms, 2),
        resuming_ms=round(resuming_ms, 2),
        resumes_per_second=round(resumes / elapsed, 1),
        cpu_ms_per_resume=round(cpu * 1000 / resumes, 1) if resumes else None,
        tally=tally,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="tms-bench-resume-") as temp:
        work_dir = Path(temp)
        with database("sqlite", work_dir) as url:
            env = tms_env(url, work_dir, redis=False)
            log("filling with tms demo ...")
            fill_demo(env, work_dir, quick=args.quick)
            cast = read_cast(work_dir / "bench.db")
            log(f"storing {args.events} events ...")
            asyncio.run(store_events(env, cast, args.events))
            port = free_port()
            server = start_server(
                "tms",
                [str(BIN / "tms"), "serve", "--port", str(port)],
                env=env,
                port=port,
                log_path=work_dir / "server.log",
                cwd=work_dir,
            )
            try:
                admin = sign_in(server, "admin", ADMIN_PASSWORD)
                users = cast.usernames["trainer"][:TRAINERS] + cast.usernames["trainee"][:TRAINEES]
                tokens = [admin, *(sign_in(server, name, DEMO_PASSWORD) for name in users)]
                for number in range(args.runs):
                    run = measure(server, admin, tokens, args.seconds)
                    log(f"run {number + 1}: {run}")
                    runs.append(run)
            finally:
                server.stop()
    idle = statistics.median(r.idle_ms for r in runs)
    resuming = statistics.median(r.resuming_ms for r in runs)
    # Each run's own ratio: its idle and resuming halves share the moment's machine load.
    ratio = statistics.median(r.resuming_ms / r.idle_ms for r in runs)
    verdict = "met" if ratio <= TARGET_RATIO else "missed"
    print(f"{args.events} events stored; {SOCKETS} sockets resuming from since=0 in a loop")
    print(f"GET /sessions/?limit=100 p50, idle:     {idle:7.1f} ms")
    print(f"GET /sessions/?limit=100 p50, resuming: {resuming:7.1f} ms")
    print(f"ratio: {ratio:.2f} (target <= {TARGET_RATIO}: {verdict})")
    print(f"resumes per second: {statistics.median(r.resumes_per_second for r in runs):.1f}")
    per_resume = [r.cpu_ms_per_resume for r in runs if r.cpu_ms_per_resume is not None]
    if per_resume:
        print(f"server CPU per resume: {statistics.median(per_resume):.1f} ms")
    else:
        print(f"server CPU per resume: no resume ended within {CPU_SECONDS:.0f} s")


if __name__ == "__main__":
    main()
