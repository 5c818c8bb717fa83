"""Dates read one way everywhere: app.dates and its three template filters."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask, render_template_string

from app import create_app
from app.config import ConfigurationError, build_config
from app.dates import date_time, long_date, short_date, today

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"


def test_the_two_formats_and_the_moment() -> None:
    day = date(2027, 3, 1)
    assert long_date(day) == "Monday 1 March 2027"
    assert short_date(day) == "1 Mar 2027"
    assert short_date("2027-03-01") == "1 Mar 2027"  # dates kept as text in imported evidence
    assert long_date(None) == short_date("") == date_time(None) == ""
    assert date_time(datetime(2027, 3, 1, 9, 5, tzinfo=UTC)) == "1 Mar 2027 09:05 GMT"


def test_a_stored_moment_is_utc_whatever_the_driver_hands_back() -> None:
    naive = datetime(2027, 3, 1, 23, 30)  # SQLite: naive, but stored as UTC
    assert date_time(naive) == "1 Mar 2027 23:30 GMT"
    east = datetime(2027, 3, 2, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    assert date_time(east) == "1 Mar 2027 23:30 GMT" and short_date(east) == "1 Mar 2027"


def test_days_and_times_are_the_organisations() -> None:
    """23:30 UTC on 1 July is 00:30 on 2 July in London (BST): that is the day people live."""
    summer = datetime(2027, 7, 1, 23, 30, tzinfo=UTC)
    assert date_time(summer) == "2 Jul 2027 00:30 BST" and short_date(summer) == "2 Jul 2027"
    assert today() == datetime.now(ZoneInfo("Europe/London")).date()


def test_another_time_zone_is_honoured(tmp_path: Path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": f"sqlite:///{tmp_path}/tz.db",
            "INSTANCE_PATH": str(tmp_path),
            "TIME_ZONE": "Pacific/Auckland",
        }
    )
    with app.app_context():
        assert today() == datetime.now(ZoneInfo("Pacific/Auckland")).date()
        assert date_time(datetime(2027, 1, 1, 12, 0, tzinfo=UTC)) == "2 Jan 2027 01:00 NZDT"


def test_an_unknown_time_zone_stops_start_up_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="TIME_ZONE must be a time zone name such as"):
        build_config(str(tmp_path), {"TESTING": True, "TIME_ZONE": "Mars/Olympus"})


def test_templates_have_the_filters(app: Flask) -> None:
    with app.test_request_context():
        html = render_template_string(
            "{{ d|long_date }} / {{ d|short_date }} / {{ m|date_time }}",
            d=date(2026, 12, 2),
            m=datetime(2026, 12, 2, 14, 5, tzinfo=UTC),
        )
    assert html == "Wednesday 2 December 2026 / 2 Dec 2026 / 2 Dec 2026 14:05 GMT"


def test_no_template_formats_a_date_itself() -> None:
    """strftime and .isoformat() only in machine-readable attributes (<time datetime>)."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        for line in path.read_text().splitlines():
            shown = re.sub(r'datetime="[^"]*"', "", line)
            if re.search(r"strftime|isoformat\(\)", shown):
                found.append(f"{path.relative_to(TEMPLATES)}: {line.strip()[:80]}")
    assert found == []
