"""Contacts after the first import (issue 16): edit one before launch, add late ones after it.

A late contact becomes an invitation at once, with its message queued now if the round is open
(or waiting for the opening day like the rest). Flushes; the caller commits.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Contact, FeedbackRound, Invitation, RoundStatus
from app.services.contacts import ContactFileError, ParseResult, _check_one, parse_pasted
from app.services.launch import invite
from app.services.lifecycle import LifecycleError, lock_round
from app.services.rounds import RoundError, ensure_draft


def invited_emails(rnd: FeedbackRound, labels: dict[str, str]) -> dict[str, str]:
    """Casefolded email -> audience label, for everyone already invited to the round."""
    rows = db.session.execute(
        select(Invitation.email, Invitation.audience).where(Invitation.round_id == rnd.id)
    )
    return {email.casefold(): labels.get(aud, aud) for email, aud in rows}


def edit_contact(
    rnd: FeedbackRound,
    contact_id: uuid.UUID,
    *,
    email: str,
    name: str,
    audience: str,
    audiences: list[str],
    labels: dict[str, str],
) -> Contact:
    """Change one contact of a draft; RoundError names each bad field and nothing changes."""
    ensure_draft(rnd)
    contact = db.session.execute(
        select(Contact).where(Contact.round_id == rnd.id, Contact.id == contact_id)
    ).scalar_one_or_none()
    if contact is None:
        raise LifecycleError("That contact is not in this round (it may have been removed).")
    errors: dict[str, str] = {}
    if audience not in audiences:
        errors["audience"] = "Choose who this contact is (an audience with a questionnaire)."
    others = {
        e.casefold(): labels.get(a, a)
        for e, a in db.session.execute(
            select(Contact.email, Contact.audience).where(
                Contact.round_id == rnd.id, Contact.id != contact.id
            )
        )
    }
    checked = ParseResult(unit="Line")
    _check_one(checked, 1, email, name, {}, others)
    if checked.errors:
        message = checked.errors[0].message
        errors["name" if message.startswith("The name") else "email"] = message
    if errors:
        raise RoundError(errors)
    row = checked.valid[0]
    contact.email, contact.name, contact.audience = row.email, row.name, audience
    db.session.flush()
    return contact


def add_late_contacts(
    rnd: FeedbackRound,
    audience: str,
    text: str,
    *,
    audiences: list[str],
    labels: dict[str, str],
    secret: str,
    today: date,
) -> tuple[int, ParseResult]:
    """Invite pasted people to a launched round; (invited, the check). With any problem nothing
    is invited and the check says why (the caller shows the text again)."""
    lock_round(rnd)
    if rnd.status != RoundStatus.LIVE or today > rnd.closes_on:
        raise LifecycleError(
            "Late contacts can be added while the round is scheduled or open, not after it "
            "has closed."
        )
    errors: dict[str, str] = {}
    if audience not in audiences:
        errors["late-audience"] = (
            "Choose who these contacts are (an audience with a questionnaire)."
        )
    if not text.strip():
        errors["late-addresses"] = "Paste at least one email address, one per line."
    if errors:
        raise RoundError(errors)
    try:
        result = parse_pasted(text, invited_emails(rnd, labels))
    except ContactFileError as exc:
        raise RoundError({"late-addresses": str(exc)}) from None
    if not result.ok:
        return 0, result
    people = [(audience, row.email, row.name, row.language or None) for row in result.valid]
    return invite(rnd, people, secret=secret, today=today), result
