"""The read-side view ports in SQL: rows straight to the structs of persistence/views.py.

Timestamps are read as stored (SQLite's text, MariaDB's naive datetime) and turned into the
contract's text once per distinct value (``timestamp_text``), skipping the UTC datetime the
tables' type would build for each, only to be formatted again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, String, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.views import UserView, timestamp_text
from tms_domain.accounts import display_name
from tms_domain.kernel import Role


def raw(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A timestamp column as the driver returns it, without the tables' conversion."""
    return type_coerce(column, String)


_u = t.users.c
_USER_VIEW_COLUMNS: tuple[ColumnElement[Any], ...] = (
    _u.id,
    _u.username,
    _u.email,
    _u.role,
    _u.first_name,
    _u.last_name,
    _u.is_temporary_password,
    raw(_u.created_at),
    raw(_u.updated_at),
)


class SqlaUserViews:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def page(self, *, skip: int, limit: int, role: Role | None = None) -> Sequence[object]:
        query = select(*_USER_VIEW_COLUMNS).order_by(_u.id).offset(skip).limit(limit)
        if role is not None:
            query = query.where(_u.role == role.value)
        rows = (await self._conn.execute(query)).all()
        view, text = UserView, timestamp_text
        return [
            view(
                user_id,
                username,
                email,
                role_name,
                first,
                last,
                display_name(first, last),
                bool(temporary),
                text(created),
                text(updated),
            )
            for (
                user_id,
                username,
                email,
                role_name,
                first,
                last,
                temporary,
                created,
                updated,
            ) in rows
        ]
