"""Rules for the fields of a user profile."""

from __future__ import annotations

import re
import unicodedata

USERNAME_PATTERN = re.compile(r"^[\w.+-]{3,50}$")
"""No @: a sign-in name with one is an e-mail address, so no username can pass for one."""
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 100


def profile_violations(
    *,
    username: str | None = None,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
) -> list[tuple[str, str]]:
    """Check the given fields (None: not being set) and list every violation."""
    errors: list[tuple[str, str]] = []
    if username is not None and not USERNAME_PATTERN.fullmatch(username):
        errors.append(
            (
                "username",
                "Username must be 3 to 50 characters: letters, digits and . + - _ only",
            )
        )
    if email is not None and (
        len(login_key(email)) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.fullmatch(email)
    ):
        errors.append(("email", "Enter a valid email address"))
    if first_name is not None and not 1 <= len(first_name.strip()) <= MAX_NAME_LENGTH:
        errors.append(("first_name", f"First name must be 1 to {MAX_NAME_LENGTH} characters"))
    if last_name is not None and len(last_name.strip()) > MAX_NAME_LENGTH:
        errors.append(("last_name", f"Last name must be at most {MAX_NAME_LENGTH} characters"))
    return errors


def login_key(value: str) -> str:
    """The case-insensitive form under which usernames and emails are unique."""
    return value.strip().casefold()


def normalize_username(username: str) -> str:
    """The form a username is stored and checked in: NFKC, without surrounding spaces."""
    return unicodedata.normalize("NFKC", username.strip())


def login_keys(login: str) -> tuple[str, ...]:
    """The keys a sign-in name is looked up under: as typed, then NFKC-normalised (names are
    stored normalised; some from before that are not)."""
    return tuple(dict.fromkeys((login_key(login), login_key(normalize_username(login)))))


def login_preference(login: str, username_key: str, email_key: str) -> int:
    """Which of the users a sign-in name matches it means: the lowest value. A name with @
    is an e-mail address, any other a username (an old username may hold @, even equal
    another user's e-mail: that e-mail's owner wins); a match as typed before a match once
    normalised."""
    fields = (email_key, username_key) if "@" in login else (username_key, email_key)
    candidates = [(field, key) for field in fields for key in login_keys(login)]
    matches = (rank for rank, (field, key) in enumerate(candidates) if field == key)
    return min(matches, default=len(candidates))


def display_name(first_name: str, last_name: str) -> str:
    """How a person is named wherever a name is shown: first and last name, no stray spaces."""
    return f"{first_name} {last_name}".strip()
