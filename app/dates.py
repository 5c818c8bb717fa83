"""How dates read to people, and the service's calendar day."""

from __future__ import annotations

from datetime import UTC, date, datetime


def today() -> date:
    """The service's calendar day (UTC): open/close checks, day counters, reminders."""
    return datetime.now(UTC).date()


def long_date(day: date | None) -> str:
    """'Sunday 22 November 2026'; empty for no date."""
    return f"{day:%A} {day.day} {day:%B %Y}" if day else ""
