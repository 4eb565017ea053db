"""SQL persistence: SQLAlchemy 2 async over SQLite (aiosqlite) and MySQL/MariaDB (asyncmy)."""

from sqlalchemy.exc import TimeoutError as PoolTimeout

from tms_adapters.persistence.sql.engine import (
    create_engine,
    is_sqlite,
    safe_url,
    sqlite_file,
    url_problem,
)
from tms_adapters.persistence.sql.reports import SqlaReportQueries
from tms_adapters.persistence.sql.unit_of_work import (
    STORAGE_DOWN,
    SqlaUnitOfWork,
    SqlaUnitOfWorkFactory,
)

__all__ = [
    "STORAGE_DOWN",
    "PoolTimeout",
    "SqlaReportQueries",
    "SqlaUnitOfWork",
    "SqlaUnitOfWorkFactory",
    "create_engine",
    "is_sqlite",
    "safe_url",
    "sqlite_file",
    "url_problem",
]
