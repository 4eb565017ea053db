"""The wire shape of the achievements' event (docs/api.md). Registered with the mapper in
``wire``, which imports this module."""

from __future__ import annotations

from tms_adapters.realtime.wire import Shape, shapes
from tms_domain.skills import AchievementAwarded


@shapes(AchievementAwarded)
def _achievement_awarded(event: AchievementAwarded) -> Shape:
    return "achievement_awarded", {
        "user_id": event.user_id,
        "kind": event.kind,
        "title": event.title,
        "awarded_at": event.awarded_at.isoformat(),
    }
