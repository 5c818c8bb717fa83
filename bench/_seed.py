"""A launched round for simulated respondents, built through the real services.

Shared by bench/load.py and tests/faults: an organisation, a round on the HMIE framework,
contacts for each audience, launched (questionnaires frozen, invitations and their outbox
messages queued, one open link per audience). The invitation tokens are derived exactly as the
mail worker derives them for the emails, so a simulated phone can open its "emailed" link.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from app.extensions import db
from app.invitations.common import audience_labels
from app.models import FeedbackRound, Invitation, ItemOrigin, OpenLink, QuestionItem
from app.services.accounts import get_or_create_organisation
from app.services.contacts import ContactRow, add_contacts
from app.services.launch import launch
from app.services.responding import today
from app.services.rounds import RoundSettings, create_round
from app.services.tokens import derive_token

FRAMEWORK = "hmie-children-services"
INDICATORS = ("2.1", "5.1")


@dataclass
class Seeded:
    round_id: uuid.UUID
    tokens: dict[str, list[str]] = field(default_factory=dict)  # audience -> invitation tokens
    codes: dict[str, str] = field(default_factory=dict)  # audience -> open-link code
    items: dict[str, int] = field(default_factory=dict)  # audience -> questions answered

    @property
    def all_tokens(self) -> list[str]:
        return [t for tokens in self.tokens.values() for t in tokens]


def reset_postgres(url: str, schema: str = "public") -> None:
    """An empty schema: dropped with everything in it and created again."""
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


def exactly_items(rnd: FeedbackRound, count: int) -> None:
    """Make each questionnaire of a draft round exactly `count` items long: extra ones are
    dropped, missing ones added as the round's own statements in the existing sections."""
    for questionnaire in rnd.questionnaires:
        items = sorted(questionnaire.items, key=lambda i: i.position)
        for extra in items[count:]:
            questionnaire.items.remove(extra)
        for n in range(len(items), count):
            model = items[n % len(items)]
            questionnaire.items.append(
                QuestionItem(
                    position=n + 1,
                    section_id=model.section_id,
                    indicator_id=model.indicator_id,
                    theme_id=model.theme_id,
                    statement=f"Our own statement {n + 1}.",
                    scale_id=model.scale_id,
                    origin=ItemOrigin.CUSTOM,
                )
            )


def seed_launched_round(
    app: Flask,
    contacts: dict[str, int],
    *,
    indicators: tuple[str, ...] = INDICATORS,
    org_name: str = "Northshire Council",
    email_domain: str = "people.example",
    role_question: bool = True,
    items: int | None = None,
) -> Seeded:
    """Create and launch a round with `contacts[audience]` invitees per audience (and, with
    `items`, exactly that many questions in each questionnaire)."""
    with app.app_context():
        org = get_or_create_organisation(org_name)
        rnd = create_round(
            org,
            RoundSettings(
                name="Load and fault round",
                framework_id=FRAMEWORK,
                indicator_ids=list(indicators),
                audiences=list(contacts),
                opens_on=today() - timedelta(days=1),
                closes_on=today() + timedelta(days=30),
                role_question=role_question,
            ),
        )
        db.session.flush()
        if items is not None:
            exactly_items(rnd, items)
            db.session.flush()
        for audience, count in contacts.items():
            rows = [
                ContactRow(n + 2, f"{audience}{n}@{email_domain}", f"{audience.title()} {n}")
                for n in range(count)
            ]
            add_contacts(rnd, audience, rows)
        launch(rnd, secret=app.config["SECRET_KEY"], labels=audience_labels(rnd), today=today())
        db.session.commit()
        seeded = Seeded(rnd.id)
        secret = app.config["SECRET_KEY"]
        for invitation_id, audience in db.session.execute(
            select(Invitation.id, Invitation.audience)
            .where(Invitation.round_id == rnd.id)
            .order_by(Invitation.email)
        ):
            seeded.tokens.setdefault(audience, []).append(derive_token(secret, invitation_id))
        for link in db.session.execute(
            select(OpenLink).where(OpenLink.round_id == rnd.id)
        ).scalars():
            seeded.codes[link.audience] = link.code
        row = db.session.get(FeedbackRound, rnd.id)
        assert row is not None
        seeded.items = {q.audience: len(q.items) for q in row.questionnaires}
        db.session.remove()
        return seeded
