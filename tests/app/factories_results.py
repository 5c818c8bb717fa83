"""Tenancy factories for the results journey: a comment in another organisation's round.

`round_id` (the rounds journey's factory) and `indicator_id` (the frameworks journey's) already
exist; any value of them works for the results routes, because a round of another organisation
is a 404 whatever indicator is asked for. Only `comment_id` is new.
"""

from __future__ import annotations

import uuid
from datetime import date

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Channel, Comment, CommentPrompt, FeedbackRound, Response
from app.services.accounts import get_or_create_organisation
from app.services.rounds import RoundSettings, create_round


def _any_round(org_name: str) -> FeedbackRound:
    """The organisation's round (one per organisation, shared with the other factories)."""
    org = get_or_create_organisation(org_name)
    rnd = db.session.execute(
        select(FeedbackRound).where(FeedbackRound.organisation_id == org.id).limit(1)
    ).scalar_one_or_none()
    if rnd is None:
        rnd = create_round(
            org,
            RoundSettings(
                name="Their round",
                framework_id="hmie-children-services",
                indicator_ids=["2.1", "2.2"],
                audiences=["parents", "staff"],
                opens_on=date(2026, 3, 1),
                closes_on=date(2026, 3, 31),
            ),
        )
    return rnd


def comment_id(app: Flask, org_name: str) -> str:
    with app.app_context():
        rnd = _any_round(org_name)
        existing = db.session.execute(
            select(Comment.id).where(Comment.round_id == rnd.id).limit(1)
        ).scalar_one_or_none()
        if existing is not None:
            return str(existing)
        response = Response(
            id=uuid.uuid4(), round_id=rnd.id, audience="parents", channel=Channel.OPEN_LINK
        )
        db.session.add(response)
        db.session.flush()
        comment = Comment(
            round_id=rnd.id,
            response_id=response.id,
            section_id="2",
            prompt=CommentPrompt.WORKS_WELL,
            text="Their comment",
        )
        db.session.add(comment)
        db.session.commit()
        return str(comment.id)


FACTORIES = {"comment_id": comment_id}
