"""Demo data: the assessment part of `flask --app wsgi demo`.

A self-assessment on the HMIE framework for the indicators of the organisation's latest closed
HMIE round (the results seed makes it), with a team of three: two new SAT members (facilitator
and member, credentials printed) and the demo coordinator as scribe. Everyone has rated and
submitted, the facilitator has opened the discussion, a few judgements are agreed, some evidence
is logged from the four sources, both closed rounds are imported (the later one beside the
earlier), an external staff survey is imported and a focus group recorded (demo_external),
and one improvement action is planned. The rest is left for the newcomer to try.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from sqlalchemy import select

from app.cli.demo_external import seed_external
from app.dates import today
from app.extensions import db
from app.models import (
    FeedbackRound,
    JudgementScope,
    Organisation,
    Role,
    RoundStatus,
    TeamRole,
    User,
)
from app.services.accounts import create_user
from app.services.assessment.actions import ActionInput, add_action
from app.services.assessment.assessments import (
    AssessmentSettings,
    access_for,
    create_assessment,
    framework_of,
)
from app.services.assessment.evidence import EvidenceInput, add_evidence
from app.services.assessment.imports import import_round
from app.services.assessment.judgements import JudgementInput, record_judgement
from app.services.assessment.ratings import open_discussion, save_ratings, submit_ratings

FRAMEWORK = "hmie-children-services"
FALLBACK_INDICATORS = ["2.1", "2.2", "5.1", "8.1"]
MEMBERS = (
    ("facilitator@demo.chorus.test", "Fran Facilitator", TeamRole.FACILITATOR),
    ("member@demo.chorus.test", "Morgan Member", TeamRole.MEMBER),
)

# Each member's leaning on the six-point scale, so the consensus page has real disagreements.
LEANINGS = {
    TeamRole.FACILITATOR: ["5", "4", "4", "3", "5", "4", "3", "4"],
    TeamRole.MEMBER: ["3", "4", "2", "3", "5", "5", "3", "2"],
    TeamRole.SCRIBE: ["4", "4", "4", "3", "4", "4", "3", "3"],
}

EVIDENCE = {
    "2.1": [
        (
            "performance_data",
            "Attendance at universal early-years provision rose from 88% to 92% over two years.",
            "Performance dashboard, Q4 report",
        ),
        (
            "documentation",
            "Integrated children's services plan: priorities for vulnerable "
            "groups and targets for 2025.",
            "Partnership SharePoint / Plans",
        ),
        (
            "direct_observation",
            "Observed two after-school clubs; children led the activities "
            "and staff knew each child's plan.",
            "Visit notes, peer challenge file",
        ),
    ],
    "5.1": [
        (
            "documentation",
            "Joint assessment protocol agreed by council, health and police.",
            "Partnership SharePoint / Protocols",
        ),
    ],
}

AGREED = {
    "2.1": (
        "4",
        "Participation and progress are rising; children lead activities in clubs we saw.",
        "Outcomes for looked-after children lag behind their peers.",
    ),
    "5.1": (
        "3",
        "A joint assessment protocol is in place.",
        "Families still repeat their story to each new worker; records are not shared in time.",
    ),
}


def _latest_closed_rounds(org: Organisation) -> list[FeedbackRound]:
    return list(
        db.session.execute(
            select(FeedbackRound)
            .where(
                FeedbackRound.organisation_id == org.id,
                FeedbackRound.framework_id == FRAMEWORK,
                FeedbackRound.status == RoundStatus.CLOSED,
            )
            .order_by(FeedbackRound.closes_on)
        ).scalars()
    )


def seed(org: Organisation, coordinator: User) -> list[str]:
    """Add this part of the demo; return lines to print for the newcomer."""
    rounds = _latest_closed_rounds(org)
    indicators = list(rounds[-1].indicator_ids) if rounds else FALLBACK_INDICATORS
    lines = []
    team: dict[uuid.UUID, TeamRole] = {coordinator.id: TeamRole.SCRIBE}
    people: list[tuple[User, TeamRole]] = [(coordinator, TeamRole.SCRIBE)]
    for email, name, role in MEMBERS:
        password = secrets.token_urlsafe(12)
        user = create_user(email, password, org.name, Role.SAT_MEMBER, name=name)
        team[user.id] = role
        people.append((user, role))
        lines.append(f"  SAT member ({role.value}): {email} / {password}")
    assessment = create_assessment(
        org,
        AssessmentSettings(
            title="Children's services self-evaluation (demo)",
            framework_id=FRAMEWORK,
            choices=[f"indicator:{i}" for i in indicators],
            scope={
                "organisation": org.name,
                "partners": ", ".join(org.member_organisations or []),
                "services": "Family support, early years and school-age services",
                "customers": "Children and young people, and their parents and carers",
                "outcomes": "Children are safe, healthy and achieving; families feel supported",
            },
            team=team,
        ),
    )
    framework = framework_of(assessment)
    for user, team_role in people:
        org_role = Role.COORDINATOR if user.id == coordinator.id else Role.SAT_MEMBER
        access = access_for(assessment, user.id, org_role)
        leaning = LEANINGS[team_role]
        values = {ind: leaning[n % len(leaning)] for n, ind in enumerate(indicators)}
        save_ratings(assessment, framework, access, values, {})
        submit_ratings(assessment, access)
    facilitator = next(u for u, r in people if r == TeamRole.FACILITATOR)
    fac_access = access_for(assessment, facilitator.id, Role.SAT_MEMBER)
    open_discussion(assessment, fac_access)

    for ind, items in EVIDENCE.items():
        if ind not in indicators:
            continue
        for n, (source, text, where) in enumerate(items):
            add_evidence(
                assessment,
                fac_access,
                ind,
                EvidenceInput(
                    source, text, (today() - timedelta(days=40 + 10 * n)).isoformat(), where
                ),
                facilitator.id,
            )
    imported = 0
    for rnd in rounds:
        if any(i in indicators for i in rnd.indicator_ids):
            imported += len(
                import_round(
                    assessment,
                    framework,
                    fac_access,
                    str(rnd.id),
                    facilitator.id,
                    facilitator.name,
                )
            )
    external_items, discussions = seed_external(assessment, framework, fac_access, facilitator)
    for ind, (rating, strengths, areas) in AGREED.items():
        if ind in indicators:
            record_judgement(
                assessment,
                framework,
                fac_access,
                JudgementScope.INDICATOR,
                ind,
                JudgementInput(rating, strengths, areas),
                facilitator.id,
            )
    if "5.1" in indicators:
        add_action(
            assessment,
            fac_access,
            ActionInput(
                title="Share one chronology per family across partners",
                owner="Integrated services manager",
                due_on=(today() + timedelta(days=120)).isoformat(),
                status="in_progress",
                indicator_ids=["5.1"],
                area_for_improvement=AGREED["5.1"][2],
            ),
        )
    db.session.flush()
    return [
        f"Self-assessment: “{assessment.title}” on {len(indicators)} HMIE indicators, "
        f"ratings in and the discussion open, {imported} stakeholder evidence items imported "
        f"from {len(rounds)} closed round(s), {external_items} from an external staff survey "
        f"and {discussions} discussion recorded: "
        f"http://127.0.0.1:5000/assessments/{assessment.id}",
        *lines,
    ]
