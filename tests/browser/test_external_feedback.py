"""Existing feedback as evidence in a real Chromium (issue 22): a SAT member imports a staff
survey run elsewhere from an Excel workbook into an assessment, is refused a bad file first,
confirms each statement's indicator and the scale, and finds the survey in the evidence log
marked as external. The accessibility audit runs on every state; the forms work without
JavaScript too."""

from __future__ import annotations

import io

from openpyxl import Workbook
from playwright.sync_api import Browser, expect

from app.extensions import db
from app.models import Role, TeamRole
from app.services.accounts import create_user, get_or_create_organisation
from app.services.assessment.assessments import AssessmentSettings, create_assessment
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

EMAIL = "sat.external@external.example"
HEADER = [
    "Statement",
    "Group",
    "count: Strongly agree",
    "count: Agree",
    "count: Disagree",
    "count: Strongly disagree",
    "count: Not sure",
    "Survey",
    "Method",
    "Start date",
    "End date",
]
META = ["Council staff survey", "Online, all staff", "2026-01-05", "2026-01-30"]


def _workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = _workbook(
    [
        HEADER,
        [
            "Staff share information with partner organisations in good time.",
            "Social workers",
            9,
            14,
            3,
            1,
            2,
            *META,
        ],
        [
            "Staff share information with partner organisations in good time.",
            "Admin staff",
            1,
            2,
            0,
            0,
            0,
            *META,
        ],
        ["Children feel safe and respected.", "Social workers", 12, 10, 2, 0, 5, *META],
    ]
)
BAD = _workbook([HEADER, ["Children feel safe.", "Social workers", 3, -2, 1, 0, 0, *META]])


def _assessment(server: LiveServer) -> str:
    with server.app.app_context():
        user = create_user(EMAIL, PASSWORD, "External Org", Role.SAT_MEMBER, name="Sal Member")
        assessment = create_assessment(
            get_or_create_organisation("External Org"),
            AssessmentSettings(
                title="Winter self-evaluation",
                framework_id="hmie-children-services",
                choices=["indicator:2.1", "indicator:5.1"],
                team={user.id: TeamRole.FACILITATOR},
            ),
        )
        db.session.commit()
        return str(assessment.id)


def test_a_staff_survey_workbook_is_imported_confirmed_and_shown_as_external(
    browser: Browser, live_server: LiveServer
) -> None:
    assessment_id = _assessment(live_server)
    context = desktop_context(browser)
    page = context.new_page()
    sign_in(page, live_server, EMAIL)
    page.goto(f"{live_server.url}/assessments/{assessment_id}/evidence")
    page.get_by_role(
        "link", name="Bring in existing feedback: a survey run elsewhere, a focus group"
    ).click()
    expect(heading(page, "Existing feedback as evidence", 1)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("The file of results").set_input_files(
        files=[{"name": "bad.xlsx", "mimeType": "application/octet-stream", "buffer": BAD}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(
        page.get_by_role("cell", name="-2 is negative: a count cannot be below 0")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_label("The file of results").set_input_files(
        files=[
            {"name": "staff survey.xlsx", "mimeType": "application/octet-stream", "buffer": GOOD}
        ]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(heading(page, "External survey “Council staff survey”", 1)).to_be_visible()
    # suggestions from the statements' words and the options' words, for the team to check
    sharing = page.get_by_label(
        "“Staff share information with partner organisations in good time.”"
    )
    expect(sharing).to_have_value("5.1")
    expect(page.get_by_label("“Not sure”")).to_have_value("dont_know")
    expect(page.get_by_text("Admin staff (fewer than 5: kept out)")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("“Children feel safe and respected.”").select_option("2.1")
    page.get_by_role("button", name="Import as evidence").click()

    expect(heading(page, "Evidence log", 1)).to_be_visible()
    views = page.get_by_role(
        "table",
        name="Stakeholders' views in the log: Chorus's own rounds and feedback from elsewhere",
    )
    expect(views.get_by_text("External survey, not a Chorus round")).to_have_count(2)
    assert_accessible(page)

    page.get_by_role("link", name="5.1", exact=True).click()
    expect(
        heading(page, "From elsewhere: Council staff survey External survey, not a Chorus round", 3)
    ).to_be_visible()
    expect(page.get_by_text("Fewer than 5 responses").first).to_be_visible()
    assert_accessible(page)
    context.close()

    # The confirmation page at 320 px, with JavaScript off: still readable, still audited.
    phone = phone_context(browser, javascript=False, viewport=SMALL_PHONE)
    small = phone.new_page()
    sign_in(small, live_server, EMAIL)
    small.goto(f"{live_server.url}/assessments/{assessment_id}/external")
    expect(heading(small, "Surveys brought in", 2)).to_be_visible()
    small.get_by_role("link", name="Council staff survey").click()
    expect(small.get_by_text("This survey is imported.")).to_be_visible()
    assert_accessible(small)
    assert_no_horizontal_scroll(small)
    phone.close()
