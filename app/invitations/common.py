"""Helpers shared by the invitation pages: load the round, audience labels, today's date."""

from __future__ import annotations

import uuid

from flask import abort, request

from app.models import FeedbackRound, Role
from app.services.frameworks import framework_of
from app.services.round_audiences import by_email
from app.tenancy import current_role, get_owned_or_404
from frameworks.schema import CHILDREN_BAND_AUDIENCES, STANDARD_AUDIENCES


def load_round(round_id: uuid.UUID, *, coordinator: bool = False) -> FeedbackRound:
    """The round if it is the current organisation's (else 404, for every role), then the
    role check (403): another organisation's round must look like no round at all."""
    rnd = get_owned_or_404(FeedbackRound, round_id)
    if coordinator and current_role() != Role.COORDINATOR:
        abort(403)
    return rnd


def audience_labels(rnd: FeedbackRound) -> dict[str, str]:
    framework = framework_of(rnd)
    if framework is None:
        return STANDARD_AUDIENCES | CHILDREN_BAND_AUDIENCES
    groups = [*framework.audience_ids, *CHILDREN_BAND_AUDIENCES]
    return {a: framework.audience_label(a) for a in groups}


def questionnaire_audiences(rnd: FeedbackRound) -> list[str]:
    return [q.audience for q in rnd.questionnaires]


def email_audiences(rnd: FeedbackRound) -> list[str]:
    """Audiences with a questionnaire that may be invited by email (a round's own audience may
    be asked by open link only)."""
    return [a for a in questionnaire_audiences(rnd) if by_email(rnd, a)]


def audience_or_404(rnd: FeedbackRound, audience: str) -> str:
    if audience not in questionnaire_audiences(rnd):
        abort(404, "This round has no questionnaire for that audience.")
    return audience


def page_number() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        return 1
