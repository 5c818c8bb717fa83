"""Answering offline (issue 18): grants, the queued-submission endpoint, the grace period.

A device that lost its signal sends its whole answers later, with the submission id and the
grant its page carried. Here the pages are walked as a phone does, the answers gathered, then
sent as the offline script would send them.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Date, DateTime, func, select

from app.extensions import db
from app.models import (
    InvitationStatus,
    Response,
    RoundStatus,
    SealedSubmission,
    SpentSubmission,
)
from app.respond import offline_views
from app.services import mix
from app.services.mix.keys import Openers, secrets
from app.services.offline import read_grant
from app.services.responding import today
from app.services.results import close_round
from tests.app.respond.helpers import (
    Browser,
    Launched,
    invitation_status,
    invite,
    launch_round,
    set_round,
)
from tests.support import release_all

_GRANT = re.compile(r'data-offline-grant="([^"]+)" data-offline-sid="([0-9a-f]{32})"')


def _walk(phone: Browser, choose: str = "a") -> dict[str, str]:
    """Answer every page up to the last one (not sent); the answers as the device keeps them."""
    answers: dict[str, str] = {}
    while True:
        page = phone.answer(choose)
        answers.update({k: v for k, v in page.items() if k.startswith(("a-", "ft-", "role"))})
        if "/send" in phone.form_action():
            return {k: v for k, v in answers.items() if v}
        phone.follow(phone.submit_page("next", choose))


def _grant(phone: Browser) -> tuple[str, str]:
    found = _GRANT.search(phone.html)
    assert found, "no grant on the page"
    return found.group(1), found.group(2)


def _offline_ready(app: Flask, launched: Launched, phone: Browser) -> dict[str, Any]:
    """An invited person at the last page: the body their device would queue."""
    token = invite(app, launched.round_id)
    phone.enter(f"/r/{token}")
    phone.start()
    answers = _walk(phone)
    grant, sid = _grant(phone)
    return {"grant": grant, "submission_id": sid, "answers": answers, "token": token}


def _queue(client: FlaskClient, questionnaire_id: uuid.UUID, body: dict[str, Any]) -> Any:
    payload = {k: v for k, v in body.items() if k != "token"}
    return client.post(f"/q/{questionnaire_id}/queued", json=payload)


def _stored(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.execute(select(func.count()).select_from(SealedSubmission)).scalar_one(),
            db.session.execute(select(func.count()).select_from(SpentSubmission)).scalar_one(),
        )


@pytest.fixture
def other_browser(app: Flask) -> FlaskClient:
    """A second client with no cookies at all: the queue needs none."""
    return app.test_client()


def test_a_page_carries_a_grant_with_the_day_only_and_no_token(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    body = _offline_ready(app, launched, phone)
    grant = body["grant"]
    assert body["token"] not in grant
    payload = json.loads(base64.urlsafe_b64decode(grant.split(".")[1] + "=="))
    assert payload["d"] == today().isoformat()  # a day, not a time
    assert payload["s"] == body["submission_id"]
    assert set(payload) == {"q", "r", "s", "d", "c", "b"}
    with app.test_request_context():
        read = read_grant(grant)
        assert read.submission_id.hex == body["submission_id"]
        assert read.questionnaire_id == launched.questionnaires["parents"]


def test_a_queued_submission_is_stored_once_without_any_cookie(
    app: Flask, launched: Launched, phone: Browser, other_browser: FlaskClient
) -> None:
    body = _offline_ready(app, launched, phone)
    qid = launched.questionnaires["parents"]
    first = _queue(other_browser, qid, body)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["status"] == "stored"
    assert invitation_status(app, body["token"]) == InvitationStatus.COMPLETED
    assert _stored(app) == (1, 1)
    again = _queue(other_browser, qid, body)
    assert again.status_code == 200 and again.get_json()["status"] == "already_received"
    assert _stored(app) == (1, 1)
    # The form path with the same submission id (the page's own Send) stores nothing more.
    sent = phone.submit_page("send", "a")
    assert sent.status_code == 303
    assert _stored(app) == (1, 1)
    release_all(app)
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Response)).scalar_one() == 1


def test_the_browser_that_queued_sees_its_thanks_and_keeps_no_answers(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    body = _offline_ready(app, launched, phone)
    qid = launched.questionnaires["parents"]
    response = _queue(phone.client, qid, body)
    assert response.status_code == 201
    assert "chorus_progress" not in phone.cookies()
    phone.get(f"/q/{qid}/thanks")
    assert "Your answers have been sent." in phone.text


def test_a_form_send_then_a_queued_replay_is_already_received(
    app: Flask, launched: Launched, phone: Browser, other_browser: FlaskClient
) -> None:
    """The connection dropped after the server stored the Send: the queue replays it."""
    body = _offline_ready(app, launched, phone)
    assert phone.submit_page("send", "a").status_code == 303
    replay = _queue(other_browser, launched.questionnaires["parents"], body)
    assert replay.status_code == 200 and replay.get_json()["status"] == "already_received"
    assert _stored(app) == (1, 1)


def _flip(text: str, at: int) -> str:
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1 :]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        (lambda b: {**b, "grant": _flip(b["grant"], len(b["grant"]) - 3)}, 403, "bad_grant"),
        (lambda b: {**b, "grant": _flip(b["grant"], 10)}, 403, "bad_grant"),
        (lambda b: {**b, "grant": "g1.e30.AAAA"}, 403, "bad_grant"),
        (lambda b: {**b, "submission_id": uuid.uuid4().hex}, 403, "bad_grant"),
        (lambda b: {**b, "submission_id": "not an id"}, 400, "bad_request"),
        (lambda b: {**b, "answers": ["a"]}, 400, "bad_request"),
        (lambda b: {**b, "answers": {**b["answers"], "a-x": 3}}, 400, "bad_request"),
        (lambda b: {k: v for k, v in b.items() if k != "grant"}, 400, "bad_request"),
        (lambda b: {**b, "answers": {**b["answers"], "a-nothere": "a"}}, 422, "invalid_answers"),
        (
            lambda b: {**b, "answers": {k: "zz" for k in b["answers"]}},
            422,
            "invalid_answers",
        ),
        (
            lambda b: {**b, "answers": dict(list(b["answers"].items())[1:])},
            422,
            "invalid_answers",
        ),
    ],
    ids=[
        "signature",
        "payload",
        "forged",
        "other-id",
        "bad-id",
        "answers-list",
        "answer-number",
        "no-grant",
        "unknown-question",
        "bad-codes",
        "missing-answer",
    ],
)
def test_a_tampered_queued_submission_is_refused_and_stores_nothing(
    app: Flask,
    launched: Launched,
    phone: Browser,
    other_browser: FlaskClient,
    change: Any,
    status: int,
    code: str,
) -> None:
    body = _offline_ready(app, launched, phone)
    response = _queue(other_browser, launched.questionnaires["parents"], change(body))
    assert response.status_code == status, response.get_json()
    assert response.get_json()["status"] == code
    assert response.get_json()["message"]
    assert _stored(app) == (0, 0)
    assert invitation_status(app, body["token"]) == InvitationStatus.PENDING


def test_not_json_is_refused(app: Flask, launched: Launched, other_browser: FlaskClient) -> None:
    qid = launched.questionnaires["parents"]
    form = other_browser.post(f"/q/{qid}/queued", data={"grant": "x"})
    assert form.status_code == 415
    broken = other_browser.post(
        f"/q/{qid}/queued", data="{not json", content_type="application/json"
    )
    assert broken.status_code == 400
    assert _stored(app) == (0, 0)


def test_a_grant_for_another_questionnaire_or_round_is_refused(
    app: Flask, launched: Launched, phone: Browser, other_browser: FlaskClient
) -> None:
    body = _offline_ready(app, launched, phone)
    children = _queue(other_browser, launched.questionnaires["children"], body)
    assert children.status_code == 403 and children.get_json()["status"] == "bad_grant"
    elsewhere = launch_round(app, "Org B")
    other = _queue(other_browser, elsewhere.questionnaires["parents"], body)
    assert other.status_code == 403 and other.get_json()["status"] == "bad_grant"
    unknown = _queue(other_browser, uuid.uuid4(), body)
    assert unknown.status_code == 403
    assert _stored(app) == (0, 0)


def test_an_open_link_grant_queues_too(
    app: Flask, launched: Launched, phone: Browser, other_browser: FlaskClient, patient: None
) -> None:
    from tests.app.respond.helpers import add_open_link

    code = add_open_link(app, launched.round_id)
    phone.enter(f"/o/{code}")
    phone.start()
    answers = _walk(phone)
    grant, sid = _grant(phone)
    qid = launched.questionnaires["parents"]
    body = {"grant": grant, "submission_id": sid, "answers": answers}
    assert _queue(other_browser, qid, body).status_code == 201
    assert _queue(other_browser, qid, body).status_code == 200
    assert _stored(app) == (1, 1)


def test_an_open_link_phone_that_queued_cannot_answer_again(
    app: Flask, launched: Launched, phone: Browser, patient: None
) -> None:
    from tests.app.respond.helpers import add_open_link

    code = add_open_link(app, launched.round_id)
    phone.enter(f"/o/{code}")
    phone.start()
    answers = _walk(phone)
    grant, sid = _grant(phone)
    qid = launched.questionnaires["parents"]
    body = {"grant": grant, "submission_id": sid, "answers": answers}
    assert _queue(phone.client, qid, body).status_code == 201  # sent with the phone's cookies
    again = phone.enter(f"/o/{code}")
    assert again.status_code == 409
    assert "You have already answered on this device" in phone.text


# -- the grace period -----------------------------------------------------------------------------


def _arrive_on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(offline_views, "today", lambda: day)


def test_made_before_the_close_and_arriving_in_the_grace_period_is_accepted(
    app: Flask,
    launched: Launched,
    phone: Browser,
    other_browser: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_round(app, launched.round_id, closes_on=today(), grace_days=3)
    body = _offline_ready(app, launched, phone)  # the grant: issued on the closing day
    _arrive_on(monkeypatch, today() + timedelta(days=3))
    response = _queue(other_browser, launched.questionnaires["parents"], body)
    assert response.status_code == 201, response.get_json()
    assert _stored(app) == (1, 1)


def test_arriving_after_the_grace_period_is_refused_plainly(
    app: Flask,
    launched: Launched,
    phone: Browser,
    other_browser: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_round(app, launched.round_id, closes_on=today(), grace_days=3)
    body = _offline_ready(app, launched, phone)
    _arrive_on(monkeypatch, today() + timedelta(days=4))
    response = _queue(other_browser, launched.questionnaires["parents"], body)
    assert response.status_code == 410
    assert response.get_json()["status"] == "expired"
    assert "after the last day" in response.get_json()["message"]
    assert _stored(app) == (0, 0)
    assert invitation_status(app, body["token"]) == InvitationStatus.PENDING


def test_a_grant_issued_after_the_close_proves_nothing(
    app: Flask, launched: Launched, phone: Browser, other_browser: FlaskClient
) -> None:
    """A grant of today for a round that (now) closed yesterday: made after the close."""
    body = _offline_ready(app, launched, phone)
    set_round(app, launched.round_id, closes_on=today() - timedelta(days=1), grace_days=3)
    response = _queue(other_browser, launched.questionnaires["parents"], body)
    assert response.status_code == 410
    assert "closed before" in response.get_json()["message"]
    assert _stored(app) == (0, 0)


def test_a_coordinator_who_closes_the_round_ends_the_grace_period_early(
    app: Flask,
    launched: Launched,
    phone: Browser,
    other_browser: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_round(app, launched.round_id, closes_on=today(), grace_days=3)
    body = _offline_ready(app, launched, phone)
    with app.app_context():
        from app.models import FeedbackRound

        rnd = db.session.get(FeedbackRound, launched.round_id)
        assert rnd is not None
        close_round(rnd)
        db.session.commit()
    _arrive_on(monkeypatch, today() + timedelta(days=1))
    response = _queue(other_browser, launched.questionnaires["parents"], body)
    assert response.status_code == 410 and response.get_json()["status"] == "expired"
    assert _stored(app) == (0, 0)


def test_the_form_path_takes_nothing_in_the_grace_period(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    body = _offline_ready(app, launched, phone)
    set_round(app, launched.round_id, closes_on=today() - timedelta(days=1), grace_days=3)
    response = phone.submit_page("send", "a")
    assert response.status_code == 410
    assert _stored(app) == (0, 0)
    assert body  # the device still holds its queue; the grant decides, not the page


def test_the_remainder_waits_for_the_grace_period_then_is_released(
    app: Flask,
    launched: Launched,
    phone: Browser,
    other_browser: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_round(app, launched.round_id, closes_on=today(), grace_days=2)
    body = _offline_ready(app, launched, phone)
    arrival = today() + timedelta(days=2)
    _arrive_on(monkeypatch, arrival)
    assert _queue(other_browser, launched.questionnaires["parents"], body).status_code == 201
    with app.app_context():
        assert mix.release_waiting(on=arrival) == 0  # 1 < k, still accepting: held
        assert not mix.is_final(launched.round_id)
        assert mix.release_waiting(on=arrival + timedelta(days=1)) == 1  # grace over: all out


# -- nothing stored says when a queued answer was made ---------------------------------------


def _dates_everywhere(app: Flask) -> set[tuple[str, str, str]]:
    """Every date and time value in every table, as (table, column, value)."""
    found: set[tuple[str, str, str]] = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, Date | DateTime)]
            for column in columns:
                for value in db.session.execute(select(column)).scalars():
                    if value is not None:
                        found.add((table.name, column.name, str(value)))
    return found


def test_an_insider_finds_no_trace_of_when_a_queued_answer_was_made(
    app: Flask,
    launched: Launched,
    phone: Browser,
    other_browser: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = today()
    set_round(app, launched.round_id, closes_on=made, grace_days=3)
    body = _offline_ready(app, launched, phone)
    before = _dates_everywhere(app)
    arrival = made + timedelta(days=2)
    _arrive_on(monkeypatch, arrival)
    assert _queue(other_browser, launched.questionnaires["parents"], body).status_code == 201
    assert _dates_everywhere(app) == before  # the arrival wrote no date or time anywhere
    with app.app_context():
        # The sealed copy holds answers, channel, role and language: no day, no grant.
        openers = Openers(secrets())
        row = db.session.execute(select(SealedSubmission)).scalar_one()
        plain = openers.open(row.round_id, row.audience, row.ciphertext)
        assert plain is not None
        assert set(json.loads(plain)) == {"c", "r", "a", "t", "l"}
        assert made.isoformat().encode() not in plain and body["grant"].encode() not in plain
        spent = db.session.execute(select(SpentSubmission)).scalar_one()
        assert set(SpentSubmission.__table__.columns.keys()) == {"digest", "round_id"}
        assert body["submission_id"] not in spent.digest
        # Released after the grace: the only new date is the day of the release.
        mix.release_waiting(on=arrival + timedelta(days=2))
        db.session.commit()
    after = _dates_everywhere(app) - before
    assert {(t, c) for t, c, _ in after} <= {("response_day_count", "day")}
    assert {v for _, _, v in after} == {str(arrival + timedelta(days=2))}


def test_a_closed_round_is_never_a_500(
    app: Flask, launched: Launched, phone: Browser, other_browser: FlaskClient
) -> None:
    body = _offline_ready(app, launched, phone)
    set_round(app, launched.round_id, status=RoundStatus.CLOSED)
    response = _queue(other_browser, launched.questionnaires["parents"], body)
    assert response.status_code == 410
    assert _stored(app) == (0, 0)


# -- what the service worker keeps ----------------------------------------------------------------


def test_the_kept_copy_of_a_page_holds_no_answers(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    body = _offline_ready(app, launched, phone)
    qid = launched.questionnaires["parents"]
    phone.get(f"/q/{qid}/page/1")
    assert " checked" in phone.html  # the live page shows this browser's answers
    blank = phone.get(f"/q/{qid}/offline/page/1")
    assert blank.status_code == 200
    assert " checked" not in phone.html
    assert 'data-offline-q="' in phone.html and "data-offline-grant" not in phone.html
    assert body["submission_id"] not in phone.html
    assert phone.get(f"/q/{qid}/offline/page/99").status_code == 404
    kept = phone.client.get(f"/q/{qid}/offline/pages").get_json()
    every = kept["pages"]
    assert sorted(every) == ["1", "2", "3"]
    assert all(" checked" not in html and "data-offline-q" in html for html in every.values())
    # The welcome page, for Back from page 1 offline: as first shown (Start, not "Carry on"
    # with how many this browser answered), its Start read by the offline script as page 0.
    welcome = kept["welcome"]
    assert 'value="start">Start<' in welcome and "so far" not in welcome
    assert f'data-offline-q="{qid.hex}" data-offline-page="0"' in welcome
    assert "data-offline-grant" not in welcome and body["submission_id"] not in welcome
    phone.get(f"/q/{qid}")
    assert "data-offline-q" not in phone.html  # the live welcome page is as before


def test_the_kept_copy_needs_the_link_first(
    app: Flask, launched: Launched, client: FlaskClient
) -> None:
    qid = launched.questionnaires["parents"]
    assert client.get(f"/q/{qid}/offline/page/1").status_code == 403


def test_the_service_worker_is_served_for_the_questionnaire_pages(client: FlaskClient) -> None:
    response = client.get("/q/offline-sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    text = response.get_data(as_text=True)
    assert re.search(
        r'importScripts\("/static/js/offline-store\.[0-9a-f]{12}\.js", '
        r'"/static/js/offline-worker\.[0-9a-f]{12}\.js"\)',
        text,
    )
