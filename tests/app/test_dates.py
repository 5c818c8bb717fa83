"""Dates read one way everywhere: app.dates and its three template filters."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from flask import Flask, render_template_string

from app.dates import date_time, long_date, short_date, today

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"


def test_the_two_formats_and_the_moment() -> None:
    day = date(2027, 3, 1)
    assert long_date(day) == "Monday 1 March 2027"
    assert short_date(day) == "1 Mar 2027"
    assert short_date("2027-03-01") == "1 Mar 2027"  # dates kept as text in imported evidence
    assert long_date(None) == short_date("") == date_time(None) == ""
    assert date_time(datetime(2027, 3, 1, 9, 5, tzinfo=UTC)) == "1 Mar 2027 09:05 UTC"


def test_a_stored_moment_is_utc_whatever_the_driver_hands_back() -> None:
    naive = datetime(2027, 3, 1, 23, 30)  # SQLite: naive, but stored as UTC
    assert date_time(naive) == "1 Mar 2027 23:30 UTC"
    east = datetime(2027, 3, 2, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    assert date_time(east) == "1 Mar 2027 23:30 UTC" and short_date(east) == "1 Mar 2027"


def test_today_is_the_utc_calendar_day() -> None:
    assert today() == datetime.now(UTC).date()


def test_templates_have_the_filters(app: Flask) -> None:
    with app.test_request_context():
        html = render_template_string(
            "{{ d|long_date }} / {{ d|short_date }} / {{ m|date_time }}",
            d=date(2026, 12, 2),
            m=datetime(2026, 12, 2, 14, 5, tzinfo=UTC),
        )
    assert html == "Wednesday 2 December 2026 / 2 Dec 2026 / 2 Dec 2026 14:05 UTC"


def test_no_template_formats_a_date_itself() -> None:
    """strftime and .isoformat() only in machine-readable attributes (<time datetime>)."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        for line in path.read_text().splitlines():
            shown = re.sub(r'datetime="[^"]*"', "", line)
            if re.search(r"strftime|isoformat\(\)", shown):
                found.append(f"{path.relative_to(TEMPLATES)}: {line.strip()[:80]}")
    assert found == []
