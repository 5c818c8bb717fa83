"""Tokens: missing, unknown, expired, revoked (401), without the scope (403), another
organisation's ids (404); every call in the audit trail; rate limit per token; the secret is
never stored."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiToken, AuditEntry, FeedbackRound
from app.services.api_tokens import find_by_secret, revoke
from tests.app.api.conftest import Api

ROUND = {
    "name": "Spring API round",
    "framework_id": "hmie-children-services",
    "indicator_ids": ["2.2"],
    "audiences": ["staff", "parents"],
    "opens_on": "2031-03-01",
    "closes_on": "2031-03-31",
}


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["type"] and body["title"] and body["detail"]
    return body


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_no_token_unknown_token_and_another_scheme_are_401(client: FlaskClient, api: Api) -> None:
    _problem(client.get("/api/v1/rounds"), 401)
    assert client.get("/api/v1/rounds").headers["WWW-Authenticate"].startswith("Bearer")
    _problem(Api(client, "chorus_" + "x" * 43).get("/rounds"), 401)
    _problem(client.get("/api/v1/rounds", headers={"Authorization": f"Basic {api.secret}"}), 401)
    assert api.get("/rounds").status_code == 200


def test_a_signed_in_session_is_not_a_token(client: FlaskClient, coordinator) -> None:
    _problem(client.get("/api/v1/rounds"), 401)


def test_expired_and_revoked_tokens_are_401(app: Flask, api_for, client: FlaskClient) -> None:
    expired = api_for(expired=True)
    assert "expired" in _problem(expired.get("/rounds"), 401)["detail"]
    live = api_for()
    assert live.get("/rounds").status_code == 200
    with app.app_context():
        token = find_by_secret(live.secret)
        assert token is not None
        revoke(token)
        db.session.commit()
    assert "revoked" in _problem(live.get("/rounds"), 401)["detail"]


def test_each_permission_opens_only_its_operations(app: Flask, api_for) -> None:
    reader = api_for(permissions=["read_results"])
    manager = api_for(permissions=["manage_rounds"])
    before = _count(app, FeedbackRound)
    body = _problem(reader.post("/rounds", ROUND), 403)
    assert "manage_rounds" in body["detail"]
    assert _count(app, FeedbackRound) == before
    assert manager.post("/rounds", ROUND).status_code == 201
    _problem(manager.get("/rounds"), 403)
    assert reader.get("/rounds").status_code == 200


def test_another_organisations_ids_are_404_and_change_nothing(
    app: Flask, api_for, live_round
) -> None:
    theirs = live_round("Org B")
    ours = api_for("Org A")
    their_api = api_for("Org B")
    created = their_api.post("/rounds", ROUND).get_json()["id"]
    for path in (
        f"/rounds/{theirs}",
        f"/rounds/{theirs}/results",
        f"/rounds/{theirs}/response-rates",
        f"/rounds/{theirs}/launch-check",
        f"/rounds/{uuid.uuid4()}",
        f"/assessments/{uuid.uuid4()}",
        "/rounds/not-a-uuid",
    ):
        _problem(ours.get(path), 404)
    _problem(ours.patch(f"/rounds/{created}", {"name": "Taken over"}), 404)
    _problem(ours.post(f"/rounds/{created}/launch", {"accept_warnings": []}), 404)
    _problem(ours.post(f"/rounds/{theirs}/close"), 404)
    contacts = {"audience": "staff", "contacts": [{"email": "x@example.org"}]}
    _problem(ours.post(f"/rounds/{created}/contacts", contacts), 404)
    assert their_api.get(f"/rounds/{created}").get_json()["name"] == ROUND["name"]
    assert their_api.get(f"/rounds/{created}").get_json()["contacts"] == {}
    assert their_api.get(f"/rounds/{theirs}").get_json()["status"] == "live"
    assert [r["id"] for r in ours.get("/rounds").get_json()["rounds"]] == []


def test_every_call_is_audited_with_counts_only_and_marks_the_token_used(
    app: Flask, api: Api
) -> None:
    with app.app_context():
        token = find_by_secret(api.secret)
        assert token is not None and token.last_used_at is None
    assert api.get("/rounds").status_code == 200
    made = api.post("/rounds", ROUND)
    assert made.status_code == 201
    rid = made.get_json()["id"]
    with app.app_context():
        entries = list(db.session.execute(select(AuditEntry).order_by(AuditEntry.at)).scalars())
        assert [e.action for e in entries] == ["api.list_rounds", "api.create_round"]
        assert entries[1].round_id == uuid.UUID(rid) and entries[1].object_id == rid
        assert entries[0].details == {"api_token_name": "Test system", "rounds": 0}
        assert "Test system" in entries[1].summary
        token = find_by_secret(api.secret)
        assert token is not None and token.last_used_at is not None


def test_a_refused_call_writes_nothing_not_even_the_audit(app: Flask, api: Api) -> None:
    _problem(api.post("/rounds", {**ROUND, "threshold": 2}), 422)
    _problem(api.get(f"/rounds/{uuid.uuid4()}"), 404)
    assert _count(app, AuditEntry) == 0
    assert _count(app, FeedbackRound) == 0


def test_the_secret_is_stored_only_as_its_hash(app: Flask, api: Api) -> None:
    assert api.secret and api.secret.startswith("chorus_") and len(api.secret) > 40
    with app.app_context():
        rows = db.session.execute(select(ApiToken)).scalars().all()
        for row in rows:
            for value in (row.token_hash, row.prefix, row.name, *row.permissions):
                assert api.secret not in value
        assert len(rows[0].token_hash) == 64


@pytest.fixture
def tight_limit(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")


def test_rate_limited_per_token(api_for: Callable[..., Api], tight_limit) -> None:
    first, second = api_for(), api_for()
    for _ in range(3):
        assert first.get("/frameworks").status_code == 200
    body = _problem(first.get("/frameworks"), 429)
    assert "Too many" in body["detail"]
    assert second.get("/frameworks").status_code == 200  # another token has its own budget
