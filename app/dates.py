"""How dates read to people, and the service's calendar day.

Two formats, each a template filter (registered by `init_dates`) and a function for Python:
- `long_date`: "Sunday 22 November 2026", in sentences and summaries people act on (a round's
  dates, deadlines, the respondent pages and mail);
- `short_date`: "22 Nov 2026", in tables and lists;
- `date_time`: "22 Nov 2026 14:05 GMT", for a moment something happened.
Each takes a date, a datetime (stored in UTC; SQLite hands it back naive) or an ISO string (the
dates inside imported evidence), and gives "" for none. Nothing else formats a date for people.

Days and times are the organisation's (TIME_ZONE, default Europe/London, DESIGN.md 9): rounds open
and close at local midnight and "today" is the local day, so a round closing on Friday still takes
answers at 00:30 BST on Friday, which is Thursday in UTC. Moments are stored in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context

Day = date | datetime | str | None
DEFAULT_TIME_ZONE = "Europe/London"


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone() -> ZoneInfo:
    """The organisation's time zone (outside an app, the default)."""
    name = current_app.config.get("TIME_ZONE") if has_app_context() else None
    return _zone(name or DEFAULT_TIME_ZONE)


def today() -> date:
    """The organisation's calendar day: open/close checks, day counters, reminders, exports."""
    return datetime.now(zone()).date()


def as_utc(moment: datetime) -> datetime:
    """Everything stored is UTC; SQLite hands back naive datetimes."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(value: Day) -> date | None:
    if not value:
        return None
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return as_utc(value).astimezone(zone()).date()
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
    """'22 Nov 2026 14:05 GMT' in the organisation's time; empty for no moment."""
    if moment is None:
        return ""
    local = as_utc(moment).astimezone(zone())
    return f"{short_date(local)} {local:%H:%M %Z}"


def init_dates(app: Flask) -> None:
    for name, format_ in (
        ("long_date", long_date),
        ("short_date", short_date),
        ("date_time", date_time),
    ):
        app.add_template_filter(format_, name)
