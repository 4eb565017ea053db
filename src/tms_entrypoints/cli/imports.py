"""`tms import users FILE`: the bulk import of users from the shell, by the rules of
POST /imports/users, with a progress bar. The file is stored and read as an upload is; the
import is then run here as the background job it is (a running `tms serve` or `tms worker`
may take it instead: the bar follows it either way), and the invitations it queued are
sent before the command ends."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from tms_domain.accounts import Actor
from tms_domain.cohorts.imports import ImportStatus, UserImport
from tms_domain.kernel import Conflict, DomainError, Role, StorageUnavailable
from tms_domain.kernel.files import StoredFile, inspect_upload, new_storage_key
from tms_entrypoints.cli.common import (
    CliError,
    Commands,
    fail,
    printable,
    require_migrated,
    run,
    settings_from_env,
    tool_container,
    unreachable,
)
from tms_entrypoints.cli.progress import ProgressBar
from tms_entrypoints.container import Container, running

READ_CHUNK = 64 * 1024
SHOWN_ERRORS = 20


def add_commands(commands: Commands) -> None:
    group = commands.add_parser("import", help="bulk imports (users from a CSV or XLSX file)")
    kinds = group.add_subparsers(dest="kind", required=True, metavar="kind")
    users = kinds.add_parser("users", help="import users from a CSV (UTF-8) or XLSX file")
    users.add_argument("file", type=Path, help="the CSV or XLSX file (columns as the template)")
    users.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    users.add_argument("--batch", metavar="CODE", help="add everyone imported to this batch")
    users.add_argument("--course", metavar="CODE", help="enrol the trainees in this course")
    users.add_argument(
        "--no-invite", action="store_true", help="create users without mailing invitations"
    )
    users.add_argument(
        "--as", dest="importer", help="the admin the import is made by (default TMS_ADMIN_USERNAME)"
    )
    users.set_defaults(handler=import_users)


async def _read(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as handle:
        while chunk := await asyncio.to_thread(handle.read, READ_CHUNK):
            yield chunk


async def _stored(container: Container, path: Path, actor: Actor) -> StoredFile:
    """The file in the file storage, checked as an upload is (size, type from the bytes)."""
    from tms_adapters.imports import sniff_sheet

    now = container.clock().now()
    upload = await inspect_upload(
        _read(path),
        path.name,
        container.settings().upload_max_bytes,
        sniff=sniff_sheet,
        check_text=False,
    )
    key = new_storage_key(now)
    await container.files().write(key, upload.chunks, content_type=upload.content_type)
    return StoredFile(
        id=0,
        name=path.name,
        size=upload.size,
        content_type=upload.content_type,
        storage_key=key,
        sha256=upload.sha256,
        created_by=actor.id,
        created_at=now,
    )


async def _importer(container: Container, login: str) -> Actor:
    async with container.uow()(read_only=True) as uow:
        user = await uow.users.find_by_login(login)
    if user is None or user.role is not Role.ADMIN:
        raise CliError(f"there is no admin {login!r} (name one with --as)")
    return Actor(user=user)


async def _follow(container: Container, actor: Actor, record: UserImport) -> UserImport:
    """Run due jobs (the import's among them) while the bar follows the import."""
    executor = container.jobs.executor()
    service = container.imports()

    async def work() -> None:
        while True:
            if not await executor.run_next():
                await asyncio.sleep(0.2)

    worker = asyncio.create_task(work())
    try:
        label = "Checking" if record.dry_run else "Importing"
        with ProgressBar(f"{label} {printable(record.file_name)}", record.total_rows) as bar:
            while record.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
                await asyncio.sleep(0.25)
                record = await service.get(actor, record.id)
                bar.update(record.processed_rows, f"{record.processed_rows}/{record.total_rows}")
            bar.finish()
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
    while await executor.run_next():  # the invitations the import queued
        pass
    return record


def _summary(record: UserImport) -> str:
    verb = "would be" if record.dry_run else "were"
    lines = [
        f"{record.total_rows} rows: {record.created} {verb} created, {record.updated} {verb}"
        f" updated, {record.unchanged} unchanged, {record.failed} refused"
    ]
    for error in record.errors[:SHOWN_ERRORS]:
        lines.append(f"  row {error.row}, {error.column}: {printable(error.message)}")
    if len(record.errors) > SHOWN_ERRORS or record.failed > len(record.errors):
        lines.append(f"  (all refused rows: GET /imports/{record.id}/errors.csv)")
    if record.error:
        lines.append(f"The import failed: {printable(record.error)}")
    return "\n".join(lines)


def import_users(args: argparse.Namespace) -> None:
    path: Path = args.file
    if not path.is_file():
        fail(f"{path}: no such file", 2)
    settings = settings_from_env()
    run(lambda: require_migrated(settings))
    container = tool_container(settings)

    async def go() -> UserImport:
        try:
            async with running(container):
                actor = await _importer(container, args.importer or settings.admin_username)
                service = container.imports()
                options = await service.options_by_code(
                    actor,
                    dry_run=args.dry_run,
                    invite=not args.no_invite,
                    batch_code=args.batch,
                    course_code=args.course,
                )
                record = await service.start(actor, await _stored(container, path, actor), options)
                return await _follow(container, actor, record)
        except StorageUnavailable as error:
            raise unreachable(settings) from error
        except Conflict as error:
            raise CliError(error.message) from error
        except DomainError as error:
            details = "; ".join(e.message for e in getattr(error, "errors", []))
            raise CliError(f"{path.name}: {details or error.message}") from error

    record = run(go)
    print(_summary(record))
    if record.status is ImportStatus.FAILED:
        fail("the import failed", 1)
