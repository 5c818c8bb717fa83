"""The contact list of a round as a table, for the CSV and Excel downloads (issue 16).

Before launch: the contacts as they will be invited (email, name, audience, preferred
language); there is no invitation state yet. After launch: each invitation's first-message state
only (delivered, not delivered, opted out, waiting), never who has answered or been reminded
(DESIGN.md section 6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.i18n import LANGUAGES
from app.models import Contact, FeedbackRound
from app.services.invitations import delivery_rows


@dataclass(frozen=True)
class ContactTable:
    kind: str  # "contacts" before launch, "invitations" after: the file's name
    header: list[str]
    rows: list[list[str]]


def contact_table(rnd: FeedbackRound, labels: Mapping[str, str], *, state: str) -> ContactTable:
    """`state`: the heading of the invitation-state column after launch."""
    if rnd.is_draft:
        found = db.session.execute(
            select(Contact.email, Contact.name, Contact.audience, Contact.language)
            .where(Contact.round_id == rnd.id)
            .order_by(Contact.audience, Contact.email)
        ).all()
        return ContactTable(
            "contacts",
            ["email", "name", "audience", "language"],
            [
                [
                    email,
                    name or "",
                    labels.get(audience, audience),
                    LANGUAGES[language].english_name if language in LANGUAGES else "",
                ]
                for email, name, audience, language in found
            ],
        )
    invited, _ = delivery_rows(rnd.id, per_page=0)
    return ContactTable(
        "invitations",
        ["email", "name", "audience", state],
        [[r.email, r.name, labels.get(r.audience, r.audience), r.delivery.label] for r in invited],
    )
