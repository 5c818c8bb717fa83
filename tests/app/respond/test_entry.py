"""Entering a survey: invitation links and open links, and every way they can be refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Invitation, InvitationStatus, RoundStatus
from app.services.responding import today
from app.services.tokens import token_hash
from tests.app.respond.helpers import (
    Browser,
    Launched,
    add_open_link,
    invite,
    launch_round,
    set_round,
)


def test_invitation_link_is_exchanged_for_a_session_and_left_at_once(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    token = invite(app, launched.round_id)
    first = phone.get(f"/r/{token}")
    assert first.status_code == 303
    assert first.location == f"/q/{launched.questionnaires['parents']}"
    assert token not in first.location
    cookie = phone.client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"

    welcome = phone.follow(first)
    assert welcome.status_code == 200
    assert "Parents and carers survey" in phone.html
    assert token not in phone.html


def test_welcome_page_says_who_asks_how_long_what_is_kept_and_the_close_date(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    set_round(app, launched.round_id, threshold=7)
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    html = phone.html
    closes = today() + timedelta(days=30)
    assert "Org A" in html  # who is asking
    assert "would like to hear from parents and carers" in html  # why
    assert "About 4 minutes" in html
    assert f"{closes.day} {closes:%B %Y}" in html
    assert "at least 7 people" in html
    for not_kept in ("your name", "email address", "internet address", "the time you answered"):
        assert not_kept in html
    assert "You can save your answers" in html  # invitations can save and come back


def test_open_link_goes_to_its_audiences_questionnaire(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    code = add_open_link(app, launched.round_id, "parents")
    response = phone.enter(f"/o/{code.upper()}")  # typed from a poster in capitals
    assert response.status_code == 200
    assert response.request.path == f"/q/{launched.questionnaires['parents']}"
    assert "This link is open to anyone" in phone.html  # the protections, in plain words
    assert "without keeping your internet address" in phone.html
    assert "You can save your answers" not in phone.html  # nothing to resume an open link from

    children = Browser(app.test_client())
    children.enter(f"/o/{add_open_link(app, launched.round_id, 'children')}")
    assert children.locations[-1] == f"/q/{launched.questionnaires['children']}"
    assert "Anyone can use this link. To keep it fair" in children.html


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"status": InvitationStatus.COMPLETED}, 410, "already sent your answers"),
        ({"status": InvitationStatus.OPTED_OUT}, 410, "asked not to hear from us"),
    ],
)
def test_used_and_opted_out_invitations_are_refused_kindly(
    app: Flask, launched: Launched, client: FlaskClient, change: dict, status: int, words: str
) -> None:
    token = invite(app, launched.round_id)
    with app.app_context():
        inv = db.session.query(Invitation).filter_by(token_hash=token_hash(token)).one()
        for key, value in change.items():
            setattr(inv, key, value)
        db.session.commit()
    response = client.get(f"/r/{token}")
    assert response.status_code == status
    assert words in response.get_data(as_text=True)
    # No entry was given: the questionnaire itself stays shut.
    assert client.get(f"/q/{launched.questionnaires['parents']}").status_code == 403


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 500])
def test_unknown_tokens_are_404_with_plain_words(client: FlaskClient, token: str) -> None:
    response = client.get(f"/r/{token}")
    assert response.status_code == 404
    assert "This link does not work" in response.get_data(as_text=True)


def test_round_not_yet_open_and_closed_rounds_are_refused(app: Flask, client: FlaskClient) -> None:
    later = launch_round(app, opens_on=today() + timedelta(days=3))
    response = client.get(f"/r/{invite(app, later.round_id)}")
    assert response.status_code == 403
    assert "has not started yet" in response.get_data(as_text=True)

    ended = launch_round(
        app, "Org B", opens_on=today() - timedelta(days=9), closes_on=today() - timedelta(days=1)
    )
    response = client.get(f"/r/{invite(app, ended.round_id)}")
    assert response.status_code == 410
    assert "has closed" in response.get_data(as_text=True)

    closed = launch_round(app, "Org C", status=RoundStatus.CLOSED)
    response = client.get(f"/o/{add_open_link(app, closed.round_id)}")
    assert response.status_code == 410


def test_draft_rounds_cannot_be_answered(app: Flask, client: FlaskClient) -> None:
    draft = launch_round(app, status=RoundStatus.DRAFT)
    response = client.get(f"/o/{add_open_link(app, draft.round_id)}")
    assert response.status_code == 403


def test_switched_off_and_unknown_open_links(app: Flask, launched: Launched, client) -> None:
    code = add_open_link(app, launched.round_id, active=False)
    assert client.get(f"/o/{code}").status_code == 410
    assert client.get("/o/nosuchcode").status_code == 404


def test_survey_pages_need_an_entry_first(launched: Launched, client: FlaskClient) -> None:
    qid = launched.questionnaires["parents"]
    for url in (f"/q/{qid}", f"/q/{qid}/page/1", f"/q/{qid}/thanks", f"/q/{qid}/saved"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "open the survey from your link" in response.get_data(as_text=True)


def test_an_entry_only_opens_its_own_questionnaire(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    phone.enter(f"/r/{invite(app, launched.round_id, 'parents')}")
    other = launched.questionnaires["children"]
    assert phone.get(f"/q/{other}").status_code == 403
    assert phone.get(f"/q/{other}/page/1").status_code == 403


def test_respondent_pages_have_their_own_layout(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    html = phone.html
    assert '<html lang="en-GB" dir="ltr">' in html
    assert "css/respond." in html and "css/chorus." not in html
    assert "Sign out" not in html and 'class="site-header"' not in html
    response = phone.get(f"/q/{launched.questionnaires['parents']}")
    assert response.headers["Cache-Control"] == "no-store"
