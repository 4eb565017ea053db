"""`tms import-legacy`: bring the earlier system's MySQL database over (docs/migration.md)."""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tms_adapters.legacy import LegacySourceError, MysqlLegacySource, source_url_problem
from tms_adapters.persistence.sql import safe_url
from tms_domain.kernel import StorageUnavailable
from tms_domain.legacy import ImportReport, Zones
from tms_entrypoints.cli.common import (
    CliError,
    Commands,
    fail,
    migrate_database,
    printable,
    require_migrated,
    run,
    settings_from_env,
    tool_container,
    unreachable,
)
from tms_entrypoints.container import running
from tms_entrypoints.settings import Settings


def add_commands(commands: Commands) -> None:
    command = commands.add_parser(
        "import-legacy",
        help="bring the earlier system's MySQL database over (users, sessions, attendance, ...)",
        description="Reads the earlier system's database and brings its rows into this one; "
        "run it again and it changes nothing. Every row it cannot bring over is reported "
        "with the reason, and the report is also written as JSON under TMS_VAR_DIR/imports.",
    )
    command.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="URL",
        help="the earlier system's database: mysql+asyncmy://user:password@host:3306/name",
    )
    command.add_argument(
        "--dry-run", action="store_true", help="write nothing; report what would be done"
    )
    command.add_argument(
        "--naive-zone",
        default="UTC",
        metavar="ZONE",
        help="the time zone of the old system's naive timestamps (default UTC)",
    )
    command.add_argument(
        "--session-stamps-zone",
        default="Asia/Kolkata",
        metavar="ZONE",
        help="the zone its sessions' created_at/updated_at were written in (default "
        "Asia/Kolkata, +05:30)",
    )
    command.set_defaults(handler=import_legacy)


def _zone(name: str, option: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"{option}: unknown time zone {name!r} (an IANA name such as UTC or Asia/Kolkata)", 2)


def import_legacy(args: argparse.Namespace) -> None:
    if problem := source_url_problem(args.source):
        fail(f"--from {problem}", 2)
    zones = Zones(
        naive=_zone(args.naive_zone, "--naive-zone"),
        naive_name=args.naive_zone,
        session_stamps=_zone(args.session_stamps_zone, "--session-stamps-zone"),
        session_stamps_name=args.session_stamps_zone,
    )
    settings = settings_from_env()
    if args.dry_run:
        run(lambda: require_migrated(settings))
    container = tool_container(settings)
    timings: list[float] = []

    async def bring_over() -> ImportReport:
        if not args.dry_run:
            applied = await migrate_database(settings)
            if applied:
                print(f"Applied {len(applied)} migration(s) to {safe_url(settings.database_url)}.")
        source = MysqlLegacySource(args.source)
        async with running(container):
            try:
                started = time.perf_counter()
                report = await container.legacy_import().run(
                    None, source, zones, dry_run=args.dry_run
                )
                timings.append(time.perf_counter() - started)
                return report
            except StorageUnavailable as error:
                raise unreachable(settings) from error
            except LegacySourceError as error:
                raise CliError(str(error)) from error

    report = run(bring_over)
    print(describe(report))
    print(f"The import itself took {timings[0]:.1f} s.")
    path = write_report(report, settings)
    print(f"Report written to {path}")


def describe(report: ImportReport) -> str:
    """The report as printed: what was assumed, counts per kind, each row skipped."""
    lines = ["Dry run: nothing was written." if report.dry_run else "Imported."]
    lines += [f"Assumed: {assumption}" for assumption in report.assumptions]
    lines.append(f"{'kind':<14} {'created':>8} {'unchanged':>10} {'skipped':>8}")
    for kind, counts in report.counts.items():
        lines.append(
            f"{kind.value:<14} {counts.created:>8} {counts.unchanged:>10} {counts.skipped:>8}"
        )
    lines.append(f"Total: {report.summary()}")
    if report.skipped:
        lines.append("Not brought over:")
    for skipped in report.skipped:
        row = json.dumps({k: _plain(v) for k, v in skipped.row.items()}, ensure_ascii=False)
        lines.append(
            printable(f"  {skipped.kind.value} #{skipped.legacy_id}: {skipped.reason} | {row}")
        )
    return "\n".join(lines)


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def write_report(report: ImportReport, settings: Settings) -> Path:
    """As JSON under the data directory (TMS_VAR_DIR/imports), named for when it ran."""
    folder = Path(settings.var_dir) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"legacy-{stamp}{'-dry-run' if report.dry_run else ''}.json"
    path.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return path.resolve()
