"""Launch a round: in one transaction freeze the questionnaires, turn contacts into invitations,
queue one outbox message each and create an open link per audience (DESIGN.md sections 6.2, 8).

Tokens are derived from each invitation's id (generated here, before the insert), and only
their sha256 is stored. Rows go in with bulk inserts so 10,000 invitees take well under two
seconds on SQLite (bench/invitations.py). The service flushes; the caller commits once, so an
error anywhere leaves the round a draft with nothing created.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, insert, select, update

from app.dates import long_date
from app.extensions import db
from app.i18n import LANGUAGES
from app.models import (
    Contact,
    DeliveryStatus,
    FeedbackRound,
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    OpenLink,
    OutboxMessage,
    RoundStatus,
)
from app.models.base import utcnow
from app.services import lifecycle
from app.services import rounds as round_service
from app.services.contacts import contact_counts
from app.services.frameworks import UnknownFramework
from app.services.round_audiences import base_framework, by_open_link, customs_of
from app.services.tokens import derive_token, token_hash
from app.services.translations import missing as translation_gaps
from surveys import questionnaire as qgen
from surveys.launch_checks import (
    AudienceFacts,
    LaunchWarning,
    custom_audience_refusals,
    launch_warnings,
)

# Open-link codes are typed from posters: no 0/O, 1/l/I. 10 characters of 31 = 49 bits.
CODE_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyz"
CODE_LENGTH = 10


class LaunchRefused(ValueError):
    """The round cannot be launched as it is; `problems` are plain sentences to show."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class AudiencePlan:
    audience: str
    label: str
    questions: int
    contacts: int


@dataclass
class LaunchPlan:
    audiences: list[AudiencePlan]
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Warnings the coordinator must tick to launch (surveys.launch_checks, stable codes).
    checks: list[LaunchWarning] = field(default_factory=list)
    sends_on: date | None = None

    @property
    def invitations(self) -> int:
        return sum(a.contacts for a in self.audiences)

    @property
    def ready(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class LaunchResult:
    invitations: int
    open_links: int


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _unasked_questions(rnd: FeedbackRound) -> list[str]:
    """Own questions whose audiences have all left the round: nobody would be asked them."""
    from app.services.questions import asked_of, questions_of

    return [
        f"Your own question “{_short(q.text)}” is asked of no audience of this round now. "
        "Edit it to choose who is asked, or remove it."
        for q in questions_of(rnd.id)
        if not asked_of(rnd, q)
    ]


def plan_launch(rnd: FeedbackRound, labels: dict[str, str], today: date) -> LaunchPlan:
    """What launching would do, and anything that stops it."""
    counts = contact_counts(rnd.id)
    with_questionnaire = {q.audience: q for q in rnd.questionnaires}
    audiences = [
        AudiencePlan(
            audience=a,
            label=labels.get(a, a),
            questions=len(q.items),
            contacts=counts.get(a, 0),
        )
        for a, q in with_questionnaire.items()
    ]
    plan = LaunchPlan(audiences=audiences)
    if rnd.status == RoundStatus.LIVE:
        plan.problems.append("This round has already been launched.")
    elif rnd.status == RoundStatus.CLOSED:
        plan.problems.append("This round is closed. Copy it into a new round to ask again.")
    if not with_questionnaire:
        plan.problems.append(
            "This round has no questionnaires. Choose indicators and audiences that have "
            "questions first."
        )
    elif any(a.questions == 0 for a in audiences):
        empty = ", ".join(a.label for a in audiences if a.questions == 0)
        plan.problems.append(f"These questionnaires have no questions: {empty}.")
    plan.problems.extend(_unasked_questions(rnd))
    if rnd.closes_on < today:
        plan.problems.append(
            f"The closing date ({long_date(rnd.closes_on)}) has passed. Change it before launching."
        )
    for code, gaps in translation_gaps(rnd, labels).items():
        if gaps:
            shown = "; ".join(f"{p.label}: “{_short(p.english)}”" for p in gaps[:10])
            more = f" and {len(gaps) - 10} more" if len(gaps) > 10 else ""
            plan.problems.append(
                f"The {LANGUAGES[code].english_name} translation is not complete: "
                f"{len(gaps)} missing ({shown}{more}). Import the translation workbook, or "
                f"stop offering {LANGUAGES[code].english_name}."
            )
    orphans = {a: n for a, n in counts.items() if a not in with_questionnaire}
    for audience, n in orphans.items():
        plan.problems.append(
            f"{n} contact{'s' if n != 1 else ''} for {labels.get(audience, audience)}, "
            "who have no questionnaire in this round. Remove them, or add that audience back."
        )
    plan.problems += _own_audience_problems(rnd, counts)
    for a in audiences:
        if a.contacts == 0 and by_open_link(rnd, a.audience):
            plan.warnings.append(
                f"Nobody is invited by email for {a.label}: they can answer through the open "
                "link or QR code only."
            )
    plan.sends_on = max(rnd.opens_on, today)
    if rnd.status == RoundStatus.DRAFT:
        switched_off = set(
            db.session.execute(
                select(OpenLink.audience).where(
                    OpenLink.round_id == rnd.id, OpenLink.active.is_(False)
                )
            ).scalars()
        )
        plan.checks = launch_warnings(
            [
                AudienceFacts(
                    a.audience,
                    a.label,
                    a.contacts,
                    a.audience not in switched_off and by_open_link(rnd, a.audience),
                    email_only=not by_open_link(rnd, a.audience),
                )
                for a in audiences
            ],
            threshold=rnd.threshold,
            opens_on=rnd.opens_on,
            today=today,
            children_bands=rnd.children_bands or (),
            young_statements=[
                i.statement
                for q in rnd.questionnaires
                if q.audience == "children_under_8"
                for i in q.items
            ],
        )
    return plan


def _own_audience_problems(rnd: FeedbackRound, counts: dict[str, int]) -> list[str]:
    """The round's own audiences (issue 22): a clashing name, no statements for any chosen
    indicator, or contacts for an audience that is asked by open link only."""
    customs = customs_of(rnd)
    if not customs:
        return []
    try:
        problems = custom_audience_refusals(
            customs, base_framework(rnd), rnd.indicator_ids, rnd.audiences
        )
    except UnknownFramework:
        problems = []
    for c in customs:
        if counts.get(c.id) and not c.email:
            problems.append(
                f"{counts[c.id]} contact{'s' if counts[c.id] != 1 else ''} for “{c.name}”, who "
                "are asked by open link only. Remove them, or let this audience be asked by email."
            )
    return problems


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def launch(
    rnd: FeedbackRound,
    *,
    secret: str,
    labels: dict[str, str],
    today: date,
    now: datetime | None = None,
) -> LaunchResult:
    """Launch `rnd` (flushes; the caller commits). Raises LaunchRefused and changes nothing."""
    now = now or utcnow()
    plan = plan_launch(rnd, labels, today)
    if not plan.ready:
        raise LaunchRefused(plan.problems)

    # Guard against two launches (or a launch and a cancel) racing: only one UPDATE finds the
    # round still a draft. The round row is claimed before anything else is written, so every
    # change to a round takes its locks in the same order (no deadlock with cancel).
    round_service.ensure_draft(rnd)
    claimed = db.session.execute(
        update(FeedbackRound)
        .where(FeedbackRound.id == rnd.id, FeedbackRound.status == RoundStatus.DRAFT)
        .values(status=RoundStatus.LIVE, launched_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  # DML: a CursorResult
        raise LaunchRefused(["This round has already been launched."])
    db.session.refresh(rnd)
    for q in rnd.questionnaires:
        q.frozen = True

    # Invitations wait for the opening day (local midnight); the worker only claims messages
    # that are due.
    contacts = db.session.execute(
        select(Contact.audience, Contact.email, Contact.name, Contact.language)
        .where(Contact.round_id == rnd.id)
        .order_by(Contact.audience, Contact.email)
    ).all()
    people = [(a, e, n, lang) for a, e, n, lang in contacts]
    invitations = invite(rnd, people, secret=secret, today=today, now=now)
    have_links = set(
        db.session.execute(select(OpenLink.audience).where(OpenLink.round_id == rnd.id)).scalars()
    )
    links = [
        {"id": uuid.uuid4(), "round_id": rnd.id, "audience": a, "code": new_code()}
        for a in link_audiences(rnd)
        if a not in have_links
    ]
    if links:
        db.session.execute(insert(OpenLink), links)
    # Contacts have become invitations; the list is not kept twice.
    db.session.execute(delete(Contact).where(Contact.round_id == rnd.id))
    db.session.flush()
    return LaunchResult(invitations=invitations, open_links=len(links))


def link_audiences(rnd: FeedbackRound) -> list[str]:
    """An open link per questionnaire, and for a round asking children in more than one age
    band a shared children's link ("children") whose welcome page asks the band (each band's
    own link skips the choice)."""
    # A round's own audience asked by email only has none (issue 22).
    asked = [q.audience for q in rnd.questionnaires if by_open_link(rnd, q.audience)]
    if sum(1 for a in asked if qgen.band_of(a)) > 1:
        asked.append(qgen.CHILDREN)
    return asked


def invite(
    rnd: FeedbackRound,
    people: Sequence[tuple[str, str, str, str | None]],
    *,
    secret: str,
    today: date,
    now: datetime | None = None,
) -> int:
    """Invitations and their queued messages for (audience, email, name, language) rows; flushes.

    Used by launch and for contacts added after it, whose invitation goes at once if the round
    is open, or waits for the opening day like the others."""
    now = now or utcnow()
    send_at = lifecycle.send_at(rnd.opens_on, today, lifecycle.organisation_zone(rnd))
    invitations: list[dict[str, object]] = []
    messages: list[dict[str, object]] = []
    for audience, email, name, language in people:
        invitation_id = uuid.uuid4()
        invitations.append(
            {
                "id": invitation_id,
                "round_id": rnd.id,
                "audience": audience,
                "email": email,
                "name": name,
                "language": language,
                "token_hash": token_hash(derive_token(secret, invitation_id)),
                "status": InvitationStatus.PENDING,
                "delivery": DeliveryStatus.QUEUED,
            }
        )
        messages.append(
            {
                "id": uuid.uuid4(),
                "created_at": now,
                "round_id": rnd.id,
                "invitation_id": invitation_id,
                "kind": MessageKind.INVITATION,
                "to_address": email,
                "status": MessageStatus.QUEUED,
                "attempts": 0,
                "next_attempt_at": send_at,
            }
        )
    if invitations:
        # Core inserts on the tables (not the ORM bulk path): one executemany each.
        db.session.execute(insert(Invitation.__table__), invitations)
        db.session.execute(insert(OutboxMessage.__table__), messages)
    return len(invitations)
