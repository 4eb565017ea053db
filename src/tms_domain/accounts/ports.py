"""What the accounts area needs from outside: storage of users and sign-ins, hashing,
tokens, guess estimation and failure counters."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tms_domain.accounts.links import LinkPurpose, PasswordLink
from tms_domain.accounts.model import SignIn, User
from tms_domain.kernel.access import Role


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool:
        """True when ``password`` matches; never raises for a malformed hash."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash uses another scheme or outdated parameters."""
        ...

    async def burn(self, password: str) -> None:
        """Spend the time of one verification (for unknown users, so timing leaks nothing)."""
        ...

    def hashes_as_typed(self, password_hash: str) -> bool:
        """True for a hash made over the password as typed, not its normalised form (the
        earlier system's hashes)."""
        ...


@dataclass(frozen=True)
class GuessEstimate:
    """How hard a password is to guess for an attacker who knows some words about its owner."""

    guesses: float
    """The guesses the cheapest attack needs."""
    covered: Mapping[str, int]
    """For each known word the cheapest attack builds on: how many of the password's
    characters it accounts for (the word repeated, reversed, l33t-spelled or recased)."""


class GuessEstimator(Protocol):
    def estimate(self, password: str, hints: Collection[str]) -> GuessEstimate:
        """Estimate for an attacker who knows ``hints`` (lower-case words)."""
        ...


class TokenService(Protocol):
    def issue(self, *, user_id: int, sign_in_id: str, expires_at: datetime) -> str: ...

    def read(self, token: str) -> tuple[int, str]:
        """Return (user_id, sign_in_id); raise AuthenticationFailed for any bad token."""
        ...


class AttemptStore(Protocol):
    """Counters of failed sign-ins, shared by every app process."""

    async def failures(self, key: str) -> tuple[int, datetime | None]:
        """(failures in a row, time of the last one) for an account key."""
        ...

    async def add_failure(self, key: str, at: datetime) -> int:
        """Count one more failure; return the new count."""
        ...

    async def clear(self, key: str) -> None: ...

    async def recent(self, key: str, window_seconds: int) -> int:
        """Failures counted for ``key`` (a client address) in the current window."""
        ...

    async def add_recent(self, key: str, window_seconds: int) -> int: ...


class UserRepository(Protocol):
    """Users as the writes need them: one by id (locked for update where a rule depends on
    it), by login, several at once, and the row locks the booking rules take."""

    async def add(self, user: User) -> User:
        """Insert; raise Conflict on a duplicate username or email, or a username that looks
        like another's, naming neither account. Returns it with an id never used before."""
        ...

    async def add_many(self, users: Sequence[User]) -> list[User]:
        """Insert them all at once (each gets its id, in the order given), or none: a
        Conflict as ``add`` names it when any clashes, with the others or the stored ones."""
        ...

    async def get(self, user_id: int, *, for_update: bool = False) -> User | None: ...

    async def get_many(self, user_ids: Iterable[int]) -> dict[int, User]: ...

    async def find_by_login(self, login: str) -> User | None:
        """By username or email, case-insensitively, as typed or NFKC-normalised; a login
        with @ means an email before a username (see ``login_preference``)."""
        ...

    async def taken_usernames(self, names: Iterable[str]) -> set[str]:
        """The ``login_key`` of each of these names that is some user's username."""
        ...

    async def find_by_emails(self, emails: Iterable[str]) -> dict[str, User]:
        """The users holding these e-mail addresses, by ``login_key`` of the address."""
        ...

    async def update(self, user: User) -> None:
        """Save; raise Conflict as ``add`` does. A username kept (case aside) keeps its
        look-alike key, even none."""
        ...

    async def delete(self, user_id: int) -> None: ...

    async def lock_many(self, user_ids: Iterable[int]) -> None:
        """Take row locks on these users until the unit of work ends (for booking rules)."""
        ...


class UserDirectory(Protocol):
    """Listings of users."""

    async def page(self, *, skip: int, limit: int, role: Role | None = None) -> list[User]:
        """By id, filtered by role before paging."""
        ...

    async def enrolled_in(self, session_ids: Sequence[int]) -> dict[int, User]:
        """The users enrolled in any of these sessions, by id."""
        ...


class UserViews(Protocol):
    """Read side for the user listing: each user as a client is shown it (an opaque view the
    HTTP edge sends as it is), built straight from the stored rows, never as a User: a
    listing shows a thousand users per request, and an aggregate per row (then a DTO per
    aggregate) cost more than reading them. What a view holds and how it is built is the
    adapters' (tms_adapters/persistence/views.py); a test holds it to the HTTP contract."""

    async def page(self, *, skip: int, limit: int, role: Role | None = None) -> Sequence[object]:
        """By id, filtered by role before paging, as UserDirectory.page."""
        ...


class SignInRepository(Protocol):
    async def add(self, sign_in: SignIn) -> None: ...

    async def get_with_user(self, sign_in_id: str) -> tuple[SignIn, User] | None: ...

    async def revoke(self, sign_in_id: str, at: datetime) -> None: ...

    async def revoke_all(self, user_id: int, at: datetime, *, except_id: str | None = None) -> int:
        """Revoke every active sign-in of the user but ``except_id``; return how many."""
        ...

    async def prune(self, before: datetime) -> int:
        """Forget sign-ins that expired before ``before``."""
        ...


class SignInHistory(Protocol):
    async def last_signed_in(self, user_ids: Sequence[int], until: datetime) -> dict[int, datetime]:
        """When each of these users last signed in, up to ``until`` (those who never did, or
        whose sign-ins are forgotten, are left out)."""
        ...


class PasswordLinkRepository(Protocol):
    """One-time set-password links, found by their token's hash."""

    async def add(self, link: PasswordLink) -> PasswordLink:
        """Insert; returns it with its id."""
        ...

    async def add_many(self, links: Sequence[PasswordLink]) -> list[PasswordLink]:
        """Insert them all at once; each gets its id."""
        ...

    async def find(self, token_hash: str, *, for_update: bool = False) -> PasswordLink | None: ...

    async def update(self, link: PasswordLink) -> None: ...

    async def end_all(
        self, user_id: int, at: datetime, *, purpose: LinkPurpose | None = None
    ) -> int:
        """End the user's links still open (used or ended ones stay as they are), only those
        of ``purpose`` when given; return how many."""
        ...
