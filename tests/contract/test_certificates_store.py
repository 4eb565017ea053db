"""Certificates over each storage adapter (in memory, SQLite, MariaDB), through the use
cases: one current certificate per trainee and course (the store refuses a second, the
database settling it), the listing's filters and order, status judged at a moment, a
revoked or renewed one no longer current, and the compliance rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conftest import FakeClock
from support import Cast, add_cast
from tms_domain.kernel import Page
from tms_domain.learning import LessonKind
from tms_domain.learning.use_cases.course_inputs import LessonFields, NewCourse
from tms_domain.skills import Certificate, CertificateStatus, ComplianceStatus
from tms_domain.skills.certificates import CertificateQuery, ComplianceQuery
from tms_entrypoints.container import Container


@pytest.fixture
async def cast(storage: Container) -> Cast:
    return await add_cast(storage)


async def completed_course(storage: Container, cast: Cast, months: int | None) -> int:
    courses = storage.courses()
    course = await courses.create_course(
        cast.admin, NewCourse(title=f"Course {months}", certificate_valid_months=months)
    )
    module = await courses.add_module(cast.admin, course.id, "One")
    lesson = await courses.add_lesson(
        cast.admin, module.id, LessonFields(title="Read", kind=LessonKind.TEXT, body="x")
    )
    await courses.publish(cast.admin, course.id)
    await storage.course_enrolments().enrol(
        cast.admin, course.id, [cast.trainee.id, cast.other_trainee.id]
    )
    await storage.course_enrolments().complete(cast.trainee, lesson.id)
    return course.id


async def test_one_current_certificate_per_trainee_and_course(
    storage: Container, cast: Cast, clock: FakeClock
) -> None:
    course_id = await completed_course(storage, cast, months=6)
    service = storage.certificates()
    [issued] = await service.list_certificates(cast.trainee, Page(0, 10))
    assert (issued.course_id, issued.trainee_id, issued.trainee_name) == (
        course_id,
        cast.trainee.id,
        "Pia Doe",
    )
    assert issued.expires_at == datetime(2026, 11, 1, 9, tzinfo=UTC)
    async with storage.uow()() as uow:
        again = await uow.certificates.add(
            Certificate(
                0, "AAAA-AAAA-AAAA-AAAA-AAAA", course_id, "T", cast.trainee.id, "P", clock.now()
            )
        )
        assert again is None
        assert (await uow.certificates.by_code(issued.code)) == issued
        assert await uow.certificates.by_code("ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ") is None
        await uow.commit()
    await service.revoke(cast.admin, issued.id)
    async with storage.uow()() as uow:
        newer = await uow.certificates.add(
            Certificate(
                0,
                "AAAA-AAAA-AAAA-AAAA-AAAB",
                course_id,
                "T",
                cast.trainee.id,
                "P",
                clock.now() + timedelta(hours=1),
                expires_at=clock.now() + timedelta(days=10),
            )
        )
        assert newer is not None
        await uow.commit()
    now = clock.now()
    async with storage.uow()(read_only=True) as uow:
        listed = await uow.certificates.page(CertificateQuery(trainee_id=cast.trainee.id))
        assert [c.id for c in listed] == [newer.id, issued.id]
        for status, expected in (
            (CertificateStatus.REVOKED, [issued.id]),
            (CertificateStatus.EXPIRING, [newer.id]),
            (CertificateStatus.VALID, []),
            (CertificateStatus.EXPIRED, []),
        ):
            found = await uow.certificates.page(CertificateQuery(status=status, now=now))
            assert [c.id for c in found] == expected, status
        later = now + timedelta(days=11)
        expired = await uow.certificates.page(
            CertificateQuery(status=CertificateStatus.EXPIRED, now=later)
        )
        assert [c.id for c in expired] == [newer.id]
        assert await uow.certificates.page(CertificateQuery(course_id=course_id + 99)) == []
        assert len(await uow.certificates.page(CertificateQuery(skip=1, limit=5))) == 1

        rows = await uow.compliance.rows(ComplianceQuery(), now)
        assert [(r.trainee_id, r.status, r.certificate_id) for r in rows] == [
            (cast.other_trainee.id, ComplianceStatus.MISSING, None),
            (cast.trainee.id, ComplianceStatus.EXPIRING, newer.id),
        ]
        only = await uow.compliance.rows(
            ComplianceQuery(trainee_ids=frozenset({cast.trainee.id})), now
        )
        assert [r.trainee_id for r in only] == [cast.trainee.id]
        assert await uow.compliance.rows(ComplianceQuery(trainee_ids=frozenset()), now) == []
        missing = await uow.compliance.rows(ComplianceQuery(status=ComplianceStatus.MISSING), now)
        assert [r.trainee_id for r in missing] == [cast.other_trainee.id]


async def test_courses_without_validity_are_not_in_compliance(
    storage: Container, cast: Cast, clock: FakeClock
) -> None:
    await completed_course(storage, cast, months=None)
    [issued] = await storage.certificates().list_certificates(cast.admin, Page(0, 10))
    assert issued.expires_at is None
    assert issued.status(clock.now() + timedelta(days=3650)) is CertificateStatus.VALID
    assert await storage.compliance().rows(cast.admin, Page(0, 10)) == []
