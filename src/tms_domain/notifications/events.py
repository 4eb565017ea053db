"""What happens in notifications."""

from __future__ import annotations

from dataclasses import dataclass

from tms_domain.kernel.events import Audience, DomainEvent
from tms_domain.notifications.model import Notification


@dataclass(frozen=True)
class NotificationCreated(DomainEvent):
    """A new notification: pushed as the ``notification`` event to its user alone (not
    even admins hear another's)."""

    notification: Notification

    @property
    def audience(self) -> Audience:
        return Audience(frozenset({self.notification.user_id}), private=True)


@dataclass(frozen=True)
class NotificationsRead(DomainEvent):
    """The user read one notification (``notification_id``) or all (None): their other
    open tabs update their unread count."""

    user_id: int
    notification_id: int | None
    unread: int

    @property
    def audience(self) -> Audience:
        return Audience(frozenset({self.user_id}), private=True)
