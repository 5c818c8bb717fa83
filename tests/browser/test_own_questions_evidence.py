"""The rounds' own questions in the assessment's imported evidence and in the round comparison
(issue 20) pass the accessibility audit, tables and all."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from app.extensions import db
from app.models import TeamRole, User
from app.services.accounts import create_user, get_or_create_organisation
from app.services.assessment.assessments import AssessmentSettings, create_assessment
from tests.app.own_rounds import own_round
from tests.browser.support import PASSWORD, LiveServer, assert_accessible, desktop_context, sign_in

pytestmark = pytest.mark.browser


def _person(yes_no: str, choice: str, words: str = "") -> list[object]:
    return [([yes_no], ""), ([choice], ""), ([], words)]


def test_imported_and_compared_own_questions_pass_the_audit(
    browser: Browser, live_server: LiveServer
) -> None:
    app = live_server.app
    tag = uuid.uuid4().hex[:6]
    org_name, email = f"Own {tag}", f"coord.{tag}@own.example"
    with app.app_context():
        create_user(email, PASSWORD, org_name, "coordinator", name="Cara Coordinator")
        db.session.commit()
    answers = {
        "staff": [(_person("yes", "o1", "More evenings"), 6), (_person("no", "o2"), 4)],
        "parents": [(_person("yes", "o1"), 2)],  # under k
    }
    common = {"audiences": ("staff", "parents"), "org_name": org_name}
    earlier = own_round(
        app,
        answers,
        name="Last year",
        closes_on=date.today() - timedelta(days=400),
        **common,  # type: ignore[arg-type]
    )
    now = own_round(app, answers, name="This year", **common)  # type: ignore[arg-type]
    with app.app_context():
        org = get_or_create_organisation(org_name)
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        assessment = create_assessment(
            org,
            AssessmentSettings(
                title="Own questions",
                framework_id="hmie-children-services",
                choices=["indicator:2.2"],
                team={user.id: TeamRole.FACILITATOR},
            ),
        )
        db.session.commit()
        assessment_id = assessment.id
    context = desktop_context(browser)
    page = context.new_page()
    sign_in(page, live_server, email)
    # The coordinator imports this year's round as evidence through the form.
    page.goto(f"{live_server.url}/assessments/{assessment_id}/import")
    page.get_by_label("This year").check()
    page.get_by_role("button", name="Import as evidence").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    for path, heading in (
        (f"/assessments/{assessment_id}/indicators/2.2", "Did you get our leaflet?"),
        (f"/results/{now['id']}/compare?earlier={earlier['id']}", "Did you get our leaflet?"),
    ):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
        if "assessments" in path:  # the staff's words, shown as the results page shows them
            expect(page.get_by_text("More evenings").first).to_be_visible()
            expect(page.get_by_text("The round's own question").first).to_be_visible()
        else:
            expect(
                page.get_by_role("heading", name="Your own questions in both rounds")
            ).to_be_visible()
        assert_accessible(page)
    context.close()
