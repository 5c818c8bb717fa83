"""Tenancy factories for the assessment journey: objects owned by another organisation."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Assessment,
    EvidenceItem,
    EvidenceSourceType,
    ImprovementAction,
    Organisation,
    Role,
    TeamRole,
    User,
)
from app.services.accounts import create_user, find_user_by_email, get_or_create_organisation
from app.services.assessment.assessments import AssessmentSettings, create_assessment

FRAMEWORK = "hmie-children-services"


def _assessment_of(org_name: str) -> Assessment:
    """The organisation's assessment, created on first use (one per organisation per test)."""
    org = db.session.execute(
        select(Organisation).where(Organisation.name == org_name)
    ).scalar_one_or_none() or get_or_create_organisation(org_name)
    existing = db.session.execute(
        select(Assessment).where(Assessment.organisation_id == org.id)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    email = f"facilitator@{org.id.hex[:8]}.example"
    user = find_user_by_email(email) or create_user(
        email, "a long enough password", org.name, Role.SAT_MEMBER
    )
    assessment = create_assessment(
        org,
        AssessmentSettings(
            title="Their assessment",
            framework_id=FRAMEWORK,
            choices=["section:2"],
            team={user.id: TeamRole.FACILITATOR},
        ),
    )
    db.session.commit()
    return assessment


def assessment_id(app: Flask, org_name: str) -> str:
    with app.app_context():
        return str(_assessment_of(org_name).id)


def evidence_id(app: Flask, org_name: str) -> str:
    with app.app_context():
        assessment = _assessment_of(org_name)
        item = EvidenceItem(
            assessment_id=assessment.id,
            indicator_id="2.1",
            source_type=EvidenceSourceType.DOCUMENTATION,
            description="Their plan",
        )
        db.session.add(item)
        db.session.commit()
        return str(item.id)


def external_evidence(app: Flask, org_name: str) -> None:
    """An external survey imported and a discussion recorded, by the product's own services."""
    from app.cli.demo_external import seed_external
    from app.services.assessment.assessments import access_for, framework_of

    with app.app_context():
        assessment = _assessment_of(org_name)
        member = assessment.members[0]
        user = db.session.get(User, member.user_id)
        assert user is not None
        access = access_for(assessment, user.id, Role.SAT_MEMBER)
        seed_external(assessment, framework_of(assessment), access, user)
        db.session.commit()


def action_id(app: Flask, org_name: str) -> str:
    with app.app_context():
        assessment = _assessment_of(org_name)
        action = ImprovementAction(assessment_id=assessment.id, title="Their action")
        db.session.add(action)
        db.session.commit()
        return str(action.id)


FACTORIES = {
    "assessment_id": assessment_id,
    "evidence_id": evidence_id,
    "action_id": action_id,
    # Indicator and section ids inside an assessment's URL: real ones of its framework.
    "ind": lambda app, org_name: "2.1",
    "sec": lambda app, org_name: "2",
}
