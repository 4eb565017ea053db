"""The stored-files repository's contract, kept alike by the in-memory, SQLite and MariaDB
adapters: files are added with a fresh id, found, forgotten; a storage key is stored once;
an uploader's deletion leaves the file without one; a rollback keeps nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from support import add_user
from tms_domain.kernel import Conflict, Role
from tms_domain.kernel.files import StoredFile
from tms_entrypoints.container import Container

NOW = datetime(2026, 5, 1, 9, 30, 15, 123456, tzinfo=UTC)


def a_file(key: str, created_by: int | None, name: str = "Übung – 1.pdf") -> StoredFile:
    return StoredFile(
        id=0,
        name=name,
        size=5 * 1024**3,
        content_type="application/pdf",
        storage_key=key,
        sha256="ab" * 32,
        created_by=created_by,
        created_at=NOW,
    )


async def test_a_file_is_added_found_and_deleted(storage: Container) -> None:
    author = await add_user(storage, "author", Role.TRAINER)

    async with storage.uow()() as uow:
        first = await uow.files.add(a_file("2026/05/aa", author.id))
        second = await uow.files.add(a_file("2026/05/bb", None, name="講義.pptx"))
        await uow.commit()

    assert first.id > 0
    assert second.id > first.id
    assert first == replace(a_file("2026/05/aa", author.id), id=first.id)
    async with storage.uow()(read_only=True) as uow:
        assert await uow.files.get(first.id) == first
        assert await uow.files.get(second.id) == second
        assert await uow.files.get(second.id + 100) is None
        assert await uow.files.get_many({first.id, second.id, second.id + 100}) == {
            first.id: first,
            second.id: second,
        }
        assert await uow.files.get_many(set()) == {}

    async with storage.uow()() as uow:
        assert await uow.files.delete(first.id) is True
        assert await uow.files.delete(first.id) is False
        await uow.commit()
    async with storage.uow()(read_only=True) as uow:
        assert await uow.files.get(first.id) is None
        assert await uow.files.get(second.id) == second


async def test_a_storage_key_is_recorded_once(storage: Container) -> None:
    async with storage.uow()() as uow:
        await uow.files.add(a_file("2026/05/same", None))
        await uow.commit()

    async with storage.uow()() as uow:
        with pytest.raises(Conflict):
            await uow.files.add(a_file("2026/05/same", None))


async def test_an_uploaders_deletion_leaves_their_files_without_one(storage: Container) -> None:
    author = await add_user(storage, "author", Role.TRAINER)
    async with storage.uow()() as uow:
        added = await uow.files.add(a_file("2026/05/cc", author.id))
        await uow.commit()

    async with storage.uow()() as uow:
        await uow.users.delete(author.id)
        await uow.commit()

    async with storage.uow()(read_only=True) as uow:
        assert await uow.files.get(added.id) == replace(added, created_by=None)


async def test_a_file_added_without_a_commit_is_not_kept(storage: Container) -> None:
    async with storage.uow()() as uow:
        added = await uow.files.add(a_file("2026/05/dd", None))

    async with storage.uow()(read_only=True) as uow:
        assert await uow.files.get(added.id) is None
