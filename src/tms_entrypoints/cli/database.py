"""`tms migrate`: bring the database's schema up to date."""

from __future__ import annotations

import argparse

from tms_adapters.persistence.sql import safe_url
from tms_entrypoints.cli.common import Commands, migrate_database, run, settings_from_env


def add_commands(commands: Commands) -> None:
    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(handler=apply_migrations)


def apply_migrations(_args: argparse.Namespace) -> None:
    settings = settings_from_env()
    applied = run(lambda: migrate_database(settings))
    where = safe_url(settings.database_url)
    print(
        f"Applied {len(applied)} migration(s) to {where}" if applied else f"{where} is up to date"
    )
