"""Tenancy factories for the round lifecycle pages (issue 16): a contact of another
organisation's draft round."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Contact, FeedbackRound, Organisation
from app.services.accounts import get_or_create_organisation
from app.services.contacts import ContactRow, add_contacts
from app.services.rounds import RoundSettings, create_round


def contact_id(app: Flask, org_name: str) -> str:
    with app.app_context():
        org = db.session.execute(
            select(Organisation).where(Organisation.name == org_name)
        ).scalar_one_or_none() or get_or_create_organisation(org_name)
        existing = db.session.execute(
            select(Contact.id)
            .join(FeedbackRound, FeedbackRound.id == Contact.round_id)
            .where(FeedbackRound.organisation_id == org.id, FeedbackRound.name == "Their draft")
        ).scalar_one_or_none()
        if existing is not None:
            return str(existing)
        today = datetime.now(UTC).date()
        rnd = create_round(
            org,
            RoundSettings(
                name="Their draft",
                framework_id="hmie-children-services",
                indicator_ids=["2.1"],
                audiences=["parents"],
                opens_on=today + timedelta(days=3),
                closes_on=today + timedelta(days=10),
            ),
        )
        add_contacts(rnd, "parents", [ContactRow(1, "their.contact@other.example", "")])
        db.session.commit()
        return str(
            db.session.execute(select(Contact.id).where(Contact.round_id == rnd.id)).scalar_one()
        )


FACTORIES = {"contact_id": contact_id}
