"""Tenancy factories for the Team page: a colleague's membership of the given organisation."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Membership, Role, User
from app.services.accounts import create_user, get_or_create_organisation
from tests.support import PASSWORD


def membership_id(app: Flask, org_name: str) -> str:
    with app.app_context():
        org = get_or_create_organisation(org_name)
        email = f"colleague@{org_name.lower().replace(' ', '-')}.example"
        found = db.session.execute(
            select(Membership.id)
            .join(User, User.id == Membership.user_id)
            .where(User.email == email, Membership.organisation_id == org.id)
        ).scalar_one_or_none()
        if found is None:
            create_user(email, PASSWORD, org.name, Role.VIEWER)
            db.session.commit()
            found = db.session.execute(
                select(Membership.id)
                .join(User, User.id == Membership.user_id)
                .where(User.email == email)
            ).scalar_one()
        return str(found)


FACTORIES = {"membership_id": membership_id}
