"""In-memory storage with the same behaviour as the SQL adapters: for tests and embedding."""

from tms_adapters.persistence.memory.reports import MemoryReportQueries
from tms_adapters.persistence.memory.state import MemoryStore
from tms_adapters.persistence.memory.unit_of_work import MemoryUnitOfWork, MemoryUnitOfWorkFactory

__all__ = ["MemoryReportQueries", "MemoryStore", "MemoryUnitOfWork", "MemoryUnitOfWorkFactory"]
