"""Usernames that look alike: Unicode TR39 skeletons, as ICU computes them."""

from __future__ import annotations

import hashlib
import unicodedata

from icu import SpoofChecker

_CHECKER = SpoofChecker()


def username_skeleton(username: str) -> str:
    """A key that two usernames share when a reader could take one for the other: the TR39
    skeleton of the NFKC-normalised, case-folded name ("аdmin" with a Cyrillic а, "ADMIN",
    full-width "ａｄｍｉｎ" and "adrnin" all share admin's), as a SHA-256 hex digest. A
    skeleton runs to seven characters a letter (Hangul), too long for an indexed column."""
    folded = unicodedata.normalize("NFKC", username.strip()).casefold()
    skeleton = _CHECKER.getSkeleton(0, folded)
    return hashlib.sha256(skeleton.encode("utf-8", "surrogatepass")).hexdigest()
