"""The kept serializers and caches of issue 15 (app/signing.py, app/csrf.py, app/i18n.py) give
the answers the stock Flask, itsdangerous and Flask-WTF code gives: same cookies, same tokens,
the same refusals, and nothing carried from one request or key to another."""

from __future__ import annotations

import hashlib
import json
import random
import re
import string
import time
import zlib
from typing import Any

import pytest
from flask import Flask, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf as stock_generate_csrf
from flask_wtf.csrf import validate_csrf as stock_validate_csrf
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer
from wtforms import ValidationError

from app import csrf as chorus_csrf
from app import i18n, signing
from app.services.keys import secret_keys


def _stock_session_serializer(app: Flask) -> URLSafeTimedSerializer:
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    return serializer


def test_the_session_cookie_is_flasks_own(app: Flask) -> None:
    ours = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    stock = _stock_session_serializer(app)
    value = {"respondent": {"q": "ab", "done": False}, "csrf_token": "x"}
    assert stock.loads(ours.dumps(value)) == value
    assert ours.loads(stock.dumps(value)) == value
    assert ours is app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]


def _session_after(app: Flask, cookie: str | None) -> dict[str, Any]:
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    with app.test_request_context("/", headers=headers):
        opened = app.session_interface.open_session(app, request)
        assert opened is not None
        return dict(opened)


def test_a_session_cookie_is_read_the_same_every_time_and_each_request_has_its_own_copy(
    app: Flask,
) -> None:
    kept = {"lang": "cy", "nested": {"a": [1]}, "pairs": ({"b": [2]}, "c")}
    cookie = _stock_session_serializer(app).dumps(kept)
    first = _session_after(app, cookie)
    first["nested"]["a"].append(2)  # a request changing its session changes no other's
    first["pairs"][0]["b"].append(3)  # ... inside a tuple too
    assert _session_after(app, cookie) == {
        "lang": "cy",
        "nested": {"a": [1]},
        "pairs": ({"b": [2]}, "c"),
    }


def test_a_forged_session_cookie_is_an_empty_session(app: Flask) -> None:
    cookie = _stock_session_serializer(app).dumps({"lang": "cy"})
    body, _, sig = cookie.rpartition(".")
    assert _session_after(app, f"{body}.{'A' * len(sig)}") == {}
    other = URLSafeTimedSerializer("another key", salt="cookie-session")
    assert _session_after(app, other.dumps({"lang": "cy"})) == {}


def test_a_session_cookie_read_once_still_expires(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookie = _stock_session_serializer(app).dumps({"lang": "cy"})
    assert _session_after(app, cookie) == {"lang": "cy"}  # now known to the process
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    later = time.time() + lifetime + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert _session_after(app, cookie) == {}


def test_a_retired_key_no_longer_opens_a_session_it_opened_before(app: Flask) -> None:
    cookie = _stock_session_serializer(app).dumps({"lang": "cy"})
    assert _session_after(app, cookie) == {"lang": "cy"}
    old = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = app.secret_key = "a new key"
    try:
        assert _session_after(app, cookie) == {}  # the old key is not a fallback
        app.config["SECRET_KEY_FALLBACKS"] = [old]
        assert _session_after(app, cookie) == {"lang": "cy"}  # now it is
    finally:
        app.config["SECRET_KEY"] = app.secret_key = old
        app.config["SECRET_KEY_FALLBACKS"] = []


def test_progress_and_stamp_signatures_are_itsdangerous_own(app: Flask) -> None:
    with app.app_context():
        keys = list(reversed(secret_keys()))
    stock = URLSafeSerializer(keys, salt="chorus-progress")
    ours = signing.url_safe(keys, "chorus-progress")
    payload = {"q": "1", "a": "3" * 40}
    assert stock.loads(ours.dumps(payload)) == payload
    assert ours.loads(stock.dumps(payload)) == payload
    assert signing.url_safe(keys, "chorus-done").dumps([1]) != ours.dumps([1])  # salt counts
    short = {"q": "1"}  # too short to gain from compressing: plain, as the stock class leaves it
    assert ours.dumps(short) == stock.dumps(short)


def _comment(words: int) -> str:
    rng = random.Random(words)
    return " ".join(
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 9)))
        for _ in range(words)
    )


@pytest.mark.parametrize("words", [0, 20, 150, 600])
def test_cookies_compress_as_short_as_zlibs_defaults_in_the_same_format(words: int) -> None:
    """The answers cookie, from radio answers only to a comment filling the cookie: `deflate`
    is read by plain zlib and itsdangerous, and is no longer than zlib's default output."""
    answers = ",".join(str(i % 5 + 1) for i in range(40))
    payload = json.dumps({"a": answers, "t": {"3": _comment(words)}}).encode()
    ours = signing.deflate(payload)
    assert zlib.decompress(ours) == payload
    assert len(ours) <= len(zlib.compress(payload))
    for cls, stock in (
        (signing.URLSafeSerializer, URLSafeSerializer),
        (signing.URLSafeTimedSerializer, URLSafeTimedSerializer),
    ):
        value = {"a": answers, "t": _comment(words)}
        token = cls("k", salt="s").dumps(value)
        assert stock("k", salt="s").loads(token) == value
        assert len(token) == len(stock("k", salt="s").dumps(value))


def test_csrf_tokens_are_flask_wtfs_own_both_ways(app: Flask) -> None:
    with app.test_request_context("/"):
        ours = chorus_csrf.generate_csrf()
        assert chorus_csrf.generate_csrf() == ours  # one per request
        stock_validate_csrf(ours)
        del g.csrf_token
        chorus_csrf.validate_csrf(stock_generate_csrf())


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "The CSRF token is missing."),
        ("not-a-token", "The CSRF token is invalid."),
        ("mine", "The CSRF tokens do not match."),
    ],
)
def test_csrf_refusals_say_what_flask_wtf_says(app: Flask, token: str, message: str) -> None:
    with app.test_request_context("/"):
        chorus_csrf.generate_csrf()
        if token == "mine":  # a good signature over another session's value
            token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(
                hashlib.sha1(b"another browser").hexdigest()
            )
        with pytest.raises(ValidationError, match=re.escape(message)):
            chorus_csrf.validate_csrf(token)
        session.clear()
        if token:
            with pytest.raises(
                ValidationError, match=re.escape("The CSRF session token is missing.")
            ):
                chorus_csrf.validate_csrf(token)


def test_a_session_s_csrf_token_is_signed_once_while_tokens_never_expire(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None  # respondents may take all day
    later = time.time() + 86_400
    with app.test_request_context("/"):
        first = chorus_csrf.generate_csrf()
        value = session["csrf_token"]
    with app.test_request_context("/"):
        session["csrf_token"] = value  # the same browser, a day later
        monkeypatch.setattr(time, "time", lambda: later)
        assert chorus_csrf.generate_csrf() == first
        stock_validate_csrf(first)
    with app.test_request_context("/"):  # another browser: its own token
        assert chorus_csrf.generate_csrf() != first
    # With a time limit the timestamp counts: each page's token is signed afresh.
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", 3600)
    with app.test_request_context("/"):
        session["csrf_token"] = value
        again = chorus_csrf.generate_csrf()
        assert again != first
        chorus_csrf.validate_csrf(again)


def test_a_token_checked_once_is_still_checked_against_each_session(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tokens whose signature passed are remembered, never what they are compared with: the
    same token is refused in another browser's session, after a change of key, and once a time
    limit applies, after it."""
    with app.test_request_context("/"):
        token = chorus_csrf.generate_csrf()
        value = session["csrf_token"]
        chorus_csrf.validate_csrf(token)
        chorus_csrf.validate_csrf(token)  # checked again, from what the process kept
        body, _, sig = token.rpartition(".")
        with pytest.raises(ValidationError, match="The CSRF token is invalid"):
            chorus_csrf.validate_csrf(f"{body}.{'A' * len(sig)}")
    with app.test_request_context("/"):  # another browser sends this browser's token
        chorus_csrf.generate_csrf()
        with pytest.raises(ValidationError, match="The CSRF tokens do not match"):
            chorus_csrf.validate_csrf(token)
    monkeypatch.setitem(app.config, "SECRET_KEY", "a new key")
    monkeypatch.setattr(app, "secret_key", "a new key")
    with app.test_request_context("/"):
        session["csrf_token"] = value
        with pytest.raises(ValidationError, match="The CSRF token is invalid"):
            chorus_csrf.validate_csrf(token)
    monkeypatch.undo()
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", 60)
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    with app.test_request_context("/"):
        session["csrf_token"] = value
        with pytest.raises(ValidationError, match="The CSRF token has expired"):
            chorus_csrf.validate_csrf(token)


def test_a_post_without_its_token_is_refused_and_one_with_it_passes(app: Flask) -> None:
    client = app.test_client()
    refused = client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert refused.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    tried = client.post(
        "/login", data={"email": "a@example.org", "password": "x", "csrf_token": token}
    )
    assert tried.status_code != 400


def test_kept_translations_follow_a_change_of_language_within_a_request(app: Flask) -> None:
    text = "Skip to main content"
    with app.test_request_context("/"):
        english = i18n.gettext(text)
        with i18n.speaking("cy"):
            welsh = i18n.gettext(text)
        assert i18n.gettext(text) == english
        g.chorus_lang = "cy"
        i18n.refresh()
        assert i18n.gettext(text) == welsh
    assert welsh != english
