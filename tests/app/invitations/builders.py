"""Build rounds, contacts, launches and completions for the invitation tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.invitations.common import audience_labels
from app.mail.outbox import BatchReport
from app.mail.worker import Worker
from app.models import (
    Channel,
    FeedbackRound,
    Invitation,
    InvitationStatus,
    Organisation,
    OutboxMessage,
    Response,
)
from app.services.accounts import get_or_create_organisation
from app.services.contacts import ContactRow
from app.services.contacts import add_contacts as add_contact_rows
from app.services.launch import LaunchResult, launch
from app.services.rounds import RoundSettings, create_round

FRAMEWORK = "hmie-children-services"


def today() -> date:
    return datetime.now(UTC).date()


def make_round(
    app: Flask,
    org_name: str = "Org A",
    *,
    audiences: Iterable[str] = ("parents", "staff"),
    opens_on: date | None = None,
    closes_on: date | None = None,
    name: str = "Spring feedback",
    children_bands: Iterable[str] = ("under_12",),  # a legacy one-band round unless told
) -> uuid.UUID:
    with app.app_context():
        org = db.session.execute(
            select(Organisation).where(Organisation.name == org_name)
        ).scalar_one_or_none() or get_or_create_organisation(org_name)
        rnd = create_round(
            org,
            RoundSettings(
                name=name,
                framework_id=FRAMEWORK,
                indicator_ids=["2.1", "2.2"],
                audiences=list(audiences),
                opens_on=opens_on or today() - timedelta(days=1),
                closes_on=closes_on or today() + timedelta(days=14),
                children_bands=list(children_bands),
            ),
        )
        db.session.commit()
        return rnd.id


def add_contacts(app: Flask, round_id: uuid.UUID, audience: str, emails: Iterable[str]) -> None:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        rows = [ContactRow(n, e, f"Person {n}") for n, e in enumerate(emails, start=2)]
        add_contact_rows(rnd, audience, rows)
        db.session.commit()


def do_launch(app: Flask, round_id: uuid.UUID, day: date | None = None) -> LaunchResult:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        result = launch(
            rnd,
            secret=app.config["SECRET_KEY"],
            labels=audience_labels(rnd),
            today=day or today(),
        )
        db.session.commit()
        return result


def launched_round(app: Flask, per_audience: dict[str, int], org_name: str = "Org A") -> uuid.UUID:
    round_id = make_round(app, org_name, audiences=tuple(per_audience))
    for audience, n in per_audience.items():
        add_contacts(app, round_id, audience, [f"{audience}{i}@example.org" for i in range(n)])
    do_launch(app, round_id)
    return round_id


def invitations(app: Flask, round_id: uuid.UUID) -> list[Invitation]:
    with app.app_context():
        rows = list(
            db.session.execute(
                select(Invitation).where(Invitation.round_id == round_id).order_by(Invitation.email)
            ).scalars()
        )
        for row in rows:
            db.session.expunge(row)
        return rows


def invitation_by_email(app: Flask, email: str) -> Invitation:
    with app.app_context():
        row = db.session.execute(select(Invitation).where(Invitation.email == email)).scalar_one()
        db.session.expunge(row)
        return row


def messages(app: Flask, round_id: uuid.UUID | None = None) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.created_at, OutboxMessage.id)
        if round_id:
            query = query.where(OutboxMessage.round_id == round_id)
        rows = list(db.session.execute(query).scalars())
        for row in rows:
            db.session.expunge(row)
        return rows


def complete(app: Flask, invitation_id: uuid.UUID) -> None:
    """What the respondent side does on submit: completed + an anonymous response row."""
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        assert invitation is not None
        invitation.status = InvitationStatus.COMPLETED
        db.session.add(
            Response(
                round_id=invitation.round_id, audience=invitation.audience, channel=Channel.EMAIL
            )
        )
        db.session.commit()


def set_invitation(app: Flask, email: str, **values: object) -> None:
    with app.app_context():
        invitation = db.session.execute(
            select(Invitation).where(Invitation.email == email)
        ).scalar_one()
        for key, value in values.items():
            setattr(invitation, key, value)
        db.session.commit()


def work(app: Flask, now: datetime | None = None, name: str | None = None) -> BatchReport:
    return Worker(app, name).run_once(now)
