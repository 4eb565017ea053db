"""Many rows written by one statement at the cost of the rows themselves.

SQLAlchemy's executemany builds, for every row, a dictionary of bind parameters and runs
each value through its type's processors (three calls for a ``UtcDateTime``, ``json.dumps``
for a JSON column): for the 1,000 notifications, events, audience rows and mail jobs of one
enrolment, that bookkeeping cost more than the database's work. ``insert_many`` compiles
the statement once, turns each row into a tuple in the driver's parameter order through one
converter per column, and hands the tuples to the driver's own executemany (sqlite3's;
asyncmy's, which sends them as multi-row INSERTs).

What reaches the database is what SQLAlchemy would have sent: timestamps as naive UTC (the
text SQLite's DATETIME stores, with microseconds), JSON as JSON text (msgspec's encoding:
compact, UTF-8), other values through the column type's own bind processor, if it has one.
A converter remembers its last value, so the moment a thousand rows share is converted once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import JSON
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import TypeEngine

from tms_adapters.persistence.sql.tables import UtcDateTime

Converter = Callable[[Any], Any]
_encode_json = msgspec.json.Encoder().encode


def _same(value: Any) -> Any:
    return value


def _utc_naive(value: datetime | None) -> datetime | None:
    """What ``UtcDateTime`` binds: naive UTC; a naive value is refused, as there."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return (value if value.tzinfo is UTC else value.astimezone(UTC)).replace(tzinfo=None)


def _sqlite_utc(value: datetime | None) -> str | None:
    """SQLite's DATETIME text of the UTC moment (SQLAlchemy's storage format)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    moment = value if value.tzinfo is UTC else value.astimezone(UTC)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}.{moment.microsecond:06d}"
    )


def _json_text(value: Any) -> str | None:
    return None if value is None else _encode_json(value).decode()


def _remembering(convert: Converter) -> Converter:
    """``convert`` that hands back its last answer when given the same object again."""
    last: list[Any] = [object(), None]

    def converted(value: Any) -> Any:
        if value is last[0]:
            return last[1]
        if value is None:
            return None
        answer = convert(value)
        last[0], last[1] = value, answer
        return answer

    return converted


def converter(
    column_type: TypeEngine[Any], dialect: Dialect, moments: Converter | None = None
) -> Converter:
    """How a value of ``column_type`` is bound on ``dialect``. ``moments``: the converter
    of timestamps to use (one for all of a statement's timestamp columns remembers the
    moment a row gives several of them)."""
    if isinstance(column_type, UtcDateTime):
        return moments or _remembering(_sqlite_utc if dialect.name == "sqlite" else _utc_naive)
    if isinstance(column_type.dialect_impl(dialect), JSON):
        return _json_text
    processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    return processor if processor is not None else _same


async def insert_many(
    conn: AsyncConnection, statement: Insert, rows: Sequence[Mapping[str, Any]]
) -> int:
    """Run ``statement`` (an INSERT of one table, with any prefix or conflict clause) once
    for each row; every row has the keys of the first (columns of the table). Answers the
    rows the database reports written (-1 when the driver cannot tell)."""
    if not rows:
        return 0
    dialect = conn.dialect
    keys = list(rows[0])
    compiled = statement.compile(dialect=dialect, column_keys=keys)
    order = compiled.positiontup
    if order is None:
        raise ValueError(f"{dialect.name} binds parameters by name, not by position")
    columns = statement.table.c
    moments = _remembering(_sqlite_utc if dialect.name == "sqlite" else _utc_naive)
    converters = [converter(columns[name].type, dialect, moments) for name in order]
    pairs = list(zip(order, converters, strict=True))
    result = await conn.exec_driver_sql(
        compiled.string,
        [tuple([convert(row[name]) for name, convert in pairs]) for row in rows],
    )
    return int(result.rowcount)


ROWS_PER_RETURNING = 500
"""Rows of one multi-row INSERT ... RETURNING: 500 rows of a wide table stay far under
SQLite's 32,766 bound parameters."""


def can_return(conn: AsyncConnection) -> bool:
    """True when the database answers an INSERT with the rows it wrote (SQLite 3.35+,
    MariaDB 10.5+; not MySQL)."""
    return bool(conn.dialect.insert_returning)


async def insert_returning(
    conn: AsyncConnection,
    statement: Insert,
    rows: Sequence[Mapping[str, Any]],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """Run ``statement`` for the rows, ``ROWS_PER_RETURNING`` to a multi-row INSERT, and
    answer the ``returning`` columns of the rows the database wrote: a row an ignoring
    INSERT skipped is not among them. Only where ``can_return``. The values are bound as
    ``insert_many`` binds them; the answers come as the driver gives them."""
    if not rows:
        return []
    dialect = conn.dialect
    keys = list(rows[0])
    compiled = statement.compile(dialect=dialect, column_keys=keys)
    order = compiled.positiontup
    if order is None:
        raise ValueError(f"{dialect.name} binds parameters by name, not by position")
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    group = "(" + ", ".join([mark] * len(order)) + ")"
    sql = compiled.string.rstrip()
    if not sql.endswith(group):
        raise ValueError("insert_returning takes an INSERT ... VALUES with nothing after it")
    columns = statement.table.c
    moments = _remembering(_sqlite_utc if dialect.name == "sqlite" else _utc_naive)
    pairs = [(name, converter(columns[name].type, dialect, moments)) for name in order]
    quote = dialect.identifier_preparer.quote
    answer = " RETURNING " + ", ".join(quote(name) for name in returning)
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), ROWS_PER_RETURNING):
        part = rows[start : start + ROWS_PER_RETURNING]
        text = sql + (", " + group) * (len(part) - 1) + answer
        values = tuple([convert(row[name]) for row in part for name, convert in pairs])
        result = await conn.exec_driver_sql(text, values)
        found.extend(tuple(row) for row in result)
    return found
