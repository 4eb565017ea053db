"""Reads the earlier system's six tables (its schema: ../shared/legacy/schema.sql) into
legacy rows, as stored: naive timestamps, ENUM values as text, BOOL as 0/1."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tms_adapters.persistence.sql.engine import create_engine
from tms_domain.legacy import (
    LegacyAssignment,
    LegacyAttendance,
    LegacyData,
    LegacyEnrolment,
    LegacyPasswordLog,
    LegacySession,
    LegacyUser,
)

Row = TypeVar("Row")

_QUERIES: dict[str, str] = {
    "users": "SELECT id, username, email, password_hash, role, first_name, last_name,"
    " is_temporary_password, created_at, updated_at FROM users ORDER BY id",
    "sessions": "SELECT id, title, description, trainer_id, scheduled_date, duration_minutes,"
    " status, class_link, session_link, created_at, updated_at FROM sessions ORDER BY id",
    "session_trainees": "SELECT id, session_id, trainee_id, added_at FROM session_trainees"
    " ORDER BY id",
    "assigned_students": "SELECT id, student_id, teacher_id, assigned_date"
    " FROM assigned_students ORDER BY id",
    "attendance": "SELECT id, session_id, trainee_id, present, marked_at FROM attendance"
    " ORDER BY id",
    "password_change_logs": "SELECT id, user_id, action, performed_by, `timestamp`, details"
    " FROM password_change_logs ORDER BY id",
}


def source_url_problem(url: str) -> str | None:
    """What is wrong with a legacy database URL, or None."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "is not a database URL (mysql+asyncmy://user:password@host:3306/name)"
    if parsed.get_backend_name() not in ("mysql", "mariadb"):
        return "must be a MySQL or MariaDB URL (mysql+asyncmy://user:password@host:3306/name)"
    if not parsed.database:
        return "names no database (…/name at its end)"
    return None


def _as_asyncmy(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_driver_name() != "asyncmy":
        parsed = parsed.set(drivername=f"{parsed.get_backend_name()}+asyncmy")
    return parsed.render_as_string(hide_password=False)


class LegacySourceError(Exception):
    """The earlier system's database cannot be read (unreachable, not its schema)."""


class MysqlLegacySource:
    def __init__(self, url: str) -> None:
        self._url = _as_asyncmy(url)

    async def read(self) -> LegacyData:
        engine = create_engine(self._url, pool_size=1)
        try:
            return await self._read(engine)
        except (SQLAlchemyError, OSError) as error:
            reason = str(getattr(error, "orig", None) or error).splitlines()[0][:300]
            where = make_url(self._url).render_as_string(hide_password=True)
            raise LegacySourceError(
                f"cannot read the earlier system's database at {where}: {reason}"
            ) from error
        finally:
            await engine.dispose()

    async def _read(self, engine: AsyncEngine) -> LegacyData:
        async with engine.connect() as conn:
            return LegacyData(
                users=await _rows(conn, "users", _user),
                sessions=await _rows(conn, "sessions", _session),
                enrolments=await _rows(conn, "session_trainees", _enrolment),
                assignments=await _rows(conn, "assigned_students", _assignment),
                attendance=await _rows(conn, "attendance", _attendance),
                password_logs=await _rows(conn, "password_change_logs", _password_log),
            )


async def _rows(
    conn: AsyncConnection, table: str, build: Callable[[Sequence[Any]], Row]
) -> list[Row]:
    result = await conn.execute(text(_QUERIES[table]))
    return [build(row) for row in result.all()]


def _user(r: Sequence[Any]) -> LegacyUser:
    return LegacyUser(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), r[8], r[9])


def _session(r: Sequence[Any]) -> LegacySession:
    return LegacySession(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10])


def _enrolment(r: Sequence[Any]) -> LegacyEnrolment:
    return LegacyEnrolment(r[0], r[1], r[2], r[3])


def _assignment(r: Sequence[Any]) -> LegacyAssignment:
    return LegacyAssignment(r[0], r[1], r[2], r[3])


def _attendance(r: Sequence[Any]) -> LegacyAttendance:
    return LegacyAttendance(r[0], r[1], r[2], bool(r[3]), r[4])


def _password_log(r: Sequence[Any]) -> LegacyPasswordLog:
    return LegacyPasswordLog(r[0], r[1], r[2], r[3], r[4], r[5])
