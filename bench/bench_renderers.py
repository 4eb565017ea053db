"""Time and memory of the report renderers alone, on a large sessions report.

Each measurement runs in a fresh interpreter so that one run's memory does not hide
another's. A run renders a summary and N session rows (ten trainee names each, in Latin,
Cyrillic, Greek, Chinese, Japanese and Korean script), in batches of 1,000 as the report use
case sends them, into a temporary file on disk, and reports:

- seconds: wall time from creating the renderer to ``close()`` returning, and cpu seconds,
  the processor time of the same span (the machine is shared: wall time includes waiting
  for a core while other work runs; the load average is printed for that reason);
- rss_growth_mb: peak resident memory during the run minus resident memory before it;
- traced_peak_mb: peak of Python allocations (tracemalloc) during a separate run.

Times are the median of ``--runs`` runs; memory is measured for 50,000 and 100,000 rows to
show whether it grows with the rows. Usage::

    .venv/bin/python bench/bench_renderers.py [--rows 100000] [--runs 3] [--formats csv,xlsx,pdf]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from tms_adapters.reports import RENDERERS
from tms_domain.reporting import (
    Cell,
    Column,
    ColumnKind,
    ReportHeader,
    ReportSummary,
    SectionSpec,
    TrainerSummary,
)

LIMITS_SECONDS = {"csv": 5.0, "xlsx": 15.0, "pdf": 30.0}
LIMIT_GROWTH_MB = 150.0
BATCH = 1_000

NAMES = [
    "Alice Martin",
    "Борис Иванов",
    "Γιώργος Παπαδόπουλος",
    "王小明",
    "Maria García",
    "John O'Neil",
    "Ольга Петрова",
    "田中 花子",
    "김민준",
    "Lena Müller",
    "Ahmed Khan",
    "Zoë Dubois",
    "Ingrid Solberg",
    "Ελένη Νικολάου",
    "Дмитрий Соколов",
    "Priya Sharma",
]
SESSIONS = SectionSpec(
    "sessions",
    "Sessions",
    (
        Column("ID", ColumnKind.INTEGER, 6),
        Column("Title", ColumnKind.TEXT, 28),
        Column("Trainer", ColumnKind.TEXT, 18),
        Column("Trainees", ColumnKind.TEXT, 60),
        Column("Start", ColumnKind.DATETIME, 22),
        Column("Duration (minutes)", ColumnKind.MINUTES, 8),
        Column("Status", ColumnKind.TEXT, 10),
    ),
    wide=True,
)
START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
STATUSES = ("scheduled", "completed", "cancelled")


def session_rows(count: int) -> Iterator[list[Cell]]:
    for index in range(count):
        trainees = ", ".join(NAMES[(index + offset * 3) % len(NAMES)] for offset in range(10))
        yield [
            index + 1,
            f"Session {index + 1}: working with Python",
            NAMES[index % len(NAMES)],
            trainees,
            START + timedelta(minutes=30 * index),
            30 + index % 4 * 30,
            STATUSES[index % 3],
        ]


def summary() -> ReportSummary:
    trainers = [
        TrainerSummary(number, name, 40 + number, 60.0 + number, 80.0 + number / 2)
        for number, name in enumerate(NAMES, start=1)
    ]
    return ReportSummary(
        users_by_role={"admin": 2, "trainer": len(NAMES), "trainee": 5_000},
        sessions_by_status={"scheduled": 40_000, "completed": 55_000, "cancelled": 5_000},
        attendance_rate=87.25,
        trainers=trainers,
    )


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def render_once(report_format: str, rows: int, trace: bool) -> dict[str, Any]:
    header = ReportHeader(
        title="Benchmark report",
        generated_at=START,
        filters=[("Sessions", f"{rows} generated rows")],
        sections=("summary", "sessions"),
    )
    with tempfile.TemporaryFile() as sink:
        rss_before = resident_bytes()
        if trace:
            tracemalloc.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        renderer = RENDERERS[report_format]()
        renderer.open(sink, header)
        renderer.summary(summary())
        renderer.begin_section(SESSIONS)
        row_source = session_rows(rows)
        while batch := list(itertools.islice(row_source, BATCH)):
            renderer.write_rows(batch)
        renderer.end_section()
        renderer.close()
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        traced_peak = tracemalloc.get_traced_memory()[1] if trace else 0
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return {
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "rss_growth_mb": (peak_rss - rss_before) / 1e6,
            "traced_peak_mb": traced_peak / 1e6,
            "size_mb": sink.tell() / 1e6,
        }


def measure(report_format: str, rows: int, trace: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", report_format, str(rows)]
    if trace:
        command.append("--trace")
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="csv,xlsx,pdf")
    parser.add_argument("--child", nargs=2, metavar=("FORMAT", "ROWS"), help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        report_format, rows = arguments.child
        print(json.dumps(render_once(report_format, int(rows), arguments.trace)))
        return

    half = arguments.rows // 2
    print(f"load average at start: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    print(
        f"{'format':6} {'rows':>7} {'median s':>9} {'cpu s':>6} {'limit s':>8} "
        f"{'rss growth MB':>14} {'traced peak MB':>15} {'file MB':>8}"
    )
    for report_format in arguments.formats.split(","):
        for rows in (half, arguments.rows):
            runs = [measure(report_format, rows, trace=False) for _ in range(arguments.runs)]
            traced = measure(report_format, rows, trace=True)
            seconds = statistics.median(run["seconds"] for run in runs)
            cpu_seconds = statistics.median(run["cpu_seconds"] for run in runs)
            growth = statistics.median(run["rss_growth_mb"] for run in runs)
            limit = LIMITS_SECONDS[report_format]
            verdict = "SLOW" if rows == arguments.rows and seconds >= limit else "ok"
            if growth > LIMIT_GROWTH_MB:
                verdict += " MEMORY"
            print(
                f"{report_format:6} {rows:>7} {seconds:>9.2f} {cpu_seconds:>6.2f} {limit:>8.0f} "
                f"{growth:>14.1f} {traced['traced_peak_mb']:>15.1f} {runs[0]['size_mb']:>8.1f}  "
                f"{verdict}",
                flush=True,
            )
    print(f"load average at end: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")


if __name__ == "__main__":
    main()
