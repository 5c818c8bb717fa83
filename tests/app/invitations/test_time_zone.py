"""The organisation's time zone (issue 16): chosen on its settings page, and its calendar is the
one rounds open and close by, "today" is, reminder gaps and retention are counted in and dates
are shown in.

Two zones 25 hours apart (Kiritimati, UTC+14, and Pago Pago, UTC-11) are always on different
calendar days, so the tests need no frozen clock.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.dates import date_time, local_day, today, use_zone, zone
from app.extensions import db
from app.models import (
    AuditEntry,
    FeedbackRound,
    MessageKind,
    OpenLink,
    Organisation,
    Role,
    RoundStatus,
    User,
)
from app.services import lifecycle, retention
from app.services.accounts import get_or_create_organisation
from app.services.reminders import apply_schedules
from tests.app.invitations.builders import (
    add_contacts,
    do_launch,
    make_round,
    messages,
    set_invitation,
)
from tests.smtp import SmtpServer
from tests.support import csrf_token, login

AHEAD = "Pacific/Kiritimati"  # UTC+14
BEHIND = "Pacific/Pago_Pago"  # UTC-11


def _set_zone(app: Flask, name: str, org: str = "Org A") -> None:
    with app.app_context():
        found = get_or_create_organisation(org)
        found.time_zone = name
        db.session.commit()


def _day(name: str) -> date:
    return datetime.now(ZoneInfo(name)).date()


# -- the settings page ---------------------------------------------------------------------------


def _save(client: FlaskClient, value: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/settings/organisation")
    return client.post("/settings/organisation", data={"time_zone": value, "csrf_token": token})


def test_a_new_organisation_is_on_london_time(app: Flask, make_org) -> None:  # type: ignore[no-untyped-def]
    assert make_org("Org New").time_zone == "Europe/London"


def test_the_coordinator_chooses_the_zone_and_it_is_audited(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    page = client.get("/settings/organisation").get_data(as_text=True)
    assert '<option value="Europe/London" selected>' in page
    assert '<option value="America/New_York">' in page
    saved = _save(client, "America/New_York")
    assert saved.status_code == 303
    with app.app_context():
        org = db.session.execute(
            select(Organisation).where(Organisation.name == "Org A")
        ).scalar_one()
        assert org.time_zone == "America/New_York"
        entry = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "organisation.time_zone_changed")
        ).scalar_one()
        assert entry.details == {"from": "Europe/London", "to": "America/New_York"}
    assert '<option value="America/New_York" selected>' in client.get(
        "/settings/organisation"
    ).get_data(as_text=True)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("Mars/Olympus_Mons", "is not a time zone name"),
        ("", "Choose a time zone"),
        ("europe/london", "is not a time zone name"),  # names are exact
        ("Etc/GMT+5", "is not a time zone name"),  # offsets with inverted signs: not offered
        ("../../etc/passwd", "is not a time zone name"),
        ("x" * 300, "is not a time zone name"),
    ],
)
def test_a_bad_zone_is_422_with_a_message_and_nothing_changes(
    app: Flask, client: FlaskClient, coordinator: User, value: str, words: str
) -> None:
    reply = _save(client, value)
    assert reply.status_code == 422
    assert words in reply.get_data(as_text=True)
    with app.app_context():
        org = db.session.execute(
            select(Organisation).where(Organisation.name == "Org A")
        ).scalar_one()
        assert org.time_zone == "Europe/London"
        assert db.session.execute(select(AuditEntry)).first() is None


@pytest.mark.parametrize("role", [Role.VIEWER, Role.SAT_MEMBER])
def test_only_a_coordinator_sees_the_settings(client: FlaskClient, make_user, role: Role) -> None:  # type: ignore[no-untyped-def]
    make_user("viewer@a.example", "Org A", role)
    login(client, "viewer@a.example")
    assert client.get("/settings/organisation").status_code == 403
    assert _save_forbidden(client) == 403


def _save_forbidden(client: FlaskClient) -> int:
    token = csrf_token(client, "/")
    return client.post(
        "/settings/organisation", data={"time_zone": "Asia/Tokyo", "csrf_token": token}
    ).status_code


# -- its calendar --------------------------------------------------------------------------------


def test_dates_and_times_read_in_the_zone_of_the_request(app: Flask) -> None:
    moment = datetime(2027, 1, 1, 0, 30, tzinfo=UTC)
    with app.test_request_context():
        assert date_time(moment) == "1 Jan 2027 00:30 GMT"  # the default
        use_zone("Asia/Tokyo")
        assert date_time(moment) == "1 Jan 2027 09:30 JST"
        use_zone("America/New_York")
        assert date_time(moment) == "31 Dec 2026 19:30 EST"
        assert today() == _day("America/New_York")  # (a midnight between the two reads aside)
        assert zone(AHEAD) == ZoneInfo(AHEAD)


def test_staff_pages_show_times_in_the_organisations_zone(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    assert _save(client, "Asia/Tokyo").status_code == 303
    with app.app_context():
        entry = db.session.execute(select(AuditEntry)).scalar_one()
        shown = date_time(entry.at.replace(tzinfo=entry.at.tzinfo or UTC).astimezone(UTC))
        tokyo = entry.at.replace(tzinfo=entry.at.tzinfo or UTC).astimezone(ZoneInfo("Asia/Tokyo"))
    assert shown.endswith("GMT") or shown.endswith("BST")  # outside a request: the default
    page = client.get("/audit").get_data(as_text=True)
    assert f"{tokyo:%H:%M} JST" in page


def test_invitations_wait_for_midnight_in_the_organisations_zone(app: Flask) -> None:
    opens = date(2027, 1, 10)
    assert lifecycle.send_at(opens, date(2027, 1, 1), "Europe/London") == datetime(
        2027, 1, 10, 0, 0, tzinfo=UTC
    )
    assert lifecycle.send_at(opens, date(2027, 1, 1), "America/New_York") == datetime(
        2027, 1, 10, 5, 0, tzinfo=UTC
    )
    _set_zone(app, "Asia/Tokyo")
    round_id = make_round(app, opens_on=opens, closes_on=opens + timedelta(days=20))
    add_contacts(app, round_id, "parents", ["p1@example.org"])
    do_launch(app, round_id, date(2027, 1, 1))
    [message] = messages(app, round_id)
    due = message.next_attempt_at
    assert due is not None
    assert due.replace(tzinfo=due.tzinfo or UTC) == datetime(2027, 1, 9, 15, 0, tzinfo=UTC)


def test_the_respondent_window_is_the_organisations_day(app: Flask, client: FlaskClient) -> None:
    # The round opens and closes on the same day: Kiritimati's today, which is always
    # tomorrow (or later) in Pago Pago.
    day = _day(AHEAD)
    _set_zone(app, AHEAD)
    round_id = make_round(app, opens_on=day, closes_on=day)
    add_contacts(app, round_id, "parents", ["p1@example.org"])
    do_launch(app, round_id, day)
    with app.app_context():
        code = db.session.execute(
            select(OpenLink.code).where(
                OpenLink.round_id == round_id, OpenLink.audience == "parents"
            )
        ).scalar_one()
    entered = client.get(f"/o/{code}")
    assert entered.status_code == 303, entered.get_data(as_text=True)[:500]

    _set_zone(app, BEHIND)
    later = app.test_client().get(f"/o/{code}")
    assert later.status_code != 303
    assert "This survey has not started yet" in later.get_data(as_text=True)


def test_scheduled_reminders_follow_the_rounds_local_day(app: Flask, smtp: SmtpServer) -> None:
    # 20:00 UTC on 10 March is already 11 March in Auckland, still 10 March in London.
    now = datetime(2027, 3, 10, 20, 0, tzinfo=UTC)
    rounds = {}
    for org, name in (("Org A", "Europe/London"), ("Org B", "Pacific/Auckland")):
        rid = make_round(app, org, opens_on=date(2027, 3, 1), closes_on=date(2027, 3, 18))
        add_contacts(app, rid, "parents", [f"{org[-1].lower()}@example.org"])
        do_launch(app, rid, date(2027, 3, 1))
        _set_zone(app, name, org)
        with app.app_context():
            rnd = db.session.get(FeedbackRound, rid)
            assert rnd is not None
            rnd.reminder_days_before_close = [7]  # 11 March
            db.session.commit()
        rounds[org] = rid
    with app.app_context():
        from app.models import DeliveryStatus

        for email in ("a@example.org", "b@example.org"):
            set_invitation(
                app, email, delivery=DeliveryStatus.SENT, last_messaged_on=date(2027, 3, 1)
            )
        assert apply_schedules(None, now) == 1
        db.session.commit()
    kinds = {
        org: [m.kind for m in messages(app, rid) if m.kind == MessageKind.REMINDER]
        for org, rid in rounds.items()
    }
    assert kinds == {"Org A": [], "Org B": [MessageKind.REMINDER]}
    assert local_day(now, "Pacific/Auckland") == date(2027, 3, 11)


def test_retention_counts_the_organisations_days(app: Flask) -> None:
    # Both rounds closed on the same planned day, in organisations a day or more apart: the
    # one whose calendar has reached the erasure day is erased, the other not yet.
    due_day = _day(AHEAD)
    closes = due_day - timedelta(days=30 + 3)  # counted from the end of a 3-day grace
    ids = {}
    for org, name in (("Org A", AHEAD), ("Org B", BEHIND)):
        rid = make_round(app, org, opens_on=closes - timedelta(days=10), closes_on=closes)
        add_contacts(app, rid, "parents", [f"{org[-1].lower()}@example.org"])
        do_launch(app, rid, closes - timedelta(days=10))
        _set_zone(app, name, org)
        ids[org] = rid
    with app.app_context():
        assert [r.id for r in retention.due_rounds()] == [ids["Org A"]]
        rnd = db.session.get(FeedbackRound, ids["Org A"])
        assert rnd is not None and rnd.status == RoundStatus.LIVE
        # A round closed at 23:30 UTC ended that day in London, the next day in Kiritimati.
        rnd.status = RoundStatus.CLOSED
        rnd.closed_at = datetime(2027, 3, 10, 23, 30, tzinfo=UTC)
        assert retention.round_end(rnd, "Europe/London") == date(2027, 3, 10)
        assert retention.round_end(rnd, AHEAD) == date(2027, 3, 11)
        db.session.rollback()


def test_a_zone_this_server_lacks_falls_back_to_the_default(app: Flask) -> None:
    with app.app_context():
        org = Organisation(name=f"Org {uuid.uuid4().hex[:6]}", time_zone="Nowhere/Gone")
        assert zone(org) == ZoneInfo("Europe/London")
