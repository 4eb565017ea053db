"""Demo data: a realistic, consistent data set (`tms demo` writes it).

The data set: trainers and trainees with realistic names (some in Cyrillic, Greek, Chinese,
Japanese and Korean script), each trainee assigned to a trainer (a few to two, a few new
ones to none), and training sessions spread over the past six and the next three months in
working hours (UTC, Monday to Friday, 09:00-18:00). Sessions that ended are completed (a
few cancelled); the ones to come are scheduled. Attendance is marked only for completed
sessions. Nobody is ever booked twice at once: the schedule is built on a grid of two-hour
slots in which each trainer and each trainee is placed at most once, and it is checked
again before anything is written.

The data is written through the unit of work and the repositories, in transactions of a
few hundred rows, but not through the use cases, which would each re-hash a password,
re-check the password policy, take row locks and query for double bookings, write an audit
entry and an event for every row: minutes of work for what the construction already
guarantees. Every demo user has the same password, checked against the policy and hashed
once. Join links are random (``secrets``) like any other; ``--seed`` makes everything else
(names, schedule, enrolments, attendance) repeatable for a given day.
"""

from tms_entrypoints.demo.plan import FULL, SMALL, DemoPlan, DemoSize, double_bookings, plan_demo
from tms_entrypoints.demo.writer import (
    DEMO_PASSWORD,
    DemoError,
    DemoReport,
    Progress,
    fill_demo,
    users_besides_admin,
)

__all__ = [
    "DEMO_PASSWORD",
    "FULL",
    "SMALL",
    "DemoError",
    "DemoPlan",
    "DemoReport",
    "DemoSize",
    "Progress",
    "double_bookings",
    "fill_demo",
    "plan_demo",
    "users_besides_admin",
]
