"""Where a request's time goes: py-spy samples the server while a load runs, and each sample
is charged to the layer of its innermost frame that belongs to a known layer.

Layers, innermost first: the database driver and SQLAlchemy Core; mapping rows to domain
objects (the SQL repositories); the use cases; mapping domain objects to DTOs (schemas);
serialisation (msgspec); authentication (tokens); the framework (Litestar); the server and
event loop (uvicorn, granian, asyncio). Samples of threads other than the event loop's
(hashing pool, log listener) are left out unless they did work.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("serialisation (msgspec, Litestar encoders)", ("msgspec", "litestar/serialization")),
    (
        "database driver + SQLAlchemy Core",
        ("sqlalchemy/", "asyncmy/", "aiosqlite/", "greenlet", "pymysql/", "sqlite3/"),
    ),
    ("rows -> domain objects (SQL repositories)", ("tms_adapters/persistence/",)),
    ("domain -> DTOs (http/schemas.py)", ("tms_entrypoints/http/schemas.py",)),
    ("HTTP handlers and DI bridges", ("tms_entrypoints/http/",)),
    ("use cases and policies (tms_domain)", ("tms_domain/",)),
    ("authentication (tokens, hashing)", ("tms_adapters/security/", "jose/", "argon2/")),
    ("live events (channels, hub)", ("tms_adapters/realtime/", "litestar/channels")),
    ("framework (Litestar routing, DI, middleware)", ("litestar/",)),
    (
        "server and event loop (uvicorn, granian, asyncio)",
        ("uvicorn/", "granian/", "httptools", "asyncio/", "uvloop"),
    ),
)
IDLE_MARKERS = ("threading.py", "queue.py", "concurrent/futures/thread.py", "selectors.py")


def available() -> bool:
    return shutil.which("py-spy") is not None or _venv_py_spy().exists()


def _venv_py_spy() -> Path:
    import sys

    return Path(sys.executable).with_name("py-spy")


@dataclass(frozen=True)
class LayerShare:
    layer: str
    percent: float


def record(pid: int, seconds: int, output: Path, rate: int = 250) -> None:
    executable = shutil.which("py-spy") or str(_venv_py_spy())
    subprocess.run(
        [
            executable,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(seconds),
            "--rate",
            str(rate),
            "--format",
            "raw",
            "--output",
            str(output),
            "--nonblocking",
        ],
        check=True,
        capture_output=True,
        timeout=seconds + 60,
    )


def layer_of(frame: str) -> str | None:
    for layer, markers in LAYERS:
        if any(marker in frame for marker in markers):
            return layer
    return None


def summarise(raw: Path) -> tuple[list[LayerShare], list[tuple[str, float]]]:
    """Per layer, the share of busy samples; and the ten busiest functions."""
    by_layer: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = stack.split(";")
        if any(marker in frames[-1] for marker in IDLE_MARKERS):
            continue
        count = int(count_text)
        total += count
        layer = next((found for frame in reversed(frames) if (found := layer_of(frame))), "other")
        by_layer[layer] += count
        by_function[frames[-1].split(" (")[0] + " (" + _short(frames[-1]) + ")"] += count
    if not total:
        return [], []
    shares = [LayerShare(layer, 100 * n / total) for layer, n in by_layer.most_common()]
    busiest = [(name, 100 * n / total) for name, n in by_function.most_common(10)]
    return shares, busiest


def _short(frame: str) -> str:
    inside = frame.partition(" (")[2].rstrip(")")
    parts = inside.split("/")
    return "/".join(parts[-2:])
