"""Check your answers (issue 20): every answer before Send, a Change link back to its page.

Without JavaScript (POST, 303, GET), with HTMX (the same block swapped in), in easy read
("You are nearly done"), from an old last page still open, and against tampered forms.
"""

from __future__ import annotations

import html
import logging
import re
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Comment, QuestionAnswer, QuestionText, Response
from app.respond import state
from app.services.responding import load_survey
from tests.app.respond.helpers import Browser, Launched, hidden_fields, invite, page_fields
from tests.app.respond.test_htmx_flow import HX, HtmxBrowser
from tests.app.respond.test_own_questions import good, launch_with_questions, to_own_page
from tests.support import release_all

WROTE = "The Tuesday drop-in is a real help"


def _responses(app: Flask) -> int:
    """Responses stored (released at once: normally they wait for the mix)."""
    release_all(app)
    with app.app_context():
        return int(db.session.execute(select(func.count()).select_from(Response)).scalar_one())


def _begin(app: Flask, launched: Launched, phone: Browser, audience: str = "parents") -> str:
    phone.enter(f"/r/{invite(app, launched.round_id, audience)}")
    phone.start()
    return f"/q/{launched.questionnaires[audience]}"


def _answer_all(phone: Browser, choose: str = "a", comment: str = WROTE) -> None:
    """Every page answered (`choose` where offered, the first option elsewhere), a comment in
    each "works well" box, on to the check page."""
    for _ in range(50):
        data = phone.answer(choose)
        for name in page_fields(phone.html)["texts"]:
            if name.endswith("works_well"):
                data[name] = comment
        response = phone.post(phone.form_action(), {**data, "nav": "next"})
        assert response.status_code == 303, (response.status_code, phone.text[:300])
        phone.follow(response)
        if response.location.endswith("/check"):
            return
    raise AssertionError("never reached the check page")


def _rows(page: str) -> list[tuple[str, str]]:
    """(question, answer) of every row of the summary list."""
    found = re.findall(r'<dt>(.*?)</dt>\n<dd class="sl-v">(.*?)</dd>', page, re.S)
    return [(html.unescape(q), html.unescape(re.sub(r"<[^>]+>", "", a))) for q, a in found]


def _changes(page: str) -> list[tuple[str, str]]:
    """(address, visually hidden words) of every Change link."""
    found = re.findall(
        r'<a href="([^"]+)" hx-get="[^"]+"[^>]*>\w+<span class="vh"> (.*?)</span>', page
    )
    return [(html.unescape(url), html.unescape(words)) for url, words in found]


def test_the_last_page_continues_to_a_check_page_listing_every_answer(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    base = _begin(app, launched, phone)
    _answer_all(phone, "a", WROTE)
    assert phone.locations[-1] == f"{base}/check"
    assert "<title>Check your answers – Org A</title>" in phone.html
    with app.app_context():
        shape = load_survey(launched.questionnaires["parents"]).shape  # type: ignore[union-attr]
    rows = _rows(phone.html)
    statements = [item.statement for item in shape.items]
    asked = [q for q, _a in rows]
    # Every statement, in order, then each section's comment boxes, then the role question.
    assert [q for q in asked if q in statements] == statements
    for item in shape.items:
        assert (item.statement, "Agree") in rows
    assert ("What works well?", WROTE) in rows
    assert ("What could be better?", "Nothing written") in rows
    assert asked[-1].startswith("How old is the child")
    # Grouped by page: each section's heading once, the role question under "About you".
    headings = re.findall(r"<h2>(.*?)</h2>", phone.html)
    assert headings[: shape.last_page] == [html.escape(p.heading) for p in shape.pages]
    # A Change link per row, to its own page, naming the question for screen readers.
    changes = _changes(phone.html)
    assert len(changes) == len(rows)
    first = shape.items[0]
    assert (f"{base}/page/1?change=1#{first.field}", f"your answer to: {first.statement}") in (
        changes
    )
    assert changes[-1][0] == f"{base}/page/{shape.last_page}?change=1#role"
    # Send is on the check page, and only there.
    assert phone.form_action() == f"{base}/send"
    assert "Send my answers" in phone.html and "When you send your answers" in phone.html
    assert _responses(app) == 0


def test_change_returns_to_the_check_page_not_through_later_pages(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    base = _begin(app, launched, phone)
    _answer_all(phone, "a")
    change, _words = _changes(phone.html)[0]
    page = phone.get(change.split("#")[0])
    assert page.status_code == 200 and "Section 1 of 3" in phone.html
    assert hidden_fields(phone.html).get("change") == "1"
    assert " checked" in phone.html  # the answers given are shown again
    response = phone.submit_page("next", "sd")
    assert response.status_code == 303 and response.location == f"{base}/check"
    phone.follow(response)
    answers = [a for _q, a in _rows(phone.html)]
    assert "Strongly disagree" in answers and "Agree" in answers  # page 1 changed, page 2 kept
    # Back from a page opened to change goes back to the check page too.
    phone.get(f"{base}/page/2?change=1")
    response = phone.submit_page("back", "sa")
    assert response.location == f"{base}/check"
    # A mistake on the changed page: asked again there, still on its way back to the check.
    phone.get(f"{base}/page/1?change=1")
    response = phone.post(phone.form_action(), {"change": "1", "nav": "next"})
    assert response.status_code == 422 and hidden_fields(phone.html).get("change") == "1"
    assert _responses(app) == 0


def test_send_from_the_check_page_stores_exactly_one_response(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    base = _begin(app, launched, phone)
    _answer_all(phone, "sa", WROTE)
    before = phone.cookies()
    response = phone.send_checked()
    assert response.status_code == 303 and response.location == f"{base}/thanks"
    phone.follow(response)
    assert "Thank you" in phone.text
    # A double tap (the old cookies sent again) stores nothing more.
    phone.restore(before)
    again = phone.client.post(f"{base}/send", data={"csrf_token": phone.csrf(), "check": "1"})
    assert again.status_code in (303, 409)
    assert _responses(app) == 1
    with app.app_context():
        values = set(db.session.execute(select(Answer.value)).scalars())
        assert values == {"sa"}
        assert db.session.execute(select(Comment.text)).scalars().all() == [WROTE, WROTE]


def test_an_old_last_page_still_sends_and_loses_nothing(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    """A last page shown before this release posted its answers to /send with nav=send."""
    base = _begin(app, launched, phone)
    phone.reach_last_page("a")
    data = {**phone.answer("a"), "role": "5_to_11", "nav": "send"}
    response = phone.post(f"{base}/send", data)
    assert response.status_code == 303 and response.location == f"{base}/thanks"
    assert _responses(app) == 1
    with app.app_context():
        assert db.session.execute(select(Response.role)).scalar_one() == "5_to_11"


def test_an_old_last_page_sent_to_its_own_address_is_taken_too(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    base = _begin(app, launched, phone)
    phone.reach_last_page("a")
    response = phone.post(phone.form_action(), {"role": "under_5", "nav": "send"})
    assert response.status_code == 303 and response.location == f"{base}/thanks"
    assert _responses(app) == 1


def test_unanswered_questions_say_so_and_send_asks_for_them(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    base = _begin(app, launched, phone)
    phone.follow(phone.submit_page("next", "a"))  # section 1 only
    phone.get(f"{base}/check")
    rows = _rows(phone.html)
    assert ("What works well?", "Nothing written") in rows
    assert sum(1 for _q, a in rows if a == "Not answered") >= 2
    assert "Some questions have not been answered yet." in phone.text
    assert re.search(rf'href="{base}/page/2\?change=1#a-[^"]+"[^>]*>Answer<span', phone.html)
    response = phone.send_checked()
    assert response.status_code == 422
    assert "Section 2 of 3" in phone.html and '<a href="#a-' in phone.html
    assert hidden_fields(phone.html).get("change") == "1"  # answered: back to the check page
    assert _responses(app) == 0


def test_the_check_page_needs_answers_on_this_device(
    app: Flask, launched: Launched, phone: Browser, client: FlaskClient
) -> None:
    base = _begin(app, launched, phone)
    phone.client.delete_cookie(state.PROGRESS_COOKIE)
    assert phone.get(f"{base}/check").location == base
    response = phone.post(f"{base}/send", {"check": "1", "nav": "send"})
    assert response.status_code == 303 and response.location == base
    stranger = Browser(client.application.test_client())
    assert stranger.get(f"{base}/check").status_code == 403
    assert _responses(app) == 0


@pytest.mark.parametrize(
    "extra",
    [
        {"nav": "next"},
        {"nav": "nonsense"},
        {"nav": "send", "a-" + uuid.uuid4().hex: "a"},
        {"nav": "send", "role": "under_5"},
        {"nav": "send", "ft-0-works_well": "sneaked in"},
    ],
    ids=["next", "nonsense", "answer", "role", "comment"],
)
def test_a_tampered_check_form_is_refused_with_nothing_stored(
    app: Flask, launched: Launched, phone: Browser, extra: dict[str, str]
) -> None:
    base = _begin(app, launched, phone)
    _answer_all(phone, "a")
    response = phone.post(f"{base}/send", {"check": "1", **extra})
    assert response.status_code == 422
    assert "There is a problem" in phone.text and "Nothing was sent." in phone.text
    assert "Check your answers" in phone.text
    assert _responses(app) == 0
    # The answers are all still there: Send works afterwards.
    assert phone.send_checked().status_code == 303
    assert _responses(app) == 1


def test_odd_change_values_and_addresses_are_harmless(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    base = _begin(app, launched, phone)
    _answer_all(phone, "a")
    for url in (f"{base}/page/1?change=%00", f"{base}/page/1?change=2", f"{base}/check?x=1"):
        assert phone.get(url).status_code == 200
    assert phone.get(f"{base}/page/99?change=1").status_code == 404
    phone.get(f"{base}/page/1")
    response = phone.post(f"{base}/page/1", {**phone.answer("a"), "change": "yes", "nav": "next"})
    assert response.status_code == 303 and response.location == f"{base}/page/2"


def test_another_persons_answers_never_appear(
    app: Flask, launched: Launched, phone: Browser, client: FlaskClient
) -> None:
    """The check page is read from this browser's own progress cookie only."""
    base = _begin(app, launched, phone)
    _answer_all(phone, "sa", "Only the first person wrote this")
    # The first person saves a draft on the server (encrypted under their own link).
    phone.get(f"{base}/page/1")
    phone.post(phone.form_action(), {**phone.answer("sa"), "nav": "save"})
    other = Browser(app.test_client())
    _begin(app, launched, other)
    _answer_all(other, "d", "The second person")
    assert "Only the first person wrote this" not in other.html
    assert "Strongly agree" not in other.html
    # Another person's signed progress cookie, sent with this browser's entry, does not fit
    # this questionnaire once it is a different survey: nothing of it is shown.
    children = Browser(app.test_client())
    cbase = _begin(app, launched, children, "children")
    children.client.set_cookie(state.PROGRESS_COOKIE, phone.cookies()[state.PROGRESS_COOKIE])
    assert children.get(f"{cbase}/check").location == cbase
    # And this browser cannot open the other questionnaire's check page at all.
    assert children.get(f"{base}/check").status_code == 403


def test_no_log_line_holds_an_answer(
    app: Flask, launched: Launched, phone: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _begin(app, launched, phone)
    _answer_all(phone, "a", "A secret about the drop-in")
    phone.get(_changes(phone.html)[0][0].split("#")[0])
    phone.follow(phone.submit_page("next", "a"))
    phone.send_checked()
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "A secret about the drop-in" not in logged and "drop-in" not in logged


def test_htmx_swaps_in_the_check_page_and_its_change_links(app: Flask, launched: Launched) -> None:
    browser = HtmxBrowser(app.test_client())
    base = _begin(app, launched, browser)
    for _ in range(2):
        browser.post(browser.form_action(), {**browser.answer("a"), "nav": "next"})
    response = browser.post(browser.form_action(), {**browser.answer("a"), "nav": "next"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["HX-Push-Url"] == f"{base}/check"
    assert body.lstrip().startswith('<div id="survey"') and "<html" not in body
    assert "Check your answers" in body and f'hx-post="{base}/send"' in body
    assert f'hx-get="{base}/page/1?change=1#' in body and 'hx-push-url="true"' in body
    # A Change link over HTMX: the page's block alone, with the way back to the check page.
    change = _changes(body)[0][0].split("#")[0]
    page = browser.client.get(change, headers=HX)
    text = page.get_data(as_text=True)
    assert "<html" not in text and 'name="change" value="1"' in text
    browser.html = text
    back = browser.post(browser.form_action(), {**browser.answer("sd"), "nav": "next"})
    assert back.headers["HX-Push-Url"] == f"{base}/check"
    assert "Strongly disagree" in back.get_data(as_text=True)
    sent = browser.post(f"{base}/send", {"check": "1", "nav": "send"})
    assert "Thank you" in sent.get_data(as_text=True)
    assert _responses(app) == 1


def test_children_see_a_friendly_nearly_done_page(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    base = _begin(app, launched, phone, "children")
    for _ in range(20):
        response = phone.post(phone.form_action(), {**phone.answer("happy"), "nav": "next"})
        phone.follow(response)
        if response.location.endswith("/check"):
            break
    page = phone.html
    assert 'class="r easy"' in page
    assert '<h1 tabindex="-1">You are nearly done</h1>' in page
    assert "Check your answers" not in page and "<dl" not in page
    # Each answer as the chosen face and its words; nothing else of the scale.
    answers = re.findall(r'<p class="ck-a">(.*?)</p>', page, re.S)
    assert len(answers) == 11  # 7 statements and 2 "tell us more" screens of 2 boxes
    faces = [a for a in answers if "<svg" in a]
    assert len(faces) == 7
    assert all('aria-hidden="true"' in a and a.endswith("<span>Yes, mostly</span>") for a in faces)
    assert "Sometimes" not in page
    assert phone.text.count("You did not write anything.") == 4
    # A big Change button for each screen, and a big Send.
    changes = re.findall(r'<a class="btn sec big" href="([^"]+)"', page)
    assert changes == [f"{base}/page/{n}?change=1" for n in range(1, 10)]
    assert '<button class="btn big" type="submit" name="nav" value="send">' in page
    # Short sentences only (easy read: at most 15 words each).
    shown = page.split('<div id="survey"')[1].split("<form")[0]
    for _tag, inner in re.findall(r"<(p|h1|a)\b[^>]*>(.*?)</\1>", shown, re.S):
        for sentence in re.split(r"[.?!]", html.unescape(re.sub(r"<[^>]+>", " ", inner))):
            assert len(sentence.split()) <= 15, sentence
    phone.get(changes[2])
    response = phone.post(phone.form_action(), {**phone.answer("sad"), "nav": "next"})
    assert response.location == f"{base}/check"
    phone.follow(response)
    assert "No, not really" in phone.html
    assert phone.send_checked().status_code == 303
    assert _responses(app) == 1


def test_the_pages_kept_offline_include_a_blank_check_page(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    base = _begin(app, launched, phone)
    _answer_all(phone, "sa", WROTE)
    kept = phone.client.get(f"{base}/offline/pages").get_json()
    check = kept["check"]
    assert set(kept) == {"pages", "check", "welcome"} and len(kept["pages"]) == 3
    assert WROTE not in kept["welcome"]  # the welcome page kept: as first shown, too
    # The same for everyone: no answer, comment, grant or submission id of this person.
    assert WROTE not in check and "data-offline-grant" not in check
    assert "Strongly agree</span></dd>" not in check
    assert 'data-offline-page="4"' in check and 'data-offline-pages="3"' in check
    assert check.count('data-answer="') == len(_rows(phone.html))
    assert 'data-offline-scale="role"' in check
    # The check page shown online is filled in by the server, without the lists.
    assert "data-offline-scale" not in phone.html and "data-answer" not in phone.html


# The round's own questions (issue 20): listed with their answers, optional, changed like any.


def _own_to_check(app: Flask, phone: Browser, audience: str = "parents") -> tuple[str, list[str]]:
    round_id, ids = launch_with_questions(app)
    phone.enter(f"/r/{invite(app, round_id, audience)}")
    phone.start()
    to_own_page(phone)
    base = phone.form_action().rsplit("/page/", 1)[0]
    response = phone.post(phone.form_action(), {**phone.answer("a"), **good(ids), "nav": "next"})
    assert response.status_code == 303, phone.text[:500]
    phone.follow(response)
    phone.reach_check("a")
    assert phone.locations[-1] == f"{base}/check"
    return base, ids


OWN_ROWS = [
    ("Did you get our leaflet?", "Yes"),
    ("How did you hear about this survey?", "A neighbour told me"),
    ("Which services do you use?", "LibraryPark"),
    ("How many times did you visit?", "12"),
    ("What one thing would you change?", "Longer opening hours"),
]


def test_own_questions_are_listed_with_their_answers(app: Flask, phone: Browser) -> None:
    base, ids = _own_to_check(app, phone)
    rows = _rows(phone.html)
    assert [r for r in rows if r[0] in dict(OWN_ROWS)] == OWN_ROWS
    assert "<span>Library</span><br><span>Park</span>" in phone.html
    assert "Some questions have not been answered yet." not in phone.text
    own_page = next(
        url for url, words in _changes(phone.html) if words.endswith("Did you get our leaflet?")
    )
    assert own_page.startswith(f"{base}/page/") and own_page.endswith(f"?change=1#q-{ids[0]}")
    text_change = [u for u, w in _changes(phone.html) if w.endswith("one thing would you change?")]
    assert text_change == [own_page.replace(f"#q-{ids[0]}", f"#q-{ids[4]}-text")]


def test_blank_own_questions_say_not_answered_and_are_optional(app: Flask, phone: Browser) -> None:
    round_id, _ids = launch_with_questions(app)
    phone.enter(f"/r/{invite(app, round_id)}")
    phone.start()
    to_own_page(phone)
    blank = {k: v for k, v in phone.answer().items() if not k.startswith("q-")}
    phone.follow(phone.post(phone.form_action(), {**blank, "nav": "next"}))
    phone.reach_check("a")
    rows = dict(_rows(phone.html))
    for question, _answer in OWN_ROWS:
        assert rows[question] == "Not answered"
    assert "Some questions have not been answered yet." not in phone.text
    assert not re.search(r">Answer<span", phone.html)  # optional: Change, not Answer
    assert phone.send_checked().status_code == 303


def test_changing_an_own_answer_goes_back_to_the_check_page_and_send_stores_it_once(
    app: Flask, phone: Browser
) -> None:
    base, ids = _own_to_check(app, phone)
    change = next(u for u, w in _changes(phone.html) if w.endswith("Which services do you use?"))
    phone.get(change.split("#")[0])
    assert hidden_fields(phone.html).get("change") == "1"
    assert 'value="o3" checked' in phone.html  # the answers given are shown again
    changed = {**good(ids), f"q-{ids[2]}": ["o2"], f"q-{ids[3]}": "", f"q-{ids[1]}": "o1"}
    changed[f"q-{ids[1]}-text"] = ""
    response = phone.post(phone.form_action(), {**phone.answer("a"), **changed, "nav": "next"})
    assert response.status_code == 303 and response.location == f"{base}/check"
    phone.follow(response)
    rows = dict(_rows(phone.html))
    assert rows["Which services do you use?"] == "Pool"
    assert rows["How did you hear about this survey?"] == "Email"
    assert rows["How many times did you visit?"] == "Not answered"
    assert rows["Did you get our leaflet?"] == "Yes"
    before = phone.cookies()
    assert phone.send_checked().status_code == 303
    phone.restore(before)  # a double tap stores nothing more
    again = phone.client.post(f"{base}/send", data={"csrf_token": phone.csrf(), "check": "1"})
    assert again.status_code in (303, 409)
    assert _responses(app) == 1
    with app.app_context():
        chosen = db.session.execute(select(QuestionAnswer.question_id, QuestionAnswer.value)).all()
        words = db.session.execute(select(QuestionText.text)).scalars().all()
    assert sorted((str(q), v) for q, v in chosen) == sorted(
        [(ids[0], "yes"), (ids[1], "o1"), (ids[2], "o2")]
    )
    assert words == ["Longer opening hours"]


def test_own_answers_over_htmx_and_in_easy_read(app: Flask, phone: Browser) -> None:
    base, _ids = _own_to_check(app, phone)
    swapped = phone.client.get(f"{base}/check", headers=HX).get_data(as_text=True)
    assert swapped.lstrip().startswith('<div id="survey"') and "<html" not in swapped
    assert "<span>Library</span><br><span>Park</span>" in swapped
    change = next(u for u, w in _changes(swapped) if w.endswith("Did you get our leaflet?"))
    assert f'hx-get="{html.escape(change)}"' in swapped
    page = phone.client.get(change.split("#")[0], headers=HX).get_data(as_text=True)
    assert "<html" not in page and 'name="change" value="1"' in page
    children = Browser(app.test_client())
    children.enter(f"/r/{invite(app, launch_with_questions(app)[0], 'children')}")
    children.start()
    to_own_page(children)
    children.follow(children.post(children.form_action(), {**children.answer("no"), "nav": "next"}))
    children.reach_check("happy")
    answers = re.findall(r'<p class="ck-q">(.*?)</p>\n<p class="ck-a">(.*?)</p>', children.html)
    assert ("Did you get our leaflet?", "<span>No</span>") in answers
    assert ("Which services do you use?", "You did not answer this.") in answers
    assert '<h1 tabindex="-1">You are nearly done</h1>' in children.html


def test_the_blank_copy_kept_offline_can_show_own_answers(app: Flask, phone: Browser) -> None:
    base, ids = _own_to_check(app, phone)
    check = phone.client.get(f"{base}/offline/pages").get_json()["check"]
    assert "A neighbour told me" not in check and "Longer opening hours" not in check
    assert f'data-answer="q-{ids[2]}" data-scale="q-{ids[2]}"' in check
    assert f'data-scale="q-{ids[1]}" data-other="q-{ids[1]}-text"' in check
    assert f'data-answer="q-{ids[3]}">' in check and f'data-answer="q-{ids[4]}-text">' in check
    assert re.search(rf'data-offline-scale="q-{ids[2]}">\s*<li data-code="o1"><span>Library', check)


def test_carry_on_after_every_answer_goes_to_the_check_page(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    base = _begin(app, launched, phone)
    assert phone.post(f"{base}/start", {"nav": "start"}).location == f"{base}/page/1"
    _answer_all(phone)
    phone.get(base)
    assert "Carry on" in phone.text
    response = phone.post(f"{base}/start", {"nav": "start"})
    assert response.status_code == 303 and response.location == f"{base}/check"
    phone.follow(response)
    assert WROTE in phone.text and "Send my answers" in phone.text
    # With HTMX the check page is swapped in, its address pushed.
    swapped = phone.client.post(
        f"{base}/start", data={"nav": "start", "csrf_token": phone.csrf()}, headers=HX
    )
    assert swapped.headers["HX-Push-Url"] == f"{base}/check"
    assert "Send my answers" in swapped.get_data(as_text=True)
    # Clear my answers and start again still starts again, on the first page: the old check
    # page then sends nothing.
    restart = phone.post(f"{base}/start", {"nav": "restart"})
    assert restart.location == f"{base}/page/1"
    assert phone.send_checked().status_code == 422 and _responses(app) == 0
