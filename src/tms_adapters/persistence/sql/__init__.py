"""SQL persistence: SQLAlchemy 2 async over SQLite (aiosqlite) and MySQL/MariaDB (asyncmy)."""

from tms_adapters.persistence.sql.engine import create_engine, is_sqlite, safe_url
from tms_adapters.persistence.sql.unit_of_work import SqlaUnitOfWork, SqlaUnitOfWorkFactory

__all__ = ["SqlaUnitOfWork", "SqlaUnitOfWorkFactory", "create_engine", "is_sqlite", "safe_url"]
