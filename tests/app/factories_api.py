"""Tenancy factories for the API tokens page: a token of another organisation."""

from __future__ import annotations

from flask import Flask

from app.extensions import db
from app.models import Role
from app.services.accounts import create_user, find_user_by_email, get_or_create_organisation
from app.services.api_tokens import create_token


def token_id(app: Flask, org_name: str) -> str:
    with app.app_context():
        org = get_or_create_organisation(org_name)
        email = f"tokens@{org.id.hex[:8]}.example"
        user = find_user_by_email(email) or create_user(
            email, "a long enough password", org.name, Role.COORDINATOR
        )
        made = create_token(org.id, user, "Their token", ["read_results"], 30)
        db.session.commit()
        return str(made.token.id)


FACTORIES = {"token_id": token_id}
