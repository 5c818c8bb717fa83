"""A submission that waited on a device: checked, then stored exactly as a form's Send is.

The body holds the whole answers under the pages' own field names, the submission id and the
grant (app/services/offline/grants.py). The answers are read page by page with the form path's
own `read_page`, into the same `Progress`, and stored by the same `submit`, so a queued
submission enters the same sealed inbox and release step as every other response. Nothing
about when it was made is stored: the grant's day is used to decide and then dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.i18n import N_
from app.models import Channel, Invitation
from app.services.keys import secret_keys
from app.services.offline.grants import Grant, GrantError, read_grant
from app.services.responding import Progress, Survey, TamperedForm, load_survey, read_page
from app.services.responding.page_form import refuse_not_asked
from app.services.responding.shape import OwnQuestion
from app.services.submission import Outcome, already_stored, submit
from app.services.tokens import live_token
from surveys import question_types as qt

MAX_ANSWERS = 2000  # fields in one body: far more than any questionnaire has


@dataclass(frozen=True)
class Answer:
    """What the endpoint says: HTTP status, a stable code for the device, plain words."""

    status: int
    code: str
    message: str
    page: int | None = None

    @property
    def stored(self) -> bool:
        return self.status in (200, 201)


STORED = Answer(201, "stored", N_("Thank you: your answers have been sent."))
ALREADY = Answer(
    200, "already_received", N_("These answers were already received. Nothing more was saved.")
)
BAD_REQUEST = Answer(
    400,
    "bad_request",
    N_("The answers sent were not in a form this survey can read. Nothing was saved."),
)
BAD_GRANT = Answer(
    403,
    "bad_grant",
    N_(
        "These answers could not be checked against the survey they were written for, so they "
        "were not saved."
    ),
)
OTHER_SURVEY = Answer(
    403,
    "bad_grant",
    N_("These answers were written for a different survey, so they were not saved."),
)
_REFUSED = {
    Outcome.CLOSED: Answer(
        410,
        "expired",
        N_("This survey closed before these answers were written, so they were not saved."),
    ),
    Outcome.TOO_LATE: Answer(
        410,
        "expired",
        N_(
            "These answers arrived after the last day this survey could take answers written "
            "before it closed, so they were not saved."
        ),
    ),
    Outcome.NOT_OPEN: Answer(409, "not_open", N_("This survey is not open yet.")),
    Outcome.INVITATION_USED: Answer(
        409,
        "invitation_used",
        N_(
            "Answers have already been sent using this invitation, and each invitation can be "
            "used once. Nothing more was saved."
        ),
    ),
    Outcome.INVITATION_OPTED_OUT: Answer(
        410,
        "invitation_opted_out",
        N_("This invitation has been switched off, so these answers were not sent."),
    ),
    Outcome.INVITATION_GONE: Answer(
        410,
        "invitation_gone",
        N_("We could not find your invitation, so these answers were not sent."),
    ),
}


def _invalid(page: int | None, why: str) -> Answer:
    return Answer(422, "invalid_answers", why, page)


_INCOMPLETE = N_("Some questions were not answered, so the answers were not saved.")


@dataclass(frozen=True)
class Body:
    grant: str
    submission_id: uuid.UUID
    answers: Mapping[str, str]
    language: str | None


def read_body(payload: object) -> Body | None:
    """The fields of a queued submission, or None when any is missing or of the wrong type."""
    if not isinstance(payload, Mapping):
        return None
    grant, sid, answers = payload.get("grant"), payload.get("submission_id"), payload.get("answers")
    language = payload.get("language")
    if not isinstance(grant, str) or not isinstance(sid, str) or not isinstance(answers, Mapping):
        return None
    if len(answers) > MAX_ANSWERS or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in answers.items()
    ):
        return None
    if language is not None and not isinstance(language, str):
        return None
    try:
        submission_id = uuid.UUID(sid)
    except ValueError:
        return None
    return Body(grant, submission_id, dict(answers), language)


def progress_from(survey: Survey, submission_id: uuid.UUID, answers: Mapping[str, str]) -> Progress:
    """The answers as the form path would have kept them, page by page, through `read_page`.

    Raises TamperedForm for a field no page has (NotAsked for an own question this audience
    is not asked), and `Incomplete` for a page with errors."""
    shape = survey.shape
    refuse_not_asked(shape, answers)
    progress = Progress(shape.questionnaire_id, submission_id)
    unplaced = set(answers)
    for page in shape.pages:
        names = {item.field for item in page.items} | {box.field for box in page.boxes}
        if page.role:
            names.add("role")
        pairs = [(n, answers[n]) for n in names if n in answers]
        for question in page.questions:  # the round's own questions (issue 20)
            names |= question.fields()
            pairs += own_pairs(question, answers)
        form = MultiDict(pairs)
        unplaced -= names
        got = read_page(shape, page, form)
        if got.errors:
            raise Incomplete(page.number, next(iter(got.errors.values())))
        progress.merge(page, got)
    if unplaced:
        raise TamperedForm(N_("The form answered a question that is not in this survey."))
    return progress


def own_pairs(question: OwnQuestion, answers: Mapping[str, str]) -> list[tuple[str, str]]:
    """A queued own question's fields as a form sends them: several choices travel as one
    comma-separated value (option codes hold no comma) and become one field per choice."""
    pairs = []
    for name in sorted(question.fields()):
        if name not in answers:
            continue
        if name == question.field and question.spec.kind == qt.Kind.SEVERAL_CHOICES:
            pairs += [(name, code) for code in answers[name].split(",") if code]
        else:
            pairs.append((name, answers[name]))
    return pairs


class Incomplete(ValueError):
    def __init__(self, page: int, message: str):
        super().__init__(message)
        self.page = page


def _token_for(grant: Grant) -> str | None:
    """The invitation's token, derived again by the server from what the grant is bound to."""
    row = db.session.execute(
        select(Invitation.id, Invitation.token_hash).where(
            Invitation.token_hash == grant.invitation_hash
        )
    ).first()
    if row is None:
        return None
    return live_token(secret_keys(), row.id, row.token_hash)


def take(questionnaire_id: uuid.UUID, body: Body, *, on: date) -> Answer:
    """Check and store one queued submission (flushes; the caller commits if `stored`)."""
    try:
        grant = read_grant(body.grant)
    except GrantError:
        return BAD_GRANT
    if grant.questionnaire_id != questionnaire_id or grant.submission_id != body.submission_id:
        return BAD_GRANT
    survey = load_survey(questionnaire_id)
    if survey is None:
        return OTHER_SURVEY
    if survey.shape.round_id != grant.round_id:
        return OTHER_SURVEY
    if grant.channel == Channel.KIOSK:
        from app.services.kiosks import queued_refusal  # the kiosk half (issue 18)

        kiosk_refused = queued_refusal(grant)
        if kiosk_refused is not None:
            return kiosk_refused
    elif grant.channel not in (Channel.EMAIL, Channel.OPEN_LINK):
        return BAD_GRANT
    if already_stored(body.submission_id, grant.round_id):
        return ALREADY
    try:
        progress = progress_from(survey, body.submission_id, body.answers)
    except TamperedForm as exc:
        return _invalid(None, str(exc))
    except Incomplete as exc:
        return _invalid(exc.page, _INCOMPLETE)
    token: str | None = None
    if grant.channel == Channel.EMAIL:
        token = _token_for(grant)
        if token is None:
            return _REFUSED[Outcome.INVITATION_GONE]
    result = submit(
        survey,
        progress,
        channel=grant.channel,
        token=token,
        secret=str(current_app.config["SECRET_KEY"]),
        on=on,
        made_on=grant.day,
    )
    if result.outcome == Outcome.STORED:
        return STORED
    if result.outcome == Outcome.ALREADY_STORED:
        return ALREADY
    if result.outcome == Outcome.INCOMPLETE:
        return _invalid(result.incomplete_page, _INCOMPLETE)
    return _REFUSED[result.outcome]
