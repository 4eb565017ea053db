"""The `tms` command: serve, migrate, create-admin, users, demo, report."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import logging
import os
import re
import socket
import sys
import tempfile
from collections.abc import Callable, Coroutine, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

from tms_adapters.persistence.sql import migrations as schema
from tms_adapters.persistence.sql import safe_url, sqlite_file
from tms_domain.errors import Conflict, InvalidInput, StorageUnavailable
from tms_domain.model import Role
from tms_domain.policy.profiles import profile_violations
from tms_entrypoints import demo
from tms_entrypoints.container import Container, build_container, running
from tms_entrypoints.logs import log_config
from tms_entrypoints.settings import Settings, SettingsError

log = logging.getLogger("tms")


class CliError(Exception):
    """A failure to report in one line and exit non-zero."""


def _fail(message: str, code: int = 1) -> NoReturn:
    print(f"tms: error: {message}", file=sys.stderr)
    raise SystemExit(code)


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        _fail(str(error), 2)


def _container(settings: Settings) -> Container:
    try:
        return build_container(settings)
    except (SettingsError, ValueError) as error:
        _fail(str(error), 2)


def _tool_container(settings: Settings) -> Container:
    """The container for a command that signs no token: no secret key is made for it."""
    return Container(settings=settings)


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
        raise CliError(f"cannot reach the database at {safe_url(settings.database_url)}") from error
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


def _run(coroutine_factory: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    try:
        return asyncio.run(coroutine_factory())
    except CliError as error:
        _fail(str(error))


def cmd_migrate(_args: argparse.Namespace) -> None:
    settings = _settings()
    applied = _run(lambda: migrate_database(settings))
    where = safe_url(settings.database_url)
    print(
        f"Applied {len(applied)} migration(s) to {where}" if applied else f"{where} is up to date"
    )


def _check_admin_password(container: Container, password: str | None) -> None:
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
        _fail("the admin account cannot be created: " + "; ".join(m for _, m in errors), 2)


def cmd_create_admin(args: argparse.Namespace) -> None:
    settings = _settings()
    container = _tool_container(settings)
    _check_admin_password(container, args.password or settings.admin_password or None)

    async def run() -> None:
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

    _run(run)


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


def cmd_users(args: argparse.Namespace) -> None:
    settings = _settings()
    _run(lambda: require_migrated(settings))
    container = _tool_container(settings)

    async def run() -> None:
        try:
            async with running(container), container.uow()(read_only=True) as uow:
                users = await uow.users.page(
                    skip=0, limit=args.limit, role=Role(args.role) if args.role else None
                )
        except StorageUnavailable as error:
            raise CliError(
                f"cannot reach the database at {safe_url(settings.database_url)}"
            ) from error
        print(f"{'id':>6}  {'username':<24} {'role':<8} {'temporary':<9} email")
        for user in users:
            print(
                f"{user.id:>6}  {printable(user.username):<24} {user.role.value:<8} "
                f"{'yes' if user.is_temporary_password else 'no':<9} {printable(user.email)}"
            )

    _run(run)


def cmd_demo(args: argparse.Namespace) -> None:
    settings = _settings()
    container = _tool_container(settings)
    # Checked before the database is made or changed.
    problems = demo.size_from(args).problems()
    if problems:
        _fail("; ".join(problems), 2)
    try:
        container.password_policy().check(args.password, field="password")
    except InvalidInput as error:
        details = "; ".join(e.message for e in error.errors)
        _fail(f"the demo password cannot be used: {details}", 2)
    _check_admin_password(container, settings.admin_password or None)

    async def run() -> None:
        await migrate_database(settings)
        try:
            async with running(container):
                await ensure_admin(container, settings.admin_password or None)
                await demo.run(container, args)
        except demo.DemoError as error:
            raise CliError(str(error)) from error
        except StorageUnavailable as error:
            raise CliError(
                f"cannot reach the database at {safe_url(settings.database_url)}"
            ) from error

    _run(run)


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    settings = _settings()
    if args.workers > 1 and not settings.redis_url:
        _fail(
            "--workers above 1 needs TMS_REDIS_URL: live events must cross processes through Redis",
            2,
        )
    host = args.host or settings.host
    port = args.port or settings.port
    _check_address_free(host, port)
    container = _container(settings)

    async def prepare() -> None:
        if settings.auto_migrate:
            await migrate_database(settings)
        async with running(container):
            await ensure_admin(container, settings.admin_password or None)

    _run(prepare)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host  # noqa: S104
    web = settings.web_dist_path is not None
    print(
        f"TMS is serving on http://{host}:{port}\n"
        + (f"  Web client: http://{shown}:{port}/app/\n" if web else "")
        + f"  API docs:   http://{shown}:{port}/docs\n"
        + f"  Sign in as '{settings.admin_username}'.",
        flush=True,
    )
    uvicorn.run(
        "tms_entrypoints.http.asgi:create",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        reload=args.reload,
        # uvicorn's httptools protocol with limits on request heads, slow clients and
        # connections per address (see its module).
        http="tms_entrypoints.http.protocol:LimitedHttpToolsProtocol",
        timeout_keep_alive=settings.keep_alive_seconds,
        log_level=settings.log_level.lower(),
        proxy_headers=False,
        # The app logs each request itself (tms.access), with secrets masked.
        access_log=False,
        log_config=log_config(settings.log_level, settings.log_format),
        timeout_graceful_shutdown=10,
        ws_ping_interval=settings.ws_ping_seconds,
        ws_ping_timeout=settings.ws_ping_seconds,
        ws_max_size=64 * 1024,
        # Events are small JSON: compressing them per connection would cost a zlib context
        # (about 35 KiB) for every open socket and CPU for every event sent.
        ws_per_message_deflate=False,
    )


def _check_address_free(host: str, port: int) -> None:
    """Fail in one line, before migrating or printing anything, when the address cannot be
    listened on (uvicorn would say so only after the banner, in a log line)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As uvicorn binds: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                _fail(
                    f"cannot listen on {host}:{port}: the port is already in use"
                    " (another server? choose one with --port or TMS_PORT)"
                )
            _fail(f"cannot listen on {host}:{port}: {error.strerror or error}")


def cmd_report(args: argparse.Namespace) -> None:
    from tms_adapters.reports import RENDERERS, CsvReportRenderer
    from tms_domain.model.reports import ReportFilter
    from tms_domain.services.reports import ReportRequest, parse_sections, plan_report

    settings = _settings()
    kind = RENDERERS.get(args.format.lower())
    if kind is None:
        _fail(f"unknown format {args.format!r}: choose pdf, csv, excel or xlsx", 2)
    try:
        # Checked before the database is touched, by the rules the API's reports follow.
        plan = plan_report(
            ReportRequest(
                parse_sections(args.sections),
                ReportFilter(
                    starts_from=_moment(args.starts_from, "--from"),
                    starts_before=_moment(args.starts_before, "--to"),
                    trainer_id=args.trainer_id,
                    status=args.status,
                ),
            )
        )
    except InvalidInput as error:
        _fail(error.message.replace("`from`", "--from").replace("`to`", "--to"), 2)
    out = Path(args.out) if args.out else None
    if out is not None:
        _check_writable(out)
    _run(lambda: require_migrated(settings))
    container = _tool_container(settings)
    renderer = CsvReportRenderer(bom=args.bom) if kind is CsvReportRenderer else kind()

    async def run() -> Path:
        try:
            async with running(container):
                reports = container.reports()
                total = await reports.count_rows(plan)
                target = out or Path(reports.filename(renderer.extension))
                bar = ProgressBar(total, f"Writing {target}")
                with _written_whole(target) as sink:
                    await reports.render(plan, renderer, sink, progress=bar.advance)
                bar.done()
                return target
        except StorageUnavailable as error:
            raise CliError(
                f"cannot reach the database at {safe_url(settings.database_url)}"
            ) from error

    print(f"Report written to {_run(run)}")


def _moment(text: str | None, option: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        _fail(
            f"{option} must be an ISO 8601 date or date and time"
            f" (2026-05-01 or 2026-05-01T09:00:00+00:00), not {text!r}",
            2,
        )


def _check_writable(out: Path) -> None:
    if out.is_dir():
        _fail(f"--out {out} is a folder: name the file to write", 2)
    if not out.parent.is_dir():
        _fail(f"--out {out}: the folder {out.parent} does not exist", 2)
    if not os.access(out.parent, os.W_OK):
        _fail(f"--out {out}: the folder {out.parent} is not writable", 2)


@contextlib.contextmanager
def _written_whole(target: Path) -> Iterator[BinaryIO]:
    """A file that appears at ``target`` only once it is complete: a report that fails or is
    interrupted leaves nothing behind (and an earlier file of that name as it was). It holds
    people's names and addresses: only its owner may read it."""
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed or removed below
            dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
        )
    except OSError as error:
        raise CliError(f"cannot write {target}: {error.strerror}") from error
    try:
        with handle:
            yield handle  # type: ignore[misc]
        os.replace(handle.name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


class ProgressBar:
    """A one-line progress bar on stderr."""

    def __init__(self, total: int, label: str, width: int = 30) -> None:
        self.total = max(total, 1)
        self.label = label
        self.width = width
        self.done_rows = 0
        self._draw()

    def advance(self, rows: int) -> None:
        self.done_rows += rows
        self._draw()

    def _draw(self) -> None:
        share = min(self.done_rows / self.total, 1.0)
        filled = int(share * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        print(f"\r{self.label} [{bar}] {share:6.1%}", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        self.done_rows = self.total
        self._draw()
        print(file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tms",
        description="Training Management System. Settings come from TMS_* environment "
        "variables and an optional .env file (see .env.example).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    serve = commands.add_parser("serve", help="migrate, make sure an admin exists, serve")
    serve.add_argument("--host", help="address to listen on (TMS_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=_port, help="port (TMS_PORT, default 8002)")
    serve.add_argument("--workers", type=_positive, default=1, help="processes (default 1)")
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
    serve.set_defaults(handler=cmd_serve)

    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(handler=cmd_migrate)

    admin = commands.add_parser("create-admin", help="create the bootstrap admin if missing")
    admin.add_argument(
        "--password",
        help="its password (default TMS_ADMIN_PASSWORD; none: a temporary one is printed)",
    )
    admin.set_defaults(handler=cmd_create_admin)

    users = commands.add_parser("users", help="list users")
    users.add_argument("--role", choices=[role.value for role in Role])
    users.add_argument("--limit", type=_positive, default=1000)
    users.set_defaults(handler=cmd_users)

    report = commands.add_parser("report", help="write a report file (pdf, csv, xlsx)")
    report.add_argument("--format", default="xlsx", help="pdf, csv, excel or xlsx (default xlsx)")
    report.add_argument("--out", help="file to write (default training-report-YYYYMMDD.<ext>)")
    report.add_argument(
        "--from", dest="starts_from", help="sessions starting at or after (ISO 8601)"
    )
    report.add_argument("--to", dest="starts_before", help="sessions starting before (ISO 8601)")
    report.add_argument("--trainer-id", type=_positive, help="one trainer's sessions")
    report.add_argument("--status", choices=["scheduled", "completed", "cancelled"])
    report.add_argument(
        "--sections", help="summary,users,sessions,attendance,progress (default all)"
    )
    report.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 BOM for Excel")
    report.set_defaults(handler=cmd_report)

    demo_data = commands.add_parser(
        "demo", help="fill an empty database with demo data (one password for all users)"
    )
    demo.add_arguments(demo_data)
    demo_data.set_defaults(handler=cmd_demo)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError("must be at most 65535")
    return value


def main(argv: Sequence[str] | None = None) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        _fail("interrupted", 130)


if __name__ == "__main__":
    main()
