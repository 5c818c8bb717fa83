"""The audit trail pages: per organisation and per round, filtered, and as CSV (issue 16)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.dates import today
from app.extensions import db
from app.models import FeedbackRound, Organisation, Role, User
from app.services import audit
from tests.app.invitations.builders import make_round
from tests.support import login


def _entries(app: Flask, coordinator: User) -> tuple[object, object]:
    round_id = make_round(app, name="Autumn round")
    other_round = make_round(app, name="Winter round")
    with app.app_context():
        org = db.session.execute(
            select(Organisation).where(Organisation.name == "Org A")
        ).scalar_one()
        user = db.session.get(User, coordinator.id)
        rnd = db.session.get(FeedbackRound, round_id)
        other = db.session.get(FeedbackRound, other_round)
        audit.record("round.launched", "Launched it", organisation_id=org.id, actor=user, round=rnd)
        audit.record(
            "reminders.sent", "Reminders sent", organisation_id=org.id, actor=None, round=rnd
        )
        audit.record(
            "round.launched", "Launched winter", organisation_id=org.id, actor=user, round=other
        )
        audit.record("user.invited", "Invited Sam", organisation_id=org.id, actor=user)
        elsewhere = Organisation(name="Org B", member_organisations=[])
        db.session.add(elsewhere)
        db.session.flush()
        audit.record("user.invited", "Org B secret", organisation_id=elsewhere.id, actor=None)
        db.session.commit()
    return round_id, other_round


def _csv(client: FlaskClient, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_organisation_trail_filters_and_downloads(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    _entries(app, coordinator)
    page = client.get("/audit").get_data(as_text=True)
    assert "Launched it" in page and "Invited Sam" in page and "Org B secret" not in page
    assert 'href="/audit"' in client.get("/settings").get_data(as_text=True)

    rows = _csv(client, "/audit.csv")
    assert {r["What"] for r in rows} == {
        "Launched it",
        "Reminders sent",
        "Launched winter",
        "Invited Sam",
    }
    assert {r["Who"] for r in rows} == {"coord@a.example", "Chorus"}

    by_action = _csv(client, "/audit.csv?action=round.launched")
    assert sorted(r["What"] for r in by_action) == ["Launched it", "Launched winter"]
    by_system = _csv(client, "/audit.csv?actor=chorus")
    assert [r["What"] for r in by_system] == ["Reminders sent"]
    by_person = _csv(client, f"/audit.csv?actor={coordinator.id}&action=user.invited")
    assert [r["What"] for r in by_person] == ["Invited Sam"]
    day = today()
    in_range = _csv(client, f"/audit.csv?since={day - timedelta(days=1)}&until={day}")
    assert len(in_range) == 4
    tomorrow = _csv(client, f"/audit.csv?since={day + timedelta(days=1)}")
    assert tomorrow == []


def test_a_round_s_trail_holds_only_that_round(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    round_id, _ = _entries(app, coordinator)
    page = client.get(f"/rounds/{round_id}/audit").get_data(as_text=True)
    assert "Launched it" in page and "Launched winter" not in page and "Invited Sam" not in page
    rows = _csv(client, f"/rounds/{round_id}/audit.csv")
    assert sorted(r["What"] for r in rows) == ["Launched it", "Reminders sent"]
    assert {r["Round"] for r in rows} == {"Autumn round"}


def test_bad_filters_say_what_is_wrong(app: Flask, client: FlaskClient, coordinator: User) -> None:
    _entries(app, coordinator)
    for query, message in [
        ("since=yesterday", "From: enter a date like"),
        ("until=2026-13-40", "To: enter a date like"),
        ("since=2026-05-02&until=2026-05-01", "must be the same as or after"),
        ("actor=nobody", "Choose a person from the list"),
    ]:
        response = client.get(f"/audit?{query}")
        assert response.status_code == 422, query
        text = response.get_data(as_text=True)
        assert message in text and "Launched it" not in text
        assert client.get(f"/audit.csv?{query}").status_code == 422


def test_other_roles_and_organisations_cannot_read_a_trail(
    app: Flask, client: FlaskClient, make_user: object, coordinator: User
) -> None:
    round_id, _ = _entries(app, coordinator)
    make_user("viewer@a.example", "Org A", Role.VIEWER)  # type: ignore[operator]
    make_user("coord@b.example", "Org B", Role.COORDINATOR)  # type: ignore[operator]
    viewer = FlaskClient(app, app.response_class)
    login(viewer, "viewer@a.example")
    assert viewer.get("/audit").status_code == 403
    assert viewer.get("/audit.csv").status_code == 403
    outsider = FlaskClient(app, app.response_class)
    login(outsider, "coord@b.example")
    assert outsider.get(f"/rounds/{round_id}/audit").status_code == 404
    assert "Launched it" not in outsider.get("/audit").get_data(as_text=True)


def test_the_csv_is_formula_safe(app: Flask, client: FlaskClient, coordinator: User) -> None:
    round_id = make_round(app, name='=HYPERLINK("http://evil.example")')
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        audit.record(
            "round.created", "Created", organisation_id=rnd.organisation_id, actor=None, round=rnd
        )
        db.session.commit()
    (row,) = _csv(client, "/audit.csv")
    assert not row["Round"].startswith("=")
