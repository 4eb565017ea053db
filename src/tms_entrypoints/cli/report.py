"""`tms report`: write a report file (PDF, CSV or Excel), by the rules the API's follow."""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from tms_domain.kernel import InvalidInput, StorageUnavailable
from tms_entrypoints.cli.common import (
    CliError,
    Commands,
    fail,
    positive,
    require_migrated,
    run,
    settings_from_env,
    tool_container,
    unreachable,
)
from tms_entrypoints.cli.progress import ProgressBar
from tms_entrypoints.container import running


def add_commands(commands: Commands) -> None:
    report = commands.add_parser("report", help="write a report file (pdf, csv, xlsx)")
    report.add_argument("--format", default="xlsx", help="pdf, csv, excel or xlsx (default xlsx)")
    report.add_argument("--out", help="file to write (default training-report-YYYYMMDD.<ext>)")
    report.add_argument(
        "--from", dest="starts_from", help="sessions starting at or after (ISO 8601)"
    )
    report.add_argument("--to", dest="starts_before", help="sessions starting before (ISO 8601)")
    report.add_argument("--trainer-id", type=positive, help="one trainer's sessions")
    report.add_argument("--status", choices=["scheduled", "completed", "cancelled"])
    report.add_argument("--course-id", type=positive, help="the one course to list under Courses")
    report.add_argument(
        "--sections", help="summary,users,sessions,attendance,progress,courses (default all)"
    )
    report.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 BOM for Excel")
    report.set_defaults(handler=write_report)


def write_report(args: argparse.Namespace) -> None:
    # Imported here: the renderers (fpdf2, XlsxWriter) are not loaded for other commands.
    from tms_adapters.reports import RENDERERS, CsvReportRenderer
    from tms_domain.reporting import ReportFilter
    from tms_domain.reporting.use_cases.reports import ReportRequest, parse_sections, plan_report

    settings = settings_from_env()
    kind = RENDERERS.get(args.format.lower())
    if kind is None:
        fail(f"unknown format {args.format!r}: choose pdf, csv, excel or xlsx", 2)
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
                    course_id=args.course_id,
                ),
            )
        )
    except InvalidInput as error:
        fail(error.message.replace("`from`", "--from").replace("`to`", "--to"), 2)
    out = Path(args.out) if args.out else None
    if out is not None:
        _check_writable(out)
    run(lambda: require_migrated(settings))
    container = tool_container(settings)
    renderer = CsvReportRenderer(bom=args.bom) if kind is CsvReportRenderer else kind()

    async def write() -> Path:
        try:
            async with running(container):
                reports = container.reports()
                total = await reports.count_rows(plan)
                target = out or Path(reports.filename(renderer.extension))
                with ProgressBar(f"Writing {target}", total) as bar:
                    with _written_whole(target) as sink:
                        await reports.render(plan, renderer, sink, progress=bar.advance)
                    bar.finish()
                return target
        except StorageUnavailable as error:
            raise unreachable(settings) from error

    print(f"Report written to {run(write)}")


def _moment(text: str | None, option: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        fail(
            f"{option} must be an ISO 8601 date or date and time"
            f" (2026-05-01 or 2026-05-01T09:00:00+00:00), not {text!r}",
            2,
        )


def _check_writable(out: Path) -> None:
    if out.is_dir():
        fail(f"--out {out} is a folder: name the file to write", 2)
    if not out.parent.is_dir():
        fail(f"--out {out}: the folder {out.parent} does not exist", 2)
    if not os.access(out.parent, os.W_OK):
        fail(f"--out {out}: the folder {out.parent} is not writable", 2)


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
