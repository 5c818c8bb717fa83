"""Entering a survey: an invitation link (token) or an open link (code) gives one questionnaire,
or a `Refusal` saying why it gives none."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.i18n import N_
from app.models import (
    Channel,
    FeedbackRound,
    Invitation,
    InvitationStatus,
    OpenLink,
    Questionnaire,
)
from app.services.responding.refusals import Refusal, unknown_link, window_refusal
from app.services.responding.window import round_window
from app.services.tokens import token_hash

MAX_TOKEN_LENGTH = 100  # real tokens are 43 characters; longer input is not worth hashing
MAX_CODE_LENGTH = 40


@dataclass(frozen=True)
class Entry:
    """What the browser is allowed to answer: one questionnaire, through one channel."""

    questionnaire_id: uuid.UUID
    channel: Channel
    token: str | None = None  # invitation links only: needed to find and open a saved draft
    round_id: uuid.UUID | None = None


def _questionnaire_for(round_id: uuid.UUID, audience: str) -> Questionnaire | None:
    return db.session.execute(
        select(Questionnaire).where(
            Questionnaire.round_id == round_id, Questionnaire.audience == audience
        )
    ).scalar_one_or_none()


def _entry_if_open(
    rnd: FeedbackRound, audience: str, channel: Channel, token: str | None, on: date
) -> Entry:
    """The audience's questionnaire if the round takes answers today, else a Refusal."""
    refusal = window_refusal(
        round_window(rnd.status, rnd.opens_on, rnd.closes_on, on), rnd.opens_on, rnd.closes_on
    )
    if refusal:
        raise refusal
    questionnaire = _questionnaire_for(rnd.id, audience)
    if questionnaire is None:
        raise unknown_link()
    return Entry(questionnaire.id, channel, token, rnd.id)


def enter_by_token(token: str, on: date) -> Entry:
    """The entry an invitation token gives, or a `Refusal` saying why it gives none."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise unknown_link()
    invitation = db.session.execute(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    ).scalar_one_or_none()
    if invitation is None:
        raise unknown_link()
    rnd = db.session.get(FeedbackRound, invitation.round_id)
    assert rnd is not None  # invitation.round_id is a foreign key
    if invitation.status == InvitationStatus.COMPLETED:
        questionnaire = _questionnaire_for(rnd.id, invitation.audience)
        raise Refusal(
            410,
            N_("You have already sent your answers"),
            N_(
                "Answers have already been sent using this invitation, and each invitation can "
                "be used once."
            ),
            N_("Thank you for taking part."),
            questionnaire.id if questionnaire else None,
        )
    if invitation.status == InvitationStatus.OPTED_OUT:
        raise Refusal(
            410,
            N_("This invitation has been switched off"),
            N_("You asked not to hear from us about this survey, so this link no longer works."),
            N_("If that was a mistake, please ask the person who sent the invitation."),
        )
    return _entry_if_open(rnd, invitation.audience, Channel.EMAIL, token, on)


def enter_kiosk(link: OpenLink, on: date) -> Entry:
    """The entry a paired kiosk gives (app/services/kiosks.py checked the tablet): its open
    link's questionnaire through the kiosk channel, while the link is on and the round open."""
    return _entry_from_link(link, Channel.KIOSK, on)


def _entry_from_link(link: OpenLink, channel: Channel, on: date) -> Entry:
    if not link.active:
        raise Refusal(
            410,
            N_("This link has been switched off"),
            N_("The people running this survey have stopped this link."),
            N_("If you were given it recently, please ask them for a new one."),
        )
    rnd = db.session.get(FeedbackRound, link.round_id)
    assert rnd is not None
    return _entry_if_open(rnd, link.audience, channel, None, on)


def enter_by_code(code: str, on: date) -> Entry:
    """The entry an open link (or its QR code) gives. Codes are typed from posters: any case."""
    code = code.strip().lower()
    if not code or len(code) > MAX_CODE_LENGTH:
        raise unknown_link()
    link = db.session.execute(select(OpenLink).where(OpenLink.code == code)).scalar_one_or_none()
    if link is None:
        raise unknown_link()
    return _entry_from_link(link, Channel.OPEN_LINK, on)
