"""Entering a survey: an invitation link (token) or an open link (code) gives one questionnaire,
or a `Refusal` saying why it gives none."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row, Select, bindparam, select

from app.dates import today, use_zone
from app.extensions import db
from app.i18n import N_
from app.models import (
    Channel,
    FeedbackRound,
    Invitation,
    InvitationStatus,
    OpenLink,
    Organisation,
    Questionnaire,
)
from app.services import core_sql
from app.services.responding.refusals import Refusal, unknown_link, window_refusal
from app.services.responding.window import grace_until, round_window
from app.services.tokens import token_hash
from surveys import questionnaire as qgen

MAX_TOKEN_LENGTH = 100  # real tokens are 43 characters; longer input is not worth hashing
MAX_CODE_LENGTH = 40


@dataclass(frozen=True)
class Entry:
    """What the browser is allowed to answer: one questionnaire, through one channel."""

    questionnaire_id: uuid.UUID
    channel: Channel
    token: str | None = None  # invitation links only: needed to find and open a saved draft
    round_id: uuid.UUID | None = None
    # The shared children's link of a round asking several age bands: the respondent chooses
    # their band's questionnaire on the welcome page (questionnaire_id is the youngest's).
    choose_band: bool = False


_INVITATIONS = core_sql.table(Invitation)
_LINKS = core_sql.table(OpenLink)
_ROUNDS = core_sql.table(FeedbackRound)
_ORGANISATIONS = core_sql.table(Organisation)
_QUESTIONNAIRES = core_sql.table(Questionnaire)


def _with_round_and_questionnaire(link: Any, round_id: Any, audience: Any) -> Select[Any]:
    """`link`'s columns with its round's window, its organisation's time zone and its audience's
    questionnaire id, in one statement (this is every entry's path: the respondent pages'
    statement budget counts it; and only the columns the entry needs, since a questionnaire row
    carries its whole text). Built once on the tables, run past the ORM (app/services/core_sql)."""
    return (
        select(
            *link,
            _ROUNDS.c.id.label("round_id"),
            _ROUNDS.c.status.label("round_status"),
            _ROUNDS.c.opens_on,
            _ROUNDS.c.closes_on,
            _ROUNDS.c.grace_days,
            _QUESTIONNAIRES.c.id.label("questionnaire_id"),
            _ORGANISATIONS.c.time_zone,
        )
        .join(_ROUNDS, _ROUNDS.c.id == round_id)
        .join(_ORGANISATIONS, _ORGANISATIONS.c.id == _ROUNDS.c.organisation_id)
        .outerjoin(
            _QUESTIONNAIRES,
            (_QUESTIONNAIRES.c.round_id == round_id) & (_QUESTIONNAIRES.c.audience == audience),
        )
    )


_BY_TOKEN = _with_round_and_questionnaire(
    (_INVITATIONS.c.status,), _INVITATIONS.c.round_id, _INVITATIONS.c.audience
).where(_INVITATIONS.c.token_hash == bindparam("token_hash"))
_BY_LINK = _with_round_and_questionnaire(
    (_LINKS.c.active, _LINKS.c.audience), _LINKS.c.round_id, _LINKS.c.audience
)
_BY_CODE = _BY_LINK.where(_LINKS.c.code == bindparam("code"))
_BY_LINK_ID = _BY_LINK.where(_LINKS.c.id == bindparam("link_id"))


def _entry_if_open(
    found: Row[Any],
    channel: Channel,
    token: str | None,
    on: date | None,
    questionnaire_id: uuid.UUID | None = None,
) -> Entry:
    """The audience's questionnaire (or `questionnaire_id`, the youngest band's for a shared
    children's link) if the round takes answers today (`on`, else the local day of the round's
    organisation), else a Refusal."""
    if on is None:
        on = today(found.time_zone)
    window = round_window(found.round_status, found.opens_on, found.closes_on, on)
    refusal = window_refusal(
        window,
        found.opens_on,
        found.closes_on,
        grace_until(found.round_status, found.closes_on, found.grace_days, on),
    )
    if refusal:
        raise refusal
    if questionnaire_id is not None:
        return Entry(questionnaire_id, channel, token, found.round_id, choose_band=True)
    if found.questionnaire_id is None:
        raise unknown_link()
    return Entry(found.questionnaire_id, channel, token, found.round_id)


def enter_by_token(token: str, on: date | None = None) -> Entry:
    """The entry an invitation token gives, or a `Refusal` saying why it gives none."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise unknown_link()
    found = core_sql.execute(_BY_TOKEN, {"token_hash": token_hash(token)}).one_or_none()
    if found is None:
        raise unknown_link()
    use_zone(found.time_zone)  # the request's days become the organisation's
    if found.status == InvitationStatus.COMPLETED:
        raise Refusal(
            410,
            N_("You have already sent your answers"),
            N_(
                "Answers have already been sent using this invitation, and each invitation can "
                "be used once."
            ),
            N_("Thank you for taking part."),
            found.questionnaire_id,
        )
    if found.status == InvitationStatus.OPTED_OUT:
        raise Refusal(
            410,
            N_("This invitation has been switched off"),
            N_("You asked not to hear from us about this survey, so this link no longer works."),
            N_("If that was a mistake, please ask the person who sent the invitation."),
        )
    return _entry_if_open(found, Channel.EMAIL, token, on)


def _enter_link(
    which: Select[Any], params: dict[str, Any], channel: Channel, on: date | None
) -> Entry:
    """The entry the open link `which` (with `params`) selects gives, through `channel`."""
    found = core_sql.execute(which, params).one_or_none()
    if found is None:
        raise unknown_link()
    use_zone(found.time_zone)
    if not found.active:
        raise Refusal(
            410,
            N_("This link has been switched off"),
            N_("The people running this survey have stopped this link."),
            N_("If you were given it recently, please ask them for a new one."),
        )
    shared = None
    if found.questionnaire_id is None and found.audience == qgen.CHILDREN:
        shared = next(iter(band_questionnaires(found.round_id).values()), None)
    return _entry_if_open(found, channel, None, on, shared)


def band_questionnaires(round_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """The round's age bands and their questionnaires, youngest first."""
    rows = db.session.execute(
        select(Questionnaire.audience, Questionnaire.id).where(
            Questionnaire.round_id == round_id,
            Questionnaire.audience.in_(qgen.CHILDREN_BAND_AUDIENCES.values()),
        )
    )
    found = {audience: questionnaire_id for audience, questionnaire_id in rows}
    return {
        band: found[audience]
        for band, audience in qgen.CHILDREN_BAND_AUDIENCES.items()
        if audience in found
    }


def enter_kiosk(link: OpenLink, on: date | None = None) -> Entry:
    """The entry a paired kiosk gives (app/services/kiosks.py checked the tablet): its open
    link's questionnaire through the kiosk channel, while the link is on and the round open."""
    return _enter_link(_BY_LINK_ID, {"link_id": link.id}, Channel.KIOSK, on)


def enter_by_code(code: str, on: date | None = None) -> Entry:
    """The entry an open link (or its QR code) gives. Codes are typed from posters: any case."""
    code = code.strip().lower()
    if not code or len(code) > MAX_CODE_LENGTH:
        raise unknown_link()
    return _enter_link(_BY_CODE, {"code": code}, Channel.OPEN_LINK, on)
