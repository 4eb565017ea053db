"""The `tms` command; each group of subcommands has its module here."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from tms_entrypoints.cli import (
    accounts,
    backup,
    database,
    demo,
    imports,
    legacy,
    report,
    serve,
    worker,
)
from tms_entrypoints.cli.common import fail

COMMAND_GROUPS = (serve, worker, database, backup, accounts, imports, report, legacy, demo)
"""In the order `tms --help` lists them."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tms",
        description="Training Management System. Settings come from TMS_* environment "
        "variables and an optional .env file (see .env.example).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    for group in COMMAND_GROUPS:
        group.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        fail("interrupted", 130)
