"""`tms backup PATH` and `tms restore PATH`: SQLite's own copies, safe while serving.

MariaDB/MySQL have their own tools (mariadb-dump, mariabackup): docs/operations.md says how.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tms_adapters.persistence.sql import safe_url, sqlite_file
from tms_adapters.persistence.sql.migrations import head_revisions
from tms_adapters.persistence.sql.sqlite_backup import BackupError, back_up, restore
from tms_entrypoints.cli.common import Commands, fail, settings_from_env
from tms_entrypoints.settings import Settings

OTHER_DATABASES = (
    "tms {command} copies SQLite databases; {url} is not one. For MariaDB/MySQL use"
    " mariadb-dump or mariabackup, as docs/operations.md describes"
)


def add_commands(commands: Commands) -> None:
    backup = commands.add_parser(
        "backup", help="copy the SQLite database to PATH (consistent while the server runs)"
    )
    backup.add_argument("path", type=Path, help="the new backup file (must not exist)")
    backup.set_defaults(handler=make_backup)

    put_back = commands.add_parser(
        "restore", help="put a backup made by `tms backup` back into the SQLite database"
    )
    put_back.add_argument("path", type=Path, help="the backup file")
    put_back.add_argument(
        "--force",
        action="store_true",
        help="restore even while another process (a server) has the database open; restart"
        " it right after",
    )
    put_back.set_defaults(handler=restore_backup)


def _database(settings: Settings, command: str) -> Path:
    path = sqlite_file(settings.database_url) if settings.storage == "sql" else None
    if path is None:
        where = safe_url(settings.database_url) if settings.storage == "sql" else "memory"
        fail(OTHER_DATABASES.format(command=command, url=where), 2)
    return path


def make_backup(args: argparse.Namespace) -> None:
    database = _database(settings_from_env(), "backup")
    try:
        copied = back_up(database, args.path)
    except BackupError as error:
        fail(str(error))
    print(
        f"Backed up {copied.source} to {copied.destination} ({copied.size // 1024} KiB,"
        f" schema {', '.join(sorted(copied.revisions))}, integrity checked)."
    )


def restore_backup(args: argparse.Namespace) -> None:
    database = _database(settings_from_env(), "restore")
    try:
        copied = restore(args.path, database, force=args.force)
    except BackupError as error:
        fail(str(error))
    print(
        f"Restored {copied.source} into {copied.destination} ({copied.size // 1024} KiB,"
        " integrity checked)."
    )
    if copied.revisions != head_revisions():
        print("The backup's schema is older than this version's: run `tms migrate`.")
