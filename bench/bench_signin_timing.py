"""Sign-in timing: what a failed sign-in's time tells an attacker.

A fresh `tms serve` runs (on SQLite, or MariaDB with ``--database mariadb``) with the
production argon2 parameters, the lockout and the per-address limit raised out of the way.
One user is created; then this process, over one keep-alive connection, fails to sign in
``--rounds`` times in each of three ways, the three shuffled within each round so that a
noisy moment of a shared machine does not land on one of them only:

- an unknown username;
- the known user with a wrong password;
- the known user with a wrong password that changes under Unicode NFKC normalisation
  ("ﬁ" is two letters there, "Ⅻ" three).

It prints the median of each and the spread: the largest median over the smallest, less
one. Target: every median within 15 % of the others (a spread under 15 %).

    python -m bench.bench_signin_timing [--rounds 40] [--database sqlite|mariadb] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.run import ADMIN_PASSWORD, BIN, database, mariadb_reachable, sign_in, tms_env
from bench.servers import Server, free_port, start_server

USERNAME = "timing.target"
PASSWORD = "violet tractor sings at dawn"
CASES = {
    "unknown username": ("nobody.here", "violet tractor sings at noon"),
    "wrong password": (USERNAME, "violet tractor sings at noon"),
    "wrong password that NFKC changes": (USERNAME, "violet tractor ﬁnds Ⅻ songs"),
}
TARGET_SPREAD = 0.15


def start(database_url: str, work_dir: Path) -> Server:
    env = tms_env(database_url, work_dir, redis=False)
    env.update(
        TMS_LOCKOUT_THRESHOLD="1000000",
        TMS_FAILED_SIGNINS_PER_ADDRESS_PER_MINUTE="1000000",
        TMS_LOG_LEVEL="WARNING",
    )
    port = free_port()
    return start_server(
        "tms",
        [str(BIN / "tms"), "serve", "--port", str(port)],
        env=env,
        port=port,
        log_path=work_dir / "server.log",
        cwd=work_dir,
    )


def create_target(server: Server, admin_password: str) -> None:
    token = sign_in(server, "admin", admin_password)
    answer = httpx.post(
        server.url("/users/"),
        headers={"Authorization": f"Bearer {token}"},
        json={
            "username": USERNAME,
            "email": "timing.target@example.org",
            "first_name": "Timing",
            "last_name": "Target",
            "role": "trainee",
            "password": PASSWORD,
            "is_temporary_password": False,
        },
        timeout=60,
    )
    answer.raise_for_status()


def measure(server: Server, rounds: int, warm_up: int = 3) -> dict[str, list[float]]:
    """Milliseconds of each failed sign-in, by case."""
    samples: dict[str, list[float]] = {case: [] for case in CASES}
    order = list(CASES)
    shuffle = random.Random(2026).shuffle
    with httpx.Client(base_url=server.url(""), timeout=60) as client:
        for round_number in range(warm_up + rounds):
            shuffle(order)
            for case in order:
                username, password = CASES[case]
                started = time.perf_counter()
                answer = client.post(
                    "/auth/login", json={"username": username, "password": password}
                )
                elapsed = (time.perf_counter() - started) * 1000
                if answer.status_code != 401:
                    raise RuntimeError(f"{case}: expected 401, got {answer.status_code}")
                if round_number >= warm_up:
                    samples[case].append(elapsed)
    return samples


def summarise(samples: dict[str, list[float]]) -> dict[str, Any]:
    medians = {case: statistics.median(times) for case, times in samples.items()}
    spread = max(medians.values()) / min(medians.values()) - 1
    return {
        "medians_ms": {case: round(value, 1) for case, value in medians.items()},
        "spread": round(spread, 4),
        "within_target": spread <= TARGET_SPREAD,
        "samples_per_case": len(next(iter(samples.values()))),
    }


def run(kind: str = "sqlite", rounds: int = 40) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tms-bench-signin-") as tmp:
        work_dir = Path(tmp)
        with database(kind, work_dir) as url:
            server = start(url, work_dir)
            try:
                create_target(server, ADMIN_PASSWORD)
                result = summarise(measure(server, rounds))
            finally:
                server.stop()
    return {"database": kind, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--database", choices=["sqlite", "mariadb"], default="sqlite")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    if args.database == "mariadb" and not mariadb_reachable():
        parser.error("MariaDB is not reachable (TMS_BENCH_MARIADB_URL)")
    result = run(args.database, args.rounds)
    print(f"Failed sign-ins on {result['database']}, {result['samples_per_case']} of each:")
    for case, median in result["medians_ms"].items():
        print(f"  {case:<34} median {median:7.1f} ms")
    verdict = "within" if result["within_target"] else "OVER"
    print(f"  spread {result['spread']:.1%} ({verdict} the {TARGET_SPREAD:.0%} target)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
