"""The bundled list of common passwords the password policy refuses (see data/NOTICE.md)."""

from __future__ import annotations

import gzip
from functools import cache
from importlib.resources import files

_LIST_FILE = "common-passwords.txt.gz"


@cache
def load_common_passwords() -> frozenset[str]:
    """The list's entries, lower-case and stripped; read from the package once."""
    compressed = (files("tms_adapters.security") / "data" / _LIST_FILE).read_bytes()
    lines = gzip.decompress(compressed).decode("utf-8").splitlines()
    return frozenset(entry for line in lines if (entry := line.strip().lower()))
