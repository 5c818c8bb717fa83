"""'You said, we did' notices (issue 19): what we heard and what we will do, after a round.

A coordinator writes one per round and may publish it once the round has closed: the figures
it shows are the final results (`round_results` of a closed round), only for groups the results
service shows, so nothing differs from the results pages and no group under k appears. Hidden
cells are left out altogether on the public page (a respondent needs no notice about them).
No comment is ever shown. Nobody's address is kept for it: respondents find it at a public URL
beside their questionnaire's thank-you page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import FeedbackRound, Questionnaire, RoundNotice, RoundStatus
from app.services.results import round_results

TEXT_MAX = 5000


class NoticeError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class NoticeInput:
    heard: str = ""
    doing: str = ""
    indicator_ids: list[str] = field(default_factory=list)
    published: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    label: str  # "2.1 Impact on children and young people"
    sentences: tuple[str, ...]  # evidence sentences of the groups shown; none for hidden ones


def get_notice(rnd: FeedbackRound) -> RoundNotice | None:
    return db.session.execute(
        select(RoundNotice).where(RoundNotice.round_id == rnd.id)
    ).scalar_one_or_none()


def save_notice(rnd: FeedbackRound, data: NoticeInput) -> RoundNotice:
    """Validate, then write; NoticeError lists each field to fix and nothing is changed."""
    errors: dict[str, str] = {}
    heard, doing = data.heard.strip(), data.doing.strip()
    for name, text in (("heard", heard), ("doing", doing)):
        if len(text) > TEXT_MAX:
            errors[name] = f"Keep this to {TEXT_MAX} characters or fewer."
    asked = (
        [r.indicator_id for r in round_results(rnd).indicators]
        if rnd.status != RoundStatus.DRAFT
        else []
    )
    unknown = [i for i in data.indicator_ids if i not in asked]
    if unknown:
        errors["indicator_ids"] = "Choose indicators from the list: this round asked about those."
    if data.published:
        if rnd.status != RoundStatus.CLOSED:
            errors["published"] = (
                "Publish once the round has closed: until then its figures are not final."
            )
        elif not heard and not doing:
            errors["heard"] = "Write what you heard or what you will do before publishing."
    if errors:
        raise NoticeError(errors)
    notice = get_notice(rnd)
    if notice is None:
        notice = RoundNotice(round_id=rnd.id)
        db.session.add(notice)
    notice.heard, notice.doing = heard, doing
    notice.indicator_ids = [i for i in asked if i in data.indicator_ids]  # the round's order
    if data.published and not notice.published:
        notice.published_at = datetime.now(UTC)
    notice.published = data.published
    notice.updated_at = datetime.now(UTC)
    db.session.flush()
    return notice


def findings(rnd: FeedbackRound, notice: RoundNotice) -> list[Finding]:
    """The chosen indicators' evidence sentences, final figures of shown groups only."""
    if rnd.status != RoundStatus.CLOSED:
        return []
    results = round_results(rnd)
    found = []
    for indicator in results.indicators:
        if indicator.indicator_id not in (notice.indicator_ids or []):
            continue
        sentences = tuple(
            cell.evidence
            for column in results.columns
            if (cell := indicator.cells.get(column.key)) is not None and cell.shown
        )
        found.append(Finding(indicator.label, sentences))
    return found


def published_for_questionnaire(
    questionnaire_id: object,
) -> tuple[FeedbackRound, RoundNotice] | None:
    """The round and its notice, if published and the round is closed; else None (a 404)."""
    row = db.session.execute(
        select(FeedbackRound, RoundNotice)
        .join(Questionnaire, Questionnaire.round_id == FeedbackRound.id)
        .join(RoundNotice, RoundNotice.round_id == FeedbackRound.id)
        .where(
            Questionnaire.id == questionnaire_id,
            RoundNotice.published.is_(True),
            FeedbackRound.status == RoundStatus.CLOSED,
        )
    ).first()
    return (row[0], row[1]) if row else None
