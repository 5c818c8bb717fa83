"""Round versus round for the rounds' own questions (issue 20): matched on type, words and
options or bins (spaces and case aside), audience to audience and band to band, each side as
its results page publishes it; a change only from figures both rounds show."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import FeedbackRound
from app.services import questions
from app.services.results import compare_rounds, round_results
from surveys.question_matching import normalise
from surveys.statistics import newcombe_difference
from tests.app.own_rounds import own_round, specs
from tests.app.results.helpers import text_of

NOT_SHOWN = "Not shown (protects a smaller group)"
AUDIENCES = ("staff", "parents", "partners", "children")

EARLIER_SPECS = [
    questions.QuestionInput(kind="yes_no", text="did you get  our LEAFLET?", indicator_id="2.1"),
    questions.QuestionInput(
        kind="one_choice",
        text="How did you hear about this survey?",
        options="poster\nEmail",  # another order and case: the same options
        other=True,
    ),
    questions.QuestionInput(kind="free_text", text="What one thing would you change?"),
    questions.QuestionInput(
        kind="several_choices", text="Which services do you use?", options="Library\nGym"
    ),
    questions.QuestionInput(
        kind="number", text="How many times did you visit?", minimum="0", maximum="9", bins="0-9"
    ),
]


def _person(yes_no: str, choice: str, other: str = "") -> list[Any]:
    """One person's answers: yes/no, one choice (and what "Other" is), no free text."""
    return [([yes_no], ""), ([choice], other), ([], "")]


@pytest.fixture
def pair(app: Flask) -> tuple[uuid.UUID, uuid.UUID]:
    """(this year, last year). Last year (Poster is o1, Email o2): staff yes 5 / no 15, Email 5,
    Poster 15; parents yes 5 / no 5; partners 3 (under k); children 8 to 12 6. This year:
    staff yes 15 / no 5, Email 10, Poster 8 and Other 2 (hidden with a complement); parents
    yes 5 / no 1 (hidden); partners 8; children 13 and over 6 (another band)."""
    earlier = own_round(
        app,
        {
            "staff": [(_person("yes", "o2"), 5), (_person("no", "o1"), 15)],
            "parents": [(_person("yes", "o2"), 5), (_person("no", "o2"), 5)],
            "partners": [(_person("yes", "o2"), 3)],
            "children_8_to_12": [(_person("yes", "o2"), 6)],
        },
        name="Last year",
        audiences=AUDIENCES,
        question_specs=EARLIER_SPECS,
        closes_on=date.today() - timedelta(days=400),
        children_bands=("8_to_12",),
    )
    now = own_round(
        app,
        {
            "staff": [
                (_person("yes", "o1"), 10),
                (_person("yes", "o2"), 5),
                (_person("no", "o2"), 3),
                (_person("no", "other", "Word of mouth"), 2),
            ],
            "parents": [(_person("yes", "o1"), 5), (_person("no", "o1"), 1)],
            "partners": [(_person("yes", "o1"), 8)],
            "children_13_plus": [(_person("yes", "o1"), 6)],
        },
        name="This year",
        audiences=AUDIENCES,
        question_specs=[
            *specs(),
            questions.QuestionInput(kind="yes_no", text="Did you feel welcome?"),
        ],
        children_bands=("13_plus",),
    )
    return now["id"], earlier["id"]


def _compare(app: Flask, pair: tuple[uuid.UUID, uuid.UUID]) -> Any:
    with app.app_context():
        now, earlier = (db.session.get(FeedbackRound, r) for r in pair)
        assert now is not None and earlier is not None
        return compare_rounds(now, earlier)


def _rows(found: Any, text: str) -> dict[tuple[str, str], Any]:
    pair = next(p for p in found.own if p.current.text == text)
    return {(r.audience, r.answer): r for r in pair.rows}


def test_questions_match_on_type_words_and_options_and_the_rest_are_listed(
    app: Flask, pair
) -> None:
    found = _compare(app, pair)
    assert [p.current.text for p in found.own] == [
        "Did you get our leaflet?",
        "How did you hear about this survey?",
        "What one thing would you change?",
    ]
    assert found.own[0].earlier.text == "did you get our LEAFLET?"
    assert [q.text for q in found.own_only_current] == [
        "Which services do you use?",  # other options (Pool, not Gym)
        "Did you feel welcome?",
    ]
    assert [q.text for q in found.own_only_earlier] == [
        "Which services do you use?",
        "How many times did you visit?",
    ]
    rows = _rows(found, "Did you get our leaflet?")
    # Audience to audience, band to band: 13 and over is never set against 8 to 12.
    assert {a for a, _ in rows} == {"staff", "parents", "partners"}
    headline = rows[("staff", "Percent yes (of yes and no)")]
    expected = newcombe_difference(15, 20, 5, 20)
    assert expected is not None
    assert headline.change == pytest.approx(50)
    assert (headline.low, headline.high) == pytest.approx((expected.low * 100, expected.high * 100))
    assert headline.significant is True
    assert headline.earlier.startswith("25%; 95% CI") and headline.current.startswith("75%")
    yes = rows[("staff", "Yes")]
    assert (yes.earlier, yes.current, yes.change) == ("5 (25%)", "15 (75%)", pytest.approx(50))
    # Options listed in another order are paired by their words: Email is o2, then o1.
    email = _rows(found, "How did you hear about this survey?")[("parents", "Email")]
    assert email.earlier == "10 (100%)"


def test_no_change_is_ever_worked_out_from_a_hidden_figure(app: Flask, pair) -> None:
    """An insider setting this page beside each round's results learns nothing they hide: each
    side is what its round publishes, and a change appears only where both show the figure."""
    found = _compare(app, pair)
    leaflet = _rows(found, "Did you get our leaflet?")
    for (audience, _), row in leaflet.items():
        if audience == "parents":  # one parent said no this year: the whole line is hidden
            assert row.current == NOT_SHOWN and row.change is None
            assert row.reason.startswith("Not compared")
        if audience == "partners":  # three partners last year: under k
            assert row.earlier == "Fewer than 5" and row.change is None
    heard = _rows(found, "How did you hear about this survey?")
    # This year Poster and Other are hidden, so Email's share is not published: no change,
    # although both rounds show Email's count.
    staff_email = heard[("staff", "Email")]
    assert (staff_email.current, staff_email.earlier) == ("10", "5 (25%)")
    assert staff_email.change is None and "percentage" in staff_email.reason
    assert heard[("staff", "Other, please say")].current == "Fewer than 5"
    assert heard[("staff", "Poster")].current == NOT_SHOWN
    # Every change is the difference of two published percentages.
    with app.app_context():
        now, earlier = (
            round_results(db.session.get(FeedbackRound, r))  # type: ignore[arg-type]
            for r in pair
        )
    published = {}
    for results in (now, earlier):
        for question in results.own_questions:
            for cell in question.cells:
                for row in question.figure_rows(5):
                    if row.audience == cell.audience:
                        key = (results.round_id, normalise(question.text), cell.audience)
                        published[(*key, normalise(row.answer))] = row
    for pair_ in found.own:
        for row in pair_.rows:
            if row.change is None:
                continue
            label = "Percent yes" if row.answer.startswith("Percent yes") else row.answer
            text, answer = normalise(pair_.current.text), normalise(label)
            mine = published[(now.round_id, text, row.audience, answer)]
            theirs = published[(earlier.round_id, text, row.audience, answer)]
            assert mine.percent is not None and theirs.percent is not None
            assert not mine.hidden and not theirs.hidden
            assert row.change == pytest.approx(mine.percent - theirs.percent)


def _own_rows(html: str) -> list[str]:
    start = html.index('id="own-questions"')
    return [text_of(r) for r in re.findall(r"<tr[^>]*>.*?</tr>", html[start:], flags=re.S)]


def test_the_compare_page_shows_them_side_by_side(
    client: FlaskClient, coordinator, pair, app: Flask
) -> None:
    now, earlier = pair
    page = client.get(f"/results/{now}/compare?earlier={earlier}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    words = text_of(html)
    assert "Your own questions in both rounds" in words
    rows = _own_rows(html)
    assert any(
        r.startswith("Staff Percent yes (of yes and no) 25%; 95% CI")
        and "+50 points" in r
        and "Yes : a real rise" in r
        for r in rows
    )
    assert any(r.startswith("Staff Yes 5 (25%) 15 (75%) +50 points") for r in rows)
    assert any(
        r.startswith(f"Parents and carers Yes 5 (50%) {NOT_SHOWN} Not compared") for r in rows
    )
    assert any(r.startswith("Partners Yes Fewer than 5 8 (100%) Not compared") for r in rows)
    assert not any("13 and over" in r or "8 to 12" in r for r in rows)
    own = words[words.index("Your own questions in both rounds") :]
    assert "Only in this round “Which services do you use?”" in own
    assert "“Did you feel welcome?”" in own
    assert "Only in Last year “Which services do you use?”" in own
    assert "“How many times did you visit?”" in own
    assert "Free text: what people wrote is on each round's results page." in own
    assert "Word of mouth" not in html
    # Each side is what its round's results page shows, nothing more.
    checked = 0
    for round_id, side in ((now, 3), (earlier, 2)):
        results = client.get(f"/results/{round_id}").get_data(as_text=True)
        shown = set(_own_cells(results))
        for row in re.findall(r"<tr[^>]*>.*?</tr>", html[html.index('id="own-questions"') :], re.S):
            cells = [text_of(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            if len(cells) > side and cells[side][:1].isdigit() and "CI" not in cells[side]:
                assert cells[side] in shown, (round_id, cells)
                checked += 1
    assert checked > 10


def _own_cells(html: str) -> list[str]:
    """Every cell of the own questions' tables on a results page, as words."""
    found = []
    for table in re.findall(r'<table class="results-table own-table">.*?</table>', html, re.S):
        found += [text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)]
    return found


def test_the_committee_report_compares_them_too(client: FlaskClient, coordinator, pair) -> None:
    from tests.app.reports.readback import docx_document, docx_text, flat, pdf_text

    now, _ = pair
    bodies = []
    for kind in ("docx", "pdf"):
        response = client.get(f"/results/{now}/report.{kind}")
        assert response.status_code == 200
        data = response.data
        response.close()
        bodies.append(docx_text(docx_document(data)) if kind == "docx" else pdf_text(data))
    docx_body, pdf_body = bodies
    assert "Staff | Percent yes (of yes and no) | 25%; 95% CI" in docx_body
    assert "Staff | Yes | 5 (25%) | 15 (75%) | +50 points" in docx_body
    assert f"Parents and carers | Yes | 5 (50%) | {NOT_SHOWN} | Not compared" in docx_body
    for body in bodies:
        assert "Your own questions in both rounds" in body
        assert flat(
            "Only in this round: “Which services do you use?”; “Did you feel welcome?”."
        ) in (body)
        assert "Word of mouth" not in body
    assert "+50 points" in pdf_body
