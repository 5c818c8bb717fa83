"""Every rounds.* route answers 404 for another organisation's round or item, for every role and
method, using this journey's tenancy factories (the shared tenancy test uses them too)."""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.models import Role
from tests.app.rounds.helpers import dump
from tests.support import csrf_token, dummy_url, login


def _factories() -> dict:
    path = Path(__file__).parent.parent / "factories_rounds.py"
    spec = importlib.util.spec_from_file_location("chorus_factories_rounds", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FACTORIES


FACTORIES = _factories()


def test_factories_cover_every_argument_of_the_rounds_routes(app: Flask) -> None:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("rounds.")]
    assert {arg for r in rules for arg in r.arguments} <= set(FACTORIES)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.SAT_MEMBER, Role.VIEWER])
def test_another_organisations_objects_are_404_on_every_rounds_route(
    app: Flask, client: FlaskClient, make_user, role: Role
) -> None:
    make_user("intruder@a.example", "Org A", role)
    login(client, "intruder@a.example")
    token = csrf_token(client, "/")
    theirs = FACTORIES["round_id"](app, "Org B")
    before = dump(app, uuid.UUID(theirs))
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("rounds.") or not rule.arguments:
            continue
        values = {arg: FACTORIES[arg](app, "Org B") for arg in rule.arguments}
        url = dummy_url(app, rule, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {
                "csrf_token": token,
                "statement": "Mine now.",
                "name": "Mine now",
                "direction": "down",
                "intro": "Mine now.",
                "indicator_id": "2.1",
            }
            response = client.open(url, method=method, data=data)
            assert response.status_code == 404, (method, rule.rule, response.status_code)
            checked += 1
    assert checked >= 15
    assert dump(app, uuid.UUID(theirs)) == before
