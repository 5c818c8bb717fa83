"""The HTMX path: one request per section, the address bar following, the same response stored."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import Answer, Comment, Response
from tests.app.respond.helpers import Browser, Launched, invite, page_fields
from tests.support import release_all

HX = {"HX-Request": "true"}
COMMENT = "The weekly newsletter keeps us in the loop"


class HtmxBrowser(Browser):
    """A phone with JavaScript: after the first full page, every form post is an HTMX request
    and the answer is the `survey` block, swapped in place (redirects are followed, as the
    browser's XMLHttpRequest does, with the HTMX headers kept)."""

    token = ""

    def start(self) -> TestResponse:
        # The welcome page's form is a plain one: a full page load on to section 1.
        return self.follow(super().post(self.form_action(), {"nav": "start"}))

    def post(self, url: str, data: dict[str, Any], **kwargs: Any) -> TestResponse:
        if not self.token:
            self.token = self.csrf()
        headers = {**HX, "X-CSRFToken": self.token}
        response = self._keep(self.client.post(url, data=data, headers=headers, **kwargs))
        while response.status_code == 303:
            response = self._keep(self.client.get(response.location, headers=HX))
        return response


def _answers(browser: Browser, pick: int) -> dict[str, str]:
    """The same answers on a page whichever way it was shown: option `pick` of each group."""
    fields = page_fields(browser.html)
    data = {name: options[pick % len(options)] for name, options in fields["radios"].items()}
    for name in fields["texts"]:
        data[name] = COMMENT if name.endswith("works_well") else ""
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', browser.html)
    data.update({k: v for k, v in hidden if k != "csrf_token"})
    return data


def _walk_plain(browser: Browser) -> None:
    pick = 0
    while True:
        last = "/send" in browser.form_action()
        response = browser.post(
            browser.form_action(), {**_answers(browser, pick), "nav": "send" if last else "next"}
        )
        assert response.status_code == 303, response.status_code
        browser.follow(response)
        if last:
            return
        pick += 1


def walk_htmx(browser: HtmxBrowser, base: str) -> list[str]:
    """Answer every page over HTMX; returns the address pushed after each section."""
    pushed = []
    pick = 0
    while True:
        last = "/send" in browser.form_action()
        response = browser.post(
            browser.form_action(), {**_answers(browser, pick), "nav": "send" if last else "next"}
        )
        assert response.status_code == 200, response.status_code
        body = response.get_data(as_text=True)
        assert body.lstrip().startswith('<div id="survey"') and "<html" not in body
        if last:
            assert "Thank you" in body
            return pushed
        pushed.append(response.headers["HX-Push-Url"])
        if pushed[-1].endswith("/check"):  # after the last section: every answer, then Send
            assert "Check your answers" in body and 'value="send"' in body
        else:
            assert f"Section {pick + 2} of" in body
        pick += 1


def _released(app: Flask) -> list[tuple[Any, ...]]:
    """Every released response as what it holds, without its (random) id."""
    release_all(app)
    with app.app_context():
        stored = []
        for response in db.session.execute(select(Response)).scalars():
            answers = db.session.execute(
                select(Answer.item_id, Answer.value).where(Answer.response_id == response.id)
            ).all()
            comments = db.session.execute(
                select(Comment.section_id, Comment.prompt, Comment.text).where(
                    Comment.response_id == response.id
                )
            ).all()
            stored.append(
                (
                    response.audience,
                    response.channel.value,
                    response.role,
                    tuple(sorted((str(i), v) for i, v in answers)),
                    tuple(sorted((s, p.value, t) for s, p, t in comments)),
                )
            )
        return stored


def test_htmx_and_plain_flows_store_the_same_response(app: Flask, launched: Launched) -> None:
    base = f"/q/{launched.questionnaires['parents']}"
    plain = Browser(app.test_client())
    plain.enter(f"/r/{invite(app, launched.round_id)}")
    plain.start()
    _walk_plain(plain)
    assert "Thank you" in plain.html
    first = _released(app)
    assert len(first) == 1

    htmx = HtmxBrowser(app.test_client())
    htmx.enter(f"/r/{invite(app, launched.round_id)}")
    htmx.start()
    pushed = walk_htmx(htmx, base)
    # The address bar followed every section; no section needed a second request.
    assert pushed == [f"{base}/page/{n}" for n in range(2, len(pushed) + 1)] + [f"{base}/check"]
    both = _released(app)
    assert len(both) == 2
    assert both[0] == both[1], "the two flows stored different responses"
    assert both[0][3] and both[0][4] and both[0][2], "answers, a comment and the role"


def test_htmx_back_shows_the_previous_section_in_one_request(
    app: Flask, launched: Launched
) -> None:
    base = f"/q/{launched.questionnaires['parents']}"
    phone = HtmxBrowser(app.test_client())
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    phone.start()
    answers = _answers(phone, 1)
    phone.post(phone.form_action(), {**answers, "nav": "next"})
    back = phone.client.post(
        f"{base}/page/2", data={"nav": "back"}, headers={**HX, "X-CSRFToken": phone.token}
    )
    assert back.status_code == 200
    assert back.headers["HX-Push-Url"] == f"{base}/page/1"
    checked = dict(re.findall(r'name="([^"]+)" value="([^"]+)" checked', back.get_data(True)))
    assert checked == {k: v for k, v in answers.items() if k.startswith("a-")}


def test_htmx_cannot_skip_a_section(app: Flask, launched: Launched) -> None:
    """Answering section 2 while section 1 is unanswered shows section 1, as a GET would."""
    base = f"/q/{launched.questionnaires['parents']}"
    other = Browser(app.test_client())
    other.enter(f"/r/{invite(app, launched.round_id)}")
    other.start()
    other.follow(other.post(other.form_action(), {**_answers(other, 0), "nav": "next"}))
    section_two = _answers(other, 0)

    phone = HtmxBrowser(app.test_client())
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    phone.start()
    moved = phone.client.post(
        f"{base}/page/2",
        data={**section_two, "nav": "next"},
        headers={**HX, "X-CSRFToken": phone.csrf()},
    )
    assert moved.status_code == 200
    assert moved.headers["HX-Push-Url"] == f"{base}/page/1"
    assert "Section 1 of" in moved.get_data(as_text=True)


def test_htmx_errors_stay_on_the_page_with_the_same_block(app: Flask, launched: Launched) -> None:
    base = f"/q/{launched.questionnaires['parents']}"
    phone = HtmxBrowser(app.test_client())
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    phone.start()
    phone.token = phone.csrf()
    bad = phone.client.post(
        f"{base}/page/1", data={"nav": "next"}, headers={**HX, "X-CSRFToken": phone.token}
    )
    assert bad.status_code == 422
    assert bad.headers["HX-Push-Url"] == "false"
    body = bad.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="survey"') and "There is a problem" in body


def test_respondent_pages_keep_no_htmx_history_snapshot(app: Flask, launched: Launched) -> None:
    phone = Browser(app.test_client())
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    assert re.search(r'<body [^>]*hx-history="false"', phone.html)
    assert '"historyCacheSize":0' in phone.html
    phone.start()
    assert re.search(r'<body [^>]*hx-history="false"', phone.html)
