"""The `tms` command: serve, migrate, create-admin, users, demo, report."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import socket
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NoReturn

from tms_adapters.persistence.sql import migrations as schema
from tms_adapters.persistence.sql import safe_url
from tms_domain.errors import Conflict, InvalidInput, StorageUnavailable
from tms_domain.model import Actor, Role
from tms_entrypoints import demo
from tms_entrypoints.container import Container, build_container
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


async def ensure_admin(container: Container, password: str | None) -> None:
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
        return
    if created.temporary_password:
        print(
            f"Created the admin account '{created.user.username}' with the temporary password:\n"
            f"\n    {created.temporary_password}\n\n"
            "It is shown only this once: sign in with it and choose your own password.",
            flush=True,
        )
    else:
        print(f"Created the admin account '{created.user.username}' (TMS_ADMIN_PASSWORD).")


def _run(coroutine_factory: Callable[[], Awaitable[Any]]) -> Any:
    try:
        return asyncio.run(_guarded(coroutine_factory))
    except CliError as error:
        _fail(str(error))


async def _guarded(coroutine_factory: Callable[[], Awaitable[Any]]) -> Any:
    return await coroutine_factory()


async def _dispose(container: Container) -> None:
    container.hasher().shutdown()
    if container.settings().storage == "sql":
        await container.engine().dispose()


def cmd_migrate(_args: argparse.Namespace) -> None:
    settings = _settings()
    applied = _run(lambda: migrate_database(settings))
    where = safe_url(settings.database_url)
    print(
        f"Applied {len(applied)} migration(s) to {where}" if applied else f"{where} is up to date"
    )


def cmd_create_admin(args: argparse.Namespace) -> None:
    settings = _settings()
    container = _container(settings)

    async def run() -> None:
        await migrate_database(settings)
        try:
            await ensure_admin(container, args.password or settings.admin_password or None)
        finally:
            await _dispose(container)

    _run(run)


def cmd_users(args: argparse.Namespace) -> None:
    settings = _settings()
    container = _container(settings)

    async def run() -> None:
        try:
            async with container.uow()(read_only=True) as uow:
                users = await uow.users.page(
                    skip=0, limit=args.limit, role=Role(args.role) if args.role else None
                )
        except StorageUnavailable as error:
            raise CliError(
                f"cannot reach the database at {safe_url(settings.database_url)}"
            ) from error
        finally:
            await _dispose(container)
        print(f"{'id':>6}  {'username':<24} {'role':<8} {'temporary':<9} email")
        for user in users:
            print(
                f"{user.id:>6}  {user.username:<24} {user.role.value:<8} "
                f"{'yes' if user.is_temporary_password else 'no':<9} {user.email}"
            )

    _run(run)


def cmd_demo(args: argparse.Namespace) -> None:
    settings = _settings()
    container = _container(settings)

    async def run() -> None:
        await migrate_database(settings)
        try:
            await ensure_admin(container, settings.admin_password or None)
            await demo.run(container, args)
        except demo.DemoError as error:
            raise CliError(str(error)) from error
        except StorageUnavailable as error:
            raise CliError(
                f"cannot reach the database at {safe_url(settings.database_url)}"
            ) from error
        finally:
            await _dispose(container)

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
        try:
            if settings.auto_migrate:
                await migrate_database(settings)
            await ensure_admin(container, settings.admin_password or None)
        finally:
            await _dispose(container)

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
    from datetime import datetime

    from tms_adapters.reports import RENDERERS, CsvReportRenderer
    from tms_domain.model.reports import ReportFilter
    from tms_domain.services.reports import ReportRequest, parse_sections

    settings = _settings()
    kind = RENDERERS.get(args.format.lower())
    if kind is None:
        _fail(f"unknown format {args.format!r}: choose pdf, csv, excel or xlsx", 2)
    try:
        sections = parse_sections(args.sections)
        where = ReportFilter(
            starts_from=datetime.fromisoformat(args.starts_from) if args.starts_from else None,
            starts_before=datetime.fromisoformat(args.starts_before)
            if args.starts_before
            else None,
            trainer_id=args.trainer_id,
            status=args.status,
        )
    except InvalidInput as error:
        _fail(error.message, 2)
    except ValueError as error:
        _fail(f"dates must be ISO 8601 (2026-05-01 or 2026-05-01T09:00:00+00:00): {error}", 2)
    container = _container(settings)
    renderer = CsvReportRenderer(bom=args.bom) if kind is CsvReportRenderer else kind()

    async def run() -> str:
        reports = container.reports()
        try:
            async with container.uow()(read_only=True) as uow:
                admins = await uow.users.page(skip=0, limit=1, role=Role.ADMIN)
            if not admins:
                raise CliError("no admin account exists: run `tms create-admin` first")
            plan = reports.plan(Actor.system(admins[0]), ReportRequest(sections, where))
            total = await reports.count_rows(plan)
            out = args.out or reports.filename(renderer.extension)
            bar = ProgressBar(total, f"Writing {out}")
            with open(out, "wb") as sink:  # noqa: ASYNC230 - the renderer writes from a worker thread
                await reports.render(plan, renderer, sink, progress=bar.advance)
            bar.done()
            return out
        except StorageUnavailable as error:
            raise CliError(
                f"cannot reach the database at {safe_url(settings.database_url)}"
            ) from error
        finally:
            await _dispose(container)
            container.report_runner().shutdown()

    print(f"Report written to {_run(run)}")


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
    args.handler(args)


if __name__ == "__main__":
    main()
