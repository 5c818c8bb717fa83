"""How dates read to people, and the service's calendar day.

Two formats, each a template filter (registered by `init_dates`) and a function for Python:
- `long_date`: "Sunday 22 November 2026", in sentences and summaries people act on (a round's
  dates, deadlines, the respondent pages and mail);
- `short_date`: "22 Nov 2026", in tables and lists;
- `date_time`: "22 Nov 2026 14:05 GMT", for a moment something happened.
Each takes a date, a datetime (stored in UTC; SQLite hands it back naive) or an ISO string (the
dates inside imported evidence), and gives "" for none. Nothing else formats a date for people.

Days and times are the organisation's (its `time_zone`, default Europe/London, DESIGN.md 9):
rounds open and close at local midnight and "today" is the local day, so a round closing on Friday
still takes answers at 00:30 BST on Friday, which is Thursday in UTC. Moments are stored in UTC.

Which organisation: the one passed (`zone(org)`, `today(org)`: the worker, per round), else the
request's (`use_zone`, set once the signed-in organisation, the API token's or the respondent's
round is known), else TIME_ZONE (the default for organisations, and for the CLI).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import Flask, current_app, g, has_app_context

Day = date | datetime | str | None
DEFAULT_TIME_ZONE = "Europe/London"
TIME_ZONE_MAX = 64  # Organisation.time_zone is String(64)


class HasTimeZone(Protocol):
    time_zone: str


Zoned = HasTimeZone | str | None


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@cache
def zone_names() -> tuple[str, ...]:
    """The IANA zone names an organisation may choose, sorted ("Etc/..." and legacy aliases
    such as "GB" left out: a place name is what people recognise)."""
    return tuple(
        sorted(
            n for n in available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/"))
        )
    )


def check_zone(name: str) -> str | None:
    """None if `name` is a zone an organisation may choose, else the reason it is not."""
    name = name.strip()
    if not name:
        return "Choose a time zone, for example Europe/London."
    if len(name) > TIME_ZONE_MAX or name not in zone_names():
        return (
            f"“{name[:80]}” is not a time zone name. Choose one from the list, for example "
            "Europe/London."
        )
    try:
        _zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"“{name[:80]}” is not a time zone this server knows."
    return None


def use_zone(name: str | None) -> None:
    """This request's organisation's zone (for `zone()` and `today()` without an argument)."""
    if has_app_context():
        g.time_zone = name or None


def _default_name() -> str:
    return (current_app.config.get("TIME_ZONE") if has_app_context() else None) or (
        DEFAULT_TIME_ZONE
    )


def zone(of: Zoned = None) -> ZoneInfo:
    """The time zone of `of` (an organisation, or a zone name), else of this request's
    organisation, else the default."""
    if of is None:
        name = g.get("time_zone") if has_app_context() else None
    else:
        name = of if isinstance(of, str) else of.time_zone
    try:
        return _zone(name or _default_name())
    except (ZoneInfoNotFoundError, ValueError):  # a stored name this server's tzdata lacks
        return _zone(_default_name())


def today(of: Zoned = None) -> date:
    """The organisation's calendar day: open/close checks, day counters, reminders, exports."""
    return datetime.now(zone(of)).date()


def local_day(moment: datetime, of: Zoned = None) -> date:
    """The organisation's calendar day at `moment` (stored UTC)."""
    return as_utc(moment).astimezone(zone(of)).date()


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
