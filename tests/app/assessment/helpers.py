"""Builders for the assessment tests: assessments, teams and closed rounds made through the real
services (rounds, synthetic responses, results close), so the import reads real figures."""

from __future__ import annotations

import hashlib
import html
import secrets
import uuid
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Assessment,
    EvidenceItem,
    FeedbackRound,
    Invitation,
    Judgement,
    JudgementChange,
    MemberRating,
    Organisation,
    RoundStatus,
    TeamRole,
    User,
)
from app.services.accounts import get_or_create_organisation
from app.services.assessment.assessments import AssessmentSettings, create_assessment
from app.services.results import close_round
from app.services.rounds import RoundSettings, create_round
from app.services.synthetic import answers_from_counts, insert_responses, items_of, make_live
from surveys import questionnaire as qgen
from tests.support import csrf_token, login

HMIE = "hmie-children-services"


def org_named(name: str) -> Organisation:
    return db.session.execute(select(Organisation).where(Organisation.name == name)).scalar_one()


def user_id(email: str) -> uuid.UUID:
    return db.session.execute(select(User.id).where(User.email == email)).scalar_one()


def make_assessment(
    app: Flask,
    team: Mapping[str, TeamRole],
    *,
    org_name: str = "Org A",
    framework_id: str = HMIE,
    choices: tuple[str, ...] = ("indicator:2.1", "indicator:2.2", "indicator:5.1"),
    title: str = "Spring self-evaluation",
) -> uuid.UUID:
    with app.app_context():
        org = get_or_create_organisation(org_name)
        assessment = create_assessment(
            org,
            AssessmentSettings(
                title=title,
                framework_id=framework_id,
                choices=list(choices),
                team={user_id(email): role for email, role in team.items()},
            ),
        )
        db.session.commit()
        return assessment.id


def signed_in(app: Flask, email: str) -> FlaskClient:
    """A fresh browser signed in as `email`."""
    client = app.test_client()
    login(client, email)
    return client


def text(response: Any) -> str:
    """The page as a reader sees it: HTML entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def post(client: FlaskClient, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, "/")})


def closed_round(
    app: Flask,
    *,
    org_name: str = "Org A",
    name: str = "Spring listening",
    indicators: tuple[str, ...] = ("2.1", "2.2"),
    answers: Mapping[str, Mapping[str, int]],
    invited: Mapping[str, int] | None = None,
    framework_id: str = HMIE,
    close: bool = True,
    threshold: int = 5,
    closes_on: date | None = None,
) -> uuid.UUID:
    """A round where every item of each audience got exactly the given answer counts.

    `answers` maps audience -> {code: count}, e.g. {"parents": {"a": 1, "d": 9}} gives ten parent
    responses, each item answered agree once and disagree nine times. An age band's audience
    ("children_8_to_12") asks children in that band; "children" is a legacy one-band round.
    """
    bands = [b for b in (qgen.band_of(a) for a in answers) if b]
    audiences = list(dict.fromkeys("children" if qgen.is_children(a) else a for a in answers))
    with app.app_context():
        org = get_or_create_organisation(org_name)
        closes_on = closes_on or date.today() - timedelta(days=1)
        rnd = create_round(
            org,
            RoundSettings(
                name=name,
                framework_id=framework_id,
                indicator_ids=list(indicators),
                audiences=audiences,
                opens_on=closes_on - timedelta(days=20),
                closes_on=closes_on,
                threshold=threshold,
                children_bands=bands or ["under_12"],
            ),
        )
        make_live(rnd)
        for audience, counts in answers.items():
            if sum(counts.values()):
                rows = answers_from_counts(items_of(rnd, audience), counts)
                insert_responses(rnd, audience, rows)
        for audience, n in (invited or {}).items():
            for _ in range(n):
                db.session.add(
                    Invitation(
                        round_id=rnd.id,
                        audience=audience,
                        email=f"{secrets.token_hex(6)}@invited.example",
                        token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
                    )
                )
        if close:
            close_round(rnd)
        db.session.commit()
        return rnd.id


def count(model: Any, **where: Any) -> int:
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.execute(query).scalar_one()


def snapshot(app: Flask, assessment_id: uuid.UUID) -> dict[str, Any]:
    """Everything an assessment holds, to prove a refused request changed nothing."""
    with app.app_context():
        a = db.session.get(Assessment, assessment_id)
        assert a is not None

        def rows(model: Any, *cols: str) -> list[tuple[Any, ...]]:
            found = db.session.execute(
                select(model).where(model.assessment_id == assessment_id)
            ).scalars()
            return sorted(tuple(str(getattr(r, c)) for c in cols) for r in found)

        return {
            "assessment": (
                a.title,
                a.discussion_open,
                dict(a.scope or {}),
                a.capacity_statement,
                dict(a.review or {}),
                sorted((str(m.user_id), m.role.value, m.submitted) for m in a.members),
            ),
            "ratings": rows(MemberRating, "indicator_id", "user_id", "value", "note"),
            "judgements": rows(Judgement, "target_id", "agreed_rating", "strengths"),
            "changes": db.session.execute(
                select(func.count()).select_from(JudgementChange)
            ).scalar_one(),
            "evidence": rows(EvidenceItem, "id", "indicator_id", "description", "payload"),
        }


def round_status(app: Flask, round_id: uuid.UUID) -> RoundStatus:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        return rnd.status
