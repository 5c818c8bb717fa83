"""Answering: one section a page, progress, Don't know, Back and Next keeping answers, errors."""

from __future__ import annotations

import re

from flask import Flask

from tests.app.respond.helpers import Browser, Launched, invite, page_fields


def _start(app: Flask, launched: Launched, phone: Browser) -> str:
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    phone.start()
    return f"/q/{launched.questionnaires['parents']}"


def _checked(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="([^"]+)" value="([^"]+)" checked', html))


def test_one_section_per_page_with_progress_and_dont_know_everywhere(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    base = _start(app, launched, phone)
    assert phone.locations[-1] == f"{base}/page/1"
    html = phone.html
    assert "Section 1 of 3" in html
    assert '<progress max="3" value="1" aria-labelledby="prog-1">' in html
    fields = page_fields(html)
    assert len(fields["radios"]) == 4  # HMIE 2.1 has four statements for parents
    for options in fields["radios"].values():
        assert options == ["sa", "a", "d", "sd", "dk"]  # Don't know on every question
    assert html.count("<fieldset>") == 4 and html.count("<legend>") == 4
    assert fields["texts"] == ["ft-0-works_well", "ft-0-could_be_better"]
    assert "You can enter up to 1,000 characters" in html  # the limit, shown without JS


def test_next_without_answers_shows_a_linked_error_summary_and_keeps_what_was_given(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    base = _start(app, launched, phone)
    names = list(page_fields(phone.html)["radios"])
    response = phone.post(
        f"{base}/page/1",
        {names[0]: "a", "ft-0-works_well": "The staff", "nav": "next"},
    )
    assert response.status_code == 422
    html = phone.html
    assert "<title>Error: Section 1 of 3" in html
    assert 'class="es" role="alert" tabindex="-1" data-autofocus' in html
    for name in names[1:]:
        assert f'<a href="#{name}">' in html  # linked to the question's first radio
        assert f'id="{name}"' in html
        assert f'aria-describedby="{name}-error"' in html
    assert f'<a href="#{names[0]}">' not in html
    assert _checked(html) == {names[0]: "a"}
    assert ">The staff</textarea>" in html
    # Nothing moved on: the next page still sends people back to this one.
    assert phone.get(f"{base}/page/2").location == f"{base}/page/1"


def test_back_and_next_keep_answers_and_comments(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    base = _start(app, launched, phone)
    page1 = phone.answer("d", texts={"ft-0-works_well": "Kind staff\nevery day"})
    phone.follow(phone.post(f"{base}/page/1", {**page1, "nav": "next"}))
    assert "Section 2 of 3" in phone.html
    names2 = list(page_fields(phone.html)["radios"])
    back = phone.post(f"{base}/page/2", {names2[0]: "sd", "nav": "back"})
    assert back.status_code == 303 and back.location == f"{base}/page/1"
    phone.follow(back)
    checked = _checked(phone.html)
    assert all(checked[name] == "d" for name in page_fields(phone.html)["radios"])
    assert "Kind staff\nevery day</textarea>" in phone.html
    phone.follow(phone.post(f"{base}/page/1", {**phone.answer("d"), "nav": "next"}))
    assert _checked(phone.html) == {names2[0]: "sd"}  # the half-answered page, as left


def test_back_from_the_first_page_goes_to_the_welcome_page(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    base = _start(app, launched, phone)
    response = phone.post(f"{base}/page/1", {"nav": "back"})
    assert response.location == base
    phone.follow(response)
    assert "Carry on" not in phone.html  # nothing answered yet
    phone.start()
    phone.follow(phone.post(f"{base}/page/1", {**phone.answer(), "nav": "next"}))
    phone.get(base)
    assert "Carry on" in phone.html and "You have answered 4 of 7 questions" in phone.html


def test_clear_and_start_again(app: Flask, launched: Launched, phone: Browser) -> None:
    base = _start(app, launched, phone)
    phone.follow(phone.post(f"{base}/page/1", {**phone.answer(), "nav": "next"}))
    phone.get(base)
    response = phone.post(f"{base}/start", {"nav": "restart"})
    assert response.location == f"{base}/page/1"
    phone.follow(response)
    assert _checked(phone.html) == {}


def test_pages_cannot_be_skipped(app: Flask, launched: Launched, phone: Browser) -> None:
    base = _start(app, launched, phone)
    assert phone.get(f"{base}/page/3").location == f"{base}/page/1"
    assert phone.get(f"{base}/page/9").status_code == 404
    assert phone.get(f"{base}/page/0").status_code == 404


def test_role_question_comes_last_with_prefer_not_to_say(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    base = _start(app, launched, phone)
    for number in (1, 2):
        phone.follow(phone.post(f"{base}/page/{number}", {**phone.answer(), "nav": "next"}))
    html = phone.html
    assert "Section 3 of 3" in html and "About you" in html
    assert "How old is the child" in html
    assert page_fields(html)["radios"]["role"][-1] == "prefer_not_to_say"
    # The last page goes on to the check page, which sends.
    assert f'action="{base}/page/3"' in html and "Send my answers" not in html
    assert '<button class="btn" type="submit" name="nav" value="next">Continue</button>' in html
    response = phone.post(f"{base}/page/3", {"nav": "next"})
    assert response.status_code == 422
    assert '<a href="#role">' in phone.html
    # Sent without the question answered (an old last page's Send): asked again, not stored.
    response = phone.post(f"{base}/send", {"nav": "send"})
    assert response.status_code == 422
    assert '<a href="#role">' in phone.html


def test_htmx_gets_the_survey_block_alone(app: Flask, launched: Launched, phone: Browser) -> None:
    base = _start(app, launched, phone)
    hx = {"HX-Request": "true"}
    page = phone.client.get(f"{base}/page/1", headers=hx)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert body.lstrip().startswith('<div id="survey"') and "<html" not in body
    assert "HX-Request" in page.headers["Vary"]
    bad = phone.client.post(
        f"{base}/page/1", data={"nav": "next"}, headers={**hx, "X-CSRFToken": phone.csrf()}
    )
    assert bad.status_code == 422
    assert bad.headers["HX-Push-Url"] == "false"
    assert "There is a problem" in bad.get_data(as_text=True)
    assert "<html" not in bad.get_data(as_text=True)
    good = phone.client.post(
        f"{base}/page/1",
        data={**phone.answer(), "nav": "next"},
        headers={**hx, "X-CSRFToken": phone.csrf()},
    )
    # One request per section: the POST answers with the next section and its address.
    assert good.status_code == 200
    assert good.headers["HX-Push-Url"] == f"{base}/page/2"
    assert "Section 2 of" in good.get_data(as_text=True)
    assert "<html" not in good.get_data(as_text=True)


def test_pages_work_as_plain_forms(app: Flask, launched: Launched, phone: Browser) -> None:
    """Without JavaScript: real action and method on every form, buttons submit it."""
    _start(app, launched, phone)
    html = phone.html
    assert re.search(r'<form method="post" action="/q/[^"]+/page/1"', html)
    assert '<button class="btn" type="submit" name="nav" value="next">Continue</button>' in html
    assert '<button class="btn sec" type="submit" name="nav" value="back">Back</button>' in html
    # Continue comes first, so pressing Enter in a field goes forward, not back.
    assert html.index('value="next"') < html.index('value="back"')
