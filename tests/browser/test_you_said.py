"""'You said, we did' in a real Chromium: a coordinator publishes it for the demo's closed round;
a respondent on a small phone reads it, with the accessibility audit and no sideways scroll."""

from __future__ import annotations

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from app.cli.demo import DEMO_EMAIL
from app.cli.demo_results import LATEST
from app.extensions import db
from app.models import FeedbackRound
from app.services.results import round_results
from tests.browser.support import (
    PASSWORD,
    SMALL_PHONE,
    LiveServer,
    assert_accessible,
    assert_no_horizontal_scroll,
    desktop_context,
    heading,
    phone_context,
    sign_in,
)


def test_a_coordinator_publishes_and_a_respondent_reads_it(
    browser: Browser, live_server: LiveServer
) -> None:
    app = live_server.app
    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rnd = db.session.execute(
            select(FeedbackRound).where(FeedbackRound.name == LATEST)
        ).scalar_one()
        round_id, questionnaire_id = rnd.id, rnd.questionnaires[0].id
        first = round_results(rnd).indicators[0]

    staff = desktop_context(browser)
    page = staff.new_page()
    sign_in(page, live_server, DEMO_EMAIL)
    page.goto(f"{live_server.url}/results/{round_id}/you-said-we-did")
    expect(heading(page, "You said, we did", 1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What we heard (you said)").fill("Parents want more news of progress.")
    page.get_by_label("What we will do (we did)").fill("Termly progress meetings from January.")
    page.get_by_label(first.label).check()
    page.get_by_label("Publish it for respondents").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Respondents can read it at:")).to_be_visible()
    assert_accessible(page)
    staff.close()

    phone = phone_context(browser, viewport=SMALL_PHONE)
    reader = phone.new_page()
    reader.goto(f"{live_server.url}/q/{questionnaire_id}/you-said-we-did")
    expect(heading(reader, "You said, we did", 1)).to_be_visible()
    expect(reader.get_by_text("Termly progress meetings from January.")).to_be_visible()
    expect(heading(reader, first.label, 3)).to_be_visible()
    assert_accessible(reader)
    assert_no_horizontal_scroll(reader)
    phone.close()
