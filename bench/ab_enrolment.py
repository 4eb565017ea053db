"""Enrolment's answer time, two versions of the code side by side: `python -m bench.ab_enrolment
--base /path/to/other/src`.

On a shared machine a figure taken now and one taken an hour ago compare the load as much as
the code. This runs `python -m bench.bench_mail --answers-only` (a fresh SQLite database,
1,000 trainees, a real `tms serve`, POST /sessions/ enrolling all of them, ``--runs`` times)
for the code of ``--base`` (a ``src`` folder, e.g. ``git archive <commit> src | tar -x``)
and for this checkout's, alternately (A B B A A B ...), ``--rounds`` times each; the bench
itself is this checkout's for both. Prints each version's answers, their median, and the
load average around each run.

    python -m bench.ab_enrolment --base /tmp/base/src [--rounds 3] [--runs 5] [--json FILE]
        [--in-process]   # bench.profile_enrolment instead: no server, CPU time per request
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent


def run_once(src: Path, runs: int, in_process: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tms-ab-") as temp:
        out = Path(temp) / "found.json"
        env = dict(os.environ)
        env["PYTHONPATH"] = f"{src}{os.pathsep}{HERE}"
        load_before = os.getloadavg()
        bench = (
            ["bench.profile_enrolment"] if in_process else ["bench.bench_mail", "--answers-only"]
        )
        subprocess.run(
            [sys.executable, "-m", *bench, "--runs", str(runs), "--json", str(out)],
            env=env, cwd=HERE, check=True, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL if in_process else None,
        )  # fmt: skip
        found = json.loads(out.read_text())
    if in_process:
        # The first answer of a process warms its caches: left out, as profile_enrolment does.
        return {
            "answers_ms": found["answer_ms"][1:],
            "cpu_ms": found["cpu_ms"][1:],
            "statements": found["statements"],
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()],
        }
    return {
        "answers_ms": found["enrol"]["answer_ms"]["all"],
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="the other code's src folder")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="bench.profile_enrolment instead (no server): answer and CPU time per request",
    )
    args = parser.parse_args(argv)
    versions = {"base": args.base.resolve(), "this": HERE / "src"}
    found: dict[str, list[dict[str, Any]]] = {name: [] for name in versions}
    for n in range(args.rounds):
        order = ["base", "this"] if n % 2 == 0 else ["this", "base"]
        for name in order:
            one = run_once(versions[name], args.runs, args.in_process)
            found[name].append(one)
            print(f"round {n + 1} {name}: {one}", flush=True)
    summary = {
        name: {
            "median_ms": round(statistics.median(a for r in rounds for a in r["answers_ms"]), 1),
            "answers": sum(len(r["answers_ms"]) for r in rounds),
            "cpu_median_ms": (
                round(statistics.median(c for r in rounds for c in r["cpu_ms"]), 1)
                if args.in_process
                else None
            ),
            "rounds": rounds,
        }
        for name, rounds in found.items()
    }
    for name, figures in summary.items():
        cpu = f", CPU median {figures['cpu_median_ms']} ms" if args.in_process else ""
        print(f"{name}: median {figures['median_ms']} ms of {figures['answers']} answers{cpu}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
