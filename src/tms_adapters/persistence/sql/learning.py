"""The learning area in SQL: courses with their modules and lessons, course enrolments and
lesson completions, mapped to domain objects; never commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.common import chunks
from tms_adapters.persistence.sql.learning_rows import (
    COURSE_COLUMNS,
    ENROLMENT_COLUMNS,
    LESSON_COLUMNS,
    code_key,
    course_from_row,
    course_values,
    enrolment_from_row,
    insert_ignoring_duplicates,
    lesson_from_row,
    lesson_values,
)
from tms_domain.kernel import Conflict
from tms_domain.learning import (
    CompletionSource,
    Course,
    CourseEnrolment,
    Lesson,
    LessonCompletion,
    LessonKind,
    Module,
    generated_code,
)

_C, _M, _L, _LS = t.courses, t.course_modules, t.lessons, t.lesson_sessions
_E, _LC = t.course_enrolments, t.lesson_completions

CODE_TAKEN = "The code is already in use"


class SqlaCourseRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, course: Course) -> Course:
        values = course_values(course)
        if not course.code:
            # Numbered by the id the row gets: a placeholder first, unique by construction.
            placeholder = f"~new-{id(course)}-{course.created_at.timestamp()}"
            values["code"] = values["code_key"] = placeholder[:32]
        try:
            result = await self._conn.execute(insert(_C).values(**values))
        except IntegrityError as error:
            raise Conflict(f"The code {course.code} is already in use") from error
        course.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        if not course.code:
            course.code = await self._free_code(course.id)
            await self._conn.execute(
                update(_C)
                .where(_C.c.id == course.id)
                .values(code=course.code, code_key=code_key(course.code))
            )
        await self.save(course)
        return course

    async def _free_code(self, number: int) -> str:
        """``CRS-0007`` for course 7, unless someone chose that code by hand."""
        base = generated_code(number)
        taken = set(
            (
                await self._conn.execute(
                    select(_C.c.code_key).where(_C.c.code_key.like(f"{code_key(base)}%"))
                )
            )
            .scalars()
            .all()
        )
        code, suffix = base, 1
        while code_key(code) in taken:
            suffix += 1
            code = f"{base}-{suffix}"
        return code

    async def code_taken(self, code: str, *, except_course_id: int | None = None) -> bool:
        query = select(_C.c.id).where(_C.c.code_key == code_key(code.strip()))
        if except_course_id is not None:
            query = query.where(_C.c.id != except_course_id)
        return (await self._conn.execute(query.limit(1))).first() is not None

    async def ids_by_code(self, codes: Collection[str]) -> dict[str, int]:
        wanted: dict[str, list[str]] = {}
        for code in codes:
            wanted.setdefault(code_key(code.strip()), []).append(code)
        found: dict[str, int] = {}
        for chunk in chunks(sorted(wanted.keys())):
            rows = await self._conn.execute(
                select(_C.c.id, _C.c.code_key).where(_C.c.code_key.in_(chunk))
            )
            for course_id, key in rows.all():
                found.update(dict.fromkeys(wanted[key], int(course_id)))
        return found

    async def header(self, course_id: int, *, for_update: bool = False) -> Course | None:
        query = select(*COURSE_COLUMNS).where(_C.c.id == course_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return course_from_row(row) if row else None

    async def get(self, course_id: int, *, for_update: bool = False) -> Course | None:
        course = await self.header(course_id, for_update=for_update)
        if course is None:
            return None
        modules = await self._conn.execute(
            select(_M.c.id, _M.c.title, _M.c.position)
            .where(_M.c.course_id == course_id)
            .order_by(_M.c.position, _M.c.id)
        )
        course.modules = [Module(row[0], course_id, row[1], row[2]) for row in modules.all()]
        sessions: dict[int, list[int]] = defaultdict(list)
        links = await self._conn.execute(
            select(_LS.c.lesson_id, _LS.c.session_id)
            .join(_L, _L.c.id == _LS.c.lesson_id)
            .where(_L.c.course_id == course_id)
            .order_by(_LS.c.lesson_id, _LS.c.session_id)
        )
        for lesson_id, session_id in links.all():
            sessions[lesson_id].append(session_id)
        lessons = await self._conn.execute(
            select(*LESSON_COLUMNS)
            .where(_L.c.course_id == course_id)
            .order_by(_L.c.module_id, _L.c.position, _L.c.id)
        )
        by_module = {module.id: module for module in course.modules}
        for row in lessons.all():
            module = by_module.get(row[1])
            if module is not None:
                module.lessons.append(lesson_from_row(row, sessions.get(row[0], [])))
        return course

    async def save(self, course: Course) -> None:
        conn = self._conn
        values = course_values(course)
        del values["created_at"]
        try:
            await conn.execute(update(_C).where(_C.c.id == course.id).values(**values))
        except IntegrityError as error:
            raise Conflict(f"The code {course.code} is already in use") from error
        stored = await self.get(course.id)
        old_modules = {m.id: m for m in stored.modules} if stored else {}
        old_lessons = {lesson.id: lesson for lesson in stored.lessons} if stored else {}
        gone_lessons = set(old_lessons) - {lesson.id for lesson in course.lessons}
        if gone_lessons:
            await conn.execute(delete(_L).where(_L.c.id.in_(sorted(gone_lessons))))
        gone_modules = set(old_modules) - {module.id for module in course.modules}
        if gone_modules:
            await conn.execute(delete(_M).where(_M.c.id.in_(sorted(gone_modules))))
        await self._save_modules(course, old_modules)
        await self._save_lessons(course, old_lessons)

    async def _save_modules(self, course: Course, old_modules: dict[int, Module]) -> None:
        conn = self._conn
        changed_modules = []
        for module in course.modules:
            module.course_id = course.id
            if not module.id:
                result = await conn.execute(
                    insert(_M).values(
                        course_id=course.id, title=module.title, position=module.position
                    )
                )
                module.id = int(result.inserted_primary_key[0])  # type: ignore[index]
                continue
            old = old_modules.get(module.id)
            if old is None or (old.title, old.position) != (module.title, module.position):
                changed_modules.append(
                    {"module": module.id, "title": module.title, "position": module.position}
                )
        if changed_modules:
            await conn.execute(
                update(_M)
                .where(_M.c.id == bindparam("module"))
                .values(title=bindparam("title"), position=bindparam("position")),
                changed_modules,
            )

    async def _save_lessons(self, course: Course, old_lessons: dict[int, Lesson]) -> None:
        conn = self._conn
        changed_lessons = []
        links_gone: list[dict[str, int]] = []
        links_new: list[dict[str, int]] = []
        for module in course.modules:
            for lesson in module.lessons:
                lesson.module_id, lesson.course_id = module.id, course.id
                old_lesson = old_lessons.get(lesson.id) if lesson.id else None
                if old_lesson is None:
                    result = await conn.execute(insert(_L).values(**lesson_values(lesson)))
                    lesson.id = int(result.inserted_primary_key[0])  # type: ignore[index]
                    before: set[int] = set()
                else:
                    if lesson_values(old_lesson) != lesson_values(lesson):
                        changed_lessons.append({"lesson": lesson.id, **lesson_values(lesson)})
                    before = set(old_lesson.session_ids)
                after = set(lesson.session_ids)
                links_gone += [{"l": lesson.id, "s": s} for s in sorted(before - after)]
                links_new += [
                    {"lesson_id": lesson.id, "session_id": s} for s in sorted(after - before)
                ]
        if changed_lessons:
            columns = [name for name in changed_lessons[0] if name != "lesson"]
            await conn.execute(
                update(_L)
                .where(_L.c.id == bindparam("lesson"))
                .values({name: bindparam(name) for name in columns}),
                changed_lessons,
            )
        if links_gone:
            await conn.execute(
                delete(_LS).where(
                    _LS.c.lesson_id == bindparam("l"), _LS.c.session_id == bindparam("s")
                ),
                links_gone,
            )
        if links_new:
            await conn.execute(insert(_LS), links_new)

    async def delete(self, course_id: int) -> None:
        await self._conn.execute(delete(_C).where(_C.c.id == course_id))

    async def course_id_of_module(self, module_id: int) -> int | None:
        query = select(_M.c.course_id).where(_M.c.id == module_id)
        return (await self._conn.execute(query)).scalar()

    async def lesson_ref(self, lesson_id: int) -> tuple[int, LessonKind] | None:
        query = select(_L.c.course_id, _L.c.kind).where(_L.c.id == lesson_id)
        row = (await self._conn.execute(query)).first()
        return (row[0], LessonKind(row[1])) if row else None

    async def course_of_file(self, file_id: int) -> int | None:
        query = select(_L.c.course_id).where(_L.c.file_id == file_id).limit(1)
        return (await self._conn.execute(query)).scalar()

    async def lesson_total(self, course_id: int) -> int:
        query = select(func.count()).select_from(_L).where(_L.c.course_id == course_id)
        return int((await self._conn.execute(query)).scalar_one())

    async def lessons_delivered_by(self, session_id: int) -> list[tuple[int, int]]:
        query = (
            select(_L.c.id, _L.c.course_id)
            .join(_LS, _LS.c.lesson_id == _L.c.id)
            .where(_LS.c.session_id == session_id)
            .order_by(_L.c.id)
        )
        return [(row[0], row[1]) for row in (await self._conn.execute(query)).all()]

    async def sessions_of_lesson(self, lesson_id: int) -> list[int]:
        query = (
            select(_LS.c.session_id).where(_LS.c.lesson_id == lesson_id).order_by(_LS.c.session_id)
        )
        return list((await self._conn.execute(query)).scalars().all())


class SqlaCourseEnrolmentRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(
        self, course_id: int, trainee_id: int, *, for_update: bool = False
    ) -> CourseEnrolment | None:
        query = select(*ENROLMENT_COLUMNS).where(
            _E.c.course_id == course_id, _E.c.trainee_id == trainee_id
        )
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return enrolment_from_row(row) if row else None

    async def add_many(self, enrolments: Sequence[CourseEnrolment]) -> list[int]:
        if not enrolments:
            return []
        course_id = enrolments[0].course_id
        wanted = [e.trainee_id for e in enrolments]
        existing = set(
            (
                await self._conn.execute(
                    select(_E.c.trainee_id).where(
                        _E.c.course_id == course_id, _E.c.trainee_id.in_(wanted)
                    )
                )
            )
            .scalars()
            .all()
        )
        fresh = [e for e in enrolments if e.trainee_id not in existing]
        if fresh:
            await self._conn.execute(
                insert_ignoring_duplicates(self._conn, _E),
                [
                    {
                        "course_id": e.course_id,
                        "trainee_id": e.trainee_id,
                        "batch_id": e.batch_id,
                        "due_date": e.due_date,
                        "assigned_at": e.assigned_at,
                        "status": e.status.value,
                        "completed_at": e.completed_at,
                    }
                    for e in fresh
                ],
            )
        return [e.trainee_id for e in fresh]

    async def delete(self, course_id: int, trainee_id: int) -> bool:
        result = await self._conn.execute(
            delete(_E).where(_E.c.course_id == course_id, _E.c.trainee_id == trainee_id)
        )
        return bool(result.rowcount)

    async def update(self, enrolment: CourseEnrolment) -> None:
        await self._conn.execute(
            update(_E)
            .where(_E.c.id == enrolment.id)
            .values(
                status=enrolment.status.value,
                completed_at=enrolment.completed_at,
                due_date=enrolment.due_date,
            )
        )

    async def of_course(self, course_id: int) -> list[CourseEnrolment]:
        query = select(*ENROLMENT_COLUMNS).where(_E.c.course_id == course_id).order_by(_E.c.id)
        return [enrolment_from_row(row) for row in (await self._conn.execute(query)).all()]

    async def count_for_course(self, course_id: int) -> int:
        query = select(func.count()).select_from(_E).where(_E.c.course_id == course_id)
        return int((await self._conn.execute(query)).scalar_one())


class SqlaLessonCompletionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, completion: LessonCompletion) -> bool:
        result = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, _LC).values(
                lesson_id=completion.lesson_id,
                course_id=completion.course_id,
                trainee_id=completion.trainee_id,
                source=completion.source.value,
                completed_at=completion.completed_at,
            )
        )
        return bool(result.rowcount)

    async def delete(self, lesson_id: int, trainee_id: int) -> bool:
        result = await self._conn.execute(
            delete(_LC).where(_LC.c.lesson_id == lesson_id, _LC.c.trainee_id == trainee_id)
        )
        return bool(result.rowcount)

    async def get(self, lesson_id: int, trainee_id: int) -> LessonCompletion | None:
        query = select(
            _LC.c.lesson_id, _LC.c.course_id, _LC.c.trainee_id, _LC.c.source, _LC.c.completed_at
        ).where(_LC.c.lesson_id == lesson_id, _LC.c.trainee_id == trainee_id)
        row = (await self._conn.execute(query)).first()
        if row is None:
            return None
        return LessonCompletion(row[0], row[1], row[2], CompletionSource(row[3]), row[4])

    async def trainee_ids(self, lesson_id: int) -> list[int]:
        query = (
            select(_LC.c.trainee_id).where(_LC.c.lesson_id == lesson_id).order_by(_LC.c.trainee_id)
        )
        return list((await self._conn.execute(query)).scalars().all())

    async def count(self, course_id: int, trainee_id: int) -> int:
        query = (
            select(func.count())
            .select_from(_LC)
            .where(_LC.c.course_id == course_id, _LC.c.trainee_id == trainee_id)
        )
        return int((await self._conn.execute(query)).scalar_one())

    async def counts_for_course(self, course_id: int) -> dict[int, int]:
        query = (
            select(_LC.c.trainee_id, func.count())
            .where(_LC.c.course_id == course_id)
            .group_by(_LC.c.trainee_id)
        )
        return {row[0]: int(row[1]) for row in (await self._conn.execute(query)).all()}

    async def lesson_ids(self, course_id: int, trainee_id: int) -> list[int]:
        query = (
            select(_LC.c.lesson_id)
            .where(_LC.c.course_id == course_id, _LC.c.trainee_id == trainee_id)
            .order_by(_LC.c.lesson_id)
        )
        return list((await self._conn.execute(query)).scalars().all())

    async def lesson_ids_by_course(self, trainee_id: int) -> dict[int, list[int]]:
        """One statement, a range of the (trainee, course) index."""
        query = (
            select(_LC.c.course_id, _LC.c.lesson_id)
            .where(_LC.c.trainee_id == trainee_id)
            .order_by(_LC.c.lesson_id)
        )
        found: dict[int, list[int]] = {}
        for course_id, lesson_id in (await self._conn.execute(query)).all():
            found.setdefault(course_id, []).append(lesson_id)
        return found

    async def of_trainee_by_source(
        self, trainee_id: int, source: CompletionSource
    ) -> list[LessonCompletion]:
        query = (
            select(
                _LC.c.lesson_id,
                _LC.c.course_id,
                _LC.c.trainee_id,
                _LC.c.source,
                _LC.c.completed_at,
            )
            .where(_LC.c.trainee_id == trainee_id, _LC.c.source == source.value)
            .order_by(_LC.c.lesson_id)
        )
        return [
            LessonCompletion(row[0], row[1], row[2], CompletionSource(row[3]), row[4])
            for row in (await self._conn.execute(query)).all()
        ]
