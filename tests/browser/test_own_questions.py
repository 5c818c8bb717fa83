"""The round's own questions in a real Chromium (issue 20): a coordinator adds one of each type
(a bad spec first), a parent answers every type on a phone with JavaScript and without (a bad
number first), and axe finds nothing on the coordinator's page, any respondent page, the error
states or the results."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from app.extensions import db
from app.invitations.common import audience_labels
from app.models import (
    Channel,
    FeedbackRound,
    OpenLink,
    QuestionAnswer,
    QuestionText,
    Role,
    RoundQuestion,
    RoundStatus,
    SealedSubmission,
)
from app.services import abuse, mix, questions
from app.services.accounts import create_user, get_or_create_organisation
from app.services.launch import launch
from app.services.rounds import RoundSettings, create_round, freeze
from app.services.synthetic import make_live
from tests.browser.journey import answer_questions, answer_role, next_button, on_survey_page, press
from tests.browser.support import (
    PASSWORD,
    SMALL_PHONE,
    LiveServer,
    assert_accessible,
    assert_no_horizontal_scroll,
    desktop_context,
    phone_context,
    sign_in,
)
from tests.support import release_all

ORG = "Own Questions Council"
EMAIL = "own.coordinator@council.example"
OWN_PAGE = "A few more questions"
SPECS = (
    questions.QuestionInput(kind="yes_no", text="Did you get our leaflet?"),
    questions.QuestionInput(
        kind="one_choice", text="How did you hear about us?", options="Email\nPoster", other=True
    ),
    questions.QuestionInput(
        kind="several_choices", text="Which do you use?", options="Library\nPool\nPark"
    ),
    questions.QuestionInput(
        kind="number", text="How many visits?", minimum="0", maximum="30", bins="0-4, 5-9, 10-30"
    ),
    questions.QuestionInput(kind="free_text", text="One thing you would change?"),
)


@pytest.fixture(scope="module")
def rounds(live_server: LiveServer) -> dict[str, str]:
    """A draft for the coordinator, a live round with an open link, and a finished one."""
    app = live_server.app
    today = datetime.now(UTC).date()
    with app.app_context():
        create_user(EMAIL, PASSWORD, ORG, Role.COORDINATOR, name="Cora Ordinator")
        org = get_or_create_organisation(ORG)

        def made(name: str, opens_on: date, closes_on: date) -> FeedbackRound:
            return create_round(
                org,
                RoundSettings(
                    name=name,
                    framework_id="hmie-children-services",
                    indicator_ids=["2.1"],
                    audiences=["parents"],
                    opens_on=opens_on,
                    closes_on=closes_on,
                    threshold=3,
                    free_text=False,
                    role_question=True,
                ),
            )

        draft = made("Own questions draft", today, today + timedelta(days=21))
        live = made("Own questions live", today, today + timedelta(days=21))
        done = made("Own questions finished", today - timedelta(days=40), today - timedelta(days=9))
        for rnd in (live, done):
            for spec in SPECS:
                questions.add_question(rnd, spec)
        launch(live, secret=app.config["SECRET_KEY"], labels=audience_labels(live), today=today)
        make_live(done)
        db.session.flush()
        ids = [str(q.id) for q in questions.questions_of(done.id)]
        answers = [
            [
                (ids[0], ["yes" if n < 4 else "no"], ""),
                (ids[2], ["o1", "o3"], ""),
                (ids[3], [str(n)], ""),
                (ids[4], [], f"Idea {n}"),
            ]
            for n in range(7)
        ]
        mix.put(
            done.id,
            "parents",
            [mix.Sealed(Channel.OPEN_LINK, None, [], [], questions=a) for a in answers],
        )
        db.session.commit()
        code = db.session.execute(
            select(OpenLink.code).where(OpenLink.round_id == live.id)
        ).scalar_one()
        mix.release_waiting(everything=True)
        db.session.commit()
        return {"draft": str(draft.id), "link": f"/o/{code}", "done": str(done.id)}


@pytest.fixture
def coordinator(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = desktop_context(browser)
    page = context.new_page()
    sign_in(page, live_server, EMAIL)
    yield page
    context.close()


def test_a_coordinator_adds_a_question_of_each_type(
    coordinator: Page, live_server: LiveServer, rounds: dict[str, str]
) -> None:
    page = coordinator
    page.goto(f"{live_server.url}/rounds/{rounds['draft']}")
    page.get_by_role("link", name="Your own questions").click()
    expect(page.get_by_role("heading", name="Your own questions", level=1)).to_be_visible()
    assert_accessible(page)
    # A list with the same option twice: 422, the error summary, nothing added.
    page.get_by_label("One choice from a list").check()
    page.get_by_label("The question", exact=True).fill("How did you hear about us?")
    page.get_by_label("Options (for one or several choices)").fill("Email\nemail")
    page.get_by_role("button", name="Add the question").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("“email” is in the list more than once")
    expect(summary).to_be_focused()
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Options (for one or several choices)")).to_be_focused()
    page.get_by_label("Options (for one or several choices)").fill("Email\nPoster")
    page.get_by_label("Offer “Other, please say” (one choice only)").check()
    page.get_by_role("button", name="Add the question").click()
    expect(page.locator(".own-questions")).to_contain_text("How did you hear about us?")
    page.get_by_label("A number in a range").check()
    page.get_by_label("The question", exact=True).fill("How many visits?")
    page.get_by_label("Smallest number allowed").fill("0")
    page.get_by_label("Largest number allowed").fill("30")
    page.get_by_label("Groups to report").fill("0-4, 5-9, 10-30")
    page.get_by_role("button", name="Add the question").click()
    expect(page.locator(".own-questions li")).to_have_count(2)
    assert_accessible(page)


def test_a_coordinator_chooses_who_is_asked_and_must_choose_someone(
    coordinator: Page, live_server: LiveServer, rounds: dict[str, str]
) -> None:
    app = live_server.app
    today = datetime.now(UTC).date()
    with app.app_context():
        rnd = create_round(
            get_or_create_organisation(ORG),
            RoundSettings(
                name="Own questions for some",
                framework_id="hmie-children-services",
                indicator_ids=["2.1"],
                audiences=["parents", "staff"],
                opens_on=today,
                closes_on=today + timedelta(days=21),
                threshold=3,
            ),
        )
        db.session.commit()
        round_id = rnd.id
    page = coordinator
    page.goto(f"{live_server.url}/rounds/{round_id}/questions")
    ask = page.get_by_role("group", name="Ask it of")
    boxes = ask.get_by_role("checkbox")
    expect(boxes).to_have_count(2)
    for n in range(2):
        expect(boxes.nth(n)).to_be_checked()  # every audience unless told otherwise
        boxes.nth(n).uncheck()
    page.get_by_label("Yes, no or don't know").check()
    page.get_by_label("The question", exact=True).fill("Is the staff room warm enough?")
    page.get_by_role("button", name="Add the question").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Choose at least one audience to ask this question of.")
    expect(summary).to_be_focused()
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(boxes.first).to_be_focused()
    ask.get_by_label("Staff", exact=True).check()
    page.get_by_role("button", name="Add the question").click()
    expect(page.locator(".own-questions")).to_contain_text("Asked of: Staff.")
    assert_accessible(page)
    with app.app_context():
        stored = db.session.execute(
            select(RoundQuestion.audiences).where(RoundQuestion.round_id == round_id)
        ).scalar_one()
    assert stored == ["staff"]


@pytest.fixture
def phone_for(browser: Browser, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setattr(abuse, "SECONDS_PER_QUESTION", 0.0)
    monkeypatch.setattr(abuse, "MAX_MINIMUM_SECONDS", 0.0)
    opened = []

    def make(javascript: bool) -> Page:
        context = phone_context(browser, javascript=javascript, viewport=SMALL_PHONE)
        opened.append(context)
        return context.new_page()

    yield make
    for context in opened:
        context.close()


def _answer_own_page(page: Page) -> None:
    survey = page.locator("#survey")
    survey.get_by_role("group", name="Did you get our leaflet?").get_by_label("Yes").check()
    hear = survey.get_by_role("group", name="How did you hear about us?")
    hear.get_by_label("Other, please say").check()
    hear.get_by_label("If you chose “Other”, please say").fill("At the summer fair")
    uses = survey.get_by_role("group", name="Which do you use?")
    uses.get_by_label("Library").check()
    uses.get_by_label("Park").check()
    survey.get_by_label("One thing you would change?").fill("Longer opening hours")


# The own questions' rows of the check page, as _answer_own_page (and 12 visits) left them.
OWN_CHECKED = {
    "Did you get our leaflet?": "Yes",
    "How did you hear about us?": "At the summer fair",
    "Which do you use?": "Library\nPark",
    "How many visits?": "12",
    "One thing you would change?": "Longer opening hours",
}


def own_rows(page: Page) -> dict[str, str]:
    """(question, answer) of the own questions' rows of the check page."""
    rows = page.locator("#survey .sl-r").all()
    found = {r.locator("dt").inner_text(): r.locator(".sl-v").inner_text().strip() for r in rows}
    return {q: a for q, a in found.items() if q in OWN_CHECKED}


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_parent_answers_every_type_on_a_small_phone(
    phone_for, live_server: LiveServer, rounds: dict[str, str], javascript: bool
) -> None:
    page: Page = phone_for(javascript)
    page.goto(live_server.url + rounds["link"])
    with live_server.app.app_context():
        before = db.session.execute(select(func.count()).select_from(SealedSubmission)).scalar()
    saw_own = checked = False
    for _ in range(30):
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
        if page.locator("#survey h1", has_text=OWN_PAGE).count():
            saw_own = True
            _answer_own_page(page)
            number = page.locator("#survey").get_by_label("How many visits?")
            expect(number).to_have_attribute("inputmode", "numeric")
            number.fill("99")  # outside the range: refused with a specific message
            press(page, next_button(page))
            summary = page.locator("#survey .es")
            expect(summary).to_contain_text("Enter a number between 0 and 30.")
            assert_accessible(page)
            page.locator("#survey").get_by_label("How many visits?").fill("12")
            _answer_own_page(page)
            press(page, next_button(page))
            continue
        kind = on_survey_page(page)
        if kind == "thanks":
            break
        if kind == "welcome":
            press(
                page, page.get_by_role("button", name=re.compile("^(Start|Carry on)$")).inner_text()
            )
            continue
        if kind == "check" and not checked:
            # Every own answer listed; Change the number on its page and come back.
            checked = True
            assert own_rows(page) == OWN_CHECKED
            assert_accessible(page)
            page.get_by_role("link", name="Change your answer to: How many visits?").click()
            number = page.locator("#survey").get_by_label("How many visits?")
            expect(number).to_have_value("12")
            number.fill("5")
            press(page, next_button(page))
            expect(page.locator("#survey h1")).to_have_text("Check your answers")
            assert own_rows(page) == {**OWN_CHECKED, "How many visits?": "5"}
            continue
        if kind == "questions":
            answer_questions(page, "Agree")
        elif kind == "about you":
            answer_role(page)
        last = page.get_by_role("button", name="Send my answers").count() > 0
        press(page, "Send my answers" if last else next_button(page))
    else:
        raise AssertionError("the survey never ended")
    assert saw_own and checked
    with live_server.app.app_context():
        after = db.session.execute(select(func.count()).select_from(SealedSubmission)).scalar()
    assert after == (before or 0) + 1


def test_the_results_show_every_type_and_pass_the_audit(
    coordinator: Page, live_server: LiveServer, rounds: dict[str, str]
) -> None:
    page = coordinator
    page.goto(f"{live_server.url}/results/{rounds['done']}")
    expect(page.locator("section.own-question")).to_have_count(len(SPECS))
    expect(page.get_by_role("heading", name="Did you get our leaflet?")).to_be_visible()
    expect(page.get_by_text("Idea 3")).to_be_visible()
    assert_accessible(page)
    with live_server.app.app_context():
        assert db.session.execute(select(func.count()).select_from(QuestionAnswer)).scalar()


def test_offline_the_own_questions_wait_on_the_phone_and_arrive_whole(
    browser: Browser, live_server: LiveServer
) -> None:
    """No signal from the first page: the kept pages, checkboxes and the number box included,
    then Send waits and goes once the signal is back (offline.js, issue 18)."""
    from tests.app.respond.helpers import invite, launch_round
    from tests.browser.test_offline import OFFLINE_NOTE, SEND, _ready

    app = live_server.app
    launched = launch_round(
        app, "Offline Own Questions", audiences=("parents",), status=RoundStatus.DRAFT
    )
    with app.app_context():
        rnd = db.session.get(FeedbackRound, launched.round_id)
        assert rnd is not None
        for spec in SPECS:
            questions.add_question(rnd, spec)
        freeze(rnd)
        rnd.status = RoundStatus.LIVE
        db.session.commit()
    context = phone_context(browser)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/r/{invite(app, launched.round_id)}")
        press(page, "Start")
        _ready(page)
        context.set_offline(True)
        for _ in range(30):
            if page.locator("#survey h1", has_text=OWN_PAGE).count():
                _answer_own_page(page)
                page.locator("#survey").get_by_label("How many visits?").fill("12")
            else:
                for group in page.locator("#survey fieldset:has(input[type=radio])").all():
                    agree = group.get_by_label("Agree", exact=True)
                    (agree if agree.count() else group.locator("input[type=radio]").last).check()
            if page.get_by_role("button", name=SEND, exact=True).count():
                # The check page kept on the phone, the own answers filled in from the phone's.
                assert own_rows(page) == OWN_CHECKED
                break
            form = page.locator("form[data-offline-page]")
            number = int(form.get_attribute("data-offline-page") or 0)
            pages = int(form.get_attribute("data-offline-pages") or 0)
            page.get_by_role("button", name=re.compile("^(Continue|Next)$")).click()
            after = "/check" if number == pages else f"/page/{number + 1}"  # then check them
            page.wait_for_url(re.compile(rf"{after}\?offline=1$"))
            _ready(page)
        page.get_by_role("button", name=SEND, exact=True).click()
        expect(page.get_by_text(OFFLINE_NOTE)).to_be_visible()
        context.set_offline(False)
        page.wait_for_url(re.compile(r"/thanks$"), timeout=15000)
    finally:
        context.close()
    release_all(app)
    with app.app_context():
        rows = db.session.execute(
            select(RoundQuestion.kind, QuestionAnswer.value)
            .join(RoundQuestion, RoundQuestion.id == QuestionAnswer.question_id)
            .where(RoundQuestion.round_id == launched.round_id)
        ).all()
        words = set(
            db.session.execute(
                select(QuestionText.text).where(QuestionText.round_id == launched.round_id)
            ).scalars()
        )
    assert sorted(rows) == sorted(
        [
            ("number", "12"),
            ("one_choice", "other"),
            ("several_choices", "o1"),
            ("several_choices", "o3"),
            ("yes_no", "yes"),
        ]
    )
    assert words == {"At the summer fair", "Longer opening hours"}


def test_an_offline_kiosk_keeps_the_own_questions_and_sends_them_whole(
    browser: Browser, live_server: LiveServer
) -> None:
    """kiosk.js holds one person's answers in memory: checkboxes travel as one value, the own
    questions may be left blank, and what was queued offline arrives as the form would send it."""
    from tests.app.respond.helpers import add_open_link, launch_round
    from tests.browser.test_kiosk import Event, _pair, _pairing_code

    app = live_server.app
    saved = app.config.get("KIOSK_MIN_SECONDS_PER_QUESTION")
    app.config["KIOSK_MIN_SECONDS_PER_QUESTION"] = 0
    launched = launch_round(
        app,
        "Kiosk Own Questions",
        indicators=("2.1",),
        audiences=("parents",),
        free_text=False,
        role_question=False,
        status=RoundStatus.DRAFT,
    )
    with app.app_context():
        rnd = db.session.get(FeedbackRound, launched.round_id)
        assert rnd is not None
        for spec in SPECS:
            questions.add_question(rnd, spec)
        freeze(rnd)
        rnd.status = RoundStatus.LIVE
        db.session.commit()
    add_open_link(app, launched.round_id, "parents")
    event = Event(launched.round_id, launched.questionnaires["parents"])
    code, _kiosk_id = _pairing_code(app, event, "Own questions tablet")
    context = phone_context(browser)
    page = context.new_page()
    try:
        _pair(page, live_server, code)
        context.set_offline(True)
        press(page, "Start")
        for _ in range(20):
            if page.locator("#survey h1", has_text=OWN_PAGE).count():
                _answer_own_page(page)
                page.locator("#survey").get_by_label("How many visits?").fill("3")
            else:
                answer_questions(page, "Agree")
            if page.get_by_role("button", name="Send my answers").count():
                # The check rows kiosk.js builds from the blank pages and its memory.
                assert own_rows(page) == {**OWN_CHECKED, "How many visits?": "3"}
                press(page, "Send my answers")
                break
            press(page, next_button(page))
        expect(page.locator("#survey .kiosk-sent")).to_contain_text("kept on this tablet")
        context.set_offline(False)
        expect(page.locator("body[data-kiosk-waiting='0']")).to_have_count(1, timeout=30_000)
    finally:
        context.close()
        app.config["KIOSK_MIN_SECONDS_PER_QUESTION"] = saved
    release_all(app)
    with app.app_context():
        rows = db.session.execute(
            select(RoundQuestion.kind, QuestionAnswer.value)
            .join(RoundQuestion, RoundQuestion.id == QuestionAnswer.question_id)
            .where(RoundQuestion.round_id == launched.round_id)
        ).all()
    assert sorted(rows) == sorted(
        [
            ("number", "3"),
            ("one_choice", "other"),
            ("several_choices", "o1"),
            ("several_choices", "o3"),
            ("yes_no", "yes"),
        ]
    )
