"""A closed-loop load generator with httpx and asyncio, for machines without wrk.

Runs ``--concurrency`` clients, each sending its next request when the previous answer has
been read in full, for ``--seconds``; prints one ``BENCH_JSON`` line like the wrk script.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

import httpx


def _percentile(ordered: list[float], percent: float) -> float:
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered)) - 1))
    return ordered[index]


async def _run(args: argparse.Namespace) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    bodies: list[bytes] = []
    if args.login_users:
        for name in Path(args.login_users).read_text().split():
            bodies.append(json.dumps({"username": name, "password": args.password}).encode())
    latencies: list[float] = []
    errors = bad_status = received = 0
    deadline = time.perf_counter() + args.seconds
    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=60) as client:

        async def worker(offset: int) -> None:
            nonlocal errors, bad_status, received
            turn = offset
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    if bodies:
                        body = bodies[turn % len(bodies)]
                        turn += 1
                        response = await client.post(
                            args.url, content=body, headers={"Content-Type": "application/json"}
                        )
                    else:
                        response = await client.get(args.url)
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - started)
                received += len(response.content)
                if response.status_code >= 400:
                    bad_status += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(i * 7) for i in range(args.concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1e6),
        "bytes": received,
        "errors": errors,
        "bad_status": bad_status,
        "p50_us": int(_percentile(ordered, 50) * 1e6),
        "p95_us": int(_percentile(ordered, 95) * 1e6),
        "p99_us": int(_percentile(ordered, 99) * 1e6),
        "max_us": int((ordered[-1] if ordered else 0) * 1e6),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--token")
    parser.add_argument("--login-users", help="a file of usernames to sign in as, in turn")
    parser.add_argument("--password", default="")
    report = asyncio.run(_run(parser.parse_args()))
    print("BENCH_JSON " + json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
