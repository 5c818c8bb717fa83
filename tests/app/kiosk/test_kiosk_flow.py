"""A kiosk takes one person after another: each Send returns to the welcome page with nothing
of that person kept; the open link's per-device limits give way to per-kiosk rules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.models import AuditEntry, Channel, Response, User
from app.respond import state
from app.services import abuse, kiosks
from tests.app.kiosk.conftest import Event, kiosk_row
from tests.app.respond.helpers import Browser
from tests.support import csrf_token, release_all


def _channels(app: Flask) -> list[Channel]:
    release_all(app)
    with app.app_context():
        return list(db.session.execute(select(Response.channel)).scalars())


def _person(tablet: Browser, choose: str | None = None, comment: str = "") -> None:
    tablet.start()
    texts = {}
    for _ in range(50):
        data = tablet.answer(choose)
        for name in list(data):
            if name.startswith("ft-") and comment:
                data[name] = comment
                texts[name] = comment
        last = "/send" in tablet.form_action()
        response = tablet.post(tablet.form_action(), {**data, "nav": "send" if last else "next"})
        assert response.status_code == 303, (response.status_code, tablet.text[:400])
        tablet.follow(response)
        if last:
            return
    raise AssertionError("never reached the end")


def test_three_people_in_a_row_leave_no_trace(app: Flask, tablet: Browser, event: Event) -> None:
    qid = event.questionnaire_id
    secrets_said = ["First person's words", "Second person's words", "Third person's words"]
    for n, words in enumerate(secrets_said):
        _person(tablet, comment=words)
        # Back on the welcome page, thanked, with nothing of theirs kept anywhere.
        assert tablet.locations[-1].endswith(f"/q/{qid}?sent=1")
        assert "your answers have been sent" in tablet.text
        assert "Carry on" not in tablet.text and "Start" in tablet.text
        assert tablet.client.get_cookie(state.PROGRESS_COOKIE) is None
        assert tablet.client.get_cookie(abuse.DONE_COOKIE) is None
        # The Back button: every page of the last person asks the server again (no-store),
        # which has nothing to show but the welcome page.
        for number in (1, 2, 3):
            back = tablet.client.get(f"/q/{qid}/page/{number}")
            assert back.status_code == 303 and back.location.endswith(f"/q/{qid}")
        assert words not in tablet.html
        for earlier in secrets_said[: n + 1]:
            assert earlier not in tablet.client.get(f"/q/{qid}").get_data(as_text=True)
    assert _channels(app) == [Channel.KIOSK] * 3


def test_kiosk_pages_are_never_cached_nor_autofilled(tablet: Browser, event: Event) -> None:
    response = tablet.client.get(f"/q/{event.questionnaire_id}")
    assert response.headers["Cache-Control"] == "no-store"
    assert 'data-kiosk="on"' in tablet.html and "js/kiosk." in tablet.html
    assert 'autocomplete="off"' in tablet.html  # the start form
    tablet.start()
    page = tablet.client.get(tablet.locations[-1])
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert 'autocomplete="off" data-kiosk-form' in html and 'hx-replace-url="true"' in html
    assert 'hx-push-url="true"' not in html
    assert "hp_note" not in html  # no open-link page stamp or honeypot on a kiosk


def test_the_idle_warning_gives_at_least_twenty_seconds(
    app: Flask, tablet: Browser, event: Event
) -> None:
    tablet.start()
    html = tablet.html
    assert 'role="alertdialog"' in html and "Are you still there?" in tablet.text
    warn = int(html.split('data-kiosk-warn="')[1].split('"')[0])
    assert warn >= 20 and int(html.split('data-kiosk-idle="')[1].split('"')[0]) > 0
    # What the script does when the time is up: the kiosk's home clears the answers.
    tablet.submit_page("next")
    assert tablet.client.get_cookie(state.PROGRESS_COOKIE) is not None
    home = tablet.get("/kiosk?idle=1")
    assert home.status_code == 303
    assert tablet.client.get_cookie(state.PROGRESS_COOKIE) is None
    tablet.follow(home)
    assert "cleared because the tablet was left" in tablet.text and "Carry on" not in tablet.text


def test_the_open_link_one_per_device_rule_does_not_apply(
    app: Flask, tablet: Browser, event: Event
) -> None:
    for _ in range(4):
        _person(tablet)
    assert len(_channels(app)) == 4


def test_a_whole_questionnaire_sent_too_quickly_is_refused(
    app: Flask, tablet: Browser, event: Event
) -> None:
    app.config["KIOSK_MIN_SECONDS_PER_QUESTION"] = 30
    tablet.start()
    tablet.reach_check()
    response = tablet.send_checked()
    assert response.status_code == 422
    assert "That was very quick" in tablet.text and "Check your answers" in tablet.text
    assert _channels(app) == []
    app.config["KIOSK_MIN_SECONDS_PER_QUESTION"] = 0
    assert tablet.send_checked().status_code == 303  # the start stamp was kept
    assert _channels(app) == [Channel.KIOSK]


@pytest.fixture
def two_an_hour(app: Flask) -> Iterator[None]:
    app.config["KIOSK_SEND_RATE_LIMIT"] = "2 per hour"
    yield
    app.config.pop("KIOSK_SEND_RATE_LIMIT")
    limiter.reset()


def test_sends_are_capped_per_kiosk_per_hour(
    app: Flask, client: FlaskClient, tablet: Browser, event: Event, two_an_hour: None
) -> None:
    _person(tablet)
    _person(tablet)
    tablet.start()
    tablet.reach_check()
    response = tablet.send_checked()
    assert response.status_code == 429
    assert len(_channels(app)) == 2
    # The cap is the kiosk's, not the connection's: an open-link phone on the same address
    # still sends.
    from tests.app.kiosk.conftest import create_kiosk, pair

    other = pair(app, create_kiosk(client, event, "Gala day tablet 2"))
    _person(other)
    assert len(_channels(app)) == 3


def test_a_revoked_kiosk_is_refused_with_a_clear_page(
    app: Flask, client: FlaskClient, coordinator: User, tablet: Browser, event: Event
) -> None:
    tablet.start()
    tablet.submit_page("next")
    kiosk = kiosk_row(app)
    unconfirmed = client.post(
        f"/rounds/{event.launched.round_id}/kiosks/{kiosk.id}",
        data={"action": "revoke", "csrf_token": csrf_token(client, "/")},
    )
    assert unconfirmed.status_code == 303 and not kiosk_row(app).revoked
    response = client.post(
        f"/rounds/{event.launched.round_id}/kiosks/{kiosk.id}",
        data={"action": "revoke", "confirm": "yes", "csrf_token": csrf_token(client, "/")},
    )
    assert response.status_code == 303 and kiosk_row(app).revoked
    with app.app_context():
        assert (
            db.session.execute(
                select(func.count()).where(AuditEntry.action == "kiosk.revoked")
            ).scalar_one()
            == 1
        )
    page = tablet.get(tablet.form_action().replace("/send", "/page/1"))
    assert page.status_code == 410
    assert "This kiosk has been switched off" in tablet.text
    assert 'data-kiosk="revoked"' in tablet.html  # the script sends what it held, then wipes
    assert tablet.client.get_cookie(state.PROGRESS_COOKIE) is None
    assert tablet.get("/kiosk").status_code == 410
    assert tablet.get("/kiosk/offline?want=5").status_code == 410
    assert _channels(app) == []


def test_a_tablet_that_was_never_paired_is_not_a_kiosk(app: Flask, event: Event) -> None:
    stranger = Browser(app.test_client())
    assert stranger.get("/kiosk").status_code == 403
    assert "not set up as a kiosk" in stranger.text
    stranger.client.set_cookie(kiosks.DEVICE_COOKIE, "forged.value")
    assert stranger.get("/kiosk").status_code == 403


def test_the_check_page_is_a_kiosk_page_and_clears_after_send(
    app: Flask, tablet: Browser, event: Event
) -> None:
    tablet.start()
    tablet.reach_check("a")
    page = tablet.html
    assert "Check your answers" in tablet.text
    # A kiosk form (kiosk.js keeps its idle timer going), one history entry, no offline
    # attributes (a kiosk's own script works offline), and no way to save a draft.
    assert "data-kiosk-form" in page and 'hx-replace-url="true"' in page
    assert "hx-push-url" not in page and "data-offline-q" not in page
    assert "Save and continue later" not in page
    response = tablet.send_checked()
    assert response.status_code == 303 and "sent=1" in response.location
    assert tablet.client.get_cookie(state.PROGRESS_COOKIE) is None
    assert _channels(app) == [Channel.KIOSK]
