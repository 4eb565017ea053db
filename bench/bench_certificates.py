"""Time to render one certificate PDF (fpdf2, with its QR code), the work behind
``GET /certificates/{id}.pdf``; the target is under 150 ms.

The renderer is built once, as the app builds it (the compact fonts are cut on the first
PDF, which is timed apart); each run then renders a certificate whose name and title are
in the scripts the compact fonts cover (Latin, Greek, Cyrillic), and, apart, one whose
title needs the whole fonts and the CJK fallback. Figures are the median and the 90th
percentile of ``--runs`` renders, with the load average (the machine may be shared).
Usage::

    .venv/bin/python bench/bench_certificates.py [--runs 50]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import UTC, datetime

from tms_adapters.reports.certificate_pdf import FpdfCertificateRenderer
from tms_domain.skills import Certificate

TARGET_MS = 150.0
NAMES = ["Alice Martin", "Борис Иванов", "Γιώργος Παπαδόπουλος", "Zoë Ångström-Łukasz"]


def certificate(index: int, title: str) -> Certificate:
    now = datetime(2026, 12, 7, 9, tzinfo=UTC)
    return Certificate(
        id=index,
        code=f"7KQ2-M9XD-4HTB-R0ZC-{index:04d}",  # a QR code of its own each time
        course_id=1,
        course_title=title,
        trainee_id=index,
        trainee_name=NAMES[index % len(NAMES)],
        issued_at=now,
        expires_at=now.replace(year=2027),
    )


def timed(
    renderer: FpdfCertificateRenderer, runs: int, title: str, first: int
) -> tuple[list[float], list[float]]:
    """Wall and processor milliseconds of each render."""
    wall, cpu = [], []
    for index in range(first, first + runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        renderer.render(certificate(index, title))
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def summary(times: tuple[list[float], list[float]]) -> dict[str, float]:
    wall, cpu = sorted(times[0]), sorted(times[1])
    return {
        "median_ms": round(statistics.median(wall), 1),
        "p90_ms": round(wall[max(int(len(wall) * 0.9) - 1, 0)], 1),
        "median_cpu_ms": round(statistics.median(cpu), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    renderer = FpdfCertificateRenderer("https://tms.example.org", "Example Training")
    start = time.perf_counter()
    renderer.render(certificate(0, "Fire safety"))
    first_ms = (time.perf_counter() - start) * 1000
    compact = summary(timed(renderer, args.runs, "Fire safety and first aid", 1))
    whole = summary(timed(renderer, max(args.runs // 10, 3), "消防安全 Fire safety", 5000))
    result = {
        "first_pdf_ms (cuts the compact fonts)": round(first_ms, 1),
        "latin_greek_cyrillic": compact,
        "cjk_title (whole fonts and fallback)": whole,
        "target_ms": TARGET_MS,
        "met": compact["median_ms"] < TARGET_MS,
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
