"""`tms demo`: fill an empty database with demo data."""

from __future__ import annotations

import argparse

from tms_domain.kernel import InvalidInput, StorageUnavailable
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
from tms_entrypoints.cli.progress import ProgressBar
from tms_entrypoints.container import Container, running
from tms_entrypoints.demo import (
    DEMO_PASSWORD,
    FULL,
    SMALL,
    DemoError,
    DemoReport,
    DemoSize,
    fill_demo,
)


def add_commands(commands: Commands) -> None:
    demo = commands.add_parser(
        "demo", help="fill an empty database with demo data (one password for all users)"
    )
    demo.add_argument("--trainers", type=int, help=f"default {FULL.trainers}")
    demo.add_argument("--trainees", type=int, help=f"default {FULL.trainees}")
    demo.add_argument("--sessions", type=int, help=f"default {FULL.sessions}")
    demo.add_argument(
        "--per-session", type=int, help=f"trainees per session (default {FULL.per_session})"
    )
    demo.add_argument(
        "--small",
        action="store_true",
        help=f"{SMALL.trainers} trainers, {SMALL.trainees} trainees, {SMALL.sessions} "
        f"sessions of {SMALL.per_session} (the other options still override)",
    )
    demo.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing when the database holds users besides the admin",
    )
    demo.add_argument("--seed", type=int, help="repeat the same data set (for the same day)")
    demo.add_argument(
        "--password",
        default=DEMO_PASSWORD,
        help=f"the password of every demo user (default {DEMO_PASSWORD!r})",
    )
    demo.set_defaults(handler=fill_with_demo_data)


def size_from(args: argparse.Namespace) -> DemoSize:
    base = SMALL if args.small else FULL
    return DemoSize(
        trainers=base.trainers if args.trainers is None else args.trainers,
        trainees=base.trainees if args.trainees is None else args.trainees,
        sessions=base.sessions if args.sessions is None else args.sessions,
        per_session=base.per_session if args.per_session is None else args.per_session,
    )


def fill_with_demo_data(args: argparse.Namespace) -> None:
    settings = settings_from_env()
    container = tool_container(settings)
    # Checked before the database is made or changed.
    size = size_from(args)
    problems = size.problems()
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
                _summarise(await _fill(container, size, args), args.password)
        except DemoError as error:
            raise CliError(str(error)) from error
        except StorageUnavailable as error:
            raise unreachable(settings) from error

    run(fill)


async def _fill(container: Container, size: DemoSize, args: argparse.Namespace) -> DemoReport:
    with ProgressBar("demo data") as bar:
        return await fill_demo(
            container,
            size,
            password=args.password,
            seed=args.seed,
            if_empty=args.if_empty,
            progress=bar.update,
        )


def _summarise(report: DemoReport, password: str) -> None:
    if report.skipped:
        print("The database already holds users: no demo data added.")
        return
    by_status = ", ".join(f"{n} {s.value}" for s, n in report.sessions_by_status.items())
    print(
        f"Demo data written in {report.seconds:.1f} s: {report.trainers} trainers, "
        f"{report.trainees} trainees, {sum(report.sessions_by_status.values())} sessions "
        f"({by_status}), {report.enrolments} enrolments, {report.assignments} assignments, "
        f"{report.marks} attendance marks, {report.courses} courses with "
        f"{report.course_enrolments} course enrolments and {report.lesson_completions} "
        f"completed lessons, {report.batches} batches.\n"
        f"Every demo user signs in with the password: {password}\n"
        f"  e.g. trainer '{report.first_trainer}', trainee '{report.first_trainee}'",
        flush=True,
    )
