"""Open links without a CAPTCHA: honeypot, time on page, rate limit without IPs, one per browser."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.models import Channel, OpenLink, Response, ResponseDayCount
from app.services import abuse
from tests.app.respond.helpers import Browser, Launched, add_open_link
from tests.support import release_all


def _responses(app: Flask) -> int:
    release_all(app)
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(Response)).scalar_one()


@pytest.fixture
def opened(app: Flask, launched: Launched, phone: Browser) -> str:
    phone.enter(f"/o/{add_open_link(app, launched.round_id)}")
    phone.start()
    return f"/q/{launched.questionnaires['parents']}"


def test_a_patient_person_answers_through_an_open_link(
    app: Flask, opened: str, phone: Browser, patient: None
) -> None:
    assert phone.complete().status_code == 303
    release_all(app)
    with app.app_context():
        assert db.session.execute(select(Response.channel)).scalar_one() == Channel.OPEN_LINK
        assert db.session.execute(select(ResponseDayCount.channel)).scalar_one() == "open_link"


def test_the_honeypot_stops_the_page_and_keeps_nothing(
    app: Flask, opened: str, phone: Browser, patient: None
) -> None:
    html = phone.html
    assert (
        '<div class="hp" aria-hidden="true"><label for="hp_note">Leave this box empty</label>'
        in html
    )
    assert 'tabindex="-1" autocomplete="off"' in html
    before = phone.client.get_cookie("chorus_progress").value
    response = phone.post(
        f"{opened}/page/1", {**phone.answer(), "hp_note": "http://spam", "nav": "next"}
    )
    assert response.status_code == 422
    assert "Leave this box empty" in phone.text and "There is a problem" in phone.html
    assert phone.client.get_cookie("chorus_progress").value == before  # nothing taken
    phone.reach_last_page()
    response = phone.post(phone.form_action(), {**phone.answer(), "hp_note": "x", "nav": "send"})
    assert response.status_code == 422
    assert _responses(app) == 0


def test_moving_on_too_quickly_asks_again_without_losing_answers(
    app: Flask, opened: str, phone: Browser
) -> None:
    data = {**phone.answer("a"), "nav": "next"}
    response = phone.post(f"{opened}/page/1", data)
    assert response.status_code == 422
    assert "You moved on very quickly" in phone.html
    assert phone.html.count('value="a" checked') == 4  # answers shown again
    # Going back is never held up.
    assert phone.post(f"{opened}/page/1", {"nav": "back"}).status_code == 303


def test_a_missing_or_forged_time_stamp_counts_as_too_quick(
    app: Flask, opened: str, phone: Browser, patient: None
) -> None:
    data = {k: v for k, v in phone.answer().items() if k != "t"}
    assert phone.post(f"{opened}/page/1", {**data, "nav": "next"}).status_code == 422
    assert phone.post(f"{opened}/page/1", {**data, "t": "1.2.3", "nav": "next"}).status_code == 422
    with app.app_context():
        other_page = abuse.page_stamp(uuid.uuid4(), 1)  # genuine, but for another survey
    response = phone.post(f"{opened}/page/1", {**data, "t": other_page, "nav": "next"})
    assert response.status_code == 422


def test_the_wait_is_humane() -> None:
    assert abuse.minimum_seconds(1) == 1
    assert abuse.minimum_seconds(2) == 2
    assert abuse.minimum_seconds(40) == 3
    assert abuse.minimum_seconds(0) == 1


def test_one_set_of_answers_per_browser_per_questionnaire(
    app: Flask, launched: Launched, opened: str, phone: Browser, patient: None
) -> None:
    phone.complete()
    code = add_open_link(app, launched.round_id, "children")
    again = phone.get(f"/o/{_code_of(app, launched)}")
    assert again.status_code == 303
    refused = phone.follow(again)
    assert refused.status_code == 409
    assert "already answered on this device" in phone.html
    # Someone else, on their own phone, can still answer.
    other = Browser(app.test_client())
    other.enter(f"/o/{_code_of(app, launched)}")
    other.start()
    assert other.complete().status_code == 303
    # The same phone can still answer the children's questionnaire (families share phones).
    phone.enter(f"/o/{code}")
    assert phone.start().status_code == 200
    assert _responses(app) == 2


def _code_of(app: Flask, launched: Launched) -> str:
    with app.app_context():
        return db.session.execute(
            select(OpenLink.code).where(
                OpenLink.round_id == launched.round_id, OpenLink.audience == "parents"
            )
        ).scalar_one()


@pytest.fixture
def strict_limit(app: Flask) -> Iterator[None]:
    app.config["RESPOND_PAGE_RATE_LIMIT"] = "3 per minute"
    yield
    app.config.pop("RESPOND_PAGE_RATE_LIMIT")
    limiter.reset()


def test_rate_limit_is_kept_per_connection_without_its_address(
    app: Flask, launched: Launched, phone: Browser, patient: None, strict_limit: None
) -> None:
    entry = f"/o/{add_open_link(app, launched.round_id)}"
    replies = [phone.get(entry) for _ in range(4)]
    assert [r.status_code for r in replies] == [303, 303, 303, 429]
    assert "Please wait a few minutes" in phone.html
    # Counted, but a phone is told nothing of the count until it is refused; then when to retry.
    assert not any(name.startswith("X-RateLimit") for r in replies[:3] for name, _ in r.headers)
    assert replies[3].headers["X-RateLimit-Remaining"] == "0"
    assert int(replies[3].headers["Retry-After"]) > 0
    storage = limiter.storage
    keys = list(getattr(storage, "storage", {})) + list(getattr(storage, "expirations", {}))
    assert keys, "expected the limiter to have counted something"
    assert not any("127.0.0.1" in key for key in keys)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        assert any(abuse.client_key() in key for key in keys)


def test_moving_between_pages_is_not_counted_but_saving_and_sending_are(
    app: Flask, opened: str, phone: Browser, patient: None, strict_limit: None
) -> None:
    """Moving writes nothing, so it is never limited; sending and saving are counted."""
    statuses = [phone.post(f"{opened}/page/1", {"nav": "back"}).status_code for _ in range(6)]
    statuses += [phone.post(f"{opened}/start", {"nav": "start"}).status_code for _ in range(2)]
    assert statuses == [303] * 8
    phone.get(f"{opened}/page/1")
    # Counted even when refused (an open link cannot save; page 1 cannot send): three of three.
    counted = [phone.post(f"{opened}/page/1", {"nav": n}).status_code for n in ("send", "save", "")]
    assert counted == [400, 400, 422]
    assert phone.post(f"{opened}/page/1", {"nav": "save"}).status_code == 429


def test_the_rate_limit_key_changes_every_day(app: Flask) -> None:
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        today_key = abuse.client_key()
        assert today_key == abuse.client_key()
        assert "203.0.113.9" not in today_key
        assert abuse.daily_salt("2030-01-01") != abuse.daily_salt("2030-01-02")
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.10"}):
        assert abuse.client_key() != today_key
