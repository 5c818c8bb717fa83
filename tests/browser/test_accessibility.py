"""The accessibility audit (issue 10): axe-core on every respondent page and the main
coordinator pages, with zero serious or critical violations, and respondent pages that never
scroll sideways on a 360 or a 320 pixel wide phone (WCAG 1.4.10 reflow).

The data is the demo a newcomer gets (`flask demo`: a draft round, closed rounds with results,
a self-assessment with the discussion open), plus a live round and a round not open yet, made
here through the same services the product uses. No mail server is set up in this module, so
the Outbox shows each invitation's link (demonstration mode) and the respondent walk starts
from there, as a newcomer's would.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from app.cli.demo import DEMO_EMAIL, DEMO_ORG
from app.cli.demo_external import survey_csv
from app.extensions import db
from app.invitations.common import audience_labels
from app.models import (
    Assessment,
    FeedbackRound,
    OpenLink,
    Organisation,
    Role,
    RoundStatus,
    User,
)
from app.services import abuse
from app.services.assessment.assessments import access_for, framework_of
from app.services.assessment.external import stage_import
from app.services.contacts import ContactRow, add_contacts
from app.services.launch import launch
from app.services.results import close_round
from app.services.rounds import RoundSettings, create_round
from tests.browser.journey import (
    answer_questions,
    answer_role,
    next_button,
    on_check_page,
    press,
)
from tests.browser.support import (
    PASSWORD,
    PHONE,
    SMALL_PHONE,
    LiveServer,
    Shots,
    assert_accessible,
    assert_no_horizontal_scroll,
    broken_words,
    desktop_context,
    horizontal_overflow,
    phone_context,
    sign_in,
    too_wide,
)

FRAMEWORK = "hmie-children-services"
LIVE_ROUND = "Audit round, open now"
FUTURE_ROUND = "Audit round, opens next week"
CLOSED_ROUND = "Audit round, closed early"
PARENTS = [f"audit.parent{n}@families.example" for n in range(1, 5)]


@dataclass
class World:
    live_id: uuid.UUID
    future_id: uuid.UUID
    closed_early_id: uuid.UUID
    draft_id: uuid.UUID
    closed_id: uuid.UUID
    assessment_id: uuid.UUID
    open_links: dict[tuple[uuid.UUID, str], str] = field(default_factory=dict)
    indicator: str = "5.1"
    pending_import_id: uuid.UUID | None = None  # an external survey waiting for confirmation


def _today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> World:
    app = live_server.app
    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.app_context():
        org = db.session.execute(
            select(Organisation).where(Organisation.name == DEMO_ORG)
        ).scalar_one()
        rounds = {}
        for name, opens in (
            (LIVE_ROUND, _today()),
            (FUTURE_ROUND, _today() + timedelta(days=7)),
            (CLOSED_ROUND, _today()),
        ):
            rnd = create_round(
                org,
                RoundSettings(
                    name=name,
                    framework_id=FRAMEWORK,
                    indicator_ids=["5.1", "6.2"],
                    audiences=["parents", "children", "staff"],
                    opens_on=opens,
                    closes_on=_today() + timedelta(days=21),
                    threshold=3,
                    free_text=True,
                    role_question=True,
                ),
            )
            if name == LIVE_ROUND:
                add_contacts(
                    rnd, "parents", [ContactRow(n, e, f"Parent {n}") for n, e in enumerate(PARENTS)]
                )
            launch(
                rnd, secret=app.config["SECRET_KEY"], labels=audience_labels(rnd), today=_today()
            )
            if name == CLOSED_ROUND:
                close_round(rnd)
            rounds[name] = rnd.id
        db.session.commit()

        def first(status: RoundStatus) -> uuid.UUID:
            return (
                db.session.execute(
                    select(FeedbackRound.id)
                    .where(
                        FeedbackRound.organisation_id == org.id,
                        FeedbackRound.status == status,
                        FeedbackRound.name.not_in([LIVE_ROUND, FUTURE_ROUND, CLOSED_ROUND]),
                    )
                    .order_by(FeedbackRound.closes_on.desc())
                )
                .scalars()
                .first()
            )

        links = {
            (round_id, audience): f"{live_server.url}/o/{code}"
            for round_id, audience, code in db.session.execute(
                select(OpenLink.round_id, OpenLink.audience, OpenLink.code)
            ).all()
        }
        world = World(
            live_id=rounds[LIVE_ROUND],
            future_id=rounds[FUTURE_ROUND],
            closed_early_id=rounds[CLOSED_ROUND],
            draft_id=first(RoundStatus.DRAFT),
            closed_id=first(RoundStatus.CLOSED),
            assessment_id=db.session.execute(
                select(Assessment.id).where(Assessment.organisation_id == org.id)
            )
            .scalars()
            .first(),
            open_links=links,
        )
        closed = db.session.get(FeedbackRound, world.closed_id)
        assert closed is not None and world.assessment_id is not None and world.draft_id
        world.indicator = closed.indicator_ids[0]
        world.pending_import_id = _pending_import(world.assessment_id)
    return world


def _pending_import(assessment_id: uuid.UUID) -> uuid.UUID:
    """A survey from elsewhere uploaded by the demo coordinator (the scribe), not confirmed:
    the confirmation page's data. Other dates than the demo's own import, so another file."""
    assessment = db.session.get(Assessment, assessment_id)
    coordinator = db.session.execute(select(User).where(User.email == DEMO_EMAIL)).scalar_one()
    assert assessment is not None
    record = stage_import(
        assessment,
        framework_of(assessment),
        access_for(assessment, coordinator.id, Role.COORDINATOR),
        "staff-survey-autumn.csv",
        survey_csv(days_ago=200),
        coordinator.id,
    )
    db.session.commit()
    return record.id


@pytest.fixture(scope="module")
def coordinator(browser: Browser, live_server: LiveServer, world: World) -> Iterator[Page]:
    """The demo coordinator on a desktop, signed in once for the whole module."""
    context = desktop_context(browser)
    page = context.new_page()
    sign_in(page, live_server, DEMO_EMAIL)
    yield page
    context.close()


@pytest.fixture(scope="module")
def invitation_links(
    coordinator: Page, live_server: LiveServer, world: World
) -> dict[str, tuple[str, str]]:
    """email -> (answer link, opt-out link), read off the Outbox in demonstration mode."""
    coordinator.goto(f"{live_server.url}/rounds/outbox?round={world.live_id}")
    links = {}
    for row in coordinator.locator("table.outbox tbody tr").all():
        to = row.get_by_role("cell").first.inner_text().strip()
        answer = row.get_by_role("link", name="Answer as this person").get_attribute("href")
        opt_out = row.get_by_role("link", name="Opt-out page").get_attribute("href")
        assert answer and opt_out
        links[to] = (answer, opt_out)
    assert set(links) == set(PARENTS), links
    return links


# -- coordinator pages ---------------------------------------------------------------------------

PathOf = Callable[[World], str]
COORDINATOR_PAGES: list[tuple[str, PathOf]] = [
    ("home", lambda w: "/"),
    ("frameworks", lambda w: "/frameworks/"),
    ("framework", lambda w: f"/frameworks/{FRAMEWORK}/"),
    ("framework indicator", lambda w: f"/frameworks/{FRAMEWORK}/indicators/5.1"),
    ("red threads", lambda w: "/frameworks/csit-red-threads/threads"),
    ("framework import", lambda w: "/frameworks/import"),
    ("rounds", lambda w: "/rounds/"),
    ("new round", lambda w: f"/rounds/new?framework={FRAMEWORK}"),
    ("round draft", lambda w: f"/rounds/{w.draft_id}"),
    ("round settings", lambda w: f"/rounds/{w.draft_id}/edit"),
    ("translations", lambda w: f"/rounds/{w.draft_id}/translations"),
    ("audiences", lambda w: f"/rounds/{w.draft_id}/audiences"),
    ("questionnaire editor", lambda w: f"/rounds/{w.draft_id}/questionnaires/parents"),
    ("own questions", lambda w: f"/rounds/{w.draft_id}/questions"),
    ("preview", lambda w: f"/rounds/{w.draft_id}/preview/children_8_to_12"),
    ("contacts", lambda w: f"/rounds/{w.draft_id}/contacts"),
    ("launch", lambda w: f"/rounds/{w.draft_id}/launch"),
    ("round live", lambda w: f"/rounds/{w.live_id}"),
    ("dashboard", lambda w: f"/rounds/{w.live_id}/responses"),
    ("invitations", lambda w: f"/rounds/{w.live_id}/invitations"),
    ("reminders", lambda w: f"/rounds/{w.live_id}/reminders"),
    ("open links", lambda w: f"/rounds/{w.live_id}/open-links"),
    ("poster", lambda w: f"/rounds/{w.live_id}/open-links/parents/poster"),
    ("outbox", lambda w: "/rounds/outbox"),
    ("single sign-on settings", lambda w: "/settings/sign-in"),
    ("close round", lambda w: f"/results/{w.live_id}/close"),
    ("results", lambda w: "/results/"),
    ("results overview", lambda w: f"/results/{w.closed_id}"),
    ("indicator results", lambda w: f"/results/{w.closed_id}/indicators/{w.indicator}"),
    ("disparities", lambda w: f"/results/{w.closed_id}/disparities"),
    ("red thread results", lambda w: f"/results/{w.closed_id}/red-thread"),
    ("compare rounds", lambda w: f"/results/{w.closed_id}/compare"),
    ("downloads", lambda w: f"/exports/rounds/{w.closed_id}"),
    ("paper", lambda w: f"/exports/rounds/{w.live_id}/paper"),
    ("assessments", lambda w: "/assessments/"),
    ("new assessment", lambda w: f"/assessments/new?framework={FRAMEWORK}"),
    ("assessment overview", lambda w: f"/assessments/{w.assessment_id}"),
    ("ratings", lambda w: f"/assessments/{w.assessment_id}/ratings"),
    ("consensus", lambda w: f"/assessments/{w.assessment_id}/consensus"),
    ("evidence", lambda w: f"/assessments/{w.assessment_id}/evidence"),
    ("sat and stakeholders", lambda w: f"/assessments/{w.assessment_id}/stakeholders"),
    ("review", lambda w: f"/assessments/{w.assessment_id}/review"),
    ("actions", lambda w: f"/assessments/{w.assessment_id}/actions"),
    ("team and scope", lambda w: f"/assessments/{w.assessment_id}/settings"),
    ("import results", lambda w: f"/assessments/{w.assessment_id}/import"),
    ("existing feedback", lambda w: f"/assessments/{w.assessment_id}/external"),
    (
        "external import to confirm",
        lambda w: f"/assessments/{w.assessment_id}/external/{w.pending_import_id}",
    ),
    ("assessment indicator", lambda w: f"/assessments/{w.assessment_id}/indicators/{w.indicator}"),
    ("api tokens", lambda w: "/settings/api-tokens/"),
    ("api docs", lambda w: "/api/v1/docs"),
    ("team", lambda w: "/team"),
    ("audit trail", lambda w: "/audit"),
    ("round audit trail", lambda w: f"/rounds/{w.live_id}/audit"),
    ("privacy", lambda w: "/privacy"),
    ("settings", lambda w: "/settings"),
    ("page not found", lambda w: "/rounds/no-such-page"),
]


@pytest.mark.parametrize(
    ("name", "path"), COORDINATOR_PAGES, ids=[n.replace(" ", "-") for n, _ in COORDINATOR_PAGES]
)
def test_coordinator_page_passes_the_audit(
    coordinator: Page, live_server: LiveServer, world: World, name: str, path: PathOf
) -> None:
    response = coordinator.goto(live_server.url + path(world))
    assert response is not None
    assert response.status == (404 if name == "page not found" else 200), coordinator.url
    # A main heading (the preview also shows easy-read pages' own h1s, exactly as served).
    expect(coordinator.get_by_role("heading", level=1).first).to_be_visible()
    assert_accessible(coordinator)


@pytest.mark.parametrize(
    ("name", "form", "fill"),
    [
        ("new round", lambda w: f"/rounds/new?framework={FRAMEWORK}", {}),
        (
            "contacts",
            lambda w: f"/rounds/{w.draft_id}/contacts",
            {"Email addresses": "not an address"},
        ),
        ("new assessment", lambda w: f"/assessments/new?framework={FRAMEWORK}", {}),
        ("team", lambda w: "/team", {"Email address": "not an address"}),
        ("audiences", lambda w: f"/rounds/{w.draft_id}/audiences", {"Name": "Staff"}),
    ],
    ids=["new-round", "contacts", "new-assessment", "team", "audiences"],
)
def test_coordinator_error_summaries_pass_the_audit(
    coordinator: Page,
    live_server: LiveServer,
    world: World,
    name: str,
    form: PathOf,
    fill: dict[str, str],
) -> None:
    """A form sent with mistakes: the 422 page with its error summary, focused."""
    coordinator.goto(live_server.url + form(world))
    for label, value in fill.items():
        coordinator.get_by_label(label).fill(value)
    button = {
        "new round": "Create the round",
        "contacts": "Check and import",
        "new assessment": "Create the assessment",
        "team": "Send invitation",
        "audiences": "Add the audience",
    }[name]
    scope = (
        coordinator.get_by_role("region", name="Or paste a list")
        if name == "contacts"
        else coordinator
    )
    scope.get_by_role("button", name=button, exact=True).click()
    summary = coordinator.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert_accessible(coordinator)


def test_external_feedback_errors_pass_the_audit(
    coordinator: Page, live_server: LiveServer, world: World
) -> None:
    """A survey file from elsewhere with unknown columns: the 422 page names the problem, and
    the confirmation page sent without a choice for a statement shows its error summary."""
    coordinator.goto(f"{live_server.url}/assessments/{world.assessment_id}/external")
    coordinator.locator("#file").set_input_files(
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": b"Statement,Shoe size\nx,9\n"}]
    )
    coordinator.get_by_role("button", name="Check the file", exact=True).click()
    summary = coordinator.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert_accessible(coordinator)

    coordinator.goto(
        f"{live_server.url}/assessments/{world.assessment_id}/external/{world.pending_import_id}"
    )
    coordinator.locator("#indicator-0").select_option("")
    coordinator.get_by_role("button", name="Import as evidence", exact=True).click()
    expect(coordinator.locator(".error-summary")).to_be_visible()
    assert_accessible(coordinator)


# -- respondent pages ----------------------------------------------------------------------------


@pytest.fixture
def phones(browser: Browser) -> Iterator[Callable[..., Page]]:
    opened: list[BrowserContext] = []

    def new_phone(viewport: dict[str, int], javascript: bool = True) -> Page:
        opened.append(phone_context(browser, javascript=javascript, viewport=viewport))
        return opened[-1].new_page()

    yield new_phone
    for context in opened:
        context.close()


WIDTHS = {"360px": PHONE, "320px": SMALL_PHONE}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_respondent_page_passes_the_audit_and_fits_the_phone(
    width: str,
    phones: Callable[..., Page],
    invitation_links: dict[str, tuple[str, str]],
    live_server: LiveServer,
    world: World,
    shots: Shots,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    viewport = WIDTHS[width]
    parent, unsubscriber = (
        (PARENTS[0], PARENTS[2]) if width == "360px" else (PARENTS[1], PARENTS[3])
    )

    def check(page: Page, step: str) -> None:
        assert page.viewport_size == viewport
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
        shots(page, step)

    # An invited parent: every page of the adult questionnaire, its errors, saving, forgetting.
    link = invitation_links[parent][0]
    page = phones(viewport)
    page.goto(link)
    expect(page.get_by_role("heading", name="Parents and carers survey")).to_be_visible()
    check(page, "welcome")
    press(page, "Start")
    press(page, "Continue")
    expect(page.locator(".es")).to_be_focused()
    check(page, "section error summary")
    answer_questions(page, "Agree")
    page.get_by_label("What could be better?").first.fill("x" * 1_001)
    press(page, "Continue")
    check(page, "comment too long")
    page.get_by_label("What could be better?").first.fill("More evening appointments.")
    press(page, "Continue")
    expect(page.get_by_text("Section 2 of 3")).to_be_visible()
    check(page, "section 2")
    answer_questions(page, "Don't know")
    press(page, "Continue")
    expect(page.get_by_role("heading", name="About you")).to_be_visible()
    check(page, "about you")
    press(page, "Continue")
    check(page, "about you error")
    answer_role(page)
    press(page, "Save and continue later")
    expect(page.get_by_role("heading", name="Your answers are saved")).to_be_visible()
    check(page, "saved")
    press(page, "Remove my answers from this device")
    expect(page.get_by_role("heading", name="Removed from this device")).to_be_visible()
    check(page, "removed from this device")
    page.goto(link)
    # The browser forgot them; the saved copy, opened with the link, did not.
    expect(page.get_by_text("You have answered 6 of 6 questions so far")).to_be_visible()
    check(page, "welcome back")
    press(page, "Carry on")  # every question answered: straight to the check page
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    check(page, "check your answers")
    page.locator("#survey .sl-a a").first.click()
    expect(page.get_by_text("Section 1 of 3")).to_be_visible()
    check(page, "changing an answer")
    press(page, "Continue")
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    press(page, "Send my answers")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    check(page, "thank you")

    # The same link on another phone, once used.
    other = phones(viewport)
    other.goto(link)
    expect(other.get_by_role("heading", level=1)).not_to_have_text("Parents and carers survey")
    check(other, "link already used")

    # The opt-out page and its confirmation.
    other.goto(invitation_links[unsubscriber][1])
    check(other, "opt out")
    other.get_by_role("button").first.click()
    expect(other.get_by_role("heading", level=1)).to_be_visible()
    check(other, "opted out")

    # A child through the open link: easy-read pages, and the open link's own checks.
    child = phones(viewport)
    child.goto(world.open_links[(world.live_id, "children")])
    # The shared children's link asks the age band first (issue 20), and says so on an error.
    check(child, "age band choice")
    press(child, "Next")
    expect(child.get_by_role("alert")).to_contain_text("Choose how old you are.")
    check(child, "age band error")
    child.get_by_label("I am 8, 9, 10, 11 or 12", exact=True).check()
    press(child, "Next")
    check(child, "easy read welcome")
    press(child, "Start")
    check(child, "easy read question")
    press(child, "Next")
    check(child, "easy read error")
    # Faster than anyone reads: the open link asks again. (The minimum is raised for this
    # press so the state does not depend on how long the audit above took.)
    answer_questions(child, "Sometimes")
    monkeypatch.setattr(abuse, "MAX_MINIMUM_SECONDS", 3600.0)
    monkeypatch.setattr(abuse, "SECONDS_PER_QUESTION", 3600.0)
    press(child, "Next")
    expect(child.get_by_role("alert")).to_contain_text("You moved on very quickly")
    check(child, "easy read too quick")
    monkeypatch.setattr(abuse, "SECONDS_PER_QUESTION", 0.0)  # a child takes a second a page
    while not child.get_by_role("heading", name="Tell us more").count():
        answer_questions(child, "Sometimes")
        press(child, "Next")
    check(child, "easy read tell us more")
    while not child.get_by_role("button", name="Send my answers").count():
        if child.locator("#survey .q").count():
            answer_questions(child, "No, not really")
        press(child, "Next")
    expect(child.get_by_role("heading", name="You are nearly done")).to_be_visible()
    check(child, "easy read nearly done")
    press(child, "Send my answers")
    expect(child.get_by_role("heading", name="Thank you")).to_be_visible()
    check(child, "easy read thank you")
    child.goto(world.open_links[(world.live_id, "children")])
    check(child, "already answered on this device")

    # Links that cannot be answered: closed, not open yet, switched off or mistyped.
    for step, url in (
        ("round closed", world.open_links[(world.closed_early_id, "parents")]),
        ("not open yet", world.open_links[(world.future_id, "parents")]),
        ("unknown invitation link", f"{live_server.url}/r/not-a-real-token"),
        ("unknown open link", f"{live_server.url}/o/NOSUCHCODE"),
        ("survey page without a link", f"{live_server.url}/q/{uuid.uuid4()}"),
    ):
        stranger = phones(viewport)
        stranger.goto(url)
        expect(stranger.get_by_role("heading", level=1)).to_be_visible()
        check(stranger, step)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_kiosk_pages_pass_the_audit_and_fit_the_phone(
    width: str,
    phones: Callable[..., Page],
    coordinator: Page,
    live_server: LiveServer,
    world: World,
    shots: Shots,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A kiosk (issue 18): the coordinator's pages that make one and show its pairing code, and
    every state the tablet shows (pairing and its error, welcome, a page and its error, sent),
    plus the page a tablet that is not a kiosk gets."""
    monkeypatch.setitem(live_server.app.config, "KIOSK_MIN_SECONDS_PER_QUESTION", 0)
    viewport = WIDTHS[width]

    def check(page: Page, step: str) -> None:
        assert page.viewport_size == viewport
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
        shots(page, step)

    links = f"{live_server.url}/rounds/{world.live_id}/open-links"
    coordinator.goto(links)
    coordinator.locator("#kiosk-name-parents").fill(f"Audit tablet {width}")
    coordinator.locator("form:has(#kiosk-name-parents)").get_by_role("button").click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text("Pair")
    assert_accessible(coordinator)
    code = coordinator.locator("#pairing-code").inner_text().strip()
    coordinator.goto(links)
    expect(coordinator.get_by_text(f"Audit tablet {width}").first).to_be_visible()
    assert_accessible(coordinator)  # with a kiosk waiting to be paired

    tablet = phones(viewport)
    tablet.goto(live_server.url + "/kiosk/pair")
    check(tablet, "kiosk pairing")
    tablet.get_by_label("Pairing code").fill("WRON-GCOD")
    tablet.get_by_role("button", name="Pair this tablet").click()
    expect(tablet.get_by_role("alert")).to_be_visible()
    check(tablet, "kiosk pairing error")
    tablet.get_by_label("Pairing code").fill(code)
    tablet.get_by_role("button", name="Pair this tablet").click()
    expect(tablet.get_by_role("button", name="Start", exact=True)).to_be_visible()
    check(tablet, "kiosk welcome")
    press(tablet, "Start")
    check(tablet, "kiosk question")
    press(tablet, next_button(tablet))
    expect(tablet.get_by_role("alert").first).to_be_visible()
    check(tablet, "kiosk question error")
    for _ in range(20):
        if tablet.get_by_role("group", name=re.compile("How old is|Which best describes")).count():
            answer_role(tablet)
        answer_questions(tablet, "Agree")
        if tablet.get_by_role("button", name="Send my answers").count():
            break
        press(tablet, next_button(tablet))
    expect(tablet.get_by_role("heading", name="Check your answers")).to_be_visible()
    check(tablet, "kiosk check your answers")
    press(tablet, "Send my answers")
    expect(tablet.locator("#kiosk-sent")).to_be_visible()
    check(tablet, "kiosk sent")

    stranger = phones(viewport)
    stranger.goto(live_server.url + "/kiosk")
    expect(
        stranger.get_by_role("heading", name="This tablet is not set up as a kiosk")
    ).to_be_visible()
    check(stranger, "not a kiosk")


def test_respondent_pages_without_javascript_pass_the_audit(
    phones: Callable[..., Page],
    live_server: LiveServer,
    world: World,
    shots: Shots,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without JavaScript the pages are the same HTML; checked on the easy-read and staff ones,
    with their check pages at both widths."""
    monkeypatch.setattr(abuse, "SECONDS_PER_QUESTION", 0.0)  # people who take a second a page
    for audience in ("children", "staff"):
        page = phones(SMALL_PHONE, javascript=False)
        page.goto(world.open_links[(world.live_id, audience)])
        assert_accessible(page)
        if audience == "children":  # the age band first, with radios that need no script
            page.get_by_label("I am under 8", exact=True).check()
            press(page, "Next")
            assert_accessible(page)
        press(page, "Start")
        press(page, "Next" if audience == "children" else "Continue")
        expect(page.get_by_role("alert")).to_be_visible()
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
        shots(page, f"{audience} error without javascript")
        while not on_check_page(page):
            role = re.compile("How old is|Which best describes")
            if page.get_by_role("group", name=role).count():
                answer_role(page)
            answer_questions(page, "Don't know")
            press(page, next_button(page))
        for width, viewport in WIDTHS.items():
            page.set_viewport_size(viewport)
            assert_no_horizontal_scroll(page)
            assert_accessible(page)
            shots(page, f"{audience} check page without javascript at {width}")


def test_coordinator_pages_fit_a_phone(
    browser: Browser, live_server: LiveServer, world: World, shots: Shots
) -> None:
    """Coordinators work on desktops, but a page must still reflow at 320 px (WCAG 1.4.10):
    wide tables scroll inside their own box, never the whole page, and a box that scrolls
    can be reached from the keyboard (axe: scrollable-region-focusable)."""
    context = phone_context(browser, viewport=SMALL_PHONE)
    try:
        page = context.new_page()
        sign_in(page, live_server, DEMO_EMAIL)
        wide: dict[str, str] = {}
        squeezed: dict[str, list[str]] = {}
        failures: list[str] = []
        for name, path in COORDINATOR_PAGES:
            page.goto(live_server.url + path(world))
            shots(page, name)
            if horizontal_overflow(page) > 0:
                wide[name] = f"{horizontal_overflow(page)}px: {too_wide(page)}"
            if broken_words(page):
                squeezed[name] = broken_words(page)
            try:
                assert_accessible(page)
            except AssertionError as exc:
                failures.append(str(exc))
        assert not wide, f"pages wider than 320px: {wide}"
        assert not squeezed, f"table columns squeezed letter by letter: {squeezed}"
        assert not failures, "\n".join(failures)
    finally:
        context.close()
