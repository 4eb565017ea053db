"""Copies of a SQLite database taken and put back with SQLite's online backup API.

A backup is one consistent snapshot even while a server writes: the copy is made in one
step inside a read transaction, which in WAL mode blocks no writer. It is written beside
its destination, checked (``PRAGMA integrity_check``), made a single self-contained file
(rollback journal, no -wal beside it) and only then renamed into place.

A restore writes the backup into the database through the same API, so that the file
keeps its identity (a process that has it open sees the restored content, not a deleted
file). It refuses while another process has the database open, unless forced: a server's
memory (the last live-event id it sent) would not match the restored data.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

VERSIONS = "alembic_version"
BUSY_MS = 30_000


class BackupError(Exception):
    """What keeps a backup or restore from being made, said in one line."""


@dataclass(frozen=True)
class Copied:
    source: Path
    destination: Path
    size: int
    revisions: frozenset[str]
    """The schema revisions the copy has applied."""


@contextlib.contextmanager
def _connected(
    path: Path, *, read_only: bool = False, busy_ms: int = BUSY_MS
) -> Iterator[sqlite3.Connection]:
    target = f"file:{quote(str(path))}?mode=ro" if read_only else f"file:{quote(str(path))}"
    connection = sqlite3.connect(target, uri=True, timeout=busy_ms / 1000, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def _check(connection: sqlite3.Connection, what: str) -> frozenset[str]:
    """Integrity checked; the schema revisions applied (a TMS database has some)."""
    try:
        verdict = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{what} is not a SQLite database ({error})") from error
    if verdict != ["ok"]:
        raise BackupError(f"{what} fails SQLite's integrity check: {'; '.join(verdict[:3])}")
    has_versions = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (VERSIONS,)
    ).fetchone()
    if not has_versions:
        raise BackupError(f"{what} is not a TMS database (it has no schema revision)")
    return frozenset(row[0] for row in connection.execute(f"SELECT version_num FROM {VERSIONS}"))  # noqa: S608


def back_up(source: Path, destination: Path) -> Copied:
    """A consistent copy of ``source`` at ``destination`` (which must not exist yet)."""
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    if destination.exists():
        raise BackupError(f"{destination} exists already: choose another path")
    if not destination.parent.is_dir():
        raise BackupError(f"there is no folder {destination.parent}")
    partial = destination.with_name(f".{destination.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with _connected(source) as live, _connected(partial) as copy:
            # One step (-1: every page), so the copy is one snapshot however busy the source.
            live.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")
            revisions = _check(copy, "the copy")
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, destination)
    except sqlite3.Error as error:
        raise BackupError(f"the backup of {source} failed: {error}") from error
    finally:
        partial.unlink(missing_ok=True)
    return Copied(source, destination, destination.stat().st_size, revisions)


def held_by_another_process(database: Path) -> bool:
    """Whether another connection has the database open. Leaving WAL mode needs the
    database to oneself (every connection holds a shared lock on its WAL index), and the
    app's connections always use WAL mode; when nobody holds it, the switch is made (a
    restore rewrites the database anyway)."""
    if not database.is_file():
        return False
    with _connected(database, busy_ms=0) as probe:
        try:
            mode = probe.execute("PRAGMA journal_mode=DELETE").fetchone()
        except sqlite3.OperationalError:
            return True
    return bool(mode and str(mode[0]).lower() != "delete")


def restore(backup: Path, database: Path, *, force: bool = False) -> Copied:
    """Write ``backup`` into ``database`` (made when missing), checked before and after."""
    if not backup.is_file():
        raise BackupError(f"there is no backup at {backup}")
    with _connected(backup, read_only=True) as source:
        _check(source, str(backup))
    if not force and held_by_another_process(database):
        raise BackupError(
            f"the database at {database} is open in another process (a running `tms serve`"
            " or `tms worker`?): stop them and run this again. --force restores under them,"
            " but what they hold in memory (such as the last live event sent) then no longer"
            " matches the database: restart them right after"
        )
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _connected(backup, read_only=True) as source, _connected(database) as target:
            source.backup(target, pages=-1)
            revisions = _check(target, f"the restored database at {database}")
            target.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as error:
        raise BackupError(f"the restore into {database} failed: {error}") from error
    return Copied(backup, database, database.stat().st_size, revisions)
