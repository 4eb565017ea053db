"""The imports' ports, kept alike by the in-memory, SQLite and MariaDB adapters: records
with their counts and first errors, one run of one content at a time (a unique key while
under way), rejected rows paged by row; users found by e-mail whatever its case, courses by
code; and an import run end to end over each store."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from import_support import FILE, stored
from mail_support import run_due_jobs
from support import add_user
from tms_domain.accounts import Actor
from tms_domain.cohorts.imports import (
    CellError,
    ImportKind,
    ImportOptions,
    ImportStatus,
    Rejection,
    SheetFormat,
    UserImport,
)
from tms_domain.kernel import Conflict, Role
from tms_domain.learning.use_cases.course_inputs import NewCourse
from tms_entrypoints.container import Container

NOW = datetime(2026, 5, 1, 9, 30, 15, 123456, tzinfo=UTC)


def an_import(created_by: int | None, *, dry_run: bool = False) -> UserImport:
    return UserImport(
        id=0,
        kind=ImportKind.USERS,
        file_id=None,
        file_name="Übersicht.csv",
        sha256="ab" * 32,
        format=SheetFormat.CSV,
        options=ImportOptions(dry_run=dry_run, course_id=None, invite=False),
        status=ImportStatus.QUEUED,
        total_rows=250,
        created_by=created_by,
        created_at=NOW,
    )


def rejected(row: int) -> Rejection:
    return Rejection(
        row,
        {"email": f"bad{row}", "first_name": "Zoë"},
        [CellError(row, "email", "Not valid"), CellError(row, "role", "Unknown")],
    )


async def test_an_import_is_recorded_counted_and_its_rejections_paged(storage: Container) -> None:
    admin = await add_user(storage, "root", Role.ADMIN)
    async with storage.uow()() as uow:
        record = await uow.imports.add(an_import(admin.id))
        await uow.imports.reject(record.id, [rejected(n) for n in range(2, 62)])
        record.status = ImportStatus.RUNNING
        record.processed_rows, record.failed, record.created = 100, 60, 40
        await uow.imports.update(record)
        await uow.commit()
    async with storage.uow()(read_only=True) as uow:
        found = await uow.imports.get(record.id)
        page = await uow.imports.rejections(record.id, after_row=30, limit=10)
        listed = await uow.imports.page(skip=0, limit=10)
    assert found is not None
    assert replace(found, errors=[]) == replace(record, errors=[])
    assert len(found.errors) == 100
    assert found.errors[0] == CellError(2, "email", "Not valid")
    assert [r.row for r in page] == list(range(31, 41))
    assert page[0].cells == {"email": "bad31", "first_name": "Zoë"}
    assert [r.id for r in listed] == [record.id]
    assert listed[0].errors == found.errors


async def test_a_page_of_imports_carries_each_ones_first_errors(storage: Container) -> None:
    admin = await add_user(storage, "root", Role.ADMIN)
    async with storage.uow()() as uow:
        many = await uow.imports.add(an_import(admin.id))
        await uow.imports.reject(many.id, [rejected(n) for n in range(2, 130)])
        clean = await uow.imports.add(replace(an_import(admin.id), sha256="cd" * 32))
        few = await uow.imports.add(replace(an_import(admin.id), sha256="ef" * 32))
        await uow.imports.reject(few.id, [rejected(7), rejected(3)])
        await uow.commit()
    async with storage.uow()(read_only=True) as uow:
        listed = await uow.imports.page(skip=0, limit=10)
        second_page = await uow.imports.page(skip=1, limit=1)
    assert [r.id for r in listed] == [few.id, clean.id, many.id]
    assert [(e.row, e.column) for e in listed[0].errors] == [
        (3, "email"),
        (3, "role"),
        (7, "email"),
        (7, "role"),
    ]
    assert listed[1].errors == []
    assert len(listed[2].errors) == 100
    assert {e.row for e in listed[2].errors} == set(range(2, 52))
    assert [(r.id, r.errors) for r in second_page] == [(clean.id, [])]


async def test_one_run_of_one_content_at_a_time(storage: Container) -> None:
    async with storage.uow()() as uow:
        first = await uow.imports.add(an_import(None))
        await uow.imports.add(an_import(None, dry_run=True))
        await uow.commit()
    with pytest.raises(Conflict):
        async with storage.uow()() as uow:
            await uow.imports.add(an_import(None))
    async with storage.uow()() as uow:
        first.finish(NOW)
        await uow.imports.update(first)
        await uow.imports.add(an_import(None))
        await uow.commit()


async def test_users_are_found_by_email_and_courses_by_code(storage: Container) -> None:
    mary = await add_user(storage, "mary", email="Mary@Example.org")
    actor = Actor(user=await add_user(storage, "root", Role.ADMIN))
    course = await storage.courses().create_course(actor, NewCourse("Python", "PY-1"))
    async with storage.uow()(read_only=True) as uow:
        found = await uow.users.find_by_emails(["mary@example.ORG", "nobody@example.org"])
        codes = await uow.courses.ids_by_code(["py-1", "NOPE"])
    assert {key: user.id for key, user in found.items()} == {"mary@example.org": mary.id}
    assert codes == {"py-1": course.id}


async def test_an_import_runs_the_same_over_every_store(storage: Container) -> None:
    admin = Actor(user=await add_user(storage, "root", Role.ADMIN))
    service = storage.imports()
    for expected in ((2, 0, 5), (0, 2, 5)):
        record = await service.start(admin, await stored(storage, FILE), ImportOptions())
        await run_due_jobs(storage)
        done = await service.get(admin, record.id)
        assert done.status is ImportStatus.SUCCEEDED
        assert (done.created, done.unchanged, done.failed) == expected
