"""One feedback round from set-up to evidence, the way its people meet it (issue 10).

The tests tell one story, on a real server and a real SMTP server: the coordinator sets the
round up on a desktop and launches it; the mail worker sends the invitations; parents answer on
phones from the emailed links (with JavaScript and without, saving and resuming); a child answers
the easy-read questionnaire through the open link; the coordinator watches the response rate
rise, closes the round and reads the results; the Self-Assessment Team imports them as evidence;
the workbook downloads and opens. Every phone step is screenshotted.

Each test passes alone and in any order: a test that starts later in the story gets its own
organisation with the earlier steps already taken (`launched`, `answered`, `closed`), the
launch through the same services the launch page uses and the answers through real phones.
Only `closed`, which nobody changes, is shared by the tests that read the closed round.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import segno
from openpyxl import load_workbook
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import func, select

from app.extensions import db
from app.invitations.common import audience_labels
from app.models import (
    Channel,
    FeedbackRound,
    Invitation,
    InvitationStatus,
    OpenLink,
    Organisation,
    Response,
    RoundStatus,
    SavedDraft,
    SealedSubmission,
)
from app.services import abuse
from app.services.accounts import create_user
from app.services.contacts import ContactRow, add_contacts
from app.services.launch import launch
from app.services.results import close_round
from app.services.rounds import RoundSettings, create_round
from app.services.tokens import draft_lookup, token_hash
from tests.browser.journey import (
    FAVOURABLE,
    answer_questions,
    answer_role,
    answer_to_the_end,
    press,
)
from tests.browser.support import (
    PASSWORD,
    LiveServer,
    Shots,
    assert_accessible,
    assert_no_horizontal_scroll,
    desktop_context,
    follow,
    heading,
    invitation_link,
    phone_context,
    run_mail_worker,
    sign_in,
)
from tests.smtp import SmtpServer, text_part

ROUND_NAME = "Family support feedback, spring"
FRAMEWORK_ID = "hmie-children-services"
FRAMEWORK_CHOICE = "HMIE children's services QIs"  # the short title, in the round form
FRAMEWORK_TITLE = (
    "A guide to evaluating services for children and young people using quality indicators"
)
# The indicators asked about, by the framework section that holds them.
INDICATORS = {"5": "5.1", "6": "6.2"}
SECTIONS = {
    "5": "Delivery of services for children and young people",
    "6": "Policy development and planning",
}
THRESHOLD = 3  # the smallest allowed: three parents answering is enough to show figures
PARENTS = 4
STAFF = 2
PARENT_ITEMS_PER_INDICATOR = 3  # HMIE item bank: parents get three statements on 5.1 and 6.2
CHILD_ITEMS = 6  # and children three on each, one a page in easy read
PARENT_COMMENT = "The family workers listen to us."


@dataclass
class Story:
    """One organisation's people and round, as far as the story has gone."""

    org: str
    coordinator: str
    sat_member: str
    parents: list[str]
    staff: list[str]
    round_id: uuid.UUID | None = None
    links: dict[str, str] = field(default_factory=dict)  # email address -> emailed link
    parent_answers: list[str] = field(default_factory=list)  # one agree4 answer per parent sent

    def round(self) -> uuid.UUID:
        assert self.round_id, "the round was not launched"
        return self.round_id

    def link(self, email: str) -> str:
        assert email in self.links, f"no invitation emailed to {email}"
        return self.links[email]

    def parent(self, n: int) -> str:
        return self.parents[n]

    @property
    def favourable(self) -> int:
        """Parents' favourable answers on one indicator (each answered all three the same)."""
        return PARENT_ITEMS_PER_INDICATOR * sum(a in FAVOURABLE for a in self.parent_answers)

    @property
    def counted(self) -> int:
        return PARENT_ITEMS_PER_INDICATOR * len(self.parent_answers)

    @property
    def indicator_percent(self) -> str:
        """ "67%": parents' 5.1 figure as the indicator page shows it."""
        return f"{round(100 * self.favourable / self.counted)}%"

    @property
    def indicator_counts(self) -> str:
        """ "6 of 9": favourable answers of those counted, as that page shows them."""
        return f"{self.favourable} of {self.counted}"


def _new_story(live_server: LiveServer) -> Story:
    """A new organisation of its own, with its coordinator and SAT member."""
    tag = uuid.uuid4().hex[:6]
    story = Story(
        org=f"Riverside Family Services {tag}",
        coordinator=f"coordinator.{tag}@riverside.example",
        sat_member=f"sat.member.{tag}@riverside.example",
        parents=[f"parent{n}.{tag}@families.example" for n in range(1, PARENTS + 1)],
        staff=[f"worker{n}.{tag}@riverside.example" for n in range(1, STAFF + 1)],
    )
    with live_server.app.app_context():
        create_user(story.coordinator, PASSWORD, story.org, "coordinator", name="Cara Coordinator")
        create_user(story.sat_member, PASSWORD, story.org, "sat_member", name="Sam Member")
        db.session.commit()
    return story


def _launch(live_server: LiveServer, mail_server: SmtpServer, story: Story) -> Story:
    """The round the first test sets up by hand, made and launched by the same services, and
    the invitations sent by the real worker to the real SMTP server."""
    app = live_server.app
    with app.app_context():
        org = db.session.execute(
            select(Organisation).where(Organisation.name == story.org)
        ).scalar_one()
        rnd = create_round(
            org,
            RoundSettings(
                name=ROUND_NAME,
                framework_id=FRAMEWORK_ID,
                indicator_ids=list(INDICATORS.values()),
                audiences=["parents", "children", "staff"],
                children_bands=["8_to_12", "13_plus"],
                opens_on=_today(),
                closes_on=_today() + timedelta(days=14),
                threshold=THRESHOLD,
                free_text=True,
                role_question=True,
            ),
        )
        for audience, people in (("parents", story.parents), ("staff", story.staff)):
            add_contacts(
                rnd, audience, [ContactRow(n, e, f"Person {n}") for n, e in enumerate(people, 1)]
            )
        launch(rnd, secret=app.config["SECRET_KEY"], labels=audience_labels(rnd), today=_today())
        db.session.commit()
        story.round_id = rnd.id
    mail_server.handler.clear()
    invited = len(story.parents) + len(story.staff)
    assert run_mail_worker(app).sent == invited
    for message in mail_server.wait_for(invited):
        address = re.search(r"[\w.+-]+@[\w.-]+", message["To"])
        assert address, message["To"]
        story.links[address.group(0)] = invitation_link(text_part(message))
    assert set(story.links) == set(story.parents + story.staff)
    return story


def _answer_as_parent(browser: Browser, story: Story, n: int, answer: str, comment: str) -> None:
    """Parent `n` answers everything with `answer` on a phone, writing `comment` once."""
    context = phone_context(browser)
    try:
        page = context.new_page()
        page.goto(story.link(story.parent(n)))

        def write_comment(p: Page, kind: str) -> None:
            box = p.get_by_label("What works well?")
            if comment and kind == "questions" and box.count() and not box.first.input_value():
                box.first.fill(comment)

        answer_to_the_end(page, answer, each_page=write_comment)
    finally:
        context.close()
    story.parent_answers.append(answer)


def _choose_band(page: Page) -> None:
    """The shared children's link asks the age band first (issue 20): 8 to 12, faces."""
    page.get_by_role("group", name="How old are you?").get_by_label(
        "I am 8, 9, 10, 11 or 12", exact=True
    ).check()
    press(page, "Next")


def _answer_as_child(browser: Browser, live_server: LiveServer, story: Story) -> None:
    """A child answers the easy-read questionnaire through the open link, on a phone."""
    with live_server.app.app_context():
        code = db.session.execute(
            select(OpenLink.code).where(
                OpenLink.round_id == story.round(), OpenLink.audience == "children"
            )
        ).scalar_one()
    context = phone_context(browser)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/o/{code}")
        _choose_band(page)
        with pytest.MonkeyPatch.context() as patch:  # a child takes more than a second a page
            patch.setattr(abuse, "SECONDS_PER_QUESTION", 0.0)
            answer_to_the_end(page, "Yes, mostly")
    finally:
        context.close()


@pytest.fixture
def story(live_server: LiveServer) -> Story:
    """A new organisation, nothing set up yet."""
    return _new_story(live_server)


@pytest.fixture
def launched(live_server: LiveServer, mail_server: SmtpServer) -> Story:
    """A new organisation whose round is live, every invitation emailed."""
    return _launch(live_server, mail_server, _new_story(live_server))


@pytest.fixture
def answered(browser: Browser, live_server: LiveServer, launched: Story) -> Story:
    """... and two parents (each writing the same comment) and one child have answered."""
    _answer_as_parent(browser, launched, 0, "Strongly agree", PARENT_COMMENT)
    _answer_as_parent(browser, launched, 1, "Agree", PARENT_COMMENT)
    _answer_as_child(browser, live_server, launched)
    return launched


@pytest.fixture(scope="module")
def closed(browser: Browser, live_server: LiveServer, mail_server: SmtpServer) -> Story:
    """A round with three parents' and a child's answers, closed. Shared by the tests that only
    read it: none of them changes the round."""
    story = _launch(live_server, mail_server, _new_story(live_server))
    _answer_as_parent(browser, story, 0, "Strongly agree", PARENT_COMMENT)
    _answer_as_parent(browser, story, 1, "Agree", PARENT_COMMENT)
    _answer_as_child(browser, live_server, story)
    _answer_as_parent(browser, story, 2, "Disagree", "")
    with live_server.app.app_context():
        rnd = db.session.get(FeedbackRound, story.round())
        assert rnd is not None
        close_round(rnd)
        db.session.commit()
    return story


@pytest.fixture
def desktop(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[str], Page]]:
    """Sign someone in on a desktop browser of their own; all closed at the end."""
    opened: list[BrowserContext] = []

    def signed_in(email: str) -> Page:
        opened.append(desktop_context(browser))
        page = opened[-1].new_page()
        sign_in(page, live_server, email)
        return page

    yield signed_in
    for context in opened:
        context.close()


@pytest.fixture
def phones(browser: Browser) -> Iterator[list[BrowserContext]]:
    """Phone contexts a test opens; all closed at the end."""
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def _today() -> date:
    return datetime.now(UTC).date()


def _round_row(live_server: LiveServer, round_id: uuid.UUID) -> FeedbackRound:
    with live_server.app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        db.session.expunge(rnd)
        return rnd


def _count(live_server: LiveServer, statement: object) -> int:
    with live_server.app.app_context():
        return int(db.session.execute(statement).scalar_one())


def _sent(live_server: LiveServer) -> int:
    """Submissions stored: released responses and those still sealed in the inbox (DESIGN 6.3)."""
    return sum(
        _count(live_server, select(func.count()).select_from(model))
        for model in (Response, SealedSubmission)
    )


# -- 1. the coordinator sets the round up and launches it ------------------------------------------


def test_coordinator_sets_up_and_launches_a_round(
    desktop: Callable[[str], Page],
    live_server: LiveServer,
    mail_server: SmtpServer,
    story: Story,
    shots: Shots,
) -> None:
    page = desktop(story.coordinator)
    expect(page.get_by_role("heading", name=story.org)).to_be_visible()
    assert_accessible(page)
    shots(page, "home")

    follow(page, "Main", "Rounds")
    expect(heading(page, "Feedback rounds")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="New round", exact=True).click()

    # Step 1: the framework. With JavaScript, HTMX swaps its indicators in on change.
    page.get_by_label("Step 1: framework").select_option(label=FRAMEWORK_CHOICE)
    expect(page.get_by_role("group", name="Indicators", exact=True)).to_be_visible()
    for section, indicator in INDICATORS.items():
        page.locator("summary", has_text=SECTIONS[section]).click()
        page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(indicator)} ")).check()
    audiences = page.get_by_role("group", name="Audiences", exact=True)
    for label in ("Parents and carers", "Children and young people", "Staff"):
        audiences.get_by_label(label, exact=True).check()
    # Children in two age bands (issue 20): 8 to 12 on faces, 13 and over like adults.
    bands = page.get_by_role("group", name="Age bands of children and young people")
    bands.get_by_label(re.compile("^Under 8")).uncheck()
    page.get_by_label("Name of the round").fill(ROUND_NAME)
    page.get_by_label("Opens on").fill(_today().isoformat())
    page.get_by_label("Closes on").fill((_today() + timedelta(days=14)).isoformat())
    page.get_by_label("Anonymity threshold").fill(str(THRESHOLD))
    page.get_by_label("A question about the respondent's role, in broad groups").check()
    assert_accessible(page)
    shots(page, "new round form")
    page.get_by_role("button", name="Create the round", exact=True).click()

    expect(page.get_by_role("heading", name=ROUND_NAME, level=1)).to_be_visible()
    expect(page.get_by_text(f"Round “{ROUND_NAME}” created as a draft")).to_be_visible()
    story.round_id = uuid.UUID(page.url.rstrip("/").rsplit("/", 1)[-1])
    round_url = page.url
    for label in ("Parents and carers", "Children 8 to 12", "Young people 13 and over", "Staff"):
        expect(page.get_by_role("heading", name=label, level=3)).to_be_visible()
    assert_accessible(page)
    shots(page, "round page")

    # The questionnaire editor and the phone preview of what parents will see.
    page.get_by_role(
        "link", name="Review and edit the questionnaire for Parents and carers", exact=True
    ).click()
    expect(heading(page, "Questionnaire for Parents and carers")).to_be_visible()
    assert_accessible(page)
    shots(page, "questionnaire editor")
    page.get_by_role(
        "link", name="Preview it as respondents will see it, on a phone", exact=True
    ).click()
    expect(heading(page, "Preview: Parents and carers questionnaire")).to_be_visible()
    assert_accessible(page)
    shots(page, "preview parents")
    page.get_by_role("link", name="Children 8 to 12", exact=True).click()
    expect(heading(page, "Preview: Children 8 to 12 questionnaire")).to_be_visible()
    assert_accessible(page)

    # Contacts, pasted the way people copy them out of an email.
    page.goto(round_url)
    follow(page, "This round", "Contacts")
    expect(heading(page, "Who to invite by email")).to_be_visible()
    assert_accessible(page)
    for audience, addresses, joined in (
        ("Parents and carers", story.parents, "; "),
        ("Staff", story.staff, "\n"),
    ):
        paste = page.get_by_role("region", name="Or paste a list", exact=True)
        paste.get_by_label("Who are they?").select_option(label=audience)
        paste.get_by_label("Email addresses").fill(
            joined.join(f"Person {n} <{a}>" for n, a in enumerate(addresses, 1))
        )
        paste.get_by_role("button", name="Check and import", exact=True).click()
        expect(heading(page, f"{audience}: {len(addresses)} contacts")).to_be_visible()
    shots(page, "contacts")

    page.get_by_role("link", name="Next: check and launch", exact=True).click()
    expect(heading(page, f"Launch “{ROUND_NAME}”")).to_be_visible()
    invited = len(story.parents) + len(story.staff)
    expect(page.get_by_role("row", name=re.compile("^Total"))).to_contain_text(str(invited))
    assert_accessible(page)
    shots(page, "launch")
    # Two staff is under the threshold: the launch checks ask for a tick before going on.
    page.get_by_role("checkbox", name=re.compile(r"^Staff: \d+ invited")).check()
    page.get_by_role("button", name=f"Launch and send {invited} invitations", exact=True).click()

    expect(page.get_by_role("heading", name="Responses", level=1)).to_be_visible()
    expect(
        page.get_by_text(f"The round is live. {invited} invitations are being sent.")
    ).to_be_visible()
    assert_accessible(page)
    shots(page, "dashboard after launch")

    # The mail worker sends every invitation to the real SMTP server on loopback.
    mail_server.handler.clear()
    report = run_mail_worker(live_server.app)
    assert report.sent == invited, report
    messages = mail_server.wait_for(invited)
    assert len(messages) == invited
    page.reload()
    expect(page.get_by_text(f"{invited} sent")).to_be_visible()
    follow(page, "Main", "Outbox")
    expect(heading(page, "Outbox")).to_be_visible()
    # With a mail server, the Outbox never shows anyone's link.
    assert "/r/" not in page.content()
    assert_accessible(page)
    shots(page, "outbox")

    tokens = []
    for message in messages:
        to = message["To"]
        body = text_part(message)
        link = invitation_link(body)
        assert link.startswith(live_server.url + "/r/")
        address = re.search(r"[\w.+-]+@[\w.-]+", to)
        assert address, to
        assert ROUND_NAME in body
        assert "/unsubscribe/" in body, "every email has an opt-out link"
        story.links[address.group(0)] = link
        tokens.append(link.rsplit("/", 1)[-1])
    assert set(story.links) == set(story.parents + story.staff)
    assert len(set(story.links.values())) == invited, "each person gets their own link"

    # The database holds only each token's hash, never the token.
    with live_server.app.app_context():
        hashes = set(
            db.session.execute(
                select(Invitation.token_hash).where(Invitation.round_id == story.round())
            ).scalars()
        )
    assert hashes == {token_hash(t) for t in tokens}
    assert not hashes & set(tokens)
    assert _round_row(live_server, story.round()).status == RoundStatus.LIVE


# -- 2. parents answer on their phones ---------------------------------------------------------


@pytest.mark.parametrize(
    ("javascript", "parent", "answer"),
    [(True, 0, "Strongly agree"), (False, 1, "Agree")],
    ids=["javascript-on", "javascript-off"],
)
def test_parent_answers_saves_resumes_and_sends_on_a_phone(
    browser: Browser,
    phones: list[BrowserContext],
    live_server: LiveServer,
    launched: Story,
    shots: Shots,
    javascript: bool,
    parent: int,
    answer: str,
) -> None:
    story = launched
    link = story.link(story.parent(parent))
    token = link.rsplit("/", 1)[-1]
    responses_before = _sent(live_server)

    phones.append(phone_context(browser, javascript=javascript))
    page = phones[-1].new_page()
    arrived = page.goto(link)
    assert arrived is not None and arrived.ok
    # The token was exchanged for a session at once: the page's address no longer holds it.
    assert arrived.request.redirected_from is not None
    assert token not in page.url
    assert re.fullmatch(rf"{re.escape(live_server.url)}/q/[0-9a-f-]{{36}}", page.url), page.url
    expect(heading(page, "Parents and carers survey")).to_be_visible()
    # The page's own scripts (HTMX) ran, or not, as this phone is set up.
    assert page.evaluate("typeof window.htmx") == ("object" if javascript else "undefined")
    _check_phone_page(page, shots, "welcome")
    press(page, "Start")

    # The first section: pressing on without answering shows the error summary.
    expect(page.get_by_text("Section 1 of 3")).to_be_visible()
    _check_phone_page(page, shots, "section 1")
    press(page, "Continue")
    summary = page.get_by_role("alert")
    expect(heading(summary, "There is a problem")).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(PARENT_ITEMS_PER_INDICATOR)
    if javascript:
        expect(summary).to_be_focused()
    _check_phone_page(page, shots, "section 1 errors")
    assert answer_questions(page, answer) == PARENT_ITEMS_PER_INDICATOR
    page.get_by_label("What works well?").first.fill(PARENT_COMMENT)
    press(page, "Continue")

    # The second section: the address bar follows the section, with HTMX swapping it in place
    # (one request, HX-Push-Url) as without JavaScript (303 and a new page).
    expect(page.get_by_text("Section 2 of 3")).to_be_visible()
    assert page.url.endswith("/page/2"), page.url
    if javascript:
        assert page.evaluate("document.body.getAttribute('hx-history')") == "false"
        # Back goes to section 1 (htmx keeps no snapshot: it loads the address again).
        page.go_back()
        expect(page.get_by_text("Section 1 of 3")).to_be_visible()
        assert page.url.endswith("/page/1"), page.url
        press(page, "Continue")
        expect(page.get_by_text("Section 2 of 3")).to_be_visible()
        assert page.url.endswith("/page/2"), page.url
    answered = answer_questions(page, answer)
    _check_phone_page(page, shots, "section 2 answered")
    press(page, "Save and continue later")
    expect(heading(page, "Your answers are saved")).to_be_visible()
    _check_phone_page(page, shots, "saved")
    lookup = draft_lookup(live_server.app.config["SECRET_KEY"], token)
    draft = select(func.count()).select_from(SavedDraft).where(SavedDraft.lookup == lookup)
    assert _count(live_server, draft) == 1, "the answers are kept, encrypted, on the server"
    phones[-1].close()

    # Later, on another phone: the same link opens the saved answers.
    phones.append(phone_context(browser, javascript=javascript))
    page = phones[-1].new_page()
    page.goto(link)
    assert token not in page.url
    total = PARENT_ITEMS_PER_INDICATOR + answered
    expect(
        page.get_by_text(f"You have answered {total} of {total} questions so far")
    ).to_be_visible()
    _check_phone_page(page, shots, "welcome back")
    press(page, "Carry on")
    expect(heading(page, "About you")).to_be_visible()
    _check_phone_page(page, shots, "about you")
    press(page, "Back")
    expect(page.get_by_text("Section 2 of 3")).to_be_visible()
    for group in page.locator("#survey .q fieldset").all():
        expect(group.get_by_label(answer, exact=True)).to_be_checked()
    press(page, "Continue")
    answer_role(page)
    press(page, "Continue")

    # Check your answers: every answer, each with a Change link back to its page; Send is here.
    expect(heading(page, "Check your answers")).to_be_visible()
    assert page.url.endswith("/check"), page.url
    summary = page.locator("#survey dl.sl")
    expect(summary).to_have_count(3)  # one summary list per section
    expect(summary.get_by_text(PARENT_COMMENT)).to_be_visible()
    chosen = page.locator("#survey .sl-v", has_text=re.compile(f"^{re.escape(answer)}$"))
    expect(chosen).to_have_count(total)
    _check_phone_page(page, shots, "check your answers")
    assert _sent(live_server) == responses_before
    # Change one answer of section 2, then change it back: each time straight back here.
    other = "Agree" if answer != "Agree" else "Disagree"
    for now in (other, answer):
        section_2 = page.locator("#survey .sl").nth(1)
        change = section_2.get_by_role("link", name=re.compile("^Change your answer to")).first
        asked = (change.text_content() or "").split("your answer to: ", 1)[1].strip()
        change.click()
        expect(page.get_by_text("Section 2 of 3")).to_be_visible()
        assert page.url.endswith("/page/2?change=1") or "/page/2?change=1#" in page.url, page.url
        page.get_by_role("group", name=re.compile(re.escape(asked))).get_by_label(
            now, exact=True
        ).check()
        press(page, "Continue")  # not through "About you": back to the check page
        expect(heading(page, "Check your answers")).to_be_visible()
        row = page.locator("#survey .sl-r", has=page.get_by_text(asked, exact=True))
        expect(row.locator(".sl-v")).to_have_text(now)
    press(page, "Send my answers")

    expect(heading(page, "Thank you")).to_be_visible()
    expect(page.get_by_text("Your answers have been sent.")).to_be_visible()
    assert token not in page.url and page.url.endswith("/thanks")
    _check_phone_page(page, shots, "thank you")
    story.parent_answers.append(answer)

    # Exactly one response more; the saved copy is gone; the invitation is used.
    assert _sent(live_server) == responses_before + 1
    with live_server.app.app_context():
        assert (
            db.session.execute(
                select(Invitation.status).where(Invitation.token_hash == token_hash(token))
            ).scalar_one()
            == InvitationStatus.COMPLETED
        )
    assert _count(live_server, draft) == 0, "the saved copy is deleted on submit"
    # Opening the link again in this browser shows the thank-you page, not the survey.
    page.goto(link)
    expect(heading(page, "Thank you")).to_be_visible()


def _check_phone_page(page: Page, shots: Shots, step: str) -> None:
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    shots(page, step)


# -- 3. a child answers the easy-read questionnaire through the open link ----------------------


def test_child_answers_the_easy_read_questionnaire_from_the_open_link(
    desktop: Callable[[str], Page],
    browser: Browser,
    phones: list[BrowserContext],
    live_server: LiveServer,
    launched: Story,
    shots: Shots,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A child takes more than a second a page; the test need not wait for that.
    monkeypatch.setattr(abuse, "SECONDS_PER_QUESTION", 0.0)
    story = launched
    page = desktop(story.coordinator)
    page.goto(f"{live_server.url}/rounds/{story.round()}/open-links")
    section = page.get_by_role("region", name=re.compile("^Children and young people: every"))
    link = section.locator("code").inner_text().strip()
    assert link.startswith(live_server.url + "/o/")
    assert_accessible(page)
    # The QR code on the poster is the same link.
    with page.expect_download() as download:
        section.get_by_role("link", name="Download the QR code (SVG)", exact=True).click()
    qr = io.BytesIO()
    segno.make(link, error="m", micro=False).save(
        qr, kind="svg", scale=10, border=4, dark="#000", light="#fff"
    )
    assert Path(download.value.path()).read_bytes() == qr.getvalue()

    phones.append(phone_context(browser))
    child = phones[-1].new_page()
    child.goto(link)
    assert "/o/" not in child.url
    expect(heading(child, "Children and young people survey")).to_be_visible()
    _check_phone_page(child, shots, "age band choice")
    _choose_band(child)
    expect(heading(child, "Children 8 to 12 survey")).to_be_visible()
    _check_phone_page(child, shots, "welcome")
    press(child, "Start")

    # One statement a page, with faces; "Next" without an answer asks for one.
    expect(child.get_by_text("Question 1 of")).to_be_visible()
    expect(child.locator("svg.face")).to_have_count(3)
    _check_phone_page(child, shots, "question 1")
    press(child, "Next")
    expect(
        child.get_by_role("alert").get_by_role("heading", name="There is a problem", exact=True)
    ).to_be_visible()
    _check_phone_page(child, shots, "question 1 error")

    seen: list[str] = []

    def each_page(p: Page, kind: str) -> None:
        seen.append(kind)
        if kind == "comments" and "comments" not in seen[:-1]:
            expect(heading(p, "Tell us more")).to_be_visible()
            _check_phone_page(p, shots, "tell us more")
        if kind == "thanks":
            _check_phone_page(p, shots, "thank you")

    answer_to_the_end(child, "Yes, mostly", each_page=each_page)
    # A page per statement, and a "Tell us more" page after each section.
    assert seen.count("questions") == CHILD_ITEMS and seen.count("comments") == 2, seen
    with live_server.app.app_context():
        children = db.session.execute(
            select(func.count())
            .select_from(Response)
            .where(
                Response.round_id == story.round(),
                Response.audience == "children_8_to_12",
                Response.channel == Channel.OPEN_LINK,
            )
        ).scalar_one()
        children += db.session.execute(  # sealed until the release (DESIGN 6.3)
            select(func.count())
            .select_from(SealedSubmission)
            .where(SealedSubmission.audience == "children_8_to_12")
        ).scalar_one()
    assert children == 1

    # The same phone cannot answer twice through the open link.
    child.goto(link)
    expect(heading(child, "You have already answered on this device")).to_be_visible()
    _check_phone_page(child, shots, "already answered")


# -- 4. the coordinator watches responses arrive, closes the round, reads the results ----------


def test_coordinator_watches_the_rate_rise_closes_and_reads_results(
    desktop: Callable[[str], Page],
    browser: Browser,
    phones: list[BrowserContext],
    live_server: LiveServer,
    answered: Story,
    shots: Shots,
) -> None:
    story = answered
    page = desktop(story.coordinator)
    page.goto(f"{live_server.url}/rounds/{story.round()}/responses")
    parents_row = page.get_by_role("row", name=re.compile("^Parents and carers"))
    completed = parents_row.get_by_role("cell").nth(2)
    before = len(story.parent_answers)
    # Two parents are fewer than the threshold: the dashboard says so, not how many.
    assert before == THRESHOLD - 1
    expect(completed).to_have_text(f"Fewer than {THRESHOLD}")
    shots(page, "dashboard before")

    # A third parent answers on a phone while the dashboard is open.
    phones.append(phone_context(browser))
    parent = phones[-1].new_page()
    parent.goto(story.link(story.parent(2)))
    answer_to_the_end(parent, "Disagree")
    story.parent_answers.append("Disagree")

    # HTMX polling updates the figure without a reload.
    expect(completed).to_have_text(str(before + 1), timeout=15_000)
    expect(parents_row).to_contain_text(f"{before + 1} of {len(story.parents)}")
    assert_accessible(page)
    shots(page, "dashboard after")

    follow(page, "Main", "Results")
    page.get_by_role("link", name=ROUND_NAME).first.click()
    # Closing lives with the round's actions on its Overview, not as a results tab.
    follow(page, "This round", "Overview")
    page.get_by_role("link", name="Close round…", exact=True).click()
    expect(heading(page, f"Close “{ROUND_NAME}”")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Close the round now", exact=True).click()
    expect(page.get_by_text("The round is closed.")).to_be_visible()
    assert _round_row(live_server, story.round()).status == RoundStatus.CLOSED
    assert_accessible(page)
    shots(page, "results overview")

    indicator = INDICATORS["5"]
    page.get_by_role("link", name=re.compile(rf"^{re.escape(indicator)} ")).first.click()
    expect(
        page.get_by_role("heading", name=re.compile(rf"^{re.escape(indicator)} "))
    ).to_be_visible()
    row = page.get_by_role("table", name=re.compile("^Percent favourable per group")).get_by_role(
        "row", name=re.compile("^Parents and carers")
    )
    assert (story.indicator_percent, story.indicator_counts) == ("67%", "6 of 9")
    expect(row).to_contain_text(story.indicator_percent)
    expect(row).to_contain_text(story.indicator_counts)
    # Three parents reach the threshold, so their comments show (two wrote the same words).
    expect(page.get_by_text(PARENT_COMMENT, exact=True)).to_have_count(2)
    # One child answered: under the threshold, so nothing about children is shown.
    expect(page.get_by_role("row", name=re.compile("^Children 8 to 12"))).to_contain_text(
        f"Fewer than {THRESHOLD}"
    )
    assert_accessible(page)
    shots(page, "indicator results")

    # The last parent's link now says the survey has closed.
    phones.append(phone_context(browser))
    late = phones[-1].new_page()
    late.goto(story.link(story.parent(3)))
    expect(late.get_by_role("heading", name=re.compile("closed", re.IGNORECASE))).to_be_visible()
    _check_phone_page(late, shots, "closed round")


# -- 5. the Self-Assessment Team imports the round as evidence -------------------------------------


def test_sat_imports_the_round_and_sees_figures_beside_a_rating(
    desktop: Callable[[str], Page],
    closed: Story,
    shots: Shots,
) -> None:
    story = closed
    page = desktop(story.coordinator)
    follow(page, "Main", "Self-assessment")
    assert_accessible(page)
    page.get_by_role("link", name="Start a new assessment", exact=True).click()
    page.get_by_label("Which framework will the team assess against?").select_option(
        label=FRAMEWORK_TITLE
    )
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_label("Title", exact=True).fill("Self-evaluation, spring")
    page.get_by_text("Choose individual indicators").click()
    for indicator in INDICATORS.values():
        page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(indicator)} ")).check()
    page.get_by_label("Sam Member").select_option(label="Member")
    assert_accessible(page)
    shots(page, "new assessment")
    page.get_by_role("button", name="Create the assessment", exact=True).click()
    expect(heading(page, "Self-evaluation, spring")).to_be_visible()
    assessment_url = page.url
    assert_accessible(page)

    # The SAT member imports the closed round, rates, and submits.
    sat = desktop(story.sat_member)
    sat.goto(assessment_url)
    sat.get_by_role("link", name="SAT and stakeholders", exact=True).click()
    sat.get_by_role("link", name="Import a round", exact=True).click()
    expect(heading(sat, "Import stakeholder results")).to_be_visible()
    sat.get_by_label(re.compile(re.escape(ROUND_NAME))).check()
    assert_accessible(sat)
    shots(sat, "import")
    sat.get_by_role("button", name="Import as evidence", exact=True).click()
    expect(sat.get_by_role("status")).to_contain_text(
        f"Imported stakeholders' views for {len(INDICATORS)} indicators"
    )

    sat.get_by_role("link", name="My ratings", exact=True).click()
    indicator = INDICATORS["5"]
    # One section at a time, each rated alone on the six-point scale.
    for section, rating, button in (
        ("5", "Good", "Save and go to the next section"),
        ("6", "Adequate", "Save this section"),
    ):
        group = sat.get_by_role("group", name=re.compile(rf"^{re.escape(INDICATORS[section])} "))
        group.get_by_label(re.compile(rf"^\S*\s*{rating}")).first.check()
        if section == "5":
            assert_accessible(sat)
            shots(sat, "my ratings")
        sat.get_by_role("button", name=button, exact=True).click()
        expect(sat.get_by_role("status")).to_be_visible()
    sat.get_by_role("button", name="Submit my ratings", exact=True).click()

    sat.goto(assessment_url)
    sat.get_by_role("link", name=re.compile(rf"^{re.escape(indicator)} ")).first.click()
    side = sat.get_by_role("complementary")
    expect(side).to_contain_text("Good")
    stakeholders = sat.locator("#stakeholders")
    expect(stakeholders).to_contain_text("Parents and carers")
    expect(stakeholders).to_contain_text(story.indicator_percent)
    assert_accessible(sat)
    shots(sat, "indicator with stakeholders")

    # The facilitator opens the discussion and records the agreed rating.
    page.goto(assessment_url)
    page.get_by_role("link", name="Consensus", exact=True).click()
    assert_accessible(page)
    page.goto(assessment_url)
    page.get_by_role("button", name="Open the discussion", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("The discussion is open")
    expect(heading(page, "Consensus")).to_be_visible()
    assert_accessible(page)
    shots(page, "consensus")
    page.get_by_role("link", name=re.compile(rf"^{re.escape(INDICATORS['5'])} ")).first.click()
    page.get_by_role("group", name="Agreed rating", exact=True).get_by_label(
        re.compile("Good")
    ).first.check()
    page.get_by_role("button", name="Save the agreed judgement", exact=True).click()
    page.get_by_role("link", name="SAT and stakeholders", exact=True).click()
    card = page.get_by_role("region", name=re.compile(rf"^{re.escape(INDICATORS['5'])} "))
    expect(card).to_contain_text("Agreed rating:")
    expect(card).to_contain_text("Good")
    expect(card).to_contain_text(story.indicator_percent)
    assert_accessible(page)
    shots(page, "sat and stakeholders")


# -- 6. the round workbook -------------------------------------------------------------------------


def test_round_workbook_downloads_and_matches_the_page(
    desktop: Callable[[str], Page],
    live_server: LiveServer,
    closed: Story,
    shots: Shots,
    tmp_path: Path,
) -> None:
    story = closed
    page = desktop(story.coordinator)
    page.goto(f"{live_server.url}/rounds/{story.round()}")
    follow(page, "This round", "Downloads")
    assert_accessible(page)
    shots(page, "downloads")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("^Results workbook")).click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = load_workbook(saved, read_only=True)
    assert "Indicators" in workbook.sheetnames, workbook.sheetnames
    rows = [list(r) for r in workbook["Indicators"].iter_rows(values_only=True)]
    row = _indicator_row(rows, INDICATORS["5"], "Parents and carers")
    # The same figures as the indicator page showed.
    share = row["% favourable"]
    assert isinstance(share, float)
    assert f"{round(100 * share)}%" == story.indicator_percent, row
    counted = row["Answers excluding Don't know"]
    assert f"{row['Favourable answers']} of {counted}" == story.indicator_counts, row
    assert row["Respondents"] == len(story.parent_answers)
    children = _indicator_row(rows, INDICATORS["5"], "Children 8 to 12")
    # One child answered: the file, like the page, holds no figure for children.
    assert children["% favourable"] == f"fewer than {THRESHOLD}", children
    assert not [v for k, v in children.items() if k != "Indicator" and isinstance(v, int | float)]


def _indicator_row(rows: list[list[object]], indicator: str, audience: str) -> dict[str, object]:
    """The Indicators sheet's row for `indicator` and `audience`, keyed by column heading."""
    at = next(i for i, r in enumerate(rows) if "Indicator" in r and "% favourable" in r)
    header = [str(c) for c in rows[at]]
    for row in rows[at + 1 :]:
        named = dict(zip(header, row, strict=False))
        if named.get("Indicator") == indicator and named.get("Audience") == audience:
            return named
    raise AssertionError(f"no row for {indicator} / {audience} under {header}")
