"""Synthetic responses inserted in bulk: for tests, the demo and the benchmarks, never real data.

Rows go in through Core `insert()` executemany in chunks (no ORM objects per answer), so a million
answers load in seconds. Like the real respondent journey, nothing is accepted for a closed round.
Responses carry round, audience, channel and answers only (DESIGN.md 6.1).
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select

from app.extensions import db
from app.models import (
    Answer,
    Channel,
    Comment,
    CommentPrompt,
    FeedbackRound,
    QuestionItem,
    Questionnaire,
    Response,
    RoundStatus,
)
from app.services.rounds import freeze
from surveys.scales import DONT_KNOW, get_scale

CHUNK = 20_000  # answers per executemany


class ResponsesRefused(ValueError):
    """The round does not take responses (a draft, or closed: results are frozen)."""


def make_live(rnd: FeedbackRound) -> None:
    """Freeze a draft's questionnaires and mark it live, without sending any invitation.

    A shortcut for tests, the demo and benchmarks; the real launch is the invitations journey's.
    """
    if rnd.status == RoundStatus.DRAFT:
        freeze(rnd)
        rnd.status = RoundStatus.LIVE
        rnd.launched_at = datetime.now(UTC)
        db.session.flush()


def items_of(rnd: FeedbackRound, audience: str) -> list[QuestionItem]:
    """The audience's questionnaire items in order."""
    return list(
        db.session.execute(
            select(QuestionItem)
            .join(Questionnaire, QuestionItem.questionnaire_id == Questionnaire.id)
            .where(Questionnaire.round_id == rnd.id, Questionnaire.audience == audience)
            .order_by(QuestionItem.position)
        ).scalars()
    )


@dataclass(frozen=True, slots=True)
class SyntheticComment:
    section_id: str
    prompt: CommentPrompt
    text: str


def insert_responses(
    rnd: FeedbackRound,
    audience: str,
    answers: Iterable[Mapping[uuid.UUID, str]],
    *,
    channel: Channel = Channel.EMAIL,
    role: str | None = None,
    comments: Mapping[int, Sequence[SyntheticComment]] | None = None,
    release_batch: int = 0,
) -> int:
    """Insert one response per mapping of item id -> answer code; return how many.

    The rows go in release batch 0 (never held back), unless `release_batch` files them as
    one release of the mix would (tests and benchmarks of releases; the number must be new).

    `comments` maps a response's position in `answers` to the comments it leaves. Items must
    belong to the audience's questionnaire and codes to the item's scale, as the real journey
    checks; anything else raises ValueError and inserts nothing from the failing chunk on.
    """
    if rnd.status != RoundStatus.LIVE:
        raise ResponsesRefused(
            f"round {rnd.id} is {rnd.status.value}: only a live round takes responses"
        )
    items = {item.id: item for item in items_of(rnd, audience)}
    if not items:
        raise ValueError(f"round {rnd.id} has no questionnaire for {audience!r}")
    codes = {item_id: set(get_scale(item.scale_id).codes) for item_id, item in items.items()}
    comments = comments or {}
    response_rows: list[dict[str, object]] = []
    answer_rows: list[dict[str, object]] = []
    comment_rows: list[dict[str, object]] = []
    count = 0

    def flush_rows() -> None:
        if response_rows:
            db.session.execute(insert(Response.__table__), response_rows)
        if answer_rows:
            db.session.execute(insert(Answer.__table__), answer_rows)
        if comment_rows:
            db.session.execute(insert(Comment.__table__), comment_rows)
        response_rows.clear()
        answer_rows.clear()
        comment_rows.clear()

    for position, row in enumerate(answers):
        response_id = uuid.uuid4()
        response_rows.append(
            {
                "id": response_id,
                "round_id": rnd.id,
                "audience": audience,
                "channel": channel.value,
                "role": role,
                "release_batch": release_batch,
            }
        )
        for item_id, value in row.items():
            if item_id not in items:
                raise ValueError(f"item {item_id} is not in the {audience} questionnaire")
            if value not in codes[item_id]:
                raise ValueError(f"{value!r} is not an answer on item {item_id}'s scale")
            answer_rows.append(
                {
                    "response_id": response_id,
                    "item_id": item_id,
                    "round_id": rnd.id,
                    "value": value,
                    "release_batch": release_batch,
                }
            )
        for comment in comments.get(position, ()):
            comment_rows.append(
                {
                    "id": uuid.uuid4(),
                    "round_id": rnd.id,
                    "response_id": response_id,
                    "section_id": comment.section_id,
                    "prompt": comment.prompt.value,
                    "text": comment.text,
                    "hidden": False,
                }
            )
        count += 1
        if len(answer_rows) >= CHUNK:
            flush_rows()
    flush_rows()
    db.session.flush()
    return count


def answers_from_counts(
    items: Sequence[QuestionItem],
    counts: Mapping[str, int] | Mapping[uuid.UUID, Mapping[str, int]],
    *,
    rng: random.Random | None = None,
) -> list[dict[uuid.UUID, str]]:
    """Responses giving each item exactly the distribution asked for.

    `counts` is one distribution for every item ({"sa": 3, "a": 2}) or one per item id; every
    item needs the same total, which is the number of responses returned. Answers are shuffled
    per item (seed `rng` for repeatable tests).
    """
    rng = rng or random.Random(0)
    per_item: dict[uuid.UUID, Mapping[str, int]] = {}
    for item in items:
        if item.id in counts:
            per_item[item.id] = counts[item.id]  # type: ignore[index, assignment]  # keyed by id
        elif all(isinstance(k, str) for k in counts):
            per_item[item.id] = counts  # type: ignore[assignment]  # one shared distribution
        else:
            raise ValueError(f"no counts given for item {item.id}")
    totals = {sum(c.values()) for c in per_item.values()}
    if len(totals) != 1:
        raise ValueError(f"every item needs the same number of answers, got {sorted(totals)}")
    columns: dict[uuid.UUID, list[str]] = {}
    for item_id, dist in per_item.items():
        column = [code for code, n in dist.items() for _ in range(n)]
        rng.shuffle(column)
        columns[item_id] = column
    n = totals.pop()
    return [{item_id: column[r] for item_id, column in columns.items()} for r in range(n)]


# ---------------------------------------------------------------------------------------------
# Realistic random answers (demo and bench)


@dataclass(frozen=True, slots=True)
class Profile:
    """How a group tends to answer: `leaning` is the typical share favourable, `spread` how much
    items differ from each other, `agreement` how strongly one person's answers hang together,
    `dont_know` the share answering Don't know."""

    leaning: float = 0.75
    spread: float = 0.8
    agreement: float = 0.9
    dont_know: float = 0.05


def _logit(p: float) -> float:
    p = min(max(p, 0.01), 0.99)
    return math.log(p / (1 - p))


def random_answers(
    items: Sequence[QuestionItem], n: int, profile: Profile, rng: random.Random
) -> Iterator[dict[uuid.UUID, str]]:
    """`n` responses with item-to-item and person-to-person variation (not uniform noise)."""
    base = _logit(profile.leaning)
    plan = []
    for item in items:
        scale = get_scale(item.scale_id)
        favourable = [o.code for o in scale.options if o.favourable]
        other = [c for c in scale.substantive_codes if c not in favourable]
        plan.append((item.id, base + rng.gauss(0, profile.spread), favourable, other))
    for _ in range(n):
        person = rng.gauss(0, profile.agreement)
        row: dict[uuid.UUID, str] = {}
        for item_id, item_logit, favourable, other in plan:
            if rng.random() < profile.dont_know:
                row[item_id] = DONT_KNOW
                continue
            p = 1 / (1 + math.exp(-(item_logit + person)))
            if rng.random() < p:
                # The keener the person, the likelier the strongest favourable option.
                row[item_id] = favourable[0] if rng.random() < p * 0.6 else favourable[-1]
            else:
                # Milder disagreement is commoner than the strongest.
                row[item_id] = other[0] if rng.random() < 0.7 or len(other) == 1 else other[-1]
        yield row
