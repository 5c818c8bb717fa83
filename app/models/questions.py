"""The coordinator's own questions of a round (issue 20) and their released answers.

A question belongs to the round as a whole and is asked of the audiences it names (`audiences`,
None: every audience of the round, as for questions stored before the choice); it may be bound to
an indicator (shown beside its figures) or to the round as a whole (`indicator_id` None). Its
kind and spec are checked by `surveys.question_types`; like a questionnaire it is frozen once
the round is launched (DESIGN.md 2). Answers are written by the release step only
(app/services/mix), like statements' answers: one row per chosen value (several choices give
several rows), and the words of a free-text answer or an "other" write-in as a hideable text,
as comments are (DESIGN.md 6.7). No answer row holds more than a response does.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import UUIDPrimaryKey


class RoundQuestion(UUIDPrimaryKey, Model):
    __tablename__ = "round_question"

    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # a surveys.question_types.Kind value
    text: Mapped[str] = mapped_column(String(300))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    indicator_id: Mapped[str | None] = mapped_column(String(40))  # None: the round as a whole
    # {language code: {"text": str, "options": [str, ...]}}: the round's own words translated.
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The round's groups (FeedbackRound.groups) it is asked of; None: every one, including any
    # added later. A group no longer in the round is ignored where it is read (`asks`).
    audiences: Mapped[list[str] | None] = mapped_column(JSON, nullable=True, default=None)

    def asks(self, audience: str) -> bool:
        """Whether this question is put to the group `audience`."""
        return self.audiences is None or audience in self.audiences


class QuestionAnswer(Model):
    """One chosen value (an option code, yes/no/dk, or a number as text) of one response."""

    __tablename__ = "question_answer"
    __table_args__ = (
        Index(
            "ix_question_answer_round_question_value_batch",
            "round_id",
            "question_id",
            "value",
            "release_batch",
        ),
    )

    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("round_question.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str] = mapped_column(String(40), primary_key=True)
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback_round.id", ondelete="CASCADE"))
    release_batch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class QuestionText(UUIDPrimaryKey, Model):
    """The words of a free-text answer or an "other, please say": a comment (DESIGN.md 6.7)."""

    __tablename__ = "question_text"

    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), index=True
    )
    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("round_question.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)  # coordinators hide, never edit
