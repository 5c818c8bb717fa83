"""Bearer tokens: who is calling, for which organisation, with which permissions.

`Authorization: Bearer <secret>`; the secret's sha256 finds the token. A missing, unknown,
expired or revoked token is 401; a token without the operation's permission is 403. Session
cookies are ignored: the API is for systems, not browsers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import g, request
from flask_limiter.util import get_remote_address

from app.api.problems import ApiProblem
from app.dates import use_zone
from app.extensions import db
from app.models import ApiPermission, ApiToken, FeedbackRound, Organisation, User
from app.services.api_tokens import find_by_secret, is_expired, secret_hash

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="chorus"'}


@dataclass
class ApiCall:
    token: ApiToken
    organisation: Organisation
    creator: User | None
    # What the view touched, for the audit entry (counts only in `details`).
    round: FeedbackRound | None = None
    object_type: str = ""
    object_id: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def org_id(self) -> uuid.UUID:
        return self.organisation.id


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def rate_key() -> str:
    """Per token (by a hash of its secret, never the secret itself); else per client address."""
    secret = bearer_secret()
    if secret is None:
        return f"api-anon:{get_remote_address()}"
    return f"api:{secret_hash(secret)[:32]}"


def authenticate(scope: ApiPermission) -> ApiCall:
    secret = bearer_secret()
    if secret is None:
        raise ApiProblem(
            401, "Send an API token: Authorization: Bearer <token>.", headers=CHALLENGE
        )
    token = find_by_secret(secret)
    if token is None:
        raise ApiProblem(401, "This API token is not known.", headers=CHALLENGE)
    if token.revoked_at is not None:
        raise ApiProblem(401, "This API token has been revoked.", headers=CHALLENGE)
    if is_expired(token):
        raise ApiProblem(401, "This API token has expired.", headers=CHALLENGE)
    if scope.value not in token.permissions:
        raise ApiProblem(403, f"This API token does not have the {scope.value!r} permission.")
    organisation = db.session.get(Organisation, token.organisation_id)
    if organisation is None:
        raise ApiProblem(401, "This API token is not known.", headers=CHALLENGE)
    creator = db.session.get(User, token.created_by_id) if token.created_by_id else None
    use_zone(organisation.time_zone)  # its days, as on its pages
    call = ApiCall(token=token, organisation=organisation, creator=creator)
    g.api_call = call
    return call
