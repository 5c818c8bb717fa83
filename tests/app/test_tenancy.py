"""A user of one organisation gets 404 for every object of another, on every route.

Routes are read from app.url_map, so a new route joins this test by itself. A route whose URL
names an object must have a factory in OTHER_ORG_OBJECTS, or this test fails and says so.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.models import Role
from tests.support import csrf_token, dummy_url, login


def _collect_factories() -> dict[str, Callable[[Flask, str], Any]]:
    """Merge FACTORIES from every tests/app/factories_*.py (one file per journey)."""
    merged: dict[str, Callable[[Flask, str], Any]] = {}
    for path in sorted(Path(__file__).parent.glob("factories_*.py")):
        spec = importlib.util.spec_from_file_location(f"chorus_test_{path.stem}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        merged.update(module.FACTORIES)
    return merged


# URL argument -> factory(app, other_org_name) returning an id owned by the other organisation.
OTHER_ORG_OBJECTS = _collect_factories()

# Routes with no object in the URL that still take one from the form.
FORM_OBJECT_ROUTES: dict[str, Callable[[Flask, str], dict[str, str]]] = {
    "main.switch_organisation": lambda app, other: {"organisation_id": _org_id(app, other)},
}


def _org_id(app: Flask, name: str) -> str:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Organisation

    with app.app_context():
        return str(
            db.session.execute(
                select(Organisation.id).where(Organisation.name == name)
            ).scalar_one()
        )


def _object_rules(app: Flask) -> list[Any]:
    rules = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint == "static" or getattr(view, "chorus_public", False):
            continue
        if rule.arguments or rule.endpoint in FORM_OBJECT_ROUTES:
            rules.append(rule)
    return rules


def test_every_object_route_is_covered(app: Flask) -> None:
    missing = {
        arg for rule in _object_rules(app) for arg in rule.arguments if arg not in OTHER_ORG_OBJECTS
    }
    assert not missing, f"add factories to OTHER_ORG_OBJECTS for: {sorted(missing)}"
    assert _object_rules(app), "expected at least one object route"


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.SAT_MEMBER, Role.VIEWER])
def test_other_organisations_objects_are_404(
    app: Flask, client: FlaskClient, make_user, make_org, role: Role
) -> None:
    make_org("Org B")
    make_user("intruder@a.example", "Org A", role)
    login(client, "intruder@a.example")
    token = csrf_token(client, "/")
    checked = 0
    for rule in _object_rules(app):
        values = {arg: OTHER_ORG_OBJECTS[arg](app, "Org B") for arg in rule.arguments}
        url = dummy_url(app, rule, **values)
        form = FORM_OBJECT_ROUTES.get(rule.endpoint, lambda *_: {})(app, "Org B")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={**form, "csrf_token": token})
            assert response.status_code == 404, (method, rule.rule, response.status_code)
            checked += 1
    assert checked >= 1
