"""One error taxonomy for the whole system; the HTTP edge maps each family to a status."""

from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    """Base of every error a use case raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does."""


class Forbidden(DomainError):
    """The caller is known but not allowed to do this."""


class PasswordChangeRequired(Forbidden):
    """The caller signed in with a temporary password and must change it first."""

    def __init__(self) -> None:
        super().__init__(
            "Your password is temporary: change it with POST /auth/change-password"
            " before doing anything else"
        )


class Conflict(DomainError):
    """The request clashes with the current state (duplicate, double booking, status)."""


class AuthenticationFailed(DomainError):
    """Credentials or token are missing, wrong, expired or revoked."""


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class InvalidInput(DomainError):
    """One or more field values break a rule; every violation is listed."""

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.errors: list[FieldError] = list(errors or [])

    @classmethod
    def for_field(cls, field_name: str, message: str) -> InvalidInput:
        return cls(message, [FieldError(field_name, message)])

    @classmethod
    def many(cls, message: str, errors: list[tuple[str, str]]) -> InvalidInput:
        return cls(message, [FieldError(name, text) for name, text in errors])


class BadRequest(DomainError):
    """The request is understood but cannot apply (wrong role for the operation, ...)."""


@dataclass
class Throttled(DomainError):
    """Too many attempts; try again after ``retry_after`` seconds."""

    message: str
    retry_after: int = field(default=60)

    def __post_init__(self) -> None:
        super().__init__(self.message)


class StorageUnavailable(DomainError):
    """The store cannot be reached right now; nothing was changed."""


class ProviderUnavailable(StorageUnavailable):
    """An outside service the request needs (the identity provider) cannot be reached or
    answered nonsense; nothing was changed: try again shortly."""
