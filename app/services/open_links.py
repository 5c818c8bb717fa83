"""Open links and their QR codes, per audience, for people without email.

Links are created at launch (app.services.launch). Here a coordinator can switch one off and
on again, or replace its code so old posters stop working. The abuse protections (honeypot,
minimum time, rate limit without IP addresses, one response per browser) live on the
respondent side.
"""

from __future__ import annotations

import uuid

import segno
from sqlalchemy import select

from app.extensions import db
from app.models import FeedbackRound, OpenLink
from app.services import qr
from app.services.launch import new_code
from app.services.links import open_link_url


def links_of(round_id: uuid.UUID) -> list[OpenLink]:
    return list(
        db.session.execute(
            select(OpenLink).where(OpenLink.round_id == round_id).order_by(OpenLink.audience)
        ).scalars()
    )


def link_for(rnd: FeedbackRound, audience: str) -> OpenLink | None:
    return db.session.execute(
        select(OpenLink).where(OpenLink.round_id == rnd.id, OpenLink.audience == audience)
    ).scalar_one_or_none()


def set_active(link: OpenLink, active: bool) -> None:
    link.active = active
    db.session.flush()


def replace_code(link: OpenLink) -> None:
    """A new address for this audience; the old link and its posters stop working."""
    link.code = new_code()
    link.active = True
    db.session.flush()


def qr_code(link: OpenLink) -> segno.QRCode:
    return qr.qr_code(open_link_url(link.code))


def qr_svg_inline(link: OpenLink, title: str) -> str:
    return qr.qr_svg_inline(open_link_url(link.code), title)


def qr_file(link: OpenLink, kind: str) -> bytes:
    return qr.qr_file(open_link_url(link.code), kind)
