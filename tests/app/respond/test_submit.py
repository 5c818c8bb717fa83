"""Sending: one transaction, once per invitation, idempotent per browser, refused after close."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Answer,
    Comment,
    InvitationStatus,
    Response,
    ResponseDayCount,
    RoundStatus,
    SealedSubmission,
    SpentSubmission,
)
from app.services.responding import today
from tests.app.respond.helpers import (
    Browser,
    Launched,
    invitation_status,
    invite,
    page_fields,
    set_round,
)
from tests.support import release_all


def _counts(app: Flask) -> tuple[int, int, int]:
    """Responses, answers and comments once everything sealed has been released."""
    release_all(app)
    with app.app_context():
        return tuple(  # type: ignore[return-value]
            db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Response, Answer, Comment)
        )


def _at_last_page(app: Flask, launched: Launched, phone: Browser, token: str) -> None:
    phone.enter(f"/r/{token}")
    phone.start()
    first = page_fields(phone.html)["texts"][0]
    response = phone.post(
        phone.form_action(), {**phone.answer("a"), first: "Clear letters home", "nav": "next"}
    )
    phone.follow(response)
    phone.reach_last_page("sd")


def test_sending_stores_everything_in_one_go_and_completes_the_invitation(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    token = invite(app, launched.round_id)
    _at_last_page(app, launched, phone, token)
    response = phone.post(phone.form_action(), {"role": "5_to_11", "nav": "send"})
    assert response.status_code == 303
    assert response.location == f"/q/{launched.questionnaires['parents']}/thanks"
    with app.app_context():  # sealed in the inbox until the release
        assert db.session.execute(select(func.count()).select_from(Response)).scalar_one() == 0
        assert db.session.execute(select(func.count()).select_from(SealedSubmission)).scalar_one()
    assert invitation_status(app, token) == InvitationStatus.COMPLETED
    assert release_all(app) == 1
    with app.app_context():
        stored = db.session.execute(select(Response)).scalar_one()
        assert (stored.audience, stored.channel.value, stored.role) == (
            "parents",
            "email",
            "5_to_11",
        )
        values = db.session.execute(
            select(Answer.value).where(Answer.response_id == stored.id)
        ).scalars()
        assert sorted(values) == ["a"] * 4 + ["sd"] * 3
        comment = db.session.execute(select(Comment)).scalar_one()
        assert (comment.text, comment.prompt.value, comment.section_id) == (
            "Clear letters home",
            "works_well",
            "2",
        )
        day = db.session.execute(select(ResponseDayCount)).scalar_one()
        assert (day.day, day.count, day.channel, day.audience) == (
            today(),
            1,
            "email",
            "parents",
        )
    assert invitation_status(app, token) == InvitationStatus.COMPLETED


def test_thank_you_page_says_what_happens_next(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    shared = today() + timedelta(days=60)
    set_round(app, launched.round_id, results_shared_on=shared)
    _at_last_page(app, launched, phone, invite(app, launched.round_id))
    phone.follow(phone.post(phone.form_action(), {"role": "several", "nav": "send"}))
    assert "Your answers have been sent" in phone.html
    assert "What happens next" in phone.html
    assert f"Results will be shared from {shared:%A} {shared.day} {shared:%B %Y}" in phone.html
    assert "at least 5 people" in phone.html


def test_the_day_counter_adds_up_and_is_kept_per_channel(app: Flask, launched: Launched) -> None:
    for _ in range(2):
        phone = Browser(app.test_client())
        _at_last_page(app, launched, phone, invite(app, launched.round_id))
        assert (
            phone.post(phone.form_action(), {"role": "under_5", "nav": "send"}).status_code == 303
        )
    release_all(app)  # day counts are written at release, for the day of the release
    with app.app_context():
        assert db.session.execute(select(ResponseDayCount.count)).scalar_one() == 2


def test_a_double_tap_or_refresh_after_sending_stores_nothing_more(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    _at_last_page(app, launched, phone, invite(app, launched.round_id))
    data = {"role": "under_5", "nav": "send"}
    before = phone.cookies()
    assert phone.post(phone.form_action(), data).status_code == 303
    phone.restore(before)  # the second tap left with the old cookies
    again = phone.post(f"/q/{launched.questionnaires['parents']}/send", data)
    assert again.status_code == 303 and again.location.endswith("/thanks")
    assert _counts(app) == (1, 7, 1)
    # Afterwards (a refresh, or Back and Send again): the thank-you page, nothing stored.
    qid = launched.questionnaires["parents"]
    assert phone.get(f"/q/{qid}/page/3").location == f"/q/{qid}/thanks"
    assert phone.post(f"/q/{qid}/send", data).location == f"/q/{qid}/thanks"
    assert _counts(app) == (1, 7, 1)


def test_the_link_after_sending_shows_thanks_here_and_refuses_elsewhere(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    token = invite(app, launched.round_id)
    _at_last_page(app, launched, phone, token)
    phone.post(phone.form_action(), {"role": "under_5", "nav": "send"})
    assert phone.get(f"/r/{token}").location.endswith("/thanks")
    elsewhere = Browser(app.test_client())
    response = elsewhere.get(f"/r/{token}")
    assert response.status_code == 410
    assert "already sent your answers" in elsewhere.html


def test_a_different_second_submission_is_refused_kindly(app: Flask, launched: Launched) -> None:
    token = invite(app, launched.round_id)
    laptop, phone = Browser(app.test_client()), Browser(app.test_client())
    _at_last_page(app, launched, laptop, token)
    _at_last_page(app, launched, phone, token)
    assert laptop.post(laptop.form_action(), {"role": "under_5", "nav": "send"}).status_code == 303
    response = phone.post(phone.form_action(), {"role": "16_plus", "nav": "send"})
    assert response.status_code == 409
    assert "Your answers were not sent this time" in phone.html
    assert "Thank you for taking part" in phone.html
    assert _counts(app) == (1, 7, 1)
    with app.app_context():
        assert db.session.execute(select(Response.role)).scalar_one() == "under_5"


@pytest.mark.parametrize(
    "change",
    [
        {"status": RoundStatus.CLOSED},
        {"closes_on": today() - timedelta(days=1), "opens_on": today() - timedelta(days=5)},
    ],
)
def test_late_submissions_are_refused_and_store_nothing(
    app: Flask, launched: Launched, phone: Browser, change: dict
) -> None:
    token = invite(app, launched.round_id)
    _at_last_page(app, launched, phone, token)
    set_round(app, launched.round_id, **change)
    response = phone.post(phone.form_action(), {"role": "under_5", "nav": "send"})
    assert response.status_code == 410
    assert "This survey has closed" in phone.html
    assert _counts(app) == (0, 0, 0)
    assert invitation_status(app, token) == InvitationStatus.PENDING
    with app.app_context():
        assert (
            db.session.execute(select(func.count()).select_from(ResponseDayCount)).scalar_one() == 0
        )


def _race(app: Flask, browsers: list[Browser], data: dict) -> list[int]:
    """Send from every browser at the same moment; the status codes, in browser order."""
    barrier = threading.Barrier(len(browsers))
    statuses: list[int] = [0] * len(browsers)
    actions = [b.form_action() for b in browsers]
    tokens = [b.csrf() for b in browsers]

    def go(i: int) -> None:
        barrier.wait()
        response = browsers[i].client.post(actions[i], data={**data, "csrf_token": tokens[i]})
        statuses[i] = response.status_code

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(browsers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return statuses


def test_a_token_answers_once_under_concurrent_submissions(app: Flask, launched: Launched) -> None:
    token = invite(app, launched.round_id)
    browsers = [Browser(app.test_client()) for _ in range(6)]
    for b in browsers:
        _at_last_page(app, launched, b, token)
    statuses = _race(app, browsers, {"role": "under_5", "nav": "send"})
    assert sorted(statuses) == [303] + [409] * 5, statuses
    assert _counts(app) == (1, 7, 1)
    assert invitation_status(app, token) == InvitationStatus.COMPLETED
    with app.app_context():
        assert db.session.execute(select(ResponseDayCount.count)).scalar_one() == 1
        # The ids the browsers sent are kept only as keyed hashes, none of them a response id.
        assert db.session.execute(select(func.count()).select_from(SpentSubmission)).scalar_one()


def test_the_same_submission_racing_itself_is_stored_once(app: Flask, launched: Launched) -> None:
    token = invite(app, launched.round_id)
    first = Browser(app.test_client())
    _at_last_page(app, launched, first, token)
    twins = [first]
    for _ in range(4):  # the same browser's cookies, sent by several requests at once
        twin = Browser(app.test_client())
        twin.restore(first.cookies())
        twin.html = first.html
        twins.append(twin)
    statuses = _race(app, twins, {"role": "under_5", "nav": "send"})
    assert statuses == [303] * 5, statuses
    assert _counts(app) == (1, 7, 1)
