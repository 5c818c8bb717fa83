"""The round's counts, straight from the database: no Python loop ever touches one answer.

One grouped query per round counts answers by item and value (served by the covering index
ix_answer_round_item_value); two small grouped queries count respondents and invitations per
audience; one more reads the items asked (a few hundred rows at most). A second grouped query
counts the same answers per respondent for the indicators' clustered intervals
(`respondent_tallies`), per release batch; `app.services.results.clusters` keeps each batch's
result, so after a release only the newly shown batch is read.

Only released responses are counted, and while a round is live each audience as it stood one
release earlier (app/services/mix/shown.py): the release batch is in the covering index.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import case, func, select

from app.extensions import db
from app.models import Answer, Channel, Invitation, QuestionItem, Questionnaire, Response
from app.services.mix import Shown, shown
from surveys.scales import Scale


def answer_counts(round_id: uuid.UUID, cut: Shown | None = None) -> dict[uuid.UUID, dict[str, int]]:
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


def respondent_counts(round_id: uuid.UUID, cut: Shown | None = None) -> dict[str, dict[str, int]]:
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


def batch_sizes(round_id: uuid.UUID) -> dict[int, int]:
    """release batch -> responses in it, shown or not (the index on response alone)."""
    rows = db.session.execute(
        select(Response.release_batch, func.count())
        .where(Response.round_id == round_id)
        .group_by(Response.release_batch)
    )
    return {batch: count for batch, count in rows}


# Past this many batches the filter is a range (cheaper to send); rows of batches in it that
# were not asked for are dropped, so the answer is the same.
_MAX_LISTED_BATCHES = 200


def respondent_tallies(
    round_id: uuid.UUID,
    groups: Mapping[uuid.UUID, tuple[int, Scale]],
    cut: Shown | None = None,
    batches: Collection[int] | None = None,
) -> dict[int, dict[int, Counter[tuple[int, int]]]]:
    """release batch -> group -> {(favourable, valid): respondents}, over the items `groups`
    maps to a group, for the batches asked for (None: every batch `cut` shows).

    `groups` maps item id -> (group number, scale); items it leaves out are not counted. For
    each respondent and group, f = favourable answers and v = valid answers (the scale's own
    options other than Don't know); the database then counts how many respondents of each
    batch gave each (f, v), so a group comes back as a few rows however many people answered.
    A respondent belongs to one batch, so a round's tallies are the sum of its batches'.

    One query, grouped twice: GROUP BY response and group (the inner query), then by batch,
    group, f and v. The group is a CASE on the item id (no join per answer). Scales that score
    the same code differently (agree4's "a" is Agree, progress5's "a" is not favourable) get
    their own f and v columns, and each group reads the pair of its own scale.
    Filter as `answer_counts` does, so the two always count the same answers. A few batches
    are found through the response index (round, audience, batch) and each response's
    answers by the answer primary key, so a release's batch costs its own rows only.
    """
    if not groups:
        return {}
    cut = cut or shown(round_id)
    if batches is not None:
        batches = sorted(set(batches) - cut.held_back)
        if not batches:
            return {}
    signatures: dict[tuple[frozenset[str], frozenset[str]], int] = {}
    for _, scale in groups.values():
        signature = (scale.favourable_codes, frozenset(scale.substantive_codes))
        signatures.setdefault(signature, len(signatures))
    group = case({item_id: number for item_id, (number, _) in groups.items()}, value=Answer.item_id)
    sums = []
    for favourable, valid in signatures:
        sums.append(func.sum(case((Answer.value.in_(sorted(favourable)), 1), else_=0)))
        sums.append(func.sum(case((Answer.value.in_(sorted(valid)), 1), else_=0)))
    per_respondent = select(
        Answer.release_batch.label("b"),
        group.label("g"),
        *(total.label(f"s{n}") for n, total in enumerate(sums)),
    )
    if batches is None:
        # Every answer of the round: one pass over the table, the CASE then a sort.
        per_respondent = per_respondent.where(
            Answer.round_id == round_id, cut.where(Answer.release_batch)
        )
    else:
        chosen = (
            Response.release_batch.in_(batches)
            if len(batches) <= _MAX_LISTED_BATCHES
            else Response.release_batch.between(batches[0], batches[-1])
        )
        per_respondent = per_respondent.join(Response, Response.id == Answer.response_id).where(
            Response.round_id == round_id, chosen, cut.where(Response.release_batch)
        )
    inner = per_respondent.group_by(Answer.response_id, group, Answer.release_batch).subquery()
    columns = [inner.c[f"s{n}"] for n in range(len(sums))]
    # Items left out map to NULL and are dropped here, not by an IN on item_id: that would
    # steer SQLite to the item index and a table lookup for every answer's response id.
    rows = db.session.execute(
        select(inner.c.b, inner.c.g, *columns, func.count())
        .where(inner.c.g.is_not(None))
        .group_by(inner.c.b, inner.c.g, *columns)
    )
    signature_of = {
        number: signatures[(scale.favourable_codes, frozenset(scale.substantive_codes))]
        for number, scale in groups.values()
    }
    asked = None if batches is None else set(batches)
    tallies: dict[int, dict[int, Counter[tuple[int, int]]]] = defaultdict(
        lambda: defaultdict(Counter)
    )
    for batch, number, *counts in rows:
        if asked is not None and batch not in asked:
            continue
        k = signature_of[number]
        tallies[batch][number][(int(counts[2 * k]), int(counts[2 * k + 1]))] += counts[-1]
    return {batch: dict(by_group) for batch, by_group in tallies.items()}


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
