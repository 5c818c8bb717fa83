"""Fixtures for the exports tests: live rounds built through the real services."""

from __future__ import annotations

import io
import random
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import FeedbackRound, Organisation, RoundStatus
from app.services.accounts import get_or_create_organisation
from app.services.rounds import RoundSettings, create_round, freeze

FRAMEWORK = "hmie-children-services"
INDICATORS = ["1.1", "2.1"]
AUDIENCES = ["staff", "parents", "children"]


def make_round(
    app: Flask,
    org_name: str = "Org A",
    *,
    name: str = "Spring listening",
    status: RoundStatus = RoundStatus.LIVE,
    threshold: int = 5,
    audiences: Iterable[str] = AUDIENCES,
    indicators: Iterable[str] = INDICATORS,
    role_question: bool = True,
    free_text: bool = True,
    children_bands: Iterable[str] = ("under_12",),  # a legacy one-band round unless told
) -> uuid.UUID:
    with app.app_context():
        org = get_or_create_organisation(org_name)
        rnd = create_round(
            org,
            RoundSettings(
                name=name,
                framework_id=FRAMEWORK,
                indicator_ids=list(indicators),
                audiences=list(audiences),
                opens_on=date.today() - timedelta(days=3),
                closes_on=date.today() + timedelta(days=10),
                threshold=threshold,
                role_question=role_question,
                free_text=free_text,
                children_bands=list(children_bands),
            ),
        )
        if status != RoundStatus.DRAFT:
            freeze(rnd)
            rnd.status = status
            rnd.launched_at = datetime.now(UTC)
        if status == RoundStatus.CLOSED:
            rnd.closed_at = datetime.now(UTC)
        db.session.commit()
        return rnd.id


@pytest.fixture
def live_round(app: Flask, coordinator: Any) -> uuid.UUID:
    return make_round(app)


def load_round(round_id: uuid.UUID) -> FeedbackRound:
    return db.session.execute(
        select(FeedbackRound).where(FeedbackRound.id == round_id)
    ).scalar_one()


def org_id(name: str) -> uuid.UUID:
    return db.session.execute(select(Organisation.id).where(Organisation.name == name)).scalar_one()


def fill_template(
    template: bytes,
    rows: dict[int, dict[str, Any]],
    *,
    edit: Callable[[Any], None] | None = None,
) -> bytes:
    """Type values into the Entry sheet as a coordinator would: {row: {column letter: value}}."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb["Entry"]
    for row, values in rows.items():
        for column, value in values.items():
            ws[f"{column}{row}"] = value
    if edit is not None:
        edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- a round with answers: every kind of group the anonymity rules distinguish ------------------

SECRET_COMMENT = "QUOKKA-COMMUNITY-SECRET"
HIDDEN_COMMENT = "HIDDEN-BY-A-COORDINATOR"
FORMULA_COMMENTS = [
    '=HYPERLINK("http://evil.example","click me")',
    "+SUM(A1:A2)",
    "-1+2",
    "@SUM(1)",
    "\tstarts with a tab",
    "\rstarts with a return",
    "  =spaced formula",
]


def seed_answers(app: Flask, round_id: uuid.UUID, *, k: int = 5) -> None:
    """Staff 30 (two role groups), parents 12 (one item answered by only 3), children 6,
    community k-1 with distinctive answers and comments."""
    from app.models import Comment, CommentPrompt
    from app.services.synthetic import (
        Profile,
        SyntheticComment,
        insert_responses,
        items_of,
        random_answers,
    )

    with app.app_context():
        rnd = load_round(round_id)
        rng = random.Random(7)
        staff = items_of(rnd, "staff")
        sections = sorted({i.section_id for i in staff})
        texts = [*FORMULA_COMMENTS, HIDDEN_COMMENT] + [f"Staff comment {n}" for n in range(12)]
        comments = {
            n: [SyntheticComment(sections[n % len(sections)], CommentPrompt.WORKS_WELL, text)]
            for n, text in enumerate(texts)
        }
        answers = list(random_answers(staff, 30, Profile(leaning=0.8), rng))
        insert_responses(rnd, "staff", answers[:20], role="front_line", comments=comments)
        insert_responses(rnd, "staff", answers[20:], role="manager")

        parents = items_of(rnd, "parents")
        rows = list(random_answers(parents, 12, Profile(leaning=0.6), rng))
        rare = parents[2].id
        for n, row in enumerate(rows):
            if n >= 3:
                del row[rare]  # only three parents answered this statement
        parent_comments = {
            n: [
                SyntheticComment(
                    parents[0].section_id, CommentPrompt.COULD_BE_BETTER, f"Parent {n}"
                )
            ]
            for n in range(5)
        }
        insert_responses(rnd, "parents", rows, comments=parent_comments)

        children = items_of(rnd, "children")
        insert_responses(rnd, "children", random_answers(children, 6, Profile(), rng))

        community = items_of(rnd, "community")
        secret = [{item.id: "sd" for item in community} for _ in range(k - 1)]
        community_comments = {
            n: [
                SyntheticComment(
                    community[0].section_id, CommentPrompt.WORKS_WELL, f"{SECRET_COMMENT} {n}"
                )
            ]
            for n in range(k - 1)
        }
        insert_responses(rnd, "community", secret, comments=community_comments)
        for comment in db.session.execute(
            select(Comment).where(Comment.text == HIDDEN_COMMENT)
        ).scalars():
            comment.hidden = True
        db.session.commit()


SEEDED_INDICATORS = ["1.1", "2.1", "4.1"]
SEEDED_AUDIENCES = ["staff", "parents", "children", "community"]


@pytest.fixture
def seeded_round(app: Flask, coordinator: Any) -> uuid.UUID:
    round_id = make_round(app, indicators=SEEDED_INDICATORS, audiences=SEEDED_AUDIENCES)
    seed_answers(app, round_id)
    return round_id
