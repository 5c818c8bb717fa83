"""A frozen questionnaire's pages as first shown, and its check page's rows, are rendered once
per process; nothing a respondent chose or typed is ever kept in that cache."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from typing import Any

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.rendering import render_page
from app.respond import views
from app.services.responding import clear_shape_cache, load_survey
from tests.app.respond.helpers import Browser, Launched, add_open_link, invite, page_fields
from tests.app.respond.test_own_questions import good, launch_with_questions, to_own_page

_QUESTIONS = re.compile(r'<div class="questions">.*?</form>', re.S)
COMMENT = "Our family worker rings back the same day"


def _questions(html: str) -> str:
    found = _QUESTIONS.search(html)
    assert found, "no questions on the page"
    return found.group(0)


def _held(app: Flask, launched: Launched, kind: type = int) -> list[str]:
    """What is kept: the pages' questions (keyed by page number), or the whole pages ("page")."""
    with app.test_request_context():
        survey = load_survey(launched.questionnaires["parents"])
        assert survey is not None
        return [
            "".join(kept) if isinstance(kept, list) else str(kept)
            for key, kept in survey.shape.rendered.items()
            if isinstance(key[0], kind)
        ]


def test_two_people_see_the_same_first_page_and_it_is_rendered_once(
    app: Flask, launched: Launched, client: FlaskClient
) -> None:
    first, second = Browser(client), Browser(app.test_client())
    for phone in (first, second):
        phone.enter(f"/r/{invite(app, launched.round_id)}")
        phone.start()
    assert _questions(first.html) == _questions(second.html)
    held = _held(app, launched)
    assert len(held) == 1 and 'name="' in held[0] and " checked" not in held[0]


def test_answers_and_comments_are_shown_back_but_never_cached(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    phone.start()
    choose = "strongly_agree"
    while not phone.on_last_page():
        texts = {
            name: COMMENT for name in re.findall(r'<textarea id="[^"]+" name="([^"]+)"', phone.html)
        }
        data = {**phone.answer(choose, texts), "nav": "next"}
        phone.follow(phone.post(phone.form_action(), data))
    # Back to the first page: the chosen answers come back checked, from a fresh rendering.
    phone.follow(phone.post(phone.form_action(), {**phone.answer(choose), "nav": "back"}))
    while "Back" in phone.html and "/page/1" not in phone.form_action():
        phone.follow(phone.post(phone.form_action(), {**phone.answer(choose), "nav": "back"}))
    assert " checked" in _questions(phone.html)
    held = _held(app, launched) + _held(app, launched, str)
    assert len(held) > 2, "the pages first shown were cached"
    assert not any(" checked" in markup or COMMENT in markup for markup in held)


# -- the check page's rows ------------------------------------------------------------------------

# What differs between two requests whatever the rows: the CSRF token and the offline grant.
_TOKEN = re.compile(r'(name="csrf_token" value="|name="csrf-token" content="|-grant=")[^"]+')


def _check_page(phone: Browser, base: str, headers: dict[str, str] | None = None) -> str:
    response = phone.client.get(f"{base}/check", headers=headers or {})
    assert response.status_code == 200, response.status_code
    return _TOKEN.sub(r"\1TOKEN", response.get_data(as_text=True))


def _kept_check(app: Flask, questionnaire_id: object) -> list[object]:
    with app.test_request_context():
        survey = load_survey(questionnaire_id)  # type: ignore[arg-type]
        assert survey is not None
        return [kept for key, kept in survey.shape.rendered.items() if key[0] == "check"]


@pytest.mark.parametrize("audience", ["parents", "children"])
def test_the_check_page_from_kept_rows_is_the_page_rendered_afresh(
    app: Flask, phone: Browser, monkeypatch: pytest.MonkeyPatch, audience: str
) -> None:
    round_id, ids = launch_with_questions(app)
    phone.enter(f"/r/{invite(app, round_id, audience)}")
    phone.start()
    to_own_page(phone)
    adults = audience == "parents"
    # Adults answer every own question but one; children (a question a page) the first only.
    own = {**good(ids), f"q-{ids[3]}": ""} if adults else {}
    first = phone.answer("a" if adults else "no")
    phone.follow(phone.post(phone.form_action(), {**first, **own, "nav": "next"}))
    phone.reach_check("a" if adults else "happy")
    base = phone.form_action().rsplit("/", 1)[0]
    kept = [_check_page(phone, base), _check_page(phone, base, {"HX-Request": "true"})]
    assert not adults or ("A neighbour told me" in kept[0] and "Longer opening hours" in kept[0])
    monkeypatch.setattr(views, "check_row_renderer", lambda *_args: None)
    afresh = [_check_page(phone, base), _check_page(phone, base, {"HX-Request": "true"})]
    assert kept == afresh


def test_the_kept_check_rows_hold_no_answers_and_do_not_depend_on_them(
    app: Flask, launched: Launched
) -> None:
    seen = []
    for choose, comment in (("strongly_agree", COMMENT), ("disagree", "")):
        clear_shape_cache()
        phone = Browser(app.test_client())
        phone.enter(f"/r/{invite(app, launched.round_id)}")
        phone.start()
        while not phone.on_last_page():
            data = phone.answer(choose, {n: comment for n in page_fields(phone.html)["texts"]})
            phone.follow(phone.post(phone.form_action(), {**data, "nav": "next"}))
        phone.reach_check(choose)
        assert "Not answered" not in phone.text
        seen.append(
            (_kept_check(app, launched.questionnaires["parents"]), _check_frames(app, launched))
        )
    assert seen[0][0] and seen[0][1] and seen[0] == seen[1]
    assert COMMENT not in repr(seen[0]) and "Strongly agree" not in "".join(seen[0][1])


def _check_frames(app: Flask, launched: Launched) -> list[str]:
    """The check page kept around its rows (fragments.kept_page, keyed "check")."""
    with app.test_request_context():
        survey = load_survey(launched.questionnaires["parents"])
        assert survey is not None
        return [
            "".join(kept)
            for key, kept in survey.shape.rendered.items()
            if key[0] == "page" and "check" in key and isinstance(kept, list)
        ]


# -- whole pages as first shown -------------------------------------------------------------------

# What differs between two requests for the same page: the CSRF token, grant and page stamp.
_OWN_VALUES = re.compile(
    r'(name="csrf_token" value="|name="csrf-token" content="|-grant="|-sid="|name="t" value=")[^"]+'
)


def _afresh(
    _shape: object,
    _key: object,
    template: str,
    block: str,
    make_context: Callable[[], dict[str, Any]],
    fill: dict[str, str],
    status: int = 200,
    **_kwargs: Any,
) -> Any:
    """The page rendered whole for this request, its own values put back where the holes are."""
    context = make_context()
    if "form" not in context:  # a welcome or thank-you page: nothing of the request's own
        return render_page(template, block=block, status=status, **context)
    form = dict(context["form"])
    if "stamp" in fill:
        form["stamp"] = fill["stamp"]
    if form["offline"] and "grant" in fill:
        form["offline"] = {**form["offline"], "grant": fill["grant"], "sid": fill["sid"]}
    return render_page(template, block=block, status=status, **{**context, "form": form})


def _walk(phone: Browser, headers: dict[str, str]) -> list[str]:
    """Every page as first shown (plain GETs, or the HTMX POSTs that answer with the next)."""
    seen, token = [], phone.csrf()  # a swapped block has no meta tag: the page's token serves
    for _ in range(20):
        if headers:
            data = {**phone.answer("a"), "nav": "next", "csrf_token": token}
            response = phone.client.post(phone.form_action(), data=data, headers=headers)
        else:
            response = phone.follow(phone.submit_page("next", "a"))
        body = response.get_data(as_text=True)
        seen.append(_OWN_VALUES.sub(r"\1X", body))
        if headers:
            phone.html = body
        if "/check" in response.headers.get("HX-Push-Url", "") or "/send" in phone.form_action():
            return seen
    raise AssertionError("never reached the check page")


@pytest.mark.parametrize("entry", ["invitation", "open link"])
def test_kept_pages_are_the_pages_rendered_afresh(
    app: Flask, launched: Launched, monkeypatch: pytest.MonkeyPatch, patient: None, entry: str
) -> None:
    """Both flows in one process (what is kept for one must never be served to the other)."""
    walks, code = [], add_open_link(app, launched.round_id)
    for kept in (True, False):
        if not kept:
            monkeypatch.setattr(views.fragments, "kept_page", _afresh)
            # The check page, rows and all, from its template (no kept rows, no kept frame).
            monkeypatch.setattr(views, "check_row_renderer", lambda *_args: None)
        for headers in ({}, {"HX-Request": "true"}):
            phone = Browser(app.test_client())
            address = (
                f"/o/{code}" if entry == "open link" else f"/r/{invite(app, launched.round_id)}"
            )
            phone.enter(address)
            welcome = _OWN_VALUES.sub(r"\1X", phone.html)
            phone.start()
            walk = _walk(phone, headers)
            phone.get(phone.form_action().replace("/send", "/check"))  # the whole page
            phone.follow(phone.send_checked())
            walks.append([welcome, *walk, _OWN_VALUES.sub(r"\1X", phone.html)])
    assert "Start" in walks[0][0] and "Thank you" in walks[0][-1]
    assert walks[:2] == walks[2:]
    assert len(walks[0]) >= 2 and _held(app, launched, str)


# -- kept pages in gzip (app/respond/gzip_splice.py) ---------------------------------------------


def _both_ways(phone: Browser, method: str, url: str, **kwargs: Any) -> tuple[str, str, Any]:
    """The same request without compression and asking for it: both bodies, as the page reads."""
    plain = phone.client.open(url, method=method, **kwargs)
    headers = {**kwargs.pop("headers", {}), "Accept-Encoding": "gzip, deflate, br"}
    packed = phone.client.open(url, method=method, headers=headers, **kwargs)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"] and "HX-Request" in packed.headers["Vary"]
    unpacked = gzip.decompress(packed.data).decode()
    return (
        _OWN_VALUES.sub(r"\1X", plain.get_data(as_text=True)),
        _OWN_VALUES.sub(r"\1X", unpacked),
        packed,
    )


@pytest.mark.parametrize("entry", ["invitation", "open link"])
def test_kept_pages_in_gzip_are_the_pages_uncompressed(
    app: Flask, launched: Launched, patient: None, entry: str
) -> None:
    phone = Browser(app.test_client())
    code = add_open_link(app, launched.round_id)
    phone.enter(f"/o/{code}" if entry == "open link" else f"/r/{invite(app, launched.round_id)}")
    welcome = phone.client.get(phone.form_action().rsplit("/", 1)[0]).request.path
    plain, unpacked, _packed = _both_ways(phone, "GET", welcome)
    assert plain == unpacked and "Start" in plain
    phone.start()
    first = phone.form_action()
    plain, unpacked, _packed = _both_ways(phone, "GET", first)
    assert plain == unpacked and 'type="radio"' in plain
    # The HTMX flow: the POST answers with the next section, kept too.
    data = {**phone.answer("a"), "nav": "next", "csrf_token": phone.csrf()}
    plain, unpacked, packed = _both_ways(
        phone, "POST", first, data=data, headers={"HX-Request": "true"}
    )
    assert plain == unpacked and "HX-Push-Url" in packed.headers
    # What is kept for gzip holds the same markup as the pages: no answer in either.
    assert not any(" checked" in markup for markup in _held(app, launched, str))


def test_kept_pages_follow_the_browser_s_choice_of_compression(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    phone.start()
    page = phone.form_action()
    for asked, coding in (
        ("br", "br"),  # Brotli only: compressed as every other page is
        ("gzip;q=0, br", "br"),
        ("br;q=1, gzip;q=0.5", "br"),  # a stated preference is kept
        ("identity", None),
        ("gzip", "gzip"),
        ("*", "gzip"),
    ):
        response = phone.client.get(page, headers={"Accept-Encoding": asked})
        assert response.headers.get("Content-Encoding") == coding, asked
        body = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[coding]
        assert b'type="radio"' in body(response.data)  # type: ignore[operator]


def test_kept_pages_inside_another_answer_stay_text_whatever_the_browser_takes(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    """The offline kit carries the blank pages (kept pages) inside its JSON: only the answer as
    a whole is compressed, as the browser asked."""
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    phone.start()
    base = phone.form_action().rsplit("/page/", 1)[0]
    kit = phone.client.get(f"{base}/offline/pages", headers={"Accept-Encoding": "gzip"})
    assert kit.status_code == 200 and kit.headers["Content-Encoding"] == "gzip"
    pages = json.loads(gzip.decompress(kit.data))["pages"]
    assert pages and all('type="radio"' in html for html in pages.values())
