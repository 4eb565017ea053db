"""The password policy: what a new password must be, after NIST SP 800-63B.

No composition rules (no "one digit, one symbol"): length, a list of common passwords
and similarity to the user's own details are what make a password guessable.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import unicodedata
from difflib import SequenceMatcher

from tms_domain.accounts.ports import GuessEstimator
from tms_domain.kernel import FieldError, InvalidInput

UNAMBIGUOUS_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
"""Crockford's base32 in lower case: no i, l, o or u, so nothing reads as another symbol."""

TEMPORARY_PASSWORD_SYMBOLS = 20
"""Random symbols in a temporary password: 20 × log2(32) = 100 bits."""

_GROUP_SIZE = 5
_NON_WORD = re.compile(r"\W+")
_MIN_HINT_LENGTH = 3
"""Shorter parts of a user's details would be found in nearly every password."""


def normalize_password(password: str) -> str:
    """Unicode NFKC, so that the same password typed on another keyboard matches."""
    return unicodedata.normalize("NFKC", password)


@dataclasses.dataclass(frozen=True)
class PasswordPolicy:
    """The rules a new password must meet.

    Rules, checked on the NFKC-normalised password and all reported together:
    - at least ``min_length`` and at most ``max_length`` characters (code points);
    - not in ``common_passwords`` (lower-case entries), compared case-insensitively and
      ignoring surrounding spaces;
    - not similar (difflib ratio >= ``max_similarity``, case-insensitive) to the username,
      the email address or its local part, the first or last name, nor to any part of
      them split on non-word characters;
    - with a ``guess_estimator``: not built on those details, that is, they (repeated,
      reversed, l33t-spelled or recased) make up at least half of the password, or an
      attacker who knows them needs fewer than ``min_guesses`` guesses building on them
      ("admin-admin-admin" for the user admin).
    """

    min_length: int = 8
    max_length: int = 128
    # Thousands of entries: kept out of the repr, hence out of logs and tracebacks.
    common_passwords: frozenset[str] = dataclasses.field(default=frozenset(), repr=False)
    max_similarity: float = 0.7
    guess_estimator: GuessEstimator | None = dataclasses.field(
        default=None, repr=False, compare=False
    )
    min_guesses: float = 1e8
    """zxcvbn's line between "somewhat guessable" and "safely unguessable" (score 3)."""

    def __post_init__(self) -> None:
        if self.min_length < 1:
            raise ValueError("min_length must be at least 1")
        if self.max_length < self.min_length:
            raise ValueError("max_length must be at least min_length")
        # Below 0.1 nearly every password would count as similar to something.
        if not 0.1 <= self.max_similarity <= 1.0:
            raise ValueError("max_similarity must be between 0.1 and 1.0")

    def violations(
        self,
        password: str,
        *,
        username: str = "",
        email: str = "",
        first_name: str = "",
        last_name: str = "",
        field: str = "new_password",
    ) -> list[FieldError]:
        """Every rule the password breaks, each as an error on ``field``; empty when none."""
        normalized = normalize_password(password)
        messages: list[str] = []
        if len(normalized) < self.min_length:
            messages.append(
                "This password is too short: it must contain at least "
                f"{_characters(self.min_length)}."
            )
        if len(normalized) > self.max_length:
            messages.append(
                "This password is too long: it must contain at most "
                f"{_characters(self.max_length)}."
            )
        if normalized.strip().lower() in self.common_passwords:
            messages.append("This password is too common.")
        attributes = (
            ("username", _parts(username)),
            ("email address", _parts(email, email.rpartition("@")[0])),
            ("first name", _parts(first_name)),
            ("last name", _parts(last_name)),
        )
        lowered = normalized.lower()
        built_on = self._details_built_on(normalized, {p for _, parts in attributes for p in parts})
        for label, parts in attributes:
            if any(self._is_similar(lowered, part) for part in parts) or built_on & parts:
                messages.append(f"This password is too similar to the {label}.")
        return [FieldError(field, message) for message in messages]

    def _details_built_on(self, password: str, details: set[str]) -> set[str]:
        """The parts of the user's details the password is built on, by the estimator."""
        hints = {part for part in details if len(part) >= _MIN_HINT_LENGTH}
        if self.guess_estimator is None or not hints or not password:
            return set()
        estimate = self.guess_estimator.estimate(password, hints)
        covered = sum(estimate.covered.values())
        if covered * 2 >= len(password) or (covered and estimate.guesses < self.min_guesses):
            return set(estimate.covered)
        return set()

    def check(
        self,
        password: str,
        *,
        username: str = "",
        email: str = "",
        first_name: str = "",
        last_name: str = "",
        field: str = "new_password",
    ) -> str:
        """The normalised password, to be hashed; raise InvalidInput listing every violation."""
        errors = self.violations(
            password,
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            field=field,
        )
        if errors:
            raise InvalidInput("Password does not meet the policy", errors)
        return normalize_password(password)

    def _is_similar(self, lowered_password: str, value: str) -> bool:
        # The cheap upper bounds first, as difflib.get_close_matches does.
        matcher = SequenceMatcher(a=lowered_password, b=value)
        return (
            matcher.real_quick_ratio() >= self.max_similarity
            and matcher.quick_ratio() >= self.max_similarity
            and matcher.ratio() >= self.max_similarity
        )


def generate_temporary_password(policy: PasswordPolicy) -> str:
    """A random password that meets ``policy``: at least 20 symbols (100 bits) from
    :data:`UNAMBIGUOUS_ALPHABET`, in dash-separated groups of five to read aloud.

    Raise ValueError when the policy's maximum length cannot hold one.
    """
    symbol_count = max(TEMPORARY_PASSWORD_SYMBOLS, policy.min_length)
    length = symbol_count + (symbol_count - 1) // _GROUP_SIZE  # one dash between groups
    if length > policy.max_length:
        raise ValueError(f"A temporary password needs {length} characters; the policy allows fewer")
    while True:
        symbols = "".join(secrets.choice(UNAMBIGUOUS_ALPHABET) for _ in range(symbol_count))
        candidate = "-".join(
            symbols[start : start + _GROUP_SIZE] for start in range(0, symbol_count, _GROUP_SIZE)
        )
        # Any draw could in principle be a listed password; then draw again.
        if not policy.violations(candidate):
            return candidate


def _characters(count: int) -> str:
    return f"{count} character" if count == 1 else f"{count} characters"


def _parts(value: str, *whole_values: str) -> set[str]:
    """The value, the extra whole values, and their parts split on non-word characters,
    normalised and in lower case; no empty strings."""
    wholes = [normalize_password(v).lower() for v in (value, *whole_values) if v]
    parts = {part for whole in wholes for part in _NON_WORD.split(whole)}
    return (parts | set(wholes)) - {""}
