"""Tenancy factories for kiosks (issue 18): a kiosk of another organisation's launched round."""

from __future__ import annotations

import uuid

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import FeedbackRound, Kiosk, OpenLink
from tests.app.factories_invitations import round_id


def kiosk_id(app: Flask, org_name: str) -> str:
    rid = round_id(app, org_name)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, uuid.UUID(rid))
        assert rnd is not None
        existing = db.session.execute(select(Kiosk).where(Kiosk.round_id == rnd.id)).scalar()
        if existing is not None:
            return str(existing.id)
        link = db.session.execute(select(OpenLink).where(OpenLink.round_id == rnd.id)).scalar()
        assert link is not None, "the launch makes open links"
        kiosk = Kiosk(round_id=rnd.id, open_link_id=link.id, name="Their tablet")
        db.session.add(kiosk)
        db.session.commit()
        return str(kiosk.id)


FACTORIES = {"kiosk_id": kiosk_id}
