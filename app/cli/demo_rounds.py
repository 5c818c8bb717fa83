"""Demo data: the rounds part of `flask --app wsgi demo`: one draft round on the HMIE framework."""

from __future__ import annotations

from datetime import date, timedelta

from app.dates import today as service_day
from app.models import Organisation, User
from app.services.frameworks import get_framework
from app.services.rounds import RoundSettings, as_generated, create_round, skipped_audiences

DEMO_FRAMEWORK = "hmie-children-services"
DEMO_INDICATORS = ["2.1", "2.2", "3.1", "5.1", "8.1"]
DEMO_AUDIENCES = ["parents", "children", "staff", "partners"]


def seed(org: Organisation, coordinator: User, today: date | None = None) -> list[str]:
    """Add a draft round opening in a week; return lines to print for the newcomer."""
    today = today or service_day()
    rnd = create_round(
        org,
        RoundSettings(
            name=f"Family support feedback {today.year}",
            framework_id=DEMO_FRAMEWORK,
            indicator_ids=DEMO_INDICATORS,
            audiences=DEMO_AUDIENCES,
            opens_on=today + timedelta(days=7),
            closes_on=today + timedelta(days=35),
            scope={
                "organisation": org.name,
                "partners": ", ".join(org.member_organisations or []),
                "services": "Family support, early years and school-age services",
                "customers": "Children and young people, and their parents and carers",
                "outcomes": "Children are safe, healthy and achieving; families feel supported",
            },
            free_text=True,
            role_question=True,
        ),
    )
    framework = get_framework(org.id, DEMO_FRAMEWORK)
    parts = [
        f"{as_generated(q, framework).audience_label.lower()} {len(q.items)} questions"
        for q in rnd.questionnaires
    ]
    lines = [
        f"Draft round “{rnd.name}” on the HMIE framework ({', '.join(DEMO_INDICATORS)}): "
        + "; ".join(parts)
        + ". See Rounds."
    ]
    for audience, reason in skipped_audiences(rnd, framework).items():
        lines.append(f"  No questionnaire for {audience}: {reason}")
    return lines
