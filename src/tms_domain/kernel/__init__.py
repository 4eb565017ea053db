"""The shared kernel: errors, the access vocabulary, events, time and paging, which every
area uses."""

from tms_domain.kernel.access import (
    ALLOWED_WITH_TEMPORARY_PASSWORD,
    HIDDEN_WHEN_DENIED,
    MATRIX,
    Permission,
    Principal,
    Role,
    Target,
    authorize,
    is_allowed,
)
from tms_domain.kernel.clock import Clock
from tms_domain.kernel.errors import (
    AuthenticationFailed,
    BadRequest,
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    PasswordChangeRequired,
    ProviderUnavailable,
    StorageUnavailable,
    Throttled,
)
from tms_domain.kernel.events import (
    Audience,
    DomainEvent,
    EventHandlers,
    EventPublisher,
    EventStore,
    Handler,
    StoredEvent,
)
from tms_domain.kernel.figures import hours, percentage
from tms_domain.kernel.paging import MAX_PAGE_SIZE, Page
from tms_domain.kernel.time import as_utc, utc_period

__all__ = [
    "ALLOWED_WITH_TEMPORARY_PASSWORD",
    "HIDDEN_WHEN_DENIED",
    "MATRIX",
    "MAX_PAGE_SIZE",
    "Audience",
    "AuthenticationFailed",
    "BadRequest",
    "Clock",
    "Conflict",
    "DomainError",
    "DomainEvent",
    "EventHandlers",
    "EventPublisher",
    "EventStore",
    "FieldError",
    "Forbidden",
    "Handler",
    "InvalidInput",
    "NotFound",
    "Page",
    "PasswordChangeRequired",
    "Permission",
    "Principal",
    "ProviderUnavailable",
    "Role",
    "StorageUnavailable",
    "StoredEvent",
    "Target",
    "Throttled",
    "as_utc",
    "authorize",
    "hours",
    "is_allowed",
    "percentage",
    "utc_period",
]
