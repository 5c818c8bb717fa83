"""Save and continue later: encrypted under the link, resumed from it, gone after sending."""

from __future__ import annotations

import json
import re

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import SavedDraft
from app.services.tokens import decrypt_draft, draft_lookup, token_hash
from tests.app.respond.helpers import SECRET, Browser, Launched, add_open_link, invite, page_fields

SECRET_WORDS = "Our key worker, Jo, never rings back"


def _checked(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="([^"]+)" value="([^"]+)" checked', html))


def _save_on_page_two(app: Flask, launched: Launched, phone: Browser, token: str) -> str:
    base = f"/q/{launched.questionnaires['parents']}"
    phone.enter(f"/r/{token}")
    phone.start()
    data = {**phone.answer("d"), "ft-0-could_be_better": SECRET_WORDS, "nav": "next"}
    phone.follow(phone.post(f"{base}/page/1", data))
    first = next(iter(page_fields(phone.html)["radios"]))
    response = phone.post(f"{base}/page/2", {first: "sa", "nav": "save"})  # half done: fine
    assert response.status_code == 303 and response.location == f"{base}/saved"
    phone.follow(response)
    return base


def _drafts(app: Flask) -> list[SavedDraft]:
    with app.app_context():
        rows = list(db.session.execute(select(SavedDraft)).scalars())
        for row in rows:
            db.session.expunge(row)
        return rows


def test_saving_keeps_an_encrypted_draft_only_the_link_can_open(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    token = invite(app, launched.round_id)
    _save_on_page_two(app, launched, phone, token)
    assert "Your answers are saved" in phone.html
    assert "open the link in your invitation email again" in phone.html
    [draft] = _drafts(app)
    assert draft.lookup == draft_lookup(SECRET, token)
    assert draft.lookup != token_hash(token) and token not in draft.lookup
    assert SECRET_WORDS.encode() not in draft.ciphertext
    assert b'"a":' not in draft.ciphertext  # no readable answers
    assert decrypt_draft(SECRET, invite(app, launched.round_id), draft.ciphertext) is None
    assert decrypt_draft("another-secret", token, draft.ciphertext) is None
    opened = json.loads(decrypt_draft(SECRET, token, draft.ciphertext) or b"{}")
    assert opened["t"] == {"0:could_be_better": SECRET_WORDS}
    assert opened["a"].split(",")[:5] == ["d", "d", "d", "d", "sa"]


def test_the_same_link_resumes_on_another_device(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    token = invite(app, launched.round_id)
    base = _save_on_page_two(app, launched, phone, token)
    laptop = Browser(app.test_client())
    laptop.enter(f"/r/{token}")
    assert "Carry on" in laptop.html and "You have answered 5 of 7 questions" in laptop.html
    response = laptop.post(f"{base}/start", {"nav": "start"})
    assert response.location == f"{base}/page/2"  # the first page with a question left
    laptop.follow(response)
    assert list(_checked(laptop.html).values()) == ["sa"]
    laptop.follow(laptop.post(f"{base}/page/2", {"nav": "back"}))
    assert SECRET_WORDS in laptop.html


def test_a_newer_draft_wins_over_an_older_copy_in_the_browser(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    token = invite(app, launched.round_id)
    base = _save_on_page_two(app, launched, phone, token)
    laptop = Browser(app.test_client())
    laptop.enter(f"/r/{token}")
    laptop.start()
    laptop.follow(laptop.post(f"{base}/page/2", {**laptop.answer("a"), "nav": "save"}))
    phone.enter(f"/r/{token}")  # the phone's copy is older than the laptop's save
    assert "You have answered 7 of 7 questions" in phone.html
    # ...while a browser copy newer than the draft is kept.
    phone.start()
    phone.follow(phone.post(f"{base}/page/3", {"role": "under_5", "nav": "back"}))
    phone.enter(f"/r/{token}")
    # Every question answered: Carry on goes to the check page, the phone's role answer there.
    response = phone.post(f"{base}/start", {"nav": "start"})
    assert response.location == f"{base}/check"
    phone.follow(response)
    assert '<dd class="sl-v"><span>Under 5</span></dd>' in phone.html


def test_the_draft_is_deleted_when_the_answers_are_sent(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    token = invite(app, launched.round_id)
    base = _save_on_page_two(app, launched, phone, token)
    phone.enter(f"/r/{token}")
    phone.follow(phone.post(f"{base}/start", {"nav": "start"}))
    assert phone.complete().status_code == 303
    assert _drafts(app) == []


def test_starting_again_deletes_the_draft(app: Flask, launched: Launched, phone: Browser) -> None:
    token = invite(app, launched.round_id)
    base = _save_on_page_two(app, launched, phone, token)
    phone.get(base)
    phone.post(f"{base}/start", {"nav": "restart"})
    assert _drafts(app) == []


def test_a_shared_device_can_forget_the_answers(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    token = invite(app, launched.round_id)
    base = _save_on_page_two(app, launched, phone, token)
    response = phone.post(f"{base}/forget", {})
    assert response.location == "/forgotten"
    phone.follow(response)
    assert "removed from this device" in phone.html
    assert phone.client.get_cookie("chorus_progress") is None
    assert phone.get(base).status_code == 403  # the link is needed again
    assert len(_drafts(app)) == 1  # the saved copy is still there for the link


def test_open_links_cannot_save(app: Flask, launched: Launched, phone: Browser, patient) -> None:
    phone.enter(f"/o/{add_open_link(app, launched.round_id)}")
    phone.start()
    assert "Save and continue later" not in phone.html
    response = phone.post(phone.form_action(), {**phone.answer(), "nav": "save"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(SavedDraft)).scalar_one() == 0
