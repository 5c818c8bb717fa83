"""Draft questionnaires through the API: the Questionnaire page's edits (reword, restore, move,
remove, add, introduction) with its checks; refused with 409 once launched; bad input is a
specific problem and changes nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from app.dates import today
from app.extensions import db
from app.models import Questionnaire
from tests.app.api.conftest import Api
from tests.app.api.test_auth import ROUND, _problem


@pytest.fixture
def draft(api: Api) -> str:
    opens = today() + timedelta(days=1)
    made = api.post(
        "/rounds",
        {
            **ROUND,
            "opens_on": opens.isoformat(),
            "closes_on": (opens + timedelta(days=20)).isoformat(),
        },
    )
    assert made.status_code == 201, made.get_json()
    return str(made.get_json()["id"])


def _staff(api: Api, rid: str) -> dict[str, Any]:
    got = api.get(f"/rounds/{rid}/questionnaires/staff")
    assert got.status_code == 200, got.get_json()
    return dict(got.get_json())


def _stored(app: Flask, rid: str) -> list[tuple[int, str, str]]:
    """(position, statement, origin) of the staff questionnaire as the page reads it."""
    with app.app_context():
        q = db.session.query(Questionnaire).filter_by(round_id=uuid.UUID(rid), audience="staff")
        found = q.one()
        return sorted((i.position, i.statement, i.origin.value) for i in found.items)


def test_reword_restore_and_move_an_item(app: Flask, api: Api, draft: str) -> None:
    before = _staff(api, draft)
    first, second = before["items"][0], before["items"][1]
    assert first["origin"] == "bank" and first["bank_statement"] == first["statement"]
    url = f"/rounds/{draft}/questionnaires/staff/items/{first['id']}"

    changed = api.patch(url, {"statement": "  We   listen to   you.  "})
    assert changed.status_code == 200, changed.get_json()
    item = changed.get_json()["items"][0]
    assert item["statement"] == "We listen to you." and item["origin"] == "edited"
    assert changed.get_json()["version"] > before["version"]

    restored = api.patch(url, {"restore": True}).get_json()["items"][0]
    assert restored["statement"] == first["statement"] and restored["origin"] == "bank"

    if first["section_id"] == second["section_id"]:
        moved = api.patch(url, {"move": "down"}).get_json()
        assert [i["id"] for i in moved["items"][:2]] == [second["id"], first["id"]]
    assert _stored(app, draft) == sorted(
        (i["position"], i["statement"], i["origin"]) for i in _staff(api, draft)["items"]
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"statement": "   "}, "statement"),
        ({"statement": "x" * 301}, "statement"),
        ({"statement": 5}, "statement"),
        ({"move": "sideways"}, "move"),
        ({"colour": "red"}, "colour"),
        ({"statement": "A", "restore": True}, "statement"),
        ({"statement": "Bad\x00text"}, "statement"),
    ],
)
def test_bad_item_changes_are_422_and_change_nothing(
    app: Flask, api: Api, draft: str, body: dict[str, Any], field: str
) -> None:
    first = _staff(api, draft)["items"][0]
    before = _stored(app, draft)
    problem = _problem(
        api.patch(f"/rounds/{draft}/questionnaires/staff/items/{first['id']}", body), 422
    )
    assert field in [e["field"] for e in problem["errors"]], problem
    assert _stored(app, draft) == before


def test_the_same_question_twice_is_refused(app: Flask, api: Api, draft: str) -> None:
    first, second = _staff(api, draft)["items"][:2]
    url = f"/rounds/{draft}/questionnaires/staff/items/{second['id']}"
    problem = _problem(api.patch(url, {"statement": first["statement"].upper()}), 422)
    assert problem["errors"] == [
        {"field": "statement", "message": "This questionnaire already asks exactly that."}
    ]


def test_add_and_remove_items(app: Flask, api: Api, draft: str) -> None:
    base = f"/rounds/{draft}/questionnaires/staff"
    n = len(_staff(api, draft)["items"])
    added = api.post(base + "/items", {"indicator_id": "2.2", "statement": "Our own question?"})
    assert added.status_code == 201, added.get_json()
    mine = [i for i in added.get_json()["items"] if i["origin"] == "custom"]
    assert [i["statement"] for i in mine] == ["Our own question?"]
    assert mine[0]["bank_statement"] is None and len(added.get_json()["items"]) == n + 1

    bad = _problem(api.post(base + "/items", {"indicator_id": "9.9", "statement": ""}), 422)
    assert {e["field"] for e in bad["errors"]} == {"indicator_id", "statement"}
    theme = _problem(
        api.post(base + "/items", {"indicator_id": "2.2", "theme_id": "nope", "statement": "Q?"}),
        422,
    )
    assert [e["field"] for e in theme["errors"]] == ["theme_id"]
    restore = _problem(api.patch(f"{base}/items/{mine[0]['id']}", {"restore": True}), 422)
    assert [e["field"] for e in restore["errors"]] == ["restore"]

    for item in _staff(api, draft)["items"][:-1]:
        assert api.send("DELETE", f"{base}/items/{item['id']}").status_code == 200
    [last] = _staff(api, draft)["items"]
    assert last["statement"] == "Our own question?"
    refused = _problem(api.send("DELETE", f"{base}/items/{last['id']}"), 422)
    assert "at least one question" in refused["errors"][0]["message"]
    _problem(api.send("DELETE", f"{base}/items/{uuid.uuid4()}"), 404)
    _problem(api.get(f"/rounds/{draft}/questionnaires/martians"), 404)
    assert len(_staff(api, draft)["items"]) == 1


def test_introduction_set_and_restored(api: Api, draft: str) -> None:
    base = f"/rounds/{draft}/questionnaires/staff"
    standard = _staff(api, draft)["intro"]
    changed = api.patch(base, {"intro": "Hello.\n\n\n\nThanks for helping."})
    assert changed.get_json()["intro"] == "Hello.\n\nThanks for helping."
    _problem(api.patch(base, {"intro": "   "}), 422)
    _problem(api.patch(base, {"intro": "x" * 2001}), 422)
    _problem(api.patch(base, {"intro": "A", "restore_intro": True}), 422)
    assert _staff(api, draft)["intro"] == "Hello.\n\nThanks for helping."
    assert api.patch(base, {"restore_intro": True}).get_json()["intro"] == standard


def test_launched_questionnaires_are_frozen(app: Flask, api: Api, draft: str) -> None:
    people = [{"email": f"s{n}@example.org"} for n in range(6)]
    assert api.post(f"/rounds/{draft}/contacts", {"audience": "staff", "contacts": people})
    assert api.post(f"/rounds/{draft}/launch", {"accept_warnings": []}).status_code == 200
    base = f"/rounds/{draft}/questionnaires/staff"
    frozen = _staff(api, draft)
    assert frozen["frozen"] is True
    item = frozen["items"][0]
    before = _stored(app, draft)
    for refused in (
        api.patch(f"{base}/items/{item['id']}", {"statement": "Changed"}),
        api.patch(f"{base}/items/{item['id']}", {"move": "down"}),
        api.send("DELETE", f"{base}/items/{item['id']}"),
        api.post(base + "/items", {"indicator_id": "2.2", "statement": "Late?"}),
        api.patch(base, {"intro": "Late"}),
    ):
        assert "has been launched" in _problem(refused, 409)["detail"]
    assert _stored(app, draft) == before
    assert _staff(api, draft)["version"] == frozen["version"]


def test_reading_needs_no_manage_permission_but_editing_does(
    make_token, client, draft: str
) -> None:
    reader = Api(client, make_token(permissions=["read_results"]))
    got = reader.get(f"/rounds/{draft}/questionnaires/staff")
    assert got.status_code == 200
    item = got.get_json()["items"][0]
    _problem(
        reader.patch(
            f"/rounds/{draft}/questionnaires/staff/items/{item['id']}", {"statement": "No"}
        ),
        403,
    )
    other = Api(client, make_token("Org B"))
    _problem(other.get(f"/rounds/{draft}/questionnaires/staff"), 404)
