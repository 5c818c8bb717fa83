"""Demo data: existing feedback as evidence (issue 22) in the demo assessment.

One staff survey run elsewhere, imported from a CSV through the same checks and confirmation a
team goes through (each statement on its suggested indicator, every option on its suggested
place; a group under k kept out), and one focus group recorded as a discussion. The test
fixtures that need real external evidence use this too, so it stays a real import.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from app.dates import today
from app.models import Assessment, User
from app.services.assessment.assessments import Access
from app.services.assessment.discussions import DiscussionInput, record_discussion
from app.services.assessment.external import Choices, confirm_import, stage_import
from frameworks import Framework

OPTIONS = ("Strongly agree", "Agree", "Disagree", "Strongly disagree", "Don't know")
SURVEY = "Council staff survey 2026"
METHOD = "Online questionnaire to all children's services staff"
# statement -> group -> counts per option; "Business support" (3 people) is under any k >= 4.
RESULTS: dict[str, dict[str, tuple[int, ...]]] = {
    "I know who to contact in partner agencies when I am worried about a child.": {
        "Social work": (12, 20, 6, 2, 1),
        "Education": (18, 25, 9, 3, 4),
        "Business support": (0, 1, 1, 1, 0),
    },
    "Children and families are involved in planning the help they receive.": {
        "Social work": (9, 22, 7, 1, 2),
        "Education": (10, 21, 14, 5, 6),
    },
}


def survey_csv(days_ago: int = 60) -> bytes:
    end = today() - timedelta(days=days_ago)
    start = end - timedelta(days=27)
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["Statement", "Group", *(f"count: {o}" for o in OPTIONS), "Answered"]
    writer.writerow([*header, "Survey", "Start date", "End date", "Method"])
    for statement, groups in RESULTS.items():
        for group, counts in groups.items():
            meta = (SURVEY, start.isoformat(), end.isoformat(), METHOD)
            writer.writerow([statement, group, *counts, sum(counts), *meta])
    return out.getvalue().encode()


def seed_external(
    assessment: Assessment, framework: Framework, access: Access, user: User
) -> tuple[int, int]:
    """Import the staff survey and record one discussion; (evidence items added, discussions)."""
    record = stage_import(
        assessment, framework, access, "council-staff-survey-2026.csv", survey_csv(), user.id
    )
    data = record.data
    fallback = assessment.indicator_ids[0]
    indicators = {
        n: s["suggested"] if s["suggested"] in assessment.indicator_ids else fallback
        for n, s in enumerate(data["statements"])
    }
    places = {n: data["suggested_places"][o] for n, o in enumerate(data["options"])}
    added = confirm_import(
        record,
        assessment,
        framework,
        access,
        Choices(indicators, places),
        user.id,
        user.name or user.email,
    )
    record_discussion(
        assessment,
        access,
        DiscussionInput(
            indicator_id=fallback,
            held_on=(today() - timedelta(days=30)).isoformat(),
            groups=[("Parents and carers", "6"), ("Young people", "4")],
            key_points=(
                "Families want one named worker who keeps them up to date.\n"
                "Young people felt listened to at reviews, less so between them."
            ),
            title="Family forum, spring",
        ),
        user.id,
        user.name or user.email,
    )
    return len(added), 1
