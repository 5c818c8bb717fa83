"""Tenancy factories for the invitations journey: a launched round of another organisation.

The invitation pages use `round_id` and `audience` (an audience with a questionnaire and an
open link). If another journey's factory file also defines them, theirs may win the merge;
any round of the other organisation gives the same 404.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.invitations.common import audience_labels
from app.models import FeedbackRound, Organisation
from app.services.accounts import get_or_create_organisation
from app.services.launch import launch
from app.services.rounds import RoundSettings, create_round


def round_id(app: Flask, org_name: str) -> str:
    with app.app_context():
        org = db.session.execute(
            select(Organisation).where(Organisation.name == org_name)
        ).scalar_one_or_none() or get_or_create_organisation(org_name)
        existing = db.session.execute(
            select(FeedbackRound).where(
                FeedbackRound.organisation_id == org.id, FeedbackRound.name == "Their launch"
            )
        ).scalar_one_or_none()
        if existing is not None:
            return str(existing.id)
        today = datetime.now(UTC).date()
        rnd = create_round(
            org,
            RoundSettings(
                name="Their launch",
                framework_id="hmie-children-services",
                indicator_ids=["2.1", "2.2"],
                audiences=["parents", "staff"],
                opens_on=today,
                closes_on=today + timedelta(days=10),
            ),
        )
        launch(rnd, secret=app.config["SECRET_KEY"], labels=audience_labels(rnd), today=today)
        db.session.commit()
        return str(rnd.id)


FACTORIES = {
    "round_id": round_id,
    "audience": lambda app, org_name: "parents",
}
