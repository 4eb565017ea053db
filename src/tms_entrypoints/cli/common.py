"""What every `tms` command shares: failing in one line, settings and containers, running
a coroutine, the database's state, the bootstrap admin, argument types."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn, TypeAlias

from tms_adapters.persistence.sql import migrations as schema
from tms_adapters.persistence.sql import safe_url, sqlite_file
from tms_domain.accounts import profile_violations
from tms_domain.kernel import Conflict, InvalidInput, StorageUnavailable
from tms_entrypoints.container import Container, build_container
from tms_entrypoints.settings import Settings, SettingsError


class CliError(Exception):
    """A failure to report in one line and exit non-zero."""


def fail(message: str, code: int = 1) -> NoReturn:
    print(f"tms: error: {message}", file=sys.stderr)
    raise SystemExit(code)


def settings_from_env() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        fail(str(error), 2)


def server_container(settings: Settings) -> Container:
    """The container for a command that signs tokens: a secret key is made if none is set."""
    try:
        return build_container(settings)
    except (SettingsError, ValueError) as error:
        fail(str(error), 2)


def tool_container(settings: Settings) -> Container:
    """The container for a command that signs no token: no secret key is made for it."""
    return Container(settings=settings)


def run(coroutine_factory: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run a command's coroutine; a CliError it raises ends the command in one line."""
    try:
        return asyncio.run(coroutine_factory())
    except CliError as error:
        fail(str(error))


def unreachable(settings: Settings) -> CliError:
    return CliError(f"cannot reach the database at {safe_url(settings.database_url)}")


def _describe(error: BaseException) -> str:
    reason = getattr(error, "orig", None) or error.__cause__ or error
    return str(reason).splitlines()[0][:300]


async def migrate_database(settings: Settings) -> list[str]:
    """Apply pending migrations; a database that cannot be reached is a CliError naming it
    without its password."""
    if settings.storage != "sql":
        return []
    try:
        todo = await schema.pending(settings.database_url)
        if todo:
            await schema.upgrade(settings.database_url)
    except Exception as error:
        raise CliError(
            f"cannot migrate the database at {safe_url(settings.database_url)}: {_describe(error)}"
        ) from error
    return todo


async def require_migrated(settings: Settings) -> None:
    """For the commands that read: the database must exist and be migrated. Finding out
    creates nothing (no SQLite file, no folder for it)."""
    if settings.storage != "sql":
        return
    where = safe_url(settings.database_url)
    path = sqlite_file(settings.database_url)
    if path is not None and not path.is_file():
        raise CliError(f"there is no database at {path} yet: run `tms migrate` first")
    try:
        todo = await schema.pending(settings.database_url)
    except Exception as error:
        raise CliError(f"cannot reach the database at {where}: {_describe(error)}") from error
    if todo:
        raise CliError(
            f"the database at {where} is not migrated ({len(todo)} migration(s) pending):"
            " run `tms migrate` first"
        )


def check_admin_password(container: Container, password: str | None) -> None:
    """The bootstrap admin's details and a given password, checked before anything is made."""
    settings = container.settings()
    errors = profile_violations(username=settings.admin_username, email=settings.admin_email)
    if password is not None:
        errors += [
            (violation.field, violation.message)
            for violation in container.password_policy().violations(
                password,
                field="password",
                username=settings.admin_username,
                email=settings.admin_email,
            )
        ]
    if errors:
        fail("the admin account cannot be created: " + "; ".join(m for _, m in errors), 2)


async def ensure_admin(
    container: Container, password: str | None, *, given_by: str = "TMS_ADMIN_PASSWORD"
) -> bool:
    """Create the bootstrap admin when no admin exists; True when it was created."""
    settings = container.settings()
    try:
        created = await container.users().ensure_admin(
            settings.admin_username, settings.admin_email, password
        )
    except InvalidInput as error:
        details = "; ".join(e.message for e in error.errors)
        raise CliError(f"the admin account cannot be created: {details}") from error
    except Conflict as error:
        raise CliError(error.message) from error
    except StorageUnavailable as error:
        raise unreachable(settings) from error
    if created is None:
        return False
    if created.temporary_password:
        print(
            f"Created the admin account '{created.user.username}' with the temporary password:\n"
            f"\n    {created.temporary_password}\n\n"
            "It is shown only this once: sign in with it and choose your own password.",
            flush=True,
        )
    else:
        print(
            f"Created the admin account '{created.user.username}' with the password of {given_by}."
        )
    return True


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters (terminal escape sequences start with one) and the bidirectional
overrides that reorder what a terminal shows."""


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: what could move the cursor, recolour, retitle
    the window or reorder the line is shown as an escape instead (``\\x1b``)."""
    return _UNPRINTABLE.sub(
        lambda found: (
            f"\\x{ord(found[0]):02x}" if ord(found[0]) < 0x100 else f"\\u{ord(found[0]):04x}"
        ),
        text,
    )


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def port(text: str) -> int:
    value = positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError("must be at most 65535")
    return value


Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""Where each command module adds its commands (``add_commands``)."""
