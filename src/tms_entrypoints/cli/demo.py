"""`tms demo`: fill an empty database with demo data."""

from __future__ import annotations

import argparse

from tms_domain.errors import InvalidInput, StorageUnavailable
from tms_entrypoints import demo
from tms_entrypoints.cli.common import (
    CliError,
    Commands,
    check_admin_password,
    ensure_admin,
    fail,
    migrate_database,
    run,
    settings_from_env,
    tool_container,
    unreachable,
)
from tms_entrypoints.container import running


def add_commands(commands: Commands) -> None:
    demo_data = commands.add_parser(
        "demo", help="fill an empty database with demo data (one password for all users)"
    )
    demo.add_arguments(demo_data)
    demo_data.set_defaults(handler=fill_with_demo_data)


def fill_with_demo_data(args: argparse.Namespace) -> None:
    settings = settings_from_env()
    container = tool_container(settings)
    # Checked before the database is made or changed.
    problems = demo.size_from(args).problems()
    if problems:
        fail("; ".join(problems), 2)
    try:
        container.password_policy().check(args.password, field="password")
    except InvalidInput as error:
        details = "; ".join(e.message for e in error.errors)
        fail(f"the demo password cannot be used: {details}", 2)
    check_admin_password(container, settings.admin_password or None)

    async def fill() -> None:
        await migrate_database(settings)
        try:
            async with running(container):
                await ensure_admin(container, settings.admin_password or None)
                await demo.run(container, args)
        except demo.DemoError as error:
            raise CliError(str(error)) from error
        except StorageUnavailable as error:
            raise unreachable(settings) from error

    run(fill)
