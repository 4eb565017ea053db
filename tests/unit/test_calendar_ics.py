"""Sessions as iCalendar: what calendar apps are given parses back, with the library that
made its frame, to exactly what was stored, and keeps to RFC 5545's shape (CRLF lines of at
most 75 octets, the required properties once each, UTC times)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from tms_adapters.calendar import IcsWriter
from tms_domain.calendar import CalendarEntry, CalendarFeed, FeedOwner
from tms_domain.kernel import Role
from tms_domain.training import SessionChanges, SessionStatus, TrainingSession

START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
WRITER = IcsWriter("https://tms.example.org/")
OWNER = FeedOwner(7, Role.TRAINEE, "Pia Doe")


def entry(session_id: int = 1, **fields: object) -> CalendarEntry:
    values: dict[str, object] = {
        "session_id": session_id,
        "title": "Forklift safety",
        "description": "Bring boots",
        "trainer_name": "Tom Doe",
        "starts_at": START,
        "duration_minutes": 90,
        "status": SessionStatus.SCHEDULED,
        "class_link": "https://meet.example.org/abc",
        "session_link": "j" * 32,
        "sequence": 0,
        "updated_at": START - timedelta(days=2),
    }
    values.update(fields)
    return CalendarEntry(**values)  # type: ignore[arg-type]


def strictly_valid(body: bytes) -> Calendar:
    """Parsed by the icalendar library with no error recorded, and shaped as RFC 5545
    says: CRLF line ends, lines of at most 75 octets, a VCALENDAR with PRODID and VERSION
    2.0, each VEVENT with one UID and one DTSTAMP and its times in UTC."""
    assert body.endswith(b"\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # folding never cut a character in two
    calendar = Calendar.from_ical(body)
    assert calendar.name == "VCALENDAR"
    for component in calendar.walk():
        assert component.errors == [], component.errors
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["CALSCALE"] == "GREGORIAN"
    for event in calendar.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS"):
            assert required in event, required
            assert sum(1 for name, _ in event.property_items() if name == required) == 1
        assert event.decoded("DTSTART").tzinfo is not None
        assert event.decoded("DTSTART").utcoffset() == timedelta(0)
        assert event.decoded("DTSTART") < event.decoded("DTEND")
    # The library reads back what it writes.
    assert Calendar.from_ical(calendar.to_ical()).to_ical() == calendar.to_ical()
    return calendar


def test_a_feed_is_a_published_calendar_with_one_event_per_session() -> None:
    entries = [entry(1), entry(2, starts_at=START + timedelta(days=1), sequence=3)]
    calendar = strictly_valid(WRITER.feed(CalendarFeed(OWNER, entries)))
    assert calendar["X-WR-CALNAME"] == "Training sessions of Pia Doe"
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [
        "session-1@tms.example.org",
        "session-2@tms.example.org",
    ]
    first, second = events
    assert first.decoded("DTSTART") == START
    assert first.decoded("DTEND") == START + timedelta(minutes=90)
    assert first.decoded("DTSTAMP") == START - timedelta(days=2)
    assert first["SUMMARY"] == "Forklift safety"
    assert first["STATUS"] == "CONFIRMED"
    assert first["URL"] == "https://meet.example.org/abc"
    assert first["LOCATION"] == "https://meet.example.org/abc"
    assert "Bring boots" in first["DESCRIPTION"]
    assert "Tom Doe" in first["DESCRIPTION"]
    assert second.decoded("SEQUENCE") == 3


def test_without_a_class_link_the_event_points_at_the_apps_join_page() -> None:
    calendar = strictly_valid(WRITER.session(entry(class_link=None)))
    (event,) = calendar.walk("VEVENT")
    assert event["URL"] == f"https://tms.example.org/app/join/{'j' * 32}"
    assert event["LOCATION"] == event["URL"]


def test_a_cancelled_session_stays_in_the_feed_marked_cancelled() -> None:
    calendar = strictly_valid(WRITER.session(entry(status=SessionStatus.CANCELLED)))
    (event,) = calendar.walk("VEVENT")
    assert event["STATUS"] == "CANCELLED"
    assert event["TRANSP"] == "TRANSPARENT"


def test_an_empty_feed_is_still_a_valid_calendar() -> None:
    calendar = strictly_valid(WRITER.feed(CalendarFeed(OWNER, [])))
    assert calendar.walk("VEVENT") == []


def test_the_same_entries_render_the_same_bytes() -> None:
    """DTSTAMP is the session's last change, not the time of asking: a feed's ETag holds
    until something in it changes."""
    feed = CalendarFeed(OWNER, [entry(1), entry(2)])
    assert WRITER.feed(feed) == IcsWriter("https://tms.example.org").feed(feed)


def test_the_feed_url_and_uids_use_the_public_address() -> None:
    writer = IcsWriter("http://localhost:8002")
    assert writer.feed_url("abc") == "http://localhost:8002/calendar/abc.ics"
    assert writer.uid(12) == "session-12@localhost"


# Hostile text: what a trainer types comes back as typed, and never breaks a line out.

texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
    min_size=1,
    max_size=300,
)


@settings(max_examples=150, deadline=None)
@given(title=texts, description=texts, trainer=texts)
def test_any_text_reads_back_as_it_was_written(title: str, description: str, trainer: str) -> None:
    controls = {chr(c) for c in [*range(0x20), 0x7F]} - {"\t", "\n"}
    visible = "".join(ch for ch in title if ch not in controls)
    body = WRITER.session(entry(title=title, description=description, trainer_name=trainer))
    calendar = strictly_valid(body)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == visible
    assert "".join(ch for ch in description if ch not in controls) in str(event["DESCRIPTION"])


def test_a_line_break_in_a_title_cannot_forge_a_property() -> None:
    body = WRITER.session(entry(title="Intro\r\nSTATUS:CANCELLED\nEND:VEVENT"))
    (event,) = strictly_valid(body).walk("VEVENT")
    assert event["STATUS"] == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Intro\nSTATUS:CANCELLED\nEND:VEVENT"
    assert body.split(b"\r\n").count(b"END:VEVENT") == 1


def test_long_multibyte_lines_fold_between_characters() -> None:
    title = "Sécurité incendie — évacuation " * 12
    (event,) = strictly_valid(WRITER.session(entry(title=title))).walk("VEVENT")
    assert str(event["SUMMARY"]) == title


# SEQUENCE: one more for each change of time, place, link or status; never for the title.


def a_session() -> TrainingSession:
    return TrainingSession.plan(
        title="Forklift safety",
        trainer_id=2,
        scheduled_date=START,
        duration_minutes=60,
        description=None,
        trainee_ids=(),
        status=SessionStatus.SCHEDULED,
        class_link=None,
        session_link="s" * 32,
        now=START - timedelta(days=3),
    )


def test_sequence_counts_changes_of_time_place_link_and_status_only() -> None:
    session = a_session()
    now = START - timedelta(days=1)
    assert session.sequence == 0
    session.apply(SessionChanges(title="Forklift safety, part 1", description="Boots"), now)
    assert session.sequence == 0
    session.apply(SessionChanges(scheduled_date=START + timedelta(hours=1)), now)
    assert session.sequence == 1
    session.apply(SessionChanges(duration_minutes=90), now)
    assert session.sequence == 2
    session.apply(SessionChanges(class_link="https://meet.example.org/x"), now)
    assert session.sequence == 3
    session.apply(SessionChanges(session_link="t" * 32), now)
    assert session.sequence == 4
    session.apply(SessionChanges(status=SessionStatus.CANCELLED), now)
    assert session.sequence == 5
    # Setting a field to what it already is changes nothing, so bumps nothing.
    session.apply(SessionChanges(duration_minutes=90, status=SessionStatus.CANCELLED), now)
    assert session.sequence == 5
    # Several at once: one new version of the event.
    session.apply(
        SessionChanges(status=SessionStatus.SCHEDULED, scheduled_date=START + timedelta(days=1)),
        now,
    )
    assert session.sequence == 6
