"""What the in-process benches share: a fresh database of each kind asked for, and the
summary of their timings."""

from __future__ import annotations

import statistics
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

T = TypeVar("T")


async def on_each_database(databases: str, measure: Callable[[str, str], Awaitable[T]]) -> list[T]:
    """``measure(kind, url)`` on a fresh database of each kind named in ``databases``
    ("sqlite,mariadb"): a SQLite file in a temporary folder; a MariaDB database made for
    the run and dropped after it (the tests' TMS_TEST_MARIADB_URL server)."""
    found = []
    with tempfile.TemporaryDirectory(prefix="tms-bench-") as work:
        for kind in databases.split(","):
            if kind == "sqlite":
                found.append(await measure(kind, f"sqlite+aiosqlite:///{Path(work) / 'bench.db'}"))
            elif kind == "mariadb":
                from conftest import fresh_mariadb_database

                async with fresh_mariadb_database() as url:
                    found.append(await measure(kind, url))
            else:
                raise SystemExit(f"Unknown database {kind!r}: sqlite or mariadb")
    return found


def medians(timings: dict[str, list[float]], digits: int = 1) -> dict[str, dict[str, float]]:
    """Each timing's median and fastest run, rounded."""
    return {
        name: {
            "median": round(statistics.median(values), digits),
            "min": round(min(values), digits),
        }
        for name, values in timings.items()
    }
