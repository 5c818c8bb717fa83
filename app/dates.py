"""How dates read to people, and the service's calendar day.

Two formats, each a template filter (registered by `init_dates`) and a function for Python:
- `long_date`: "Sunday 22 November 2026", in sentences and summaries people act on (a round's
  dates, deadlines, the respondent pages and mail);
- `short_date`: "22 Nov 2026", in tables and lists;
- `date_time`: "22 Nov 2026 14:05 UTC", for a moment something happened.
Each takes a date, a datetime (stored in UTC; SQLite hands it back naive) or an ISO string (the
dates inside imported evidence), and gives "" for none. Nothing else formats a date for people.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask

Day = date | datetime | str | None


def today() -> date:
    """The service's calendar day (UTC): open/close checks, day counters, reminders, exports."""
    return datetime.now(UTC).date()


def as_utc(moment: datetime) -> datetime:
    """Everything stored is UTC; SQLite hands back naive datetimes."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(value: Day) -> date | None:
    if not value:
        return None
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return as_utc(value).date()
    return value


def long_date(value: Day) -> str:
    """'Sunday 22 November 2026'; empty for no date."""
    day = _day(value)
    return f"{day:%A} {day.day} {day:%B %Y}" if day else ""


def short_date(value: Day) -> str:
    """'22 Nov 2026'; empty for no date."""
    day = _day(value)
    return f"{day.day} {day:%b %Y}" if day else ""


def date_time(moment: datetime | None) -> str:
    """'22 Nov 2026 14:05 UTC'; empty for no moment."""
    if moment is None:
        return ""
    utc = as_utc(moment)
    return f"{short_date(utc)} {utc:%H:%M} UTC"


def init_dates(app: Flask) -> None:
    for name, format_ in (
        ("long_date", long_date),
        ("short_date", short_date),
        ("date_time", date_time),
    ):
        app.add_template_filter(format_, name)
