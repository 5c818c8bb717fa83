"""Creating a kiosk and pairing a tablet: a one-time code, short, expiring, single use, shown
once and kept only as a keyed hash; wrong, used and expired codes change nothing."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Kiosk, User
from app.models.base import utcnow
from app.services import kiosks
from tests.app.kiosk.conftest import Event, create_kiosk, kiosk_row, pair
from tests.app.respond.helpers import Browser


def test_a_coordinator_creates_a_kiosk_and_sees_its_code_once(
    app: Flask, client: FlaskClient, coordinator: User, event: Event
) -> None:
    code = create_kiosk(client, event)
    raw = code.replace("-", "")
    with app.app_context():
        row = db.session.execute(select(Kiosk)).scalar_one()
        assert row.pairing_hash and raw not in row.pairing_hash and code not in row.pairing_hash
        assert row.device_hash is None and not row.revoked
        actions = db.session.execute(select(AuditEntry.action)).scalars().all()
        assert "kiosk.created" in actions
    page = client.get(f"/rounds/{event.launched.round_id}/open-links").get_data(as_text=True)
    assert "Gala day tablet 1" in page and "Waiting to be paired" in page
    assert code not in page and raw not in page  # shown once, on the creation page only


def test_a_kiosk_needs_a_name(client: FlaskClient, coordinator: User, event: Event) -> None:
    response = client.post(
        f"/rounds/{event.launched.round_id}/open-links/parents/kiosks",
        data={"name": "   ", "csrf_token": _token(client)},
    )
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "Give the kiosk a name" in page


def _token(client: FlaskClient) -> str:
    from tests.support import csrf_token

    return csrf_token(client, "/")


def test_the_right_code_pairs_the_tablet_once(
    app: Flask, client: FlaskClient, coordinator: User, event: Event
) -> None:
    code = create_kiosk(client, event)
    tablet = pair(app, code.lower().replace("-", " "))  # typed in any case, with a space
    assert tablet.client.get_cookie(kiosks.DEVICE_COOKIE) is not None
    assert "This tablet is shared" in tablet.text
    row = kiosk_row(app)
    assert row.paired and row.pairing_hash is None and row.paired_on is not None

    second = Browser(app.test_client())
    second.get("/kiosk/pair")
    reused = second.post("/kiosk/pair", {"code": code})
    assert reused.status_code == 422
    assert "not right, or it has already been used" in second.text
    assert second.client.get_cookie(kiosks.DEVICE_COOKIE) is None
    assert kiosk_row(app).device_hash == row.device_hash  # the first tablet keeps its pairing


def test_a_wrong_code_changes_nothing(
    app: Flask, client: FlaskClient, coordinator: User, event: Event
) -> None:
    code = create_kiosk(client, event)
    before = kiosk_row(app)
    tablet = Browser(app.test_client())
    tablet.get("/kiosk/pair")
    wrong = "ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ" else "YYYY-YYYY"
    for typed in (wrong, "", "x" * 500, "ABC"):
        response = tablet.post("/kiosk/pair", {"code": typed})
        assert response.status_code == 422, typed
        assert "There is a problem" in tablet.html and 'aria-invalid="true"' in tablet.html
    after = kiosk_row(app)
    assert (after.pairing_hash, after.device_hash) == (before.pairing_hash, None)
    assert tablet.client.get_cookie(kiosks.DEVICE_COOKIE) is None


def test_an_expired_code_is_refused_and_a_new_one_works(
    app: Flask, client: FlaskClient, coordinator: User, event: Event
) -> None:
    code = create_kiosk(client, event)
    with app.app_context():
        row = db.session.execute(select(Kiosk)).scalar_one()
        row.pairing_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    tablet = Browser(app.test_client())
    tablet.get("/kiosk/pair")
    assert tablet.post("/kiosk/pair", {"code": code}).status_code == 410
    assert "That code has expired" in tablet.text
    assert not kiosk_row(app).paired

    response = client.post(
        f"/rounds/{event.launched.round_id}/kiosks/{kiosk_row(app).id}",
        data={"action": "code", "csrf_token": _token(client)},
    )
    assert response.status_code == 200
    fresh = response.get_data(as_text=True).split('id="pairing-code">')[1][:9]
    assert fresh != code
    pair(app, fresh)
    assert kiosk_row(app).paired


def test_pairing_codes_expire_after_fifteen_minutes(
    app: Flask, client: FlaskClient, coordinator: User, event: Event
) -> None:
    code = create_kiosk(client, event)
    with app.app_context():
        later = utcnow() + timedelta(minutes=kiosks.PAIRING_MINUTES, seconds=1)
        try:
            kiosks.pair(code, later.date(), now=later)
        except kiosks.KioskProblem as problem:
            assert problem.code == "expired"
        else:
            raise AssertionError("an old code paired")
        soon = utcnow() + timedelta(minutes=kiosks.PAIRING_MINUTES - 1)
        kiosk, secret = kiosks.pair(code, soon.date(), now=soon)
        assert kiosk.device_hash and secret not in kiosk.device_hash


def test_only_coordinators_make_kiosks(
    app: Flask, client: FlaskClient, make_user, event: Event
) -> None:
    from app.models import Role
    from tests.support import login

    viewer = make_user("viewer@a.example", "Org A", Role.VIEWER)
    login(client, viewer.email)
    response = client.post(
        f"/rounds/{event.launched.round_id}/open-links/parents/kiosks",
        data={"name": "Tablet", "csrf_token": _token(client)},
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.execute(select(Kiosk)).first() is None
