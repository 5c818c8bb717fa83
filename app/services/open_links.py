"""Open links and their QR codes, per audience, for people without email.

Links are created at launch (app.services.launch). Here a coordinator can switch one off and
on again, or replace its code so old posters stop working. The abuse protections (honeypot,
minimum time, rate limit without IP addresses, one response per browser) live on the
respondent side.
"""

from __future__ import annotations

import io
import uuid

import segno
from sqlalchemy import select

from app.extensions import db
from app.models import FeedbackRound, OpenLink
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
    # Error correction M survives a crease or a bit of tape on a printed poster.
    return segno.make(open_link_url(link.code), error="m", micro=False)


def qr_svg_inline(link: OpenLink, title: str) -> str:
    """An inline <svg> (no XML declaration) that scales with its container."""
    return qr_code(link).svg_inline(
        scale=10, border=4, title=title, svgclass="qr", omitsize=True, dark="#000", light="#fff"
    )


def qr_file(link: OpenLink, kind: str) -> bytes:
    """The QR code as a standalone SVG or PNG file for newsletters and documents."""
    out = io.BytesIO()
    if kind == "svg":
        qr_code(link).save(out, kind="svg", scale=10, border=4, dark="#000", light="#fff")
    else:
        qr_code(link).save(out, kind="png", scale=12, border=4)
    return out.getvalue()
