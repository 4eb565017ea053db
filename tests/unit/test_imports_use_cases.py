"""Bulk imports over the in-memory adapters, run by the job executor: users created and
invited, matched by e-mail (the same file twice changes nothing), updated, refused row by
row; a dry run writes nothing; one run of a file at a time; admins only."""

from __future__ import annotations

import pytest

from import_support import FILE, stored
from mail_support import run_due_jobs
from support import add_user
from tms_domain.accounts import Actor
from tms_domain.audit import AuditQuery
from tms_domain.cohorts.imports import ImportOptions, ImportStatus, UserImport
from tms_domain.kernel import Conflict, Forbidden, InvalidInput, Page, Role
from tms_domain.learning.use_cases.course_inputs import NewCourse
from tms_entrypoints.container import Container


async def imported(
    container: Container, admin: Actor, data: bytes, **options: object
) -> UserImport:
    service = container.imports()
    record = await service.start(admin, await stored(container, data), ImportOptions(**options))  # type: ignore[arg-type]
    assert record.status is ImportStatus.QUEUED
    await run_due_jobs(container)
    return await service.get(admin, record.id)


@pytest.fixture
async def admin(memory_container: Container) -> Actor:
    return Actor(user=await add_user(memory_container, "root", Role.ADMIN))


async def emails(container: Container) -> set[str]:
    async with container.uow()(read_only=True) as uow:
        users = await uow.user_directory.page(skip=0, limit=1000)
    return {user.email for user in users}


async def test_an_import_creates_reports_and_is_harmless_twice(
    memory_container: Container, admin: Actor
) -> None:
    first = await imported(memory_container, admin, FILE)
    assert first.status is ImportStatus.SUCCEEDED
    assert (first.total_rows, first.processed_rows) == (7, 7)
    assert (first.created, first.updated, first.unchanged, first.failed) == (2, 0, 0, 5)
    assert {(e.row, e.column) for e in first.errors} == {
        (4, "email"),
        (5, "role"),
        (6, "email"),
        (7, "batch"),
        (8, "course"),
    }
    messages = {e.column: e.message for e in first.errors}
    assert messages["batch"] == "Unknown batch code B-1"
    assert messages["course"] == "Unknown course code NOPE"
    assert {"ada@example.org", "alan@example.org"} <= await emails(memory_container)
    assert "linus@example.org" not in await emails(memory_container)

    again = await imported(memory_container, admin, FILE)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 2, 5)


async def test_created_users_are_invited_and_never_given_a_password(
    memory_container: Container, admin: Actor
) -> None:
    await imported(memory_container, admin, b"email\nnew@example.org\n")
    async with memory_container.uow()(read_only=True) as uow:
        user = await uow.users.find_by_login("new@example.org")
        assert user is not None
        assert user.is_temporary_password
        assert user.username == "new"
        links = [link for link in uow.password_links._s.password_links.values()]  # type: ignore[attr-defined]
    assert [link.user_id for link in links] == [user.id]
    entries = await memory_container.audit().entries(admin, AuditQuery(), Page(0, 100))
    actions = [entry.action for entry in entries]
    assert {"import.started", "import.finished", "user.created", "user.invited"} <= set(actions)


async def test_without_invite_no_invitation_is_sent(
    memory_container: Container, admin: Actor
) -> None:
    await imported(memory_container, admin, b"email\nquiet@example.org\n", invite=False)
    async with memory_container.uow()(read_only=True) as uow:
        assert not uow.password_links._s.password_links  # type: ignore[attr-defined]


async def test_known_users_are_updated_by_email_whatever_its_case(
    memory_container: Container, admin: Actor
) -> None:
    await add_user(memory_container, "mary", email="Mary@Example.org", first_name="Mary")
    record = await imported(
        memory_container, admin, b"E-mail,First name,Surname,Role\nmary@example.ORG,Maria,,\n"
    )
    assert (record.created, record.updated, record.unchanged) == (0, 1, 0)
    async with memory_container.uow()(read_only=True) as uow:
        mary = await uow.users.find_by_login("mary")
    assert mary is not None
    assert (mary.first_name, mary.last_name, mary.role) == ("Maria", "Person", Role.TRAINEE)
    record = await imported(memory_container, admin, b"Email,Role\nmary@example.org,trainer\n")
    assert record.updated == 1


async def test_nobody_changes_their_own_role_by_import(
    memory_container: Container, admin: Actor
) -> None:
    record = await imported(memory_container, admin, b"email,role\nroot@example.org,trainee\n")
    assert record.failed == 1
    assert record.errors[0].column == "role"


async def test_a_dry_run_checks_everything_and_writes_no_user(
    memory_container: Container, admin: Actor
) -> None:
    before = await emails(memory_container)
    record = await imported(memory_container, admin, FILE, dry_run=True)
    assert record.dry_run
    assert (record.created, record.failed) == (2, 5)
    assert await emails(memory_container) == before


async def test_two_rows_that_default_to_one_username_both_get_in(
    memory_container: Container, admin: Actor
) -> None:
    record = await imported(
        memory_container, admin, b"email\njohn@a.example.org\njohn@b.example.org\n"
    )
    assert record.created == 2
    async with memory_container.uow()(read_only=True) as uow:
        second = await uow.users.find_by_login("john@b.example.org")
    assert second is not None
    assert second.username == "john2"


async def test_one_run_of_a_file_at_a_time(memory_container: Container, admin: Actor) -> None:
    service = memory_container.imports()
    await service.start(admin, await stored(memory_container, FILE), ImportOptions())
    with pytest.raises(Conflict):
        await service.start(admin, await stored(memory_container, FILE), ImportOptions())
    # A dry run of it may go on beside it; once it has finished, it may run again.
    await service.start(admin, await stored(memory_container, FILE), ImportOptions(dry_run=True))
    await run_due_jobs(memory_container)
    await service.start(admin, await stored(memory_container, FILE), ImportOptions())


async def test_only_admins_import(memory_container: Container) -> None:
    trainer = Actor(user=await add_user(memory_container, "tina", Role.TRAINER))
    with pytest.raises(Forbidden):
        await memory_container.imports().start(
            trainer, await stored(memory_container, FILE), ImportOptions()
        )
    with pytest.raises(Forbidden):
        await memory_container.imports().list_imports(trainer, Page())


async def test_unknown_batch_or_course_ids_are_refused(
    memory_container: Container, admin: Actor
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await memory_container.imports().start(
            admin, await stored(memory_container, FILE), ImportOptions(batch_id=3, course_id=9)
        )
    assert {e.field for e in refused.value.errors} == {"batch_id", "course_id"}


async def test_rows_join_the_course_named_and_the_import_s_course(
    memory_container: Container, admin: Actor
) -> None:
    python = await memory_container.courses().create_course(admin, NewCourse("Python", "PY-1"))
    rust = await memory_container.courses().create_course(admin, NewCourse("Rust", "RS-1"))
    record = await imported(
        memory_container,
        admin,
        b"email,course\none@example.org,py-1\ntwo@example.org,\n",
        course_id=rust.id,
    )
    assert (record.created, record.failed) == (2, 0)
    async with memory_container.uow()(read_only=True) as uow:
        in_python = await uow.enrolment_listing.trainee_ids(python.id)
        in_rust = await uow.enrolment_listing.trainee_ids(rust.id)
    assert len(in_python) == 1
    assert len(in_rust) == 2


async def test_an_address_that_is_another_user_s_sign_in_name_is_refused(
    memory_container: Container, admin: Actor
) -> None:
    await add_user(memory_container, "old@example.org", email="someone@example.org")
    record = await imported(memory_container, admin, b"email\nOLD@example.org\n")
    assert record.failed == 1
    assert record.errors[0].message == "That address is another user's sign-in name"


async def test_a_look_alike_name_in_a_chunk_is_settled_one_row_at_a_time(
    memory_container: Container, admin: Actor
) -> None:
    """A username only the stored one's look-alike key catches makes the chunk's one
    statement clash: the rows then go in one at a time, as before: that given name is
    refused, the others are created once, under the names they would have had."""
    await add_user(memory_container, "alice", email="alice@example.org")
    data = (
        "email,username\n"
        "bob@example.org,\n"
        "al1@example.org,\u0430lice\n"
        "alice@example.com,\n"
        "carol@example.org,\n"
    ).encode()
    record = await imported(memory_container, admin, data)
    assert (record.created, record.failed) == (3, 1)
    assert [(e.row, e.column) for e in record.errors] == [(3, "username")]
    async with memory_container.uow()(read_only=True) as uow:
        found = await uow.users.find_by_emails(
            ["bob@example.org", "alice@example.com", "carol@example.org"]
        )
        trail = await uow.audit_history.page(AuditQuery(action="user.created", limit=10))
    assert sorted(u.username for u in found.values()) == ["alice2", "bob", "carol"]
    assert [e.changes["username"][1] for e in reversed(trail)][-3:] == ["bob", "alice2", "carol"]
