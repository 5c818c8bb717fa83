"""Age bands on the respondent side (issue 20): a shared children's link asks the age band on
the welcome page (radios, no JavaScript), a band's own open link skips the choice, and each
band's answers travel as that band's group."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Response, SealedSubmission
from tests.app.respond.helpers import Browser, Launched, add_open_link, launch_round
from tests.support import release_all

BANDS = ("under_8", "8_to_12", "13_plus")


@pytest.fixture
def banded(app: Flask) -> Launched:
    return launch_round(app, audiences=("children", "parents"), children_bands=BANDS)


@pytest.fixture
def shared(app: Flask, banded: Launched, phone: Browser) -> Browser:
    """A child opened the round's shared children's link."""
    phone.enter(f"/o/{add_open_link(app, banded.round_id, 'children')}")
    return phone


def _band_url(banded: Launched, band: str) -> str:
    return f"/q/{banded.questionnaires[f'children_{band}']}"


def _audiences(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.execute(select(SealedSubmission.audience)).scalars())


def test_each_band_has_its_own_questionnaire(banded: Launched) -> None:
    assert set(banded.questionnaires) == {
        "parents",
        "children_under_8",
        "children_8_to_12",
        "children_13_plus",
    }


def test_the_shared_link_asks_the_age_band_first_in_plain_words(
    banded: Launched, shared: Browser
) -> None:
    youngest = _band_url(banded, "under_8")
    assert shared.locations[-1].endswith(youngest)
    html, text = shared.html, shared.text
    assert "How old are you?" in text
    assert "I am under 8" in text and "I am 8, 9, 10, 11 or 12" in text
    assert "I am 13 or older" in text
    # No-JavaScript radios in a fieldset with a legend, a real form, no Start yet.
    assert '<fieldset aria-describedby="band-hint">' in html
    assert html.count('type="radio" id="band') == 3 and 'name="band" value="13_plus"' in html
    assert f'action="{youngest}/band"' in html
    assert 'value="start"' not in html
    # Start without a band goes back to the choice.
    response = shared.post(f"{youngest}/start", {"nav": "start"})
    assert response.status_code == 303 and response.location.endswith(youngest)


def test_no_band_chosen_is_a_422_with_the_error_summary_and_changes_nothing(
    app: Flask, banded: Launched, shared: Browser
) -> None:
    youngest = _band_url(banded, "under_8")
    for data in ({}, {"band": "adults"}, {"band": "under_12"}):
        response = shared.post(f"{youngest}/band", data)
        assert response.status_code == 422
        assert "There is a problem" in shared.text and "Choose how old you are." in shared.text
        assert 'href="#band"' in shared.html and 'id="band-error"' in shared.html
    # Still choosing: the welcome page asks again.
    shared.get(youngest)
    assert "How old are you?" in shared.text
    assert _audiences(app) == []


@pytest.mark.parametrize("band", BANDS)
def test_choosing_a_band_answers_that_bands_questionnaire_as_its_group(
    app: Flask, banded: Launched, shared: Browser, patient: None, band: str
) -> None:
    youngest = _band_url(banded, "under_8")
    response = shared.post(f"{youngest}/band", {"band": band})
    assert response.status_code == 303 and response.location.endswith(_band_url(banded, band))
    shared.follow(response)
    assert "How old are you?" not in shared.text
    assert "Not your age? Choose again" in shared.text
    assert ("A grown-up can read this with you." in shared.text) is (band == "under_8")
    assert ('class="r easy read-aloud"' in shared.html) is (band == "under_8")
    shared.start()
    assert shared.complete().status_code == 303
    assert _audiences(app) == [f"children_{band}"]
    release_all(app)
    with app.app_context():
        assert db.session.execute(select(Response.audience)).scalars().all() == [f"children_{band}"]


def test_choose_again_goes_back_to_the_choice_and_answers_start_afresh(
    banded: Launched, shared: Browser, patient: None
) -> None:
    youngest, older = _band_url(banded, "under_8"), _band_url(banded, "13_plus")
    shared.follow(shared.post(f"{youngest}/band", {"band": "13_plus"}))
    shared.start()
    shared.submit_page("next")
    assert shared.client.get_cookie("chorus_progress") is not None
    shared.get(f"{older}?band=change")
    assert "How old are you?" in shared.text
    assert 'value="13_plus" checked' in shared.html
    shared.follow(shared.post(f"{older}/band", {"band": "8_to_12"}))
    assert shared.locations[-1].endswith(_band_url(banded, "8_to_12"))
    assert "You have answered" not in shared.text  # the other band's answers are not carried


def test_a_bands_own_link_skips_the_choice(app: Flask, banded: Launched, phone: Browser) -> None:
    phone.enter(f"/o/{add_open_link(app, banded.round_id, 'children_8_to_12')}")
    own = _band_url(banded, "8_to_12")
    assert phone.locations[-1].endswith(own)
    assert "How old are you?" not in phone.text and 'value="start"' in phone.html
    assert "Not your age?" not in phone.text
    # It cannot switch band: only a shared link's entry chooses.
    assert phone.post(f"{own}/band", {"band": "13_plus"}).status_code == 404
    phone.get(f"{own}?band=change")
    assert "How old are you?" not in phone.text


def test_one_answer_per_device_through_the_shared_link_whatever_the_band(
    app: Flask, banded: Launched, phone: Browser, patient: None
) -> None:
    link = f"/o/{add_open_link(app, banded.round_id, 'children')}"
    phone.enter(link)
    youngest = _band_url(banded, "under_8")
    phone.follow(phone.post(f"{youngest}/band", {"band": "8_to_12"}))
    phone.start()
    assert phone.complete().status_code == 303
    # The same phone again, choosing another band this time: refused, not a second go.
    again = phone.enter(link)
    assert again.status_code == 409, again.status_code
    assert "You have already answered on this device" in phone.text
    assert "How old are you?" not in phone.text
    assert _audiences(app) == ["children_8_to_12"]


def test_a_legacy_round_keeps_its_one_children_questionnaire(
    app: Flask, phone: Browser, patient: None
) -> None:
    legacy = launch_round(app, audiences=("children",), children_bands=("under_12",))
    assert set(legacy.questionnaires) == {"children"}
    phone.enter(f"/o/{add_open_link(app, legacy.round_id, 'children')}")
    assert "How old are you?" not in phone.text and 'value="start"' in phone.html
    phone.start()
    assert phone.complete().status_code == 303
    assert _audiences(app) == ["children"]


def test_a_shared_link_of_a_round_without_bands_is_unknown(app: Flask, phone: Browser) -> None:
    plain = launch_round(app, audiences=("parents",))
    response = phone.enter(f"/o/{add_open_link(app, plain.round_id, 'children')}")
    assert response.status_code == 404
    assert uuid.UUID(str(plain.round_id))


def test_answers_made_offline_after_choosing_a_band_are_that_bands(
    app: Flask, banded: Launched, shared: Browser, patient: None
) -> None:
    """The band is chosen online, on the welcome page; the chosen band's pages then carry the
    offline grant, so answers queued on the device go to that band's group."""
    youngest = _band_url(banded, "under_8")
    shared.follow(shared.post(f"{youngest}/band", {"band": "13_plus"}))
    shared.start()
    answers: dict[str, str] = {}
    while "/send" not in shared.form_action():
        answers.update({k: v for k, v in shared.answer().items() if k.startswith("a-")})
        shared.follow(shared.submit_page("next"))
    answers.update({k: v for k, v in shared.answer().items() if k.startswith("a-")})
    found = re.search(
        r'data-offline-grant="([^"]+)" data-offline-sid="([0-9a-f]{32})"', shared.html
    )
    assert found, "no offline grant on the band's page"
    older = banded.questionnaires["children_13_plus"]
    response = shared.client.post(
        f"/q/{older}/queued",
        json={"grant": found.group(1), "submission_id": found.group(2), "answers": answers},
    )
    assert response.status_code in (200, 201, 202), response.get_data(as_text=True)[:300]
    assert _audiences(app) == ["children_13_plus"]
