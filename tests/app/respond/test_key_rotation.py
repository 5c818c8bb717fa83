"""Rotating SECRET_KEY mid-round loses nothing (DESIGN.md 6.8), and the session cookie, which
anyone holding it can read, holds nothing that opens an invitation."""

from __future__ import annotations

import base64
import json
import uuid
import zlib

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.mail.render import build_context, template_vars
from app.models import Invitation, InvitationStatus, MessageKind, Response, SavedDraft
from app.services.tokens import draft_lookup, token_hash
from tests.app.respond.helpers import SECRET, Browser, Launched, invite, page_fields

NEW_SECRET = "the-new-key-after-rotation-not-for-production"


@pytest.fixture
def rotate(app: Flask, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def rotate() -> None:
        monkeypatch.setitem(app.config, "SECRET_KEY", NEW_SECRET)
        monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [SECRET])

    return rotate


def _save_on_page_two(launched: Launched, phone: Browser, token: str) -> str:
    base = f"/q/{launched.questionnaires['parents']}"
    phone.enter(f"/r/{token}")
    phone.start()
    phone.follow(phone.post(f"{base}/page/1", {**phone.answer("d"), "nav": "next"}))
    first = next(iter(page_fields(phone.html)["radios"]))
    response = phone.post(f"{base}/page/2", {first: "sa", "nav": "save"})
    assert response.status_code == 303 and response.location == f"{base}/saved"
    phone.follow(response)
    return base


def _lookups(app: Flask) -> set[str]:
    with app.app_context():
        return set(db.session.execute(select(SavedDraft.lookup)).scalars())


def test_an_old_link_and_its_draft_still_open_after_rotation(
    app: Flask, launched: Launched, phone: Browser, rotate
) -> None:
    token = invite(app, launched.round_id)  # emailed under the old key
    base = _save_on_page_two(launched, phone, token)
    assert _lookups(app) == {draft_lookup(SECRET, token)}
    rotate()

    # The device that started carries on with its old cookies (session and progress).
    phone.get(f"{base}/page/2")
    assert "You have answered" not in phone.html  # a page of questions, not an error
    assert 'value="sa" checked' in phone.html

    # Another device opens the old emailed link: the draft resumes.
    laptop = Browser(app.test_client())
    laptop.enter(f"/r/{token}")
    assert "Carry on" in laptop.html and "You have answered 5 of 7 questions" in laptop.html
    laptop.follow(laptop.post(f"{base}/start", {"nav": "start"}))
    # Saving again moves the draft to the new key; the old copy is gone.
    laptop.follow(laptop.post(f"{base}/page/2", {**laptop.answer("a"), "nav": "save"}))
    assert _lookups(app) == {draft_lookup(NEW_SECRET, token)}

    laptop.enter(f"/r/{token}")
    laptop.follow(laptop.post(f"{base}/start", {"nav": "start"}))
    assert laptop.complete().status_code == 303
    assert "Thank you" in laptop.html
    assert _lookups(app) == set()
    with app.app_context():
        status = db.session.execute(
            select(Invitation.status).where(Invitation.token_hash == token_hash(token))
        ).scalar_one()
        answered = db.session.execute(select(func.count()).select_from(Response)).scalar_one()
    assert status == InvitationStatus.COMPLETED
    assert answered <= 1  # 1 once released (the mix may hold it in its inbox until then)


def test_a_draft_saved_under_the_old_key_is_deleted_on_submit(
    app: Flask, launched: Launched, phone: Browser, rotate
) -> None:
    token = invite(app, launched.round_id)
    base = _save_on_page_two(launched, phone, token)
    rotate()
    phone.enter(f"/r/{token}")
    phone.follow(phone.post(f"{base}/start", {"nav": "start"}))
    assert phone.complete().status_code == 303
    assert _lookups(app) == set()  # no answers left behind under the retired key


def test_a_reminder_after_rotation_carries_the_link_already_sent(
    app: Flask, launched: Launched, rotate
) -> None:
    token = invite(app, launched.round_id)
    rotate()
    with app.app_context(), app.test_request_context():
        invitation = db.session.execute(
            select(Invitation).where(Invitation.token_hash == token_hash(token))
        ).scalar_one()
        ctx = build_context(launched.round_id, "parents")
        values = template_vars(
            MessageKind.REMINDER,
            ctx,
            invitation.id,
            "",
            [NEW_SECRET, SECRET],
            invitation.token_hash,
        )
    assert str(values["link"]).endswith(f"/r/{token}")
    assert str(values["unsubscribe"]).endswith(token)


def _session_payload(browser: Browser) -> str:
    """What anyone holding the cookie reads: Flask's session is signed, not encrypted."""
    raw = browser.cookies()["session"]
    compressed = raw.startswith(".")
    body = raw.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    return (zlib.decompress(data) if compressed else data).decode()


def test_the_session_cookie_does_not_hold_the_token(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    token = invite(app, launched.round_id)
    phone.enter(f"/r/{token}")
    payload = _session_payload(phone)
    entry = json.loads(payload)["respondent"]
    assert entry["q"] == launched.questionnaires["parents"].hex  # the cookie was read
    for secret_thing in (
        token,
        token_hash(token),
        draft_lookup(SECRET, token),
        base64.urlsafe_b64encode(token.encode()).decode().rstrip("="),
    ):
        assert secret_thing not in payload
    assert str(uuid.UUID(entry["q"])) not in token  # nothing silly
    # Sealed afresh each time: two visits never show the same value.
    again = Browser(app.test_client())
    again.enter(f"/r/{token}")
    assert json.loads(_session_payload(again))["respondent"]["tk"] != entry["tk"]
