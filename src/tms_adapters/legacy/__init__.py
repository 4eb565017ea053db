"""The earlier system's MySQL database, read for `tms import-legacy`."""

from tms_adapters.legacy.mysql_source import (
    LegacySourceError,
    MysqlLegacySource,
    source_url_problem,
)

__all__ = ["LegacySourceError", "MysqlLegacySource", "source_url_problem"]
