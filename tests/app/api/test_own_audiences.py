"""A round's own audiences through the API (issue 22): added with statements, read back with the
round, refused with each reason (422) and after launch (409); its results under its own name."""

from __future__ import annotations

from typing import Any

from tests.app.api.conftest import Api
from tests.app.api.test_auth import ROUND, _problem

ELECTED = "c-elected-members"


def _draft(api: Api) -> str:
    response = api.post("/rounds", ROUND)
    assert response.status_code == 201, response.get_data(as_text=True)
    return str(response.get_json()["id"])


def test_add_an_own_audience_with_statements_and_read_it_back(api: Api) -> None:
    rid = _draft(api)
    body = {
        "name": "Elected members",
        "plural": "councillors",
        "email": False,
        "statements": {"2.2": ["I am told how families are helped.", "I can visit a service."]},
    }
    response = api.post(f"/rounds/{rid}/audiences", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    data = api.get(f"/rounds/{rid}").get_json()
    (own,) = data["own_audiences"]
    assert own == {
        "id": ELECTED,
        "name": "Elected members",
        "plural": "councillors",
        "scale": "agree4",
        "email": False,
        "open_link": True,
        "resembles": None,
        "statements": {"2.2": ["I am told how families are helped.", "I can visit a service."]},
    }
    questionnaires = {q["audience"]: q["questions"] for q in data["questionnaires"]}
    assert questionnaires[ELECTED] == 2
    assert ELECTED not in data["audiences"]  # the settings' audiences: the framework's own
    # Open link only: contacts for it are refused.
    refused = api.post(
        f"/rounds/{rid}/contacts", {"audience": ELECTED, "contacts": [{"email": "a@b.example"}]}
    )
    assert "open link only" in str(_problem(refused, 422))


def test_bad_own_audiences_are_refused_and_nothing_is_added(api: Api) -> None:
    rid = _draft(api)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": "staff"}, "name"),
        ({"name": "Board", "email": False, "open_link": False}, "channels"),
        ({"name": "Board", "resembles": "martians"}, "resembles"),
        ({"name": "Board", "statements": {"9.9": ["I see it."]}}, "statements"),
        ({"name": "Board", "statements": {"2.2": ["I " + "a" * 300]}}, ""),
        ({"name": "Board", "scale": "faces3"}, ""),
    ]
    for body, field in cases:
        problem = _problem(api.post(f"/rounds/{rid}/audiences", body), 422)
        if field:
            assert field in {e["field"] for e in problem["errors"]}, (body, problem)
    assert api.get(f"/rounds/{rid}").get_json()["own_audiences"] == []


def test_no_own_audience_after_launch(api: Api) -> None:
    rid = _draft(api)
    without = api.post(f"/rounds/{rid}/audiences", {"name": "Board members"})
    assert without.status_code == 201
    refused = _problem(api.post(f"/rounds/{rid}/launch", {"accept_warnings": list(_codes())}), 409)
    assert "“Board members” has no statements for any chosen indicator" in refused["problems"][0]
    body = {"name": "Elected members", "resembles": "parents"}
    assert api.post(f"/rounds/{rid}/audiences", body).status_code == 201
    data = api.get(f"/rounds/{rid}").get_json()
    assert [a["name"] for a in data["own_audiences"]] == ["Board members", "Elected members"]
    removed = api.send("DELETE", f"/rounds/{rid}/audiences/c-board-members")
    assert removed.status_code == 200, removed.get_data(as_text=True)
    assert [a["name"] for a in removed.get_json()["own_audiences"]] == ["Elected members"]
    _problem(api.send("DELETE", f"/rounds/{rid}/audiences/staff"), 404)
    launched = api.post(f"/rounds/{rid}/launch", {"accept_warnings": list(_codes())})
    assert launched.status_code in (200, 201), launched.get_data(as_text=True)
    _problem(api.post(f"/rounds/{rid}/audiences", {"name": "Trade unions"}), 409)
    _problem(api.send("DELETE", f"/rounds/{rid}/audiences/{ELECTED}"), 409)


def _codes() -> tuple[str, ...]:
    from surveys.launch_checks import CODES

    return CODES
