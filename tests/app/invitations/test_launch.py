"""Launch: one transaction, derived tokens, refusals, and the confirmation page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Contact,
    FeedbackRound,
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    OpenLink,
    OutboxMessage,
    Questionnaire,
    RoundStatus,
)
from app.services import launch as launch_service
from app.services.tokens import derive_token, token_hash
from tests.app.invitations.builders import (
    add_contacts,
    do_launch,
    invitations,
    make_round,
    messages,
    today,
)
from tests.support import csrf_token


def _count(app: Flask, model: type, **where: object) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return db.session.execute(query).scalar_one()


def _round(app: Flask, round_id) -> FeedbackRound:  # type: ignore[no-untyped-def]
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        db.session.expunge(rnd)
        return rnd


def test_launch_turns_contacts_into_invitations_messages_and_open_links(app: Flask) -> None:
    round_id = make_round(app)
    add_contacts(app, round_id, "parents", ["a@example.org", "b@example.org"])
    add_contacts(app, round_id, "staff", ["c@example.org"])
    result = do_launch(app, round_id)
    assert result.invitations == 3 and result.open_links == 2

    rnd = _round(app, round_id)
    assert rnd.status == RoundStatus.LIVE and rnd.launched_at is not None
    with app.app_context():
        frozen = db.session.execute(
            select(Questionnaire.frozen).where(Questionnaire.round_id == round_id)
        ).scalars()
        assert set(frozen) == {True}
    rows = invitations(app, round_id)
    assert [(i.email, i.audience) for i in rows] == [
        ("a@example.org", "parents"),
        ("b@example.org", "parents"),
        ("c@example.org", "staff"),
    ]
    secret = app.config["SECRET_KEY"]
    for inv in rows:
        # Only sha256(HMAC(secret, id)) is stored: never the token itself.
        assert inv.token_hash == token_hash(derive_token(secret, inv.id))
        assert inv.status == InvitationStatus.PENDING
    outbox = messages(app, round_id)
    assert sorted(m.invitation_id for m in outbox) == sorted(i.id for i in rows)
    assert {(m.kind, m.status, m.next_attempt_at) for m in outbox} == {
        (MessageKind.INVITATION, MessageStatus.QUEUED, None)
    }
    assert _count(app, Contact, round_id=round_id) == 0
    with app.app_context():
        codes = db.session.execute(
            select(OpenLink.audience, OpenLink.code, OpenLink.active).where(
                OpenLink.round_id == round_id
            )
        ).all()
    assert sorted(a for a, _, _ in codes) == ["parents", "staff"]
    assert all(len(code) == 10 and active for _, code, active in codes)


def test_invitations_wait_for_the_opening_day(app: Flask) -> None:
    opens = today() + timedelta(days=3)
    round_id = make_round(app, opens_on=opens, closes_on=opens + timedelta(days=10))
    add_contacts(app, round_id, "parents", ["a@example.org"])
    do_launch(app, round_id)
    (message,) = messages(app, round_id)
    assert message.next_attempt_at is not None
    assert message.next_attempt_at.replace(tzinfo=UTC) == datetime(
        opens.year, opens.month, opens.day, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "problem, expected",
    [
        ("launched", "already been launched"),
        ("closed", "closed"),
        ("no_questionnaires", "no questionnaires"),
        ("past_close", "has passed"),
        ("orphan_contacts", "who have no questionnaire"),
    ],
)
def test_launch_is_refused_and_changes_nothing(app: Flask, problem: str, expected: str) -> None:
    round_id = make_round(app)
    add_contacts(app, round_id, "parents", ["a@example.org"])
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        if problem == "launched":
            rnd.status = RoundStatus.LIVE
        elif problem == "closed":
            rnd.status = RoundStatus.CLOSED
        elif problem == "no_questionnaires":
            rnd.questionnaires.clear()
        elif problem == "past_close":
            rnd.opens_on = today() - timedelta(days=10)
            rnd.closes_on = today() - timedelta(days=1)
        elif problem == "orphan_contacts":
            db.session.add(Contact(round_id=round_id, audience="community", email="z@example.org"))
        db.session.commit()
    status_before = _round(app, round_id).status
    with pytest.raises(launch_service.LaunchRefused) as refused:
        do_launch(app, round_id)
    assert any(expected in p for p in refused.value.problems), refused.value.problems
    assert _round(app, round_id).status == status_before
    assert _count(app, Invitation) == 0 and _count(app, OutboxMessage) == 0
    assert _count(app, OpenLink) == 0
    assert _count(app, Contact, round_id=round_id) >= 1


def test_an_error_mid_launch_leaves_the_round_a_draft_with_nothing_created(
    app: Flask,
    client: FlaskClient,
    coordinator,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    round_id = make_round(app)
    add_contacts(app, round_id, "parents", [f"p{i}@example.org" for i in range(50)])

    real_new_code = launch_service.new_code

    def boom() -> str:  # open links are created after invitations and outbox rows
        raise RuntimeError("disk full")

    monkeypatch.setattr(launch_service, "new_code", boom)
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.post(
            f"/rounds/{round_id}/launch",
            data={"csrf_token": csrf_token(client, "/"), "ack": "opens_in_past"},
        )
    finally:
        client.application.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    rnd = _round(app, round_id)
    assert rnd.status == RoundStatus.DRAFT and rnd.launched_at is None
    with app.app_context():
        assert not any(
            db.session.execute(
                select(Questionnaire.frozen).where(Questionnaire.round_id == round_id)
            ).scalars()
        )
    assert _count(app, Invitation) == 0 and _count(app, OutboxMessage) == 0
    assert _count(app, OpenLink) == 0
    assert _count(app, Contact, round_id=round_id) == 50

    monkeypatch.setattr(launch_service, "new_code", real_new_code)
    ok = client.post(
        f"/rounds/{round_id}/launch",
        data={"csrf_token": csrf_token(client, "/"), "ack": "opens_in_past"},
    )
    assert ok.status_code == 303
    assert _count(app, Invitation) == 50


def test_launch_page_summarises_then_launches(
    app: Flask,
    client: FlaskClient,
    coordinator,
    no_smtp,  # type: ignore[no-untyped-def]
) -> None:
    round_id = make_round(app)
    add_contacts(app, round_id, "parents", ["a@example.org", "b@example.org"])
    page = client.get(f"/rounds/{round_id}/launch")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Launch and send 2 invitations" in html
    assert "The questionnaires are frozen" in html
    assert "Nobody is invited by email for Staff" in html  # a warning, not a refusal
    assert "kept on the Outbox page" not in html or "No mail server" in html
    # The warnings (opened yesterday; 2 parents, under the threshold) each need a tick.
    assert 'value="opens_in_past"' in html and 'value="audience_below_threshold:parents"' in html
    unticked = client.post(
        f"/rounds/{round_id}/launch",
        data={"csrf_token": csrf_token(client, "/"), "ack": "opens_in_past"},
    )
    assert unticked.status_code == 422 and "Tick each warning" in unticked.get_data(as_text=True)
    assert _round(app, round_id).status == RoundStatus.DRAFT and _count(app, Invitation) == 0

    response = client.post(
        f"/rounds/{round_id}/launch",
        data={
            "csrf_token": csrf_token(client, "/"),
            "ack": ["opens_in_past", "audience_below_threshold:parents"],
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/rounds/{round_id}/responses")
    assert _round(app, round_id).status == RoundStatus.LIVE

    again = client.post(f"/rounds/{round_id}/launch", data={"csrf_token": csrf_token(client, "/")})
    assert again.status_code == 422
    assert "already been launched" in again.get_data(as_text=True)
    assert _count(app, Invitation) == 2


def test_only_coordinators_launch(app: Flask, client: FlaskClient, make_user) -> None:  # type: ignore[no-untyped-def]
    from app.models import Role
    from tests.support import login

    round_id = make_round(app)
    make_user("sat@a.example", "Org A", Role.SAT_MEMBER)
    login(client, "sat@a.example")
    assert client.get(f"/rounds/{round_id}/launch").status_code == 403
    response = client.post(
        f"/rounds/{round_id}/launch", data={"csrf_token": csrf_token(client, "/")}
    )
    assert response.status_code == 403
    assert _round(app, round_id).status == RoundStatus.DRAFT
