"""The round's counts, straight from the database: no Python loop ever touches one answer.

One grouped query per round counts answers by item and value (served by the covering index
ix_answer_round_item_value); two small grouped queries count respondents and invitations per
audience; one more reads the items asked (a few hundred rows at most).

Only released responses are counted, and while a round is live each audience as it stood one
release earlier (app/services/mix/shown.py): the release batch is in the covering index.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Channel, Invitation, QuestionItem, Questionnaire, Response
from app.services.mix import Shown, shown


def answer_counts(
    round_id: uuid.UUID, cut: Shown | None = None
) -> dict[uuid.UUID, dict[str, int]]:
    """item id -> {answer code: count}: THE grouped query, one row per item and value."""
    cut = cut or shown(round_id)
    rows = db.session.execute(
        select(Answer.item_id, Answer.value, func.count())
        .where(Answer.round_id == round_id, cut.where(Answer.release_batch))
        .group_by(Answer.item_id, Answer.value)
    )
    counts: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for item_id, value, count in rows:
        counts[item_id][value] = count
    return counts


def respondent_counts(
    round_id: uuid.UUID, cut: Shown | None = None
) -> dict[str, dict[str, int]]:
    """audience -> {channel: responses} shown."""
    cut = cut or shown(round_id)
    rows = db.session.execute(
        select(Response.audience, Response.channel, func.count())
        .where(Response.round_id == round_id, cut.where(Response.release_batch))
        .group_by(Response.audience, Response.channel)
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for audience, channel, count in rows:
        counts[audience][Channel(channel).value] = count
    return counts


def invitation_counts(round_id: uuid.UUID) -> dict[str, int]:
    rows = db.session.execute(
        select(Invitation.audience, func.count())
        .where(Invitation.round_id == round_id)
        .group_by(Invitation.audience)
    )
    return {audience: count for audience, count in rows}


@dataclass(frozen=True, slots=True)
class RoundItem:
    """One question item as the results need it (a plain row, not an ORM object)."""

    id: uuid.UUID
    audience: str
    position: int
    section_id: str
    indicator_id: str
    theme_id: str | None
    statement: str
    scale_id: str


def round_items(round_id: uuid.UUID) -> list[RoundItem]:
    """Every item of the round's questionnaires, by audience then position."""
    rows = db.session.execute(
        select(
            QuestionItem.id,
            Questionnaire.audience,
            QuestionItem.position,
            QuestionItem.section_id,
            QuestionItem.indicator_id,
            QuestionItem.theme_id,
            QuestionItem.statement,
            QuestionItem.scale_id,
        )
        .join(Questionnaire, QuestionItem.questionnaire_id == Questionnaire.id)
        .where(Questionnaire.round_id == round_id)
        .order_by(Questionnaire.audience, QuestionItem.position)
    )
    return [RoundItem(*row) for row in rows]
