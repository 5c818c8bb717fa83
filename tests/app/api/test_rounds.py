"""Rounds through the API: the pages' validation, draft-only changes, contacts, launch
warnings by code, close; bad input is a specific problem and changes nothing."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.dates import today
from app.extensions import db
from app.invitations.common import audience_labels
from app.models import (
    AuditEntry,
    Contact,
    FeedbackRound,
    Invitation,
    OpenLink,
    OutboxMessage,
    RoundStatus,
)
from app.services.launch import plan_launch
from app.services.rounds import RoundSettings
from tests.app.api.conftest import Api
from tests.app.api.test_auth import ROUND, _problem


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def draft(api: Api) -> str:
    made = api.post("/rounds", ROUND)
    assert made.status_code == 201, made.get_json()
    return str(made.get_json()["id"])


def test_create_and_read_a_round_with_its_generated_questionnaires(api: Api, draft: str) -> None:
    body = api.get(f"/rounds/{draft}").get_json()
    assert body["status"] == "draft" and body["threshold"] == 5
    assert body["audiences"] == ["staff", "parents"]  # the framework's order, as the page
    assert {q["audience"] for q in body["questionnaires"]} == {"staff", "parents"}
    assert all(q["questions"] > 0 and not q["frozen"] for q in body["questionnaires"])
    assert [r["id"] for r in api.get("/rounds").get_json()["rounds"]] == [draft]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"threshold": 2}, "threshold"),  # under the minimum of 3
        ({"threshold": "5"}, "threshold"),  # a string is not a number
        ({"free_text": 1}, "free_text"),  # 1 is not true
        ({"opens_on": "1 March"}, "opens_on"),
        ({"colour": "blue"}, "colour"),  # unknown fields are refused
        ({"name": "   "}, "name"),  # the service's own check
        ({"indicator_ids": ["99.9"]}, "indicator_ids"),
        ({"audiences": ["martians"]}, "audiences"),
        ({"closes_on": "2031-02-01"}, "closes_on"),  # before it opens
        ({"framework_id": "nope"}, "framework_id"),
        ({"name": "Bad\x00name"}, "name"),  # NUL: PostgreSQL could not store it
        ({"scope": {"organisation": "x" * 2001}}, "scope.organisation"),
        ({"children_bands": ["teens"]}, "children_bands.0"),
        ({"children_bands": []}, "children_bands"),
        ({"audiences": ["children"], "children_bands": ["under_12", "8_to_12"]}, "children_bands"),
    ],
)
def test_bad_settings_are_422_naming_the_field(app: Flask, api: Api, change, field) -> None:
    body = _problem(api.post("/rounds", {**ROUND, **change}), 422)
    assert field in [e["field"] for e in body["errors"]], body
    assert _count(app, FeedbackRound) == 0


def test_malformed_json_is_400_and_a_form_is_415(app: Flask, api: Api) -> None:
    _problem(api.send("POST", "/rounds", raw='{"name": '), 400)
    _problem(api.send("POST", "/rounds", raw=b"\xff\xfe".decode("latin-1")), 400)
    wrong = api.client.post("/api/v1/rounds", data={"name": "x"}, headers=api.headers())
    _problem(wrong, 415)
    _problem(api.send("POST", "/rounds", raw="[]"), 422)
    assert _count(app, FeedbackRound) == 0


def test_age_bands_are_chosen_and_reported(api: Api, draft: str) -> None:
    body = api.get(f"/rounds/{draft}").get_json()
    assert body["children_bands"] == ["under_8", "8_to_12", "13_plus"]  # the default
    changed = api.patch(
        f"/rounds/{draft}",
        {
            "indicator_ids": ["2.1"],
            "audiences": ["staff", "children"],
            "children_bands": ["13_plus", "under_8"],
        },
    )
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body["children_bands"] == ["under_8", "13_plus"]  # youngest first
    assert {q["audience"] for q in body["questionnaires"]} == {
        "staff",
        "children_under_8",
        "children_13_plus",
    }


def test_update_changes_only_what_is_sent_and_rebuilds_questionnaires(api: Api, draft: str) -> None:
    changed = api.patch(f"/rounds/{draft}", {"name": "Renamed", "audiences": ["staff"]})
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body["name"] == "Renamed" and body["indicator_ids"] == ["2.2"]
    assert [q["audience"] for q in body["questionnaires"]] == ["staff"]
    _problem(api.patch(f"/rounds/{draft}", {"threshold": 101}), 422)
    _problem(api.patch(f"/rounds/{draft}", {"closes_on": "2030-01-01"}), 422)
    assert api.get(f"/rounds/{draft}").get_json()["closes_on"] == "2031-03-31"


def test_contacts_are_checked_like_a_file_and_all_or_nothing(
    app: Flask, api: Api, draft: str
) -> None:
    bad = {
        "audience": "staff",
        "contacts": [
            {"email": "one@example.org", "name": "One"},
            {"email": "not an address"},
            {"email": "ONE@example.org"},
        ],
    }
    body = _problem(api.post(f"/rounds/{draft}/contacts", bad), 422)
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert set(fields) == {"contacts.2", "contacts.3"}
    assert "not a valid email address" in fields["contacts.2"]
    assert _count(app, Contact) == 0
    _problem(
        api.post(
            f"/rounds/{draft}/contacts",
            {"audience": "partners", "contacts": [{"email": "a@b.org"}]},
        ),
        422,
    )
    good = {
        "audience": "staff",
        "contacts": [{"email": "one@example.org"}, {"email": "two@example.org"}],
    }
    added = api.post(f"/rounds/{draft}/contacts", good)
    assert added.status_code == 200 and added.get_json() == {
        "added": 2,
        "skipped": 0,
        "contacts": {"staff": 2},
    }
    again = _problem(api.post(f"/rounds/{draft}/contacts", good), 422)
    assert "already a contact" in again["errors"][0]["message"]


def _scheduled_draft(api: Api, staff: int = 3) -> str:
    """A draft opening tomorrow with `staff` staff contacts and no parents by email."""
    opens = today() + timedelta(days=1)
    made = api.post(
        "/rounds",
        {
            **ROUND,
            "opens_on": opens.isoformat(),
            "closes_on": (opens + timedelta(days=20)).isoformat(),
        },
    ).get_json()
    rid = str(made["id"])
    people = [{"email": f"s{n}@example.org"} for n in range(staff)]
    added = api.post(f"/rounds/{rid}/contacts", {"audience": "staff", "contacts": people})
    assert added.status_code == 200, added.get_json()
    return rid


def _page_codes(app: Flask, rid: str) -> list[str]:
    """The launch page's warnings (app.services.launch.plan_launch), by code."""
    with app.app_context():
        rnd = db.session.get(FeedbackRound, uuid.UUID(rid))
        assert rnd is not None
        plan = plan_launch(rnd, audience_labels(rnd), today())
        return [w.code for w in plan.checks]


def test_launch_names_each_warning_it_accepts(app: Flask, api: Api) -> None:
    rid = _scheduled_draft(api)
    check = api.get(f"/rounds/{rid}/launch-check").get_json()
    assert check["ready"] is True
    # The page's rules: parents have nobody by email but will have an open link, so only the
    # small staff audience is a warning.
    assert [w["code"] for w in check["warnings"]] == _page_codes(app, rid)
    assert [(w["code"], w["audience"]) for w in check["warnings"]] == [
        ("audience_below_threshold", "staff")
    ]

    refused = _problem(api.post(f"/rounds/{rid}/launch", {}), 409)
    assert refused["warnings"] == ["audience_below_threshold"]
    _problem(api.post(f"/rounds/{rid}/launch", {"accept_warnings": ["made_up"]}), 422)
    wrong = _problem(api.post(f"/rounds/{rid}/launch", {"accept_warnings": ["opens_in_past"]}), 409)
    assert wrong["warnings"] == ["audience_below_threshold"]
    assert _count(app, Invitation) == 0 and _count(app, OpenLink) == 0
    assert api.get(f"/rounds/{rid}").get_json()["status"] == "draft"

    launched = api.post(f"/rounds/{rid}/launch", {"accept_warnings": ["audience_below_threshold"]})
    assert launched.status_code == 200, launched.get_json()
    body = launched.get_json()
    assert body["round"]["status"] == "live" and body["invitations"] == 3
    assert body["open_links"] == 2 and body["accepted_warnings"] == ["audience_below_threshold"]
    assert all(q["frozen"] for q in body["round"]["questionnaires"])
    # Launched: no more changes, no second launch, the same message as the pages.
    assert _problem(api.patch(f"/rounds/{rid}", {"name": "Late"}), 409)["detail"].startswith(
        "This round has been launched"
    )
    _problem(
        api.post(
            f"/rounds/{rid}/contacts", {"audience": "staff", "contacts": [{"email": "x@y.org"}]}
        ),
        409,
    )
    again = _problem(api.post(f"/rounds/{rid}/launch", {"accept_warnings": []}), 409)
    assert again["problems"] == ["This round has already been launched."]


def test_a_switched_off_open_link_leaves_no_way_to_answer(app: Flask, api: Api) -> None:
    rid = _scheduled_draft(api, staff=6)
    launched = api.post(f"/rounds/{rid}/launch", {"accept_warnings": []})
    assert launched.status_code == 200, launched.get_json()
    with app.app_context():  # the coordinator switches the parents' link off on the page
        link = db.session.execute(
            select(OpenLink).where(
                OpenLink.round_id == uuid.UUID(rid), OpenLink.audience == "parents"
            )
        ).scalar_one()
        link.active = False
        db.session.commit()
    cancelled = api.post(f"/rounds/{rid}/cancel", {})
    assert cancelled.status_code == 200, cancelled.get_json()
    check = api.get(f"/rounds/{rid}/launch-check").get_json()
    assert [(w["code"], w["audience"]) for w in check["warnings"]] == [
        ("no_way_to_answer", "parents")
    ]
    assert [w["code"] for w in check["warnings"]] == _page_codes(app, rid)
    assert _problem(api.post(f"/rounds/{rid}/launch", {}), 409)["warnings"] == ["no_way_to_answer"]


def test_cancel_a_scheduled_round_back_to_draft(app: Flask, api: Api) -> None:
    rid = _scheduled_draft(api, staff=6)
    _problem(api.post(f"/rounds/{rid}/cancel", {}), 409)  # a draft: nothing to cancel
    assert api.post(f"/rounds/{rid}/launch", {"accept_warnings": []}).status_code == 200
    assert _count(app, OutboxMessage) == 6
    _problem(api.post(f"/rounds/{rid}/cancel", {"delete": "yes"}), 422)
    _problem(api.post(f"/rounds/{rid}/cancel", {"then": "draft"}), 422)
    _problem(api.post(f"/rounds/{uuid.uuid4()}/cancel", {}), 404)
    assert _count(app, Invitation) == 6  # refusals changed nothing

    done = api.post(f"/rounds/{rid}/cancel", {})
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["deleted"] is False and body["invitations_withdrawn"] == 6
    assert body["contacts_restored"] == 6
    assert body["round"]["status"] == "draft" and body["round"]["contacts"] == {"staff": 6}
    assert not any(q["frozen"] for q in body["round"]["questionnaires"])
    assert _count(app, Invitation) == 0 and _count(app, OutboxMessage) == 0
    with app.app_context():
        entry = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "api.cancel_round")
        ).scalar_one()
        assert entry.round_id == uuid.UUID(rid)
        assert entry.details["invitations_withdrawn"] == 6 and entry.details["deleted"] is False


def test_cancel_and_delete_and_an_open_round_is_refused(app: Flask, api: Api, live_round) -> None:
    rid = _scheduled_draft(api, staff=6)
    assert api.post(f"/rounds/{rid}/launch", {"accept_warnings": []}).status_code == 200
    gone = api.post(f"/rounds/{rid}/cancel", {"delete": True})
    assert gone.status_code == 200 and gone.get_json()["round"] is None
    _problem(api.get(f"/rounds/{rid}"), 404)
    assert _count(app, FeedbackRound) == 0

    opened = live_round()  # launched and already open
    refused = _problem(api.post(f"/rounds/{opened}/cancel", {}), 409)
    assert "has opened" in refused["detail"]
    with app.app_context():
        rnd = db.session.get(FeedbackRound, opened)
        assert rnd is not None and rnd.status == RoundStatus.LIVE


def test_round_out_carries_every_setting_of_the_edit_form(app: Flask, api: Api, draft: str) -> None:
    body = api.get(f"/rounds/{draft}").get_json()
    with app.app_context():
        rnd = db.session.get(FeedbackRound, uuid.UUID(draft))
        assert rnd is not None
        settings = dataclasses.asdict(RoundSettings.of(rnd))
    shown = {k: body[k] for k in settings}
    assert shown == json.loads(json.dumps(settings, default=str))


def test_a_round_that_cannot_launch_lists_its_problems(api: Api) -> None:
    past = {**ROUND, "opens_on": "2020-01-01", "closes_on": "2020-01-31"}
    rid = api.post("/rounds", past).get_json()["id"]
    body = _problem(api.post(f"/rounds/{rid}/launch", {"accept_warnings": []}), 409)
    assert any("closing date" in p for p in body["problems"])


def test_close_a_live_round_once(app: Flask, api: Api, live_round) -> None:
    rid = live_round()
    _problem(api.post(f"/rounds/{uuid.uuid4()}/close"), 404)
    closed = api.post(f"/rounds/{rid}/close")
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert "already closed" in _problem(api.post(f"/rounds/{rid}/close"), 409)["detail"]
    with app.app_context():
        rnd = db.session.get(FeedbackRound, rid)
        assert rnd is not None and rnd.status == RoundStatus.CLOSED
    draft = api.post("/rounds", ROUND).get_json()["id"]
    assert "not been launched" in _problem(api.post(f"/rounds/{draft}/close"), 409)["detail"]
