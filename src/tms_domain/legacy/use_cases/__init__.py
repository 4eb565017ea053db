"""The legacy import's use case."""

from tms_domain.legacy.use_cases.importing import BATCH_SIZE, LegacyImport

__all__ = ["BATCH_SIZE", "LegacyImport"]
