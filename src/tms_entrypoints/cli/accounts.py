"""`tms create-admin` and `tms users`: the bootstrap admin and the user list."""

from __future__ import annotations

import argparse

from tms_adapters.persistence.sql import safe_url
from tms_domain.kernel import Role, StorageUnavailable
from tms_entrypoints.cli.common import (
    Commands,
    check_admin_password,
    ensure_admin,
    migrate_database,
    positive,
    printable,
    require_migrated,
    run,
    settings_from_env,
    tool_container,
    unreachable,
)
from tms_entrypoints.container import running


def add_commands(commands: Commands) -> None:
    admin = commands.add_parser("create-admin", help="create the bootstrap admin if missing")
    admin.add_argument(
        "--password",
        help="its password (default TMS_ADMIN_PASSWORD; none: a temporary one is printed)",
    )
    admin.set_defaults(handler=create_admin)

    users = commands.add_parser("users", help="list users")
    users.add_argument("--role", choices=[role.value for role in Role])
    users.add_argument("--limit", type=positive, default=1000)
    users.set_defaults(handler=list_users)


def create_admin(args: argparse.Namespace) -> None:
    settings = settings_from_env()
    container = tool_container(settings)
    check_admin_password(container, args.password or settings.admin_password or None)

    async def create() -> None:
        applied = await migrate_database(settings)
        if applied:
            print(f"Applied {len(applied)} migration(s) to {safe_url(settings.database_url)}.")
        async with running(container):
            created = await ensure_admin(
                container,
                args.password or settings.admin_password or None,
                given_by="--password" if args.password else "TMS_ADMIN_PASSWORD",
            )
        if not created:
            print("An admin account already exists: nothing to do.")

    run(create)


def list_users(args: argparse.Namespace) -> None:
    settings = settings_from_env()
    run(lambda: require_migrated(settings))
    container = tool_container(settings)

    async def show() -> None:
        try:
            async with running(container), container.uow()(read_only=True) as uow:
                users = await uow.user_directory.page(
                    skip=0, limit=args.limit, role=Role(args.role) if args.role else None
                )
        except StorageUnavailable as error:
            raise unreachable(settings) from error
        print(f"{'id':>6}  {'username':<24} {'role':<8} {'temporary':<9} email")
        for user in users:
            print(
                f"{user.id:>6}  {printable(user.username):<24} {user.role.value:<8} "
                f"{'yes' if user.is_temporary_password else 'no':<9} {printable(user.email)}"
            )

    run(show)
