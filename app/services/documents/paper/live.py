"""Only a live round takes paper questionnaires, and only for the audiences it asks."""

from __future__ import annotations

from app.models import FeedbackRound, Questionnaire, RoundStatus
from app.services.documents.paper.errors import PaperError


def questionnaire_for(rnd: FeedbackRound, audience: str) -> Questionnaire | None:
    return next((q for q in rnd.questionnaires if q.audience == audience), None)


def ensure_live(rnd: FeedbackRound) -> None:
    if rnd.status == RoundStatus.DRAFT:
        raise PaperError(
            "This round has not been launched yet, so its questions may still change. "
            "Launch it first, then download the paper templates."
        )
    if rnd.status == RoundStatus.CLOSED:
        raise PaperError(
            "This round is closed, so no more questionnaires can be added. "
            "Late questionnaires can go into a new round."
        )
