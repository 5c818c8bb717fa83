"""The round journey in the browser's terms: list, create, view, change, copy, delete."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import FeedbackRound, Role
from frameworks import builtin_frameworks
from tests.app.rounds.helpers import HMIE, round_count
from tests.support import csrf_token, login

HX = {"HX-Request": "true"}


def _text(response: Any) -> str:
    """Visible text, whitespace collapsed, for asserting what a person reads."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").strip()


def _form(client: FlaskClient, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf_token": csrf_token(client, "/"),
        "framework_id": HMIE,
        "name": "Family feedback 2027",
        "choice": ["section:3", "indicator:2.1", "indicator:8.1"],
        "audience": ["parents", "children", "staff", "community"],
        "scope_services": "Family support",
        "opens_on": "2027-03-01",
        "closes_on": "2027-03-31",
        "threshold": "6",
        "children_band": ["under_8", "8_to_12"],
        "free_text": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _round(app: Flask, round_id: uuid.UUID | str) -> FeedbackRound:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, uuid.UUID(str(round_id)))
        assert rnd is not None
        db.session.expunge(rnd)
        return rnd


def test_index_lists_the_organisations_rounds_only(
    client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]
) -> None:
    make_round(name="Ours")
    make_round("Org B", name="Theirs")
    page = client.get("/rounds/")
    assert page.status_code == 200
    text = _text(page)
    assert "Ours" in text and "Theirs" not in text
    assert "Draft" in text and "1 March 2027" in text and "Parents and carers" in text
    assert "New round" in text


def test_empty_index_explains_what_a_round_is(client: FlaskClient, coordinator: Any) -> None:
    text = _text(client.get("/rounds/"))
    assert "There are no rounds yet" in text


def test_new_round_form_offers_frameworks_then_their_indicators(
    client: FlaskClient, coordinator: Any
) -> None:
    first = _text(client.get("/rounds/new"))
    assert "Choose a framework in step 1" in first
    assert "HMIE children's services QIs" in first
    page = client.get(f"/rounds/new?framework={HMIE}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="group:q2"' in html and 'value="section:2"' in html  # shortcuts
    assert 'value="indicator:2.1"' in html
    assert 'name="audience" value="children"' in html
    assert "Leave blank for your default of 5" in _text(page)
    assert "Org A" in html  # the organisation's name pre-fills the scope


def test_htmx_framework_change_swaps_only_the_indicator_block(
    client: FlaskClient, coordinator: Any
) -> None:
    response = client.get("/rounds/new?framework=csit-red-threads", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and "Step 3" not in html
    assert 'name="framework_id" value="csit-red-threads"' in html
    assert 'value="thread:' in html  # red threads are offered as shortcuts
    assert "HX-Request" in response.headers.get("Vary", "")


def test_unknown_framework_in_the_step_is_a_clear_message(
    client: FlaskClient, coordinator: Any
) -> None:
    response = client.get("/rounds/new?framework=nonsense")
    assert response.status_code == 422
    assert "There is no framework called 'nonsense'" in _text(response)


def test_create_a_round_and_see_its_questionnaires(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    response = client.post("/rounds/new", data=_form(client))
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    text = _text(page)
    assert "Family feedback 2027" in text and "created as a draft" in text
    with app.app_context():
        rnd = db.session.execute(select(FeedbackRound)).scalar_one()
        section_3 = [i.id for i in builtin_frameworks()[HMIE].indicators_in("3")]
        assert rnd.indicator_ids == ["2.1", *section_3, "8.1"]
        assert rnd.threshold == 6 and rnd.free_text and not rnd.role_question
        assert rnd.scope["services"] == "Family support"
        counts = {q.audience: len(q.items) for q in rnd.questionnaires}
    assert set(counts) == {"parents", "children_under_8", "children_8_to_12", "staff"}
    assert rnd.children_bands == ["under_8", "8_to_12"]
    for label in ("Parents and carers", "Children and young people", "Staff"):
        assert label in text
    # per audience: the number of items and the minutes
    for label, audience in (("Parents and carers", "parents"), ("Staff", "staff")):
        assert re.search(rf"{label} {counts[audience]} questions about \d+ minutes", text)
    # community has nothing to judge in this selection and is told why
    assert "Audiences without a questionnaire" in text
    assert "people in the community can answer" in text


def test_a_long_questionnaire_is_flagged(client: FlaskClient, coordinator: Any) -> None:
    response = client.post(
        "/rounds/new", data=_form(client, choice=f"framework:{HMIE}", audience="staff")
    )
    text = _text(client.get(response.headers["Location"]))
    assert "Over 10 minutes" in text
    assert "Fewer people finish questionnaires over 10 minutes" in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"framework_id": "nonsense"}, "There is no framework called 'nonsense'"),
        ({"choice": ["indicator:2.1", "indicator:9.9"]}, "Unknown indicator: '9.9'"),
        ({"choice": None}, "Choose at least one indicator"),
        ({"audience": ["parents", "aliens"]}, "Not audiences of this framework: aliens"),
        ({"opens_on": "2027-04-01"}, "The closing date must be on or after the opening date"),
        ({"opens_on": "01/04/2027"}, "Enter the opening date as a real date"),
        ({"threshold": "2"}, "The anonymity threshold must be 3 or more"),
        ({"name": ""}, "Enter a name for the round"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_creates_nothing(
    app: Flask, client: FlaskClient, coordinator: Any, overrides: dict[str, Any], message: str
) -> None:
    response = client.post("/rounds/new", data=_form(client, **overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html and "data-autofocus" in html
    assert message in _text(response)
    assert round_count(app) == 0
    if overrides.get("name") is None:
        assert 'value="Family feedback 2027"' in html  # what was typed is kept


def test_edit_settings_of_a_draft(
    app: Flask,
    client: FlaskClient,
    coordinator: Any,
    make_round: Callable[..., uuid.UUID],
) -> None:
    round_id = make_round()
    form_page = client.get(f"/rounds/{round_id}/edit")
    html = form_page.get_data(as_text=True)
    assert form_page.status_code == 200
    assert 'value="indicator:2.1" checked' in html and 'value="2027-03-01"' in html
    response = client.post(
        f"/rounds/{round_id}/edit",
        data=_form(client, name="Renamed", choice=["indicator:2.1"], audience=["parents"]),
    )
    assert response.status_code == 303
    rnd = _round(app, round_id)
    assert rnd.name == "Renamed" and rnd.indicator_ids == ["2.1"] and rnd.audiences == ["parents"]


def test_bad_edit_changes_nothing(
    client: FlaskClient,
    coordinator: Any,
    make_round: Callable[..., uuid.UUID],
    snapshot: Callable[[uuid.UUID], dict[str, Any]],
) -> None:
    round_id = make_round()
    before = snapshot(round_id)
    response = client.post(
        f"/rounds/{round_id}/edit",
        data=_form(client, name="Renamed", threshold="1", closes_on="2027-01-01"),
    )
    assert response.status_code == 422
    text = _text(response)
    assert "3 or more" in text and "on or after the opening date" in text
    assert snapshot(round_id) == before


def test_launched_round_settings_are_refused_pointing_to_a_copy(
    client: FlaskClient,
    coordinator: Any,
    make_round: Callable[..., uuid.UUID],
    launch: Callable[[uuid.UUID], None],
    snapshot: Callable[[uuid.UUID], dict[str, Any]],
) -> None:
    round_id = make_round()
    launch(round_id)
    before = snapshot(round_id)
    for response in (
        client.get(f"/rounds/{round_id}/edit"),
        client.post(f"/rounds/{round_id}/edit", data=_form(client, name="Changed")),
    ):
        assert response.status_code == 409
        assert "Copy it into a new draft round" in _text(response)
    assert snapshot(round_id) == before
    page = _text(client.get(f"/rounds/{round_id}"))
    assert "Launched and scheduled" in page and "Change settings" not in page
    assert "Delete this draft" not in page


def test_delete_a_draft_after_confirming(
    app: Flask, client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]
) -> None:
    round_id = make_round()
    confirm = client.get(f"/rounds/{round_id}/delete")
    assert confirm.status_code == 200 and "cannot be undone" in _text(confirm)
    response = client.post(
        f"/rounds/{round_id}/delete", data={"csrf_token": csrf_token(client, "/")}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/rounds/")
    assert round_count(app) == 0


def test_a_launched_round_cannot_be_deleted(
    app: Flask,
    client: FlaskClient,
    coordinator: Any,
    make_round: Callable[..., uuid.UUID],
    launch: Callable[[uuid.UUID], None],
) -> None:
    round_id = make_round()
    launch(round_id)
    assert client.get(f"/rounds/{round_id}/delete").status_code == 409
    response = client.post(
        f"/rounds/{round_id}/delete", data={"csrf_token": csrf_token(client, "/")}
    )
    assert response.status_code == 409
    assert "Only draft rounds can be deleted" in _text(response)
    assert round_count(app) == 1


def test_copy_a_launched_round_into_a_new_draft(
    app: Flask,
    client: FlaskClient,
    coordinator: Any,
    make_round: Callable[..., uuid.UUID],
    launch: Callable[[uuid.UUID], None],
) -> None:
    round_id = make_round()
    launch(round_id)
    response = client.post(
        f"/rounds/{round_id}/copy",
        data={"csrf_token": csrf_token(client, "/"), "name": "Spring feedback 2028"},
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    text = _text(page)
    assert "Spring feedback 2028" in text and "word for word" in text
    assert "one year after the original" in text
    assert "1 March 2028" in text and "Copied from Spring feedback" in text
    assert "Change settings" in text  # a draft again
    assert round_count(app) == 2


def test_copy_refuses_an_over_long_name(
    app: Flask, client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]
) -> None:
    round_id = make_round()
    response = client.post(
        f"/rounds/{round_id}/copy", data={"csrf_token": csrf_token(client, "/"), "name": "n" * 201}
    )
    assert response.status_code == 422
    assert "200 characters or fewer" in _text(response)
    assert round_count(app) == 1


@pytest.mark.parametrize("role", [Role.SAT_MEMBER, Role.VIEWER])
def test_sat_members_and_viewers_read_but_cannot_change(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., Any],
    make_round: Callable[..., uuid.UUID],
    snapshot: Callable[[uuid.UUID], dict[str, Any]],
    role: Role,
) -> None:
    round_id = make_round()
    make_user("reader@a.example", "Org A", role)
    login(client, "reader@a.example")
    before = snapshot(round_id)
    index = _text(client.get("/rounds/"))
    assert "Spring feedback" in index and "New round" not in index
    page = client.get(f"/rounds/{round_id}")
    assert page.status_code == 200
    text = _text(page)
    assert "Change settings" not in text and "Copy into a new draft" not in text
    questionnaire = _text(client.get(f"/rounds/{round_id}/questionnaires/parents"))
    assert "Only coordinators can change questionnaires" in questionnaire
    assert "Edit" not in questionnaire.split("Introduction", 1)[1]
    token = csrf_token(client, "/")
    item_id = before["questionnaires"]["parents"][3][0][0]
    base = f"/rounds/{round_id}/questionnaires/parents"
    attempts = [
        ("get", "/rounds/new", {}),
        ("post", "/rounds/new", _form(client)),
        ("get", f"/rounds/{round_id}/edit", {}),
        ("post", f"/rounds/{round_id}/edit", _form(client, name="Changed")),
        ("post", f"/rounds/{round_id}/copy", {"csrf_token": token}),
        ("post", f"/rounds/{round_id}/delete", {"csrf_token": token}),
        ("post", f"{base}/items/{item_id}", {"csrf_token": token, "statement": "Changed."}),
        ("post", f"{base}/items/{item_id}/move", {"csrf_token": token, "direction": "down"}),
        ("post", f"{base}/items/{item_id}/remove", {"csrf_token": token}),
        (
            "post",
            f"{base}/items/new",
            {"csrf_token": token, "indicator_id": "2.1", "statement": "New."},
        ),
        ("post", f"{base}/intro", {"csrf_token": token, "intro": "Changed."}),
    ]
    for method, url, data in attempts:
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 403, (method, url, response.status_code)
    assert snapshot(round_id) == before
    assert round_count(app) == 1


def test_another_organisations_round_is_not_found(
    client: FlaskClient,
    coordinator: Any,
    make_round: Callable[..., uuid.UUID],
    snapshot: Callable[[uuid.UUID], dict[str, Any]],
) -> None:
    theirs = make_round("Org B")
    before = snapshot(theirs)
    assert client.get(f"/rounds/{theirs}").status_code == 404
    response = client.post(f"/rounds/{theirs}/edit", data=_form(client, name="Mine now"))
    assert response.status_code == 404
    assert snapshot(theirs) == before


def test_launch_and_preview_links_appear_only_when_those_pages_exist(
    app: Flask, client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]
) -> None:
    round_id = make_round()
    html = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    launch_url = f"/rounds/{round_id}/launch"
    if "invitations.launch" in app.view_functions:
        with app.test_request_context():
            from flask import url_for

            launch_url = url_for("invitations.launch", round_id=round_id)
        assert launch_url in html
    else:
        assert "Launch" not in _text(client.get(f"/rounds/{round_id}"))
    preview = f"/rounds/{round_id}/preview/parents"
    assert (preview in html) == ("respond.preview" in app.view_functions)


def test_round_tools_link_to_other_journeys_pages_when_they_exist(
    app: Flask,
    client: FlaskClient,
    coordinator: Any,
    make_round: Callable[..., uuid.UUID],
    launch: Callable[[uuid.UUID], None],
) -> None:
    round_id = make_round()
    draft = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    launch(round_id)
    live = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    with app.test_request_context():
        from flask import url_for

        def url(endpoint: str) -> str:
            return url_for(endpoint, round_id=round_id)

        for endpoint in ("invitations.contacts", "invitations.open_links"):
            if endpoint in app.view_functions:
                assert url(endpoint) in draft
        # Once launched, the Contacts tab is the invitation list (late contacts are added there).
        for endpoint in ("invitations.people", "invitations.open_links"):
            if endpoint in app.view_functions:
                assert url(endpoint) in live
        for endpoint in ("invitations.dashboard", "results.overview"):
            if endpoint in app.view_functions:
                assert url(endpoint) not in draft and url(endpoint) in live


def test_changing_framework_while_editing_starts_the_choice_again(
    client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]
) -> None:
    round_id = make_round()
    block = client.get(f"/rounds/{round_id}/edit?framework=derwent-interagency", headers=HX)
    html = block.get_data(as_text=True)
    assert block.status_code == 200 and "<html" not in html
    assert 'name="framework_id" value="derwent-interagency"' in html
    assert " checked" not in html  # nothing ticked yet on the new framework


def test_edit_page_warns_that_a_rebuild_keeps_edits_where_it_can(
    app: Flask, client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]
) -> None:
    round_id = make_round()
    assert "You have edited" not in _text(client.get(f"/rounds/{round_id}/edit"))
    with app.app_context():
        from app.services import round_edits
        from app.services.rounds import ordered_items

        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        round_edits.reword_item(ordered_items(rnd.questionnaires[0])[0], "New words here.")
        db.session.commit()
    assert "You have edited" in _text(client.get(f"/rounds/{round_id}/edit"))
