"""What the analytics endpoints answer."""

from __future__ import annotations

import msgspec

from tms_entrypoints.http.schemas import (
    Timestamp,
)


class TrainerFiguresOut(msgspec.Struct):
    trainer_id: int
    name: str
    sessions: int
    hours: float
    attendance_rate: float


class UpcomingOut(msgspec.Struct):
    id: int
    title: str
    scheduled_date: Timestamp
    trainer_id: int
    trainees: list[int]


class CourseFiguresOut(msgspec.Struct):
    published: int
    enrolments: int
    completion_rate: float


class OverviewOut(msgspec.Struct):
    users_by_role: dict[str, int]
    sessions_by_status: dict[str, int]
    attendance_rate: float
    trainers: list[TrainerFiguresOut]
    upcoming: list[UpcomingOut]
    trainees_without_sessions: int
    courses: CourseFiguresOut
