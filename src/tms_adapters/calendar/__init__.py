"""Calendar entries as iCalendar (RFC 5545) text."""

from tms_adapters.calendar.ics import IcsWriter, escape_text

__all__ = ["IcsWriter", "escape_text"]
