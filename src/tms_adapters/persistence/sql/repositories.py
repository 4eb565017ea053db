"""SQLAlchemy Core repositories: they map rows to domain objects and never commit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Row,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_adapters.security.confusables import username_skeleton
from tms_domain.accounts import SignIn, User, login_key, login_keys, login_preference
from tms_domain.audit import AuditEntry, AuditQuery
from tms_domain.kernel import Conflict, Role
from tms_domain.training import Assignment, Attendance, SessionQuery, SessionStatus, TrainingSession

CHUNK = 2000
"""Bound on the ids sent in one IN list (SQLite limits bound parameters)."""


def _chunks(ids: Sequence[int], size: int = CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _conflict_for(error: IntegrityError, messages: dict[str, str], default: str) -> Conflict:
    text = str(error.orig)
    for marker, message in messages.items():
        if marker in text:
            return Conflict(message)
    return Conflict(default)


_USER_COLUMNS: tuple[Column[Any], ...] = (
    t.users.c.id,
    t.users.c.username,
    t.users.c.email,
    t.users.c.role,
    t.users.c.first_name,
    t.users.c.last_name,
    t.users.c.password_hash,
    t.users.c.is_temporary_password,
    t.users.c.created_at,
    t.users.c.updated_at,
)
"""What a User is read from, in the order of its fields; a query selects these first (and
only these, not the lookup keys: listings map a thousand users per request)."""
_ROLES = {role.value: role for role in Role}


def _user(row: Sequence[Any]) -> User:
    """From a row that starts with ``_USER_COLUMNS``. Read by position and built
    positionally: a row's attributes are looked up by name on every access, which costs as
    much again as fetching the row."""
    (
        user_id,
        username,
        email,
        role,
        first_name,
        last_name,
        password_hash,
        is_temporary_password,
        created_at,
        updated_at,
    ) = row[:10]
    return User(
        user_id,
        username,
        email,
        _ROLES[role],
        first_name,
        last_name,
        password_hash,
        bool(is_temporary_password),
        created_at,
        updated_at,
    )


USER_DUPLICATES = {
    "username_key": "A user with that username already exists",
    "username_skeleton": "That username looks too much like an existing one: choose another",
    "email_key": "A user with that email already exists",
}
"""Messages that name the clash, never the account clashed with."""


class SqlaUserRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    def _values(self, user: User) -> dict[str, Any]:
        return {
            "username": user.username,
            "username_key": login_key(user.username),
            "username_skeleton": username_skeleton(user.username),
            "email": user.email,
            "email_key": login_key(user.email),
            "role": user.role.value,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "password_hash": user.password_hash,
            "is_temporary_password": user.is_temporary_password,
            "created_at": user.created_at,
            "updated_at": user.updated_at,
        }

    async def add(self, user: User) -> User:
        try:
            result = await self._conn.execute(insert(t.users).values(**self._values(user)))
        except IntegrityError as error:
            raise _conflict_for(error, USER_DUPLICATES, "That user already exists") from error
        user.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return user

    async def get(self, user_id: int, *, for_update: bool = False) -> User | None:
        query = select(*_USER_COLUMNS).where(t.users.c.id == user_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return _user(row) if row else None

    async def get_many(self, user_ids: Iterable[int]) -> dict[int, User]:
        ids = sorted(set(user_ids))
        found: dict[int, User] = {}
        for chunk in _chunks(ids):
            rows = await self._conn.execute(select(*_USER_COLUMNS).where(t.users.c.id.in_(chunk)))
            for row in rows.all():
                user = _user(row)
                found[user.id] = user
        return found

    async def enrolled_in(self, session_ids: Sequence[int]) -> dict[int, User]:
        # The database picks the users: a listing's trainees are hundreds of ids, and an IN
        # list of them costs more to render and send than the rows cost to read. (Joining
        # users to the enrolments instead would read a user once per session: ten times
        # over on a page of 1,000 sessions.)
        e = t.enrolments
        found: dict[int, User] = {}
        for chunk in _chunks(sorted(set(session_ids))):
            enrolled = select(e.c.trainee_id).where(e.c.session_id.in_(chunk))
            rows = await self._conn.execute(
                select(*_USER_COLUMNS).where(t.users.c.id.in_(enrolled))
            )
            for row in rows.all():
                user = _user(row)
                found[user.id] = user
        return found

    async def find_by_login(self, login: str) -> User | None:
        keys = login_keys(login)
        query = select(*_USER_COLUMNS, t.users.c.username_key, t.users.c.email_key).where(
            or_(t.users.c.username_key.in_(keys), t.users.c.email_key.in_(keys))
        )
        rows = (await self._conn.execute(query)).all()
        if not rows:
            return None
        best = min(rows, key=lambda r: login_preference(login, r.username_key, r.email_key))
        return _user(best)

    async def update(self, user: User) -> None:
        values = self._values(user)
        del values["created_at"]
        skeleton = values.pop("username_skeleton")
        users = t.users.c
        # A name that keeps its key keeps its skeleton, even none (one that looked like
        # another before keys existed); SET runs left to right on MySQL, so this goes first.
        keep_or_new = case(
            (users.username_key == values["username_key"], users.username_skeleton),
            else_=skeleton,
        )
        try:
            await self._conn.execute(
                update(t.users)
                .where(users.id == user.id)
                .ordered_values(
                    (users.username_skeleton, keep_or_new),
                    *((users[name], value) for name, value in values.items()),
                )
            )
        except IntegrityError as error:
            raise _conflict_for(error, USER_DUPLICATES, "That user already exists") from error

    async def delete(self, user_id: int) -> None:
        await self._conn.execute(delete(t.users).where(t.users.c.id == user_id))

    async def page(self, *, skip: int, limit: int, role: Role | None = None) -> list[User]:
        query = select(*_USER_COLUMNS).order_by(t.users.c.id).offset(skip).limit(limit)
        if role is not None:
            query = query.where(t.users.c.role == role.value)
        return [_user(row) for row in (await self._conn.execute(query)).all()]

    async def count_by_role(self) -> dict[Role, int]:
        rows = await self._conn.execute(
            select(t.users.c.role, func.count()).group_by(t.users.c.role)
        )
        counts = dict.fromkeys(Role, 0)
        for role, count in rows:
            counts[Role(role)] = int(count)
        return counts

    async def count_trainees_without_sessions(self) -> int:
        enrolled = exists().where(t.enrolments.c.trainee_id == t.users.c.id)
        query = select(func.count()).where(t.users.c.role == Role.TRAINEE.value, ~enrolled)
        return int((await self._conn.execute(query)).scalar_one())

    async def lock_many(self, user_ids: Iterable[int]) -> None:
        ids = sorted(set(user_ids))
        for chunk in _chunks(ids):
            await self._conn.execute(
                select(t.users.c.id)
                .where(t.users.c.id.in_(chunk))
                .order_by(t.users.c.id)
                .with_for_update()
            )


class SqlaSignInRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, sign_in: SignIn) -> None:
        await self._conn.execute(
            insert(t.sign_ins).values(
                id=sign_in.id,
                user_id=sign_in.user_id,
                created_at=sign_in.created_at,
                expires_at=sign_in.expires_at,
                revoked_at=sign_in.revoked_at,
            )
        )

    async def get_with_user(self, sign_in_id: str) -> tuple[SignIn, User] | None:
        s = t.sign_ins
        query = (
            select(
                *_USER_COLUMNS,
                s.c.id.label("sign_in_id"),
                s.c.user_id.label("sign_in_user_id"),
                s.c.created_at.label("sign_in_created_at"),
                s.c.expires_at,
                s.c.revoked_at,
            )
            .join(t.users, t.users.c.id == s.c.user_id)
            .where(s.c.id == sign_in_id)
        )
        row = (await self._conn.execute(query)).first()
        if row is None:
            return None
        sign_in = SignIn(
            id=row.sign_in_id,
            user_id=row.sign_in_user_id,
            created_at=row.sign_in_created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
        )
        return sign_in, _user(row)

    async def revoke(self, sign_in_id: str, at: datetime) -> None:
        await self._conn.execute(
            update(t.sign_ins)
            .where(t.sign_ins.c.id == sign_in_id, t.sign_ins.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    async def revoke_all(self, user_id: int, at: datetime, *, except_id: str | None = None) -> int:
        query = (
            update(t.sign_ins)
            .where(t.sign_ins.c.user_id == user_id, t.sign_ins.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        if except_id is not None:
            query = query.where(t.sign_ins.c.id != except_id)
        result = await self._conn.execute(query)
        return int(result.rowcount)

    async def prune(self, before: datetime) -> int:
        result = await self._conn.execute(
            delete(t.sign_ins).where(t.sign_ins.c.expires_at < before)
        )
        return int(result.rowcount)

    async def last_signed_in(self, user_ids: Sequence[int], until: datetime) -> dict[int, datetime]:
        s = t.sign_ins
        found: dict[int, datetime] = {}
        for chunk in _chunks(sorted(set(user_ids))):
            rows = await self._conn.execute(
                select(s.c.user_id, func.max(s.c.created_at))
                .where(s.c.user_id.in_(chunk), s.c.created_at <= until)
                .group_by(s.c.user_id)
            )
            found.update((row[0], row[1]) for row in rows)
        return found


_S = t.training_sessions
_SESSION_COLUMNS: tuple[Column[Any], ...] = (
    _S.c.id,
    _S.c.title,
    _S.c.description,
    _S.c.trainer_id,
    _S.c.scheduled_date,
    _S.c.duration_minutes,
    _S.c.status,
    _S.c.class_link,
    _S.c.session_link,
    _S.c.created_at,
    _S.c.updated_at,
)
"""What a TrainingSession is read from (``ends_at`` is derived); a query selects these first."""
_STATUSES = {status.value: status for status in SessionStatus}


def _session(row: Sequence[Any], trainee_ids: list[int]) -> TrainingSession:
    """From a row that starts with ``_SESSION_COLUMNS``."""
    (
        session_id,
        title,
        description,
        trainer_id,
        scheduled_date,
        duration_minutes,
        status,
        class_link,
        session_link,
        created_at,
        updated_at,
    ) = row[:11]
    return TrainingSession(
        id=session_id,
        title=title,
        description=description,
        trainer_id=trainer_id,
        trainee_ids=trainee_ids,
        scheduled_date=scheduled_date,
        duration_minutes=duration_minutes,
        status=_STATUSES[status],
        class_link=class_link,
        session_link=session_link,
        created_at=created_at,
        updated_at=updated_at,
    )


class SqlaSessionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    def _values(self, session: TrainingSession) -> dict[str, Any]:
        return {
            "title": session.title,
            "description": session.description,
            "trainer_id": session.trainer_id,
            "scheduled_date": session.scheduled_date,
            "ends_at": session.ends_at,
            "duration_minutes": session.duration_minutes,
            "status": session.status.value,
            "class_link": session.class_link,
            "session_link": session.session_link,
            "created_at": session.created_at,
            "updated_at": session.updated_at,
        }

    async def _trainees_of(self, session_ids: Sequence[int]) -> dict[int, list[int]]:
        by_session: dict[int, list[int]] = defaultdict(list)
        e = t.enrolments
        for chunk in _chunks(session_ids):
            rows = await self._conn.execute(
                select(e.c.session_id, e.c.trainee_id)
                .where(e.c.session_id.in_(chunk))
                .order_by(e.c.session_id, e.c.id)
            )
            for session_id, trainee_id in rows.all():
                by_session[session_id].append(trainee_id)
        return by_session

    async def _with_trainees(self, rows: Sequence[Sequence[Any]]) -> list[TrainingSession]:
        trainees = await self._trainees_of([row[0] for row in rows]) if rows else {}
        return [_session(row, trainees.get(row[0], [])) for row in rows]

    async def add(self, session: TrainingSession) -> TrainingSession:
        try:
            result = await self._conn.execute(
                insert(t.training_sessions).values(**self._values(session))
            )
        except IntegrityError as error:
            raise Conflict("That join link is already in use") from error
        session.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        if session.trainee_ids:
            await self._enrol(session.id, session.trainee_ids, session.created_at)
        return session

    async def _enrol(self, session_id: int, trainee_ids: Sequence[int], at: datetime) -> None:
        try:
            await self._conn.execute(
                insert(t.enrolments),
                [
                    {"session_id": session_id, "trainee_id": trainee_id, "enrolled_at": at}
                    for trainee_id in trainee_ids
                ],
            )
        except IntegrityError as error:
            raise Conflict("The trainee is already enrolled in this session") from error

    async def get(self, session_id: int, *, for_update: bool = False) -> TrainingSession | None:
        query = select(*_SESSION_COLUMNS).where(_S.c.id == session_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        if row is None:
            return None
        return (await self._with_trainees([row]))[0]

    async def get_by_link(self, session_link: str) -> TrainingSession | None:
        query = select(*_SESSION_COLUMNS).where(_S.c.session_link == session_link)
        row = (await self._conn.execute(query)).first()
        return (await self._with_trainees([row]))[0] if row else None

    async def update(self, session: TrainingSession) -> None:
        values = self._values(session)
        del values["created_at"]
        await self._conn.execute(
            update(t.training_sessions)
            .where(t.training_sessions.c.id == session.id)
            .values(**values)
        )
        current = (await self._trainees_of([session.id])).get(session.id, [])
        wanted = list(dict.fromkeys(session.trainee_ids))
        gone = set(current) - set(wanted)
        if gone:
            await self._conn.execute(
                delete(t.enrolments).where(
                    t.enrolments.c.session_id == session.id,
                    t.enrolments.c.trainee_id.in_(sorted(gone)),
                )
            )
        new = [trainee_id for trainee_id in wanted if trainee_id not in current]
        if new:
            await self._enrol(session.id, new, session.updated_at)

    async def delete(self, session_id: int) -> None:
        await self._conn.execute(
            delete(t.training_sessions).where(t.training_sessions.c.id == session_id)
        )

    async def page(self, query: SessionQuery) -> list[TrainingSession]:
        s = t.training_sessions
        statement = select(*_SESSION_COLUMNS)
        if query.status is not None:
            statement = statement.where(s.c.status == query.status.value)
        if query.trainer_id is not None:
            statement = statement.where(s.c.trainer_id == query.trainer_id)
        if query.trainee_id is not None:
            statement = statement.where(
                s.c.id.in_(
                    select(t.enrolments.c.session_id).where(
                        t.enrolments.c.trainee_id == query.trainee_id
                    )
                )
            )
        if query.starts_from is not None:
            statement = statement.where(s.c.scheduled_date >= query.starts_from)
        if query.starts_before is not None:
            statement = statement.where(s.c.scheduled_date < query.starts_before)
        order = (
            (s.c.scheduled_date.desc(), s.c.id.desc())
            if query.newest_first
            else (s.c.scheduled_date, s.c.id)
        )
        statement = statement.order_by(*order).offset(query.skip).limit(query.limit)
        rows = (await self._conn.execute(statement)).all()
        return await self._with_trainees(rows)

    async def find_overlapping(
        self,
        start: datetime,
        end: datetime,
        *,
        trainer_id: int | None = None,
        trainee_ids: Sequence[int] = (),
        exclude_session_id: int | None = None,
    ) -> list[TrainingSession]:
        s = t.training_sessions
        people = []
        if trainer_id is not None:
            people.append(s.c.trainer_id == trainer_id)
        if trainee_ids:
            people.append(
                s.c.id.in_(
                    select(t.enrolments.c.session_id).where(
                        t.enrolments.c.trainee_id.in_(list(trainee_ids))
                    )
                )
            )
        if not people:
            return []
        statement = (
            select(*_SESSION_COLUMNS)
            .where(
                s.c.status == SessionStatus.SCHEDULED.value,
                s.c.scheduled_date < end,
                s.c.ends_at > start,
                or_(*people),
            )
            .order_by(s.c.scheduled_date, s.c.id)
            .limit(10)
        )
        if exclude_session_id is not None:
            statement = statement.where(s.c.id != exclude_session_id)
        rows = (await self._conn.execute(statement)).all()
        return await self._with_trainees(rows)

    async def add_trainee(self, session_id: int, trainee_id: int, at: datetime) -> None:
        await self._enrol(session_id, [trainee_id], at)

    async def remove_trainee(self, session_id: int, trainee_id: int) -> bool:
        result = await self._conn.execute(
            delete(t.enrolments).where(
                t.enrolments.c.session_id == session_id,
                t.enrolments.c.trainee_id == trainee_id,
            )
        )
        return bool(result.rowcount)

    async def count_by_status(self) -> dict[SessionStatus, int]:
        s = t.training_sessions
        rows = await self._conn.execute(select(s.c.status, func.count()).group_by(s.c.status))
        counts = dict.fromkeys(SessionStatus, 0)
        for status, count in rows:
            counts[SessionStatus(status)] = int(count)
        return counts

    async def count_trained_by(self, trainer_id: int) -> int:
        s = t.training_sessions
        query = select(func.count()).where(s.c.trainer_id == trainer_id)
        return int((await self._conn.execute(query)).scalar_one())

    async def ids_trained_by(self, trainer_id: int) -> list[int]:
        s = t.training_sessions
        rows = await self._conn.execute(
            select(s.c.id).where(s.c.trainer_id == trainer_id).order_by(s.c.id)
        )
        return [row.id for row in rows]

    async def trainee_ids_trained_by(self, trainer_id: int) -> list[int]:
        s, e = t.training_sessions, t.enrolments
        rows = await self._conn.execute(
            select(e.c.trainee_id)
            .distinct()
            .join(s, s.c.id == e.c.session_id)
            .where(s.c.trainer_id == trainer_id)
            .order_by(e.c.trainee_id)
        )
        return [row[0] for row in rows]

    async def sessions_of_trainees(
        self, trainee_ids: Sequence[int]
    ) -> dict[int, list[TrainingSession]]:
        s, e = t.training_sessions, t.enrolments
        found: dict[int, list[TrainingSession]] = defaultdict(list)
        for chunk in _chunks(sorted(set(trainee_ids))):
            rows = await self._conn.execute(
                select(*_SESSION_COLUMNS, e.c.trainee_id.label("enrolled_trainee_id"))
                .join(e, e.c.session_id == s.c.id)
                .where(e.c.trainee_id.in_(chunk))
                .order_by(s.c.scheduled_date, s.c.id)
            )
            for row in rows:
                found[row.enrolled_trainee_id].append(_session(row, []))
        return found

    async def last_activity(
        self, trainee_ids: Sequence[int], until: datetime
    ) -> dict[int, datetime]:
        s, e, a = t.training_sessions, t.enrolments, t.attendance
        found: dict[int, datetime] = {}
        # Each IN list appears three times: a third of the usual chunk keeps the statement's
        # bound parameters within what SQLite allows.
        for chunk in _chunks(sorted(set(trainee_ids)), CHUNK // 3):
            moments = union_all(
                select(e.c.trainee_id.label("trainee_id"), e.c.enrolled_at.label("at")).where(
                    e.c.trainee_id.in_(chunk), e.c.enrolled_at <= until
                ),
                select(a.c.trainee_id, a.c.marked_at).where(
                    a.c.trainee_id.in_(chunk), a.c.present.is_(True), a.c.marked_at <= until
                ),
                select(e.c.trainee_id, s.c.scheduled_date)
                .join(s, s.c.id == e.c.session_id)
                .where(
                    e.c.trainee_id.in_(chunk),
                    s.c.status != SessionStatus.CANCELLED.value,
                    s.c.scheduled_date <= until,
                ),
            ).subquery()
            rows = await self._conn.execute(
                select(moments.c.trainee_id, func.max(moments.c.at)).group_by(moments.c.trainee_id)
            )
            found.update((row[0], row[1]) for row in rows)
        return found

    async def trainer_stats(self) -> dict[int, tuple[int, int]]:
        """Per trainer: (sessions not cancelled, minutes of completed sessions)."""
        s = t.training_sessions
        completed_minutes = func.sum(
            case((s.c.status == SessionStatus.COMPLETED.value, s.c.duration_minutes), else_=0)
        )
        rows = await self._conn.execute(
            select(s.c.trainer_id, func.count(), completed_minutes)
            .where(s.c.status != SessionStatus.CANCELLED.value)
            .group_by(s.c.trainer_id)
        )
        return {row[0]: (int(row[1]), int(row[2] or 0)) for row in rows}


def _assignment(row: Row[Any]) -> Assignment:
    return Assignment(
        id=row.id,
        student_id=row.student_id,
        teacher_id=row.teacher_id,
        assigned_date=row.assigned_date,
    )


class SqlaAssignmentRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, assignment: Assignment) -> Assignment:
        try:
            result = await self._conn.execute(
                insert(t.assignments).values(
                    student_id=assignment.student_id,
                    teacher_id=assignment.teacher_id,
                    assigned_date=assignment.assigned_date,
                )
            )
        except IntegrityError as error:
            raise Conflict("The trainee is already assigned to this trainer") from error
        assignment.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return assignment

    async def get(self, student_id: int, teacher_id: int) -> Assignment | None:
        a = t.assignments
        row = (
            await self._conn.execute(
                select(a).where(a.c.student_id == student_id, a.c.teacher_id == teacher_id)
            )
        ).first()
        return _assignment(row) if row else None

    async def delete(self, student_id: int, teacher_id: int) -> bool:
        a = t.assignments
        result = await self._conn.execute(
            delete(a).where(a.c.student_id == student_id, a.c.teacher_id == teacher_id)
        )
        return bool(result.rowcount)

    async def page(
        self,
        *,
        skip: int,
        limit: int,
        student_id: int | None = None,
        teacher_id: int | None = None,
    ) -> list[Assignment]:
        a = t.assignments
        query = select(a).order_by(a.c.id).offset(skip).limit(limit)
        if student_id is not None:
            query = query.where(a.c.student_id == student_id)
        if teacher_id is not None:
            query = query.where(a.c.teacher_id == teacher_id)
        return [_assignment(row) for row in await self._conn.execute(query)]

    async def is_assigned(self, student_id: int, teacher_id: int) -> bool:
        return await self.get(student_id, teacher_id) is not None

    async def student_ids_of(self, teacher_id: int) -> list[int]:
        a = t.assignments
        rows = await self._conn.execute(
            select(a.c.student_id).where(a.c.teacher_id == teacher_id).order_by(a.c.student_id)
        )
        return [row[0] for row in rows]

    async def teacher_ids_of(self, student_id: int) -> list[int]:
        a = t.assignments
        rows = await self._conn.execute(
            select(a.c.teacher_id).where(a.c.student_id == student_id).order_by(a.c.teacher_id)
        )
        return [row[0] for row in rows]


def _attendance(row: Row[Any]) -> Attendance:
    return Attendance(
        id=row.id,
        session_id=row.session_id,
        trainee_id=row.trainee_id,
        present=bool(row.present),
        marked_at=row.marked_at,
    )


class SqlaAttendanceRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, attendance_id: int) -> Attendance | None:
        a = t.attendance
        row = (await self._conn.execute(select(a).where(a.c.id == attendance_id))).first()
        return _attendance(row) if row else None

    async def find(self, session_id: int, trainee_id: int) -> Attendance | None:
        a = t.attendance
        row = (
            await self._conn.execute(
                select(a).where(a.c.session_id == session_id, a.c.trainee_id == trainee_id)
            )
        ).first()
        return _attendance(row) if row else None

    async def add(self, attendance: Attendance) -> Attendance:
        try:
            result = await self._conn.execute(
                insert(t.attendance).values(
                    session_id=attendance.session_id,
                    trainee_id=attendance.trainee_id,
                    present=attendance.present,
                    marked_at=attendance.marked_at,
                )
            )
        except IntegrityError as error:
            raise Conflict("Attendance for this trainee is already being marked") from error
        attendance.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return attendance

    async def update(self, attendance: Attendance) -> None:
        a = t.attendance
        await self._conn.execute(
            update(a)
            .where(a.c.id == attendance.id)
            .values(present=attendance.present, marked_at=attendance.marked_at)
        )

    async def delete(self, attendance_id: int) -> None:
        await self._conn.execute(delete(t.attendance).where(t.attendance.c.id == attendance_id))

    async def list_for_session(self, session_id: int) -> list[Attendance]:
        a = t.attendance
        rows = await self._conn.execute(
            select(a).where(a.c.session_id == session_id).order_by(a.c.id)
        )
        return [_attendance(row) for row in rows]

    async def list_for_trainee(self, trainee_id: int, *, skip: int, limit: int) -> list[Attendance]:
        a = t.attendance
        rows = await self._conn.execute(
            select(a)
            .where(a.c.trainee_id == trainee_id)
            .order_by(a.c.marked_at, a.c.id)
            .offset(skip)
            .limit(limit)
        )
        return [_attendance(row) for row in rows]

    async def count_for_trainee(self, trainee_id: int) -> int:
        a = t.attendance
        query = select(func.count()).where(a.c.trainee_id == trainee_id)
        return int((await self._conn.execute(query)).scalar_one())

    async def progress(self, trainee_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        e, s, a = t.enrolments, t.training_sessions, t.attendance
        present = func.sum(case((a.c.present.is_(True), 1), else_=0))
        found: dict[int, tuple[int, int]] = {}
        for chunk in _chunks(sorted(set(trainee_ids))):
            rows = await self._conn.execute(
                select(e.c.trainee_id, func.count(), present)
                .join(s, s.c.id == e.c.session_id)
                .outerjoin(
                    a, and_(a.c.session_id == e.c.session_id, a.c.trainee_id == e.c.trainee_id)
                )
                .where(e.c.trainee_id.in_(chunk), s.c.status != SessionStatus.CANCELLED.value)
                .group_by(e.c.trainee_id)
            )
            found.update((row[0], (int(row[1]), int(row[2] or 0))) for row in rows)
        return found

    async def rates(self) -> tuple[int, int, dict[int, tuple[int, int]]]:
        e, s, a = t.enrolments, t.training_sessions, t.attendance
        present = func.sum(case((a.c.present.is_(True), 1), else_=0))
        rows = await self._conn.execute(
            select(s.c.trainer_id, func.count(), present)
            .join(e, e.c.session_id == s.c.id)
            .outerjoin(a, and_(a.c.session_id == s.c.id, a.c.trainee_id == e.c.trainee_id))
            .where(s.c.status == SessionStatus.COMPLETED.value)
            .group_by(s.c.trainer_id)
        )
        per_trainer = {row[0]: (int(row[1]), int(row[2] or 0)) for row in rows}
        enrolled = sum(total for total, _ in per_trainer.values())
        attended = sum(count for _, count in per_trainer.values())
        return enrolled, attended, per_trainer


def _audit(row: Row[Any]) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        actor_id=row.actor_id,
        actor=row.actor,
        action=row.action,
        target_type=row.target_type,
        target_id=row.target_id,
        client_address=row.client_address,
        changes=row.changes or {},
    )


class SqlaAuditLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(self, entry: AuditEntry) -> None:
        await self._conn.execute(
            insert(t.audit_log).values(
                at=entry.at,
                actor_id=entry.actor_id,
                actor=entry.actor,
                action=entry.action,
                target_type=entry.target_type,
                target_id=entry.target_id,
                client_address=entry.client_address,
                changes=entry.changes,
            )
        )

    async def page(self, query: AuditQuery) -> list[AuditEntry]:
        log = t.audit_log
        statement = select(log)
        if query.actor_id is not None:
            statement = statement.where(log.c.actor_id == query.actor_id)
        if query.action is not None:
            statement = statement.where(log.c.action == query.action)
        if query.target_type is not None:
            statement = statement.where(log.c.target_type == query.target_type)
        if query.target_id is not None:
            statement = statement.where(log.c.target_id == query.target_id)
        if query.at_from is not None:
            statement = statement.where(log.c.at >= query.at_from)
        if query.at_before is not None:
            statement = statement.where(log.c.at < query.at_before)
        statement = statement.order_by(log.c.id.desc()).offset(query.skip).limit(query.limit)
        return [_audit(row) for row in await self._conn.execute(statement)]
