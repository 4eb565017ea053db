"""Batches (cohorts) over every storage adapter (memory, SQLite, MariaDB): codes unique
case aside, members and trainers, who may read what, and membership-following enrolment:
a batch enrolled in a course enrols its members, whoever joins later too, and leaving keeps
the enrolment; batch_ids on sessions enrol every member, and a double booking names every
trainee in the way."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from support import TRAINING_START, Cast, add_cast, add_session, add_user
from tms_domain.audit import AuditQuery
from tms_domain.cohorts import BatchChanges
from tms_domain.cohorts.use_cases.batches import NewBatch
from tms_domain.kernel import Conflict, Forbidden, InvalidInput, NotFound, Page, Role
from tms_domain.learning import LessonKind
from tms_domain.learning.use_cases.courses import LessonFields, NewCourse
from tms_domain.training import DoubleBooking, SessionChanges
from tms_entrypoints.container import Container


@pytest.fixture
async def cast(storage: Container) -> Cast:
    return await add_cast(storage)


async def a_batch(storage: Container, cast: Cast, code: str = "B-1", **fields: object) -> int:
    batch = await storage.batches().create_batch(
        cast.admin,
        NewBatch(code=code, name=f"Batch {code}", trainer_ids=(cast.trainer.id,), **fields),  # type: ignore[arg-type]
    )
    return batch.id


async def a_course(storage: Container, cast: Cast, title: str = "Fire safety") -> int:
    courses = storage.courses()
    course = await courses.create_course(cast.trainer, NewCourse(title=title))
    module = await courses.add_module(cast.trainer, course.id, "Basics")
    await courses.add_lesson(
        cast.trainer, module.id, LessonFields(title="Read", kind=LessonKind.TEXT, body="Text")
    )
    await courses.publish(cast.trainer, course.id)
    return course.id


async def enrolled(storage: Container, course_id: int) -> dict[int, int | None]:
    async with storage.uow()(read_only=True) as uow:
        return {e.trainee_id: e.batch_id for e in await uow.course_enrolments.of_course(course_id)}


async def test_a_batch_is_stored_with_its_trainers_and_its_code_is_unique_case_aside(
    storage: Container, cast: Cast
) -> None:
    batches = storage.batches()
    created = await batches.create_batch(
        cast.admin,
        NewBatch(
            code="Spring-26",
            name="Spring intake",
            description="Forklift and fire",
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 6, 30),
            trainer_ids=(cast.other_trainer.id, cast.trainer.id),
        ),
    )
    stored = await batches.get_batch(cast.admin, created.id)
    assert (stored.code, stored.name, stored.description) == (
        "Spring-26",
        "Spring intake",
        "Forklift and fire",
    )
    assert (stored.starts_on, stored.ends_on) == (date(2026, 3, 1), date(2026, 6, 30))
    assert stored.trainer_ids == tuple(sorted((cast.trainer.id, cast.other_trainer.id)))
    assert stored.trainee_count == 0
    with pytest.raises(Conflict):
        await batches.create_batch(cast.admin, NewBatch(code="SPRING-26", name="Again"))
    other = await batches.create_batch(cast.admin, NewBatch(code="Autumn", name="Autumn"))
    with pytest.raises(Conflict):
        await batches.update_batch(cast.admin, other.id, BatchChanges(code="spring-26"))


async def test_bad_fields_are_each_named(storage: Container, cast: Cast) -> None:
    batches = storage.batches()
    with pytest.raises(InvalidInput) as raised:
        await batches.create_batch(
            cast.admin,
            NewBatch(code=" ", name="", starts_on=date(2026, 5, 2), ends_on=date(2026, 5, 1)),
        )
    assert {e.field for e in raised.value.errors} == {"code", "name", "ends_on"}
    with pytest.raises(InvalidInput) as raised:
        await batches.create_batch(
            cast.admin,
            NewBatch(code="X", name="X", trainer_ids=(cast.trainee.id, cast.trainer.id, 9999)),
        )
    assert raised.value.errors[0].field == "trainer_ids"
    assert f"{cast.trainee.id}, 9999" in raised.value.message
    batch_id = await a_batch(storage, cast, ends_on=date(2026, 12, 31))
    with pytest.raises(InvalidInput):
        await batches.update_batch(cast.admin, batch_id, BatchChanges(starts_on=date(2027, 1, 1)))
    updated = await batches.update_batch(
        cast.admin,
        batch_id,
        BatchChanges(name="Renamed", ends_on=date(2027, 1, 1), cleared=frozenset({"description"})),
    )
    assert (updated.name, updated.ends_on) == ("Renamed", date(2027, 1, 1))


async def test_members_are_added_once_and_only_trainees(storage: Container, cast: Cast) -> None:
    batches = storage.batches()
    batch_id = await a_batch(storage, cast)
    first = await batches.add_trainees(
        cast.admin, batch_id, [cast.trainee.id, cast.other_trainee.id]
    )
    again = await batches.add_trainees(
        cast.admin, batch_id, [cast.other_trainee.id, cast.third_trainee.id]
    )
    assert (first.added, first.already_members) == (2, 0)
    assert (again.added, again.already_members) == (1, 1)
    with pytest.raises(InvalidInput) as raised:
        await batches.add_trainees(cast.admin, batch_id, [cast.trainer.id, 424242, cast.trainee.id])
    assert f"{cast.trainer.id}, 424242" in raised.value.message
    members = await batches.list_trainees(cast.admin, batch_id, Page())
    assert [u.id for u in members] == [
        cast.trainee.id,
        cast.other_trainee.id,
        cast.third_trainee.id,
    ]
    assert [u.id for u in await batches.list_trainees(cast.admin, batch_id, Page(1, 1))] == [
        cast.other_trainee.id
    ]
    assert (await batches.get_batch(cast.admin, batch_id)).trainee_count == 3
    await batches.remove_trainee(cast.admin, batch_id, cast.other_trainee.id)
    with pytest.raises(NotFound):
        await batches.remove_trainee(cast.admin, batch_id, cast.other_trainee.id)
    assert (await batches.get_batch(cast.admin, batch_id)).trainee_count == 2


async def test_who_reads_which_batch(storage: Container, cast: Cast) -> None:
    batches = storage.batches()
    mine = await a_batch(storage, cast, "TOM-1")
    other = await batches.create_batch(
        cast.admin, NewBatch(code="OTHER", name="Other", trainer_ids=(cast.other_trainer.id,))
    )
    await batches.add_trainees(cast.admin, mine, [cast.trainee.id])
    assert [b.code for b in await batches.list_batches(cast.admin, Page())] == ["OTHER", "TOM-1"]
    assert [b.id for b in await batches.list_batches(cast.trainer, Page())] == [mine]
    assert [b.id for b in await batches.list_batches(cast.trainee, Page())] == [mine]
    assert await batches.list_batches(cast.other_trainee, Page()) == []
    assert [b.id for b in await batches.list_batches(cast.admin, Page(), q="tom")] == [mine]
    assert [b.id for b in await batches.list_batches(cast.admin, Page(), q="batch oth")] == []
    assert (await batches.get_batch(cast.trainee, mine)).id == mine
    for actor, batch_id in (
        (cast.trainer, other.id),
        (cast.other_trainee, mine),
        (cast.trainee, other.id),
        (cast.admin, 987654),
    ):
        with pytest.raises(NotFound):
            await batches.get_batch(actor, batch_id)
    assert [u.id for u in await batches.list_trainees(cast.trainer, mine, Page())] == [
        cast.trainee.id
    ]
    with pytest.raises(Forbidden):
        await batches.list_trainees(cast.trainee, mine, Page())
    with pytest.raises(Forbidden):
        await batches.add_trainees(cast.trainer, mine, [cast.other_trainee.id])
    with pytest.raises(Forbidden):
        await batches.create_batch(cast.trainer, NewBatch(code="T", name="T"))


async def test_members_follow_the_batch_s_courses(storage: Container, cast: Cast) -> None:
    batches, enrolments = storage.batches(), storage.course_enrolments()
    batch_id = await a_batch(storage, cast)
    course_id = await a_course(storage, cast)
    await batches.add_trainees(cast.admin, batch_id, [cast.trainee.id])
    result = await enrolments.enrol(cast.admin, course_id, [], batch_ids=[batch_id])
    assert (result.enrolled, result.already_enrolled) == (1, 0)
    assert await enrolled(storage, course_id) == {cast.trainee.id: batch_id}
    assert (await batches.get_batch(cast.admin, batch_id)).course_ids == (course_id,)
    # Whoever joins later is enrolled in the batch's courses, in the same transaction.
    await batches.add_trainees(cast.admin, batch_id, [cast.other_trainee.id])
    assert await enrolled(storage, course_id) == {
        cast.trainee.id: batch_id,
        cast.other_trainee.id: batch_id,
    }
    # Leaving keeps the course enrolment (and what was completed with it).
    await batches.remove_trainee(cast.admin, batch_id, cast.trainee.id)
    assert cast.trainee.id in await enrolled(storage, course_id)
    again = await enrolments.enrol(
        cast.admin, course_id, [cast.third_trainee.id], batch_ids=[batch_id]
    )
    assert (again.enrolled, again.already_enrolled) == (1, 1)
    assert (await enrolled(storage, course_id))[cast.third_trainee.id] is None
    # Deleting the batch leaves everyone enrolled.
    await batches.delete_batch(cast.admin, batch_id)
    assert len(await enrolled(storage, course_id)) == 3
    with pytest.raises(NotFound):
        await batches.get_batch(cast.admin, batch_id)
    async with storage.uow()(read_only=True) as uow:
        actions = [e.action for e in await uow.audit_history.page(AuditQuery(target_type="batch"))]
    assert {
        "batch.created",
        "batch.members_added",
        "batch.course_enrolled",
        "batch.member_removed",
        "batch.deleted",
    } <= set(actions)


async def test_a_batch_enrolled_in_an_archived_course_enrols_no_one_new(
    storage: Container, cast: Cast
) -> None:
    batch_id = await a_batch(storage, cast)
    course_id = await a_course(storage, cast)
    await storage.course_enrolments().enrol(cast.admin, course_id, [], batch_ids=[batch_id])
    await storage.courses().archive(cast.admin, course_id)
    await storage.batches().add_trainees(cast.admin, batch_id, [cast.trainee.id])
    assert await enrolled(storage, course_id) == {}


async def test_unknown_batches_are_named_and_trainers_use_only_theirs(
    storage: Container, cast: Cast
) -> None:
    course_id = await a_course(storage, cast)
    theirs = await storage.batches().create_batch(
        cast.admin, NewBatch(code="OTHER", name="Other", trainer_ids=(cast.other_trainer.id,))
    )
    with pytest.raises(InvalidInput) as raised:
        await storage.course_enrolments().enrol(
            cast.trainer, course_id, [], batch_ids=[theirs.id, 5555]
        )
    assert raised.value.errors[0].field == "batch_ids"
    assert f"{theirs.id}, 5555" in raised.value.message
    with pytest.raises(InvalidInput):
        await add_session(storage, cast.trainer, batch_ids=(theirs.id,))


async def test_sessions_take_every_member_of_a_batch(storage: Container, cast: Cast) -> None:
    batch_id = await a_batch(storage, cast)
    await storage.batches().add_trainees(
        cast.admin, batch_id, [cast.trainee.id, cast.other_trainee.id]
    )
    session = await add_session(
        storage, cast.trainer, trainees=(cast.third_trainee.id,), batch_ids=(batch_id,)
    )
    assert session.trainee_ids == [cast.third_trainee.id, cast.trainee.id, cast.other_trainee.id]
    later = await add_session(storage, cast.trainer, start=TRAINING_START + timedelta(days=1))
    details = await storage.sessions().update_session(
        cast.trainer, later.id, SessionChanges(title="Renamed"), batch_ids=[batch_id]
    )
    assert details.session.trainee_ids == [cast.trainee.id, cast.other_trainee.id]
    # A batch past the capacity is refused as any list of trainees would be.
    with pytest.raises(InvalidInput):
        await add_session(
            storage,
            cast.trainer,
            start=TRAINING_START + timedelta(days=2),
            capacity=1,
            batch_ids=(batch_id,),
        )


async def test_a_double_booking_names_every_trainee_in_the_way(
    storage: Container, cast: Cast
) -> None:
    """Five trainees each booked in a different overlapping session: more sessions than the
    message spells out, and every trainee is still named."""
    batch_id = await a_batch(storage, cast)
    trainees = [
        (await add_user(storage, f"member{i}", Role.TRAINEE, first_name=f"M{i}")).id
        for i in range(5)
    ]
    await storage.batches().add_trainees(cast.admin, batch_id, trainees)
    for index, trainee_id in enumerate(trainees):
        busy_trainer = await add_user(storage, f"busy{index}", Role.TRAINER)
        await add_session(
            storage,
            cast.admin,
            trainer_id=busy_trainer.id,
            trainees=(trainee_id,),
            start=TRAINING_START + timedelta(minutes=index),
            title=f"Busy {index}",
        )
    with pytest.raises(DoubleBooking) as raised:
        await add_session(storage, cast.trainer, batch_ids=(batch_id,), minutes=120)
    named = {p.id for clash in raised.value.clashes for p in clash.trainees}
    assert named == set(trainees)
    for index in range(5):
        assert f"trainee {trainees[index]} (" in raised.value.message


async def test_two_additions_of_one_trainee_at_once_keep_one_membership_and_one_enrolment(
    storage: Container, cast: Cast
) -> None:
    batch_id = await a_batch(storage, cast)
    course_id = await a_course(storage, cast)
    await storage.course_enrolments().enrol(cast.admin, course_id, [], batch_ids=[batch_id])
    batches = storage.batches()
    first, second = await asyncio.gather(
        batches.add_trainees(cast.admin, batch_id, [cast.trainee.id]),
        batches.add_trainees(cast.admin, batch_id, [cast.trainee.id]),
    )
    assert sorted((first.added, second.added)) == [0, 1]
    assert (await batches.get_batch(cast.admin, batch_id)).trainee_count == 1
    assert await enrolled(storage, course_id) == {cast.trainee.id: batch_id}


async def test_batch_ids_by_code_match_case_aside_keyed_as_asked(
    storage: Container, cast: Cast
) -> None:
    spring = await a_batch(storage, cast, "Spring-26")
    autumn = await a_batch(storage, cast, "AUTUMN-26")
    async with storage.uow()(read_only=True) as uow:
        found = await uow.batches.ids_by_code(["spring-26", "Spring-26", " autumn-26 ", "NOPE"])
        assert await uow.batches.ids_by_code([]) == {}
    assert found == {"spring-26": spring, "Spring-26": spring, " autumn-26 ": autumn}
