"""Use cases of a user's own notifications: listing them, marking them read, and choosing
which also go by e-mail."""

from __future__ import annotations

from collections.abc import Iterable

from tms_domain.accounts import Actor
from tms_domain.audit import record_audit
from tms_domain.kernel import NotFound, Permission, Target, authorize
from tms_domain.kernel.paging import Page
from tms_domain.notifications.events import NotificationsRead
from tms_domain.notifications.model import Notification, Preferences, checked_reminder_minutes
from tms_domain.notifications.use_cases.reminders import plan_for_new_offsets
from tms_domain.unit_of_work import Core

NOTIFICATION_NOT_FOUND = "Notification not found"


class NotificationService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def list(
        self, actor: Actor, page: Page, *, unread_only: bool = False
    ) -> list[Notification]:
        """The caller's notifications, newest first."""
        authorize(actor, Permission.READ_OWN_NOTIFICATIONS, Target(user_id=actor.id))
        async with self._core.uow(read_only=True) as uow:
            return await uow.notifications.list(
                actor.id, unread_only=unread_only, skip=page.skip, limit=page.limit
            )

    async def unread_count(self, actor: Actor) -> int:
        authorize(actor, Permission.READ_OWN_NOTIFICATIONS, Target(user_id=actor.id))
        async with self._core.uow(read_only=True) as uow:
            return await uow.notifications.count_unread(actor.id)

    async def mark_read(self, actor: Actor, notification_id: int) -> None:
        """Mark one of the caller's notifications read; "not found" for anyone else's."""
        authorize(actor, Permission.READ_OWN_NOTIFICATIONS, Target(user_id=actor.id))
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            if not await uow.notifications.mark_read(actor.id, notification_id, now):
                raise NotFound(NOTIFICATION_NOT_FOUND)
            unread = await uow.notifications.count_unread(actor.id)
            uow.record(NotificationsRead(actor.id, notification_id, unread))
            await uow.commit()

    async def mark_all_read(self, actor: Actor) -> int:
        """Mark every notification of the caller read; how many were unread."""
        authorize(actor, Permission.READ_OWN_NOTIFICATIONS, Target(user_id=actor.id))
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            marked = await uow.notifications.mark_all_read(actor.id, now)
            if marked:
                uow.record(NotificationsRead(actor.id, None, 0))
            await uow.commit()
        return marked

    async def preferences(self, actor: Actor) -> Preferences:
        authorize(actor, Permission.MANAGE_OWN_PREFERENCES, Target(user_id=actor.id))
        async with self._core.uow(read_only=True) as uow:
            return await uow.notification_preferences.get(actor.id)

    async def set_preferences(
        self,
        actor: Actor,
        *,
        email_session_changes: bool | None = None,
        email_reminders: bool | None = None,
        email_course_updates: bool | None = None,
        reminder_minutes: Iterable[int] | None = None,
    ) -> Preferences:
        """Change the caller's preferences (None keeps a choice as it is); 422 naming
        ``reminder_minutes`` when a value is out of range. Audited with what changed."""
        authorize(actor, Permission.MANAGE_OWN_PREFERENCES, Target(user_id=actor.id))
        minutes = None if reminder_minutes is None else checked_reminder_minutes(reminder_minutes)
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            await uow.users.lock_many([actor.id])
            before = await uow.notification_preferences.get(actor.id)
            wanted = Preferences(
                actor.id,
                email_session_changes=_given(email_session_changes, before.email_session_changes),
                email_reminders=_given(email_reminders, before.email_reminders),
                email_course_updates=_given(email_course_updates, before.email_course_updates),
                reminder_minutes=minutes if minutes is not None else before.reminder_minutes,
            )
            changes = _changes(before, wanted)
            if changes:
                await uow.notification_preferences.save(wanted)
                await plan_for_new_offsets(uow, before, wanted, now)
                await record_audit(
                    uow,
                    actor,
                    "preferences.updated",
                    "preferences",
                    actor.id,
                    now,
                    changes,
                )
                await uow.commit()
        return wanted


def _given(value: bool | None, current: bool) -> bool:
    return current if value is None else value


def _changes(before: Preferences, after: Preferences) -> dict[str, list[object]]:
    fields = (
        "email_session_changes",
        "email_reminders",
        "email_course_updates",
        "reminder_minutes",
    )
    changes: dict[str, list[object]] = {}
    for name in fields:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changes[name] = [
                list(old) if isinstance(old, tuple) else old,
                list(new) if isinstance(new, tuple) else new,
            ]
    return changes
