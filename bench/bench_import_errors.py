"""An imports page whose imports have many rejected rows: `python -m bench.bench_import_errors`.

Five imports of 10,000 rejected rows each (two cell errors a row) are written through the
imports repository into a fresh database, then the page (limit 100) is read ``--runs``
times; each import in it carries its first 100 errors. Prints each read's time.

    python -m bench.bench_import_errors [--database-url URL] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime

from tms_adapters.persistence.sql import migrations as schema
from tms_domain.cohorts.imports import (
    CellError,
    ImportKind,
    ImportOptions,
    ImportStatus,
    Rejection,
    SheetFormat,
    UserImport,
)
from tms_entrypoints.container import build_container, running
from tms_entrypoints.settings import Settings

IMPORTS = 5
REJECTED = 10_000


def an_import(number: int) -> UserImport:
    return UserImport(
        id=0,
        kind=ImportKind.USERS,
        file_id=None,
        file_name=f"learners-{number}.csv",
        sha256=f"{number:064x}",
        format=SheetFormat.CSV,
        options=ImportOptions(dry_run=False, course_id=None, invite=False),
        status=ImportStatus.SUCCEEDED,
        total_rows=REJECTED,
        created_by=None,
        created_at=datetime.now(UTC),
    )


def rejected(row: int) -> Rejection:
    errors = [CellError(row, "email", "Not valid"), CellError(row, "role", "Unknown")]
    return Rejection(row, {"email": f"bad{row}", "first_name": "Zoë"}, errors)


async def bench(url: str, runs: int) -> None:
    await schema.upgrade(url)
    container = build_container(Settings(database_url=url, secret_key="b" * 48, env="test"))
    async with running(container):
        async with container.uow()() as uow:
            for number in range(IMPORTS):
                record = await uow.imports.add(an_import(number))
                await uow.imports.reject(record.id, [rejected(r) for r in range(2, REJECTED + 2)])
            await uow.commit()
        for _ in range(runs):
            began = time.perf_counter()
            async with container.uow()(read_only=True) as uow:
                page = await uow.imports.page(skip=0, limit=100)
            spent = (time.perf_counter() - began) * 1000
            print(f"page of {len(page)} imports, {len(page[0].errors)} errors each: {spent:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{directory}/tms.db"
        asyncio.run(bench(url, args.runs))


if __name__ == "__main__":
    main()
