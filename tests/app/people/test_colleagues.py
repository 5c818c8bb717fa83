"""Colleagues in the app: invited by email, a single-use expiring link, the Team page, password
reset for everyone, and the rule that an organisation always keeps a coordinator (issue 16)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AccountLink,
    AuditEntry,
    Membership,
    MessageKind,
    OutboxMessage,
    Role,
    User,
)
from app.models.base import utcnow
from app.services.accounts import authenticate
from tests.app.invitations.builders import work
from tests.smtp import SmtpServer, text_part
from tests.support import PASSWORD, csrf_token, login

LINK = re.compile(r"http://\S+/account/(?:welcome|reset)/\S+")
NEW_PASSWORD = "a brand new password"


def _post(client: FlaskClient, path: str, data: dict[str, str], page: str = "/team") -> object:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def _table_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            t.name: db.session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in db.metadata.sorted_tables
        }


def _membership(app: Flask, email: str) -> Membership:
    with app.app_context():
        row = db.session.execute(
            select(Membership).join(User).where(User.email == email)
        ).scalar_one()
        db.session.expunge(row)
        return row


def _invite(client: FlaskClient, email: str, role: str = "sat_member", name: str = "") -> object:
    return _post(client, "/team/invite", {"email": email, "role": role, "name": name})


def test_an_invited_colleague_chooses_a_password_once_and_signs_in(
    app: Flask, client: FlaskClient, coordinator: User, smtp: SmtpServer
) -> None:
    response = _invite(client, "Sam@Council.example", "sat_member", "Sam Jones")
    assert response.status_code == 303  # type: ignore[attr-defined]
    (message,) = smtp.wait_for(1)
    assert message["To"] == "sam@council.example"
    (link,) = LINK.findall(text_part(message))
    page = client.get("/team").get_data(as_text=True)
    assert "Sam Jones" in page and "Invited, no password yet" in page
    with app.app_context():
        stored = db.session.execute(select(AccountLink)).scalar_one()
        # Only a hash of the token is kept: nothing in the row opens the link.
        assert stored.token_hash not in link and len(stored.token_hash) == 64
        entry = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "user.invited")
        ).scalar_one()
        assert entry.actor_id == coordinator.id and entry.details["role"] == "sat_member"

    colleague = FlaskClient(app, app.response_class)
    path = link.split("http://localhost", 1)[-1]
    assert colleague.get(path).status_code == 200
    short = colleague.post(
        path, data={"password": "short", "confirm": "short", "csrf_token": csrf_token(colleague)}
    )
    assert short.status_code == 422 and "at least 10 characters" in short.get_data(as_text=True)
    mismatch = colleague.post(
        path,
        data={
            "password": NEW_PASSWORD,
            "confirm": "other words",
            "csrf_token": csrf_token(colleague),
        },
    )
    assert mismatch.status_code == 422 and "not the same" in mismatch.get_data(as_text=True)
    done = colleague.post(
        path,
        data={
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_token(colleague),
        },
    )
    assert done.status_code == 303
    assert colleague.get("/").status_code == 200  # signed in, as a member of Org A
    with app.app_context():
        assert authenticate("sam@council.example", NEW_PASSWORD) is not None

    again = FlaskClient(app, app.response_class)
    reused = again.get(path)
    assert reused.status_code == 410 and "already been used" in reused.get_data(as_text=True)
    refused = again.post(
        path,
        data={
            "password": "yet another one!",
            "confirm": "yet another one!",
            "csrf_token": csrf_token(again),
        },
    )
    assert refused.status_code == 422
    with app.app_context():
        assert authenticate("sam@council.example", "yet another one!") is None


def test_an_expired_or_tampered_invitation_link_says_so(
    app: Flask, client: FlaskClient, coordinator: User, smtp: SmtpServer
) -> None:
    _invite(client, "late@council.example")
    (link,) = LINK.findall(text_part(smtp.wait_for(1)[0]))
    path = link.split("http://localhost", 1)[-1]
    with app.app_context():
        stored = db.session.execute(select(AccountLink)).scalar_one()
        stored.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    stranger = FlaskClient(app, app.response_class)
    expired = stranger.get(path)
    assert expired.status_code == 410 and "has expired" in expired.get_data(as_text=True)
    tampered = stranger.get(path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"))
    assert tampered.status_code == 410 and "not valid" in tampered.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "role": "viewer"}, "Enter your colleague&#39;s email address."),
        ({"email": "not-an-address", "role": "viewer"}, "like name@example.org"),
        ({"email": "a@b.example", "role": "admin"}, "Choose a role"),
        ({"email": "coord@a.example", "role": "viewer"}, "already on this team"),
        ({"email": "a@b.example", "role": "viewer", "name": "x" * 201}, "200 characters"),
    ],
)
def test_bad_invitations_are_refused_with_a_reason_and_change_nothing(
    app: Flask,
    client: FlaskClient,
    coordinator: User,
    no_smtp: None,
    data: dict[str, str],
    message: str,
) -> None:
    before = _table_counts(app)
    response = _post(client, "/team/invite", data)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert message in response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert _table_counts(app) == before


def test_only_coordinators_reach_the_team_page(client: FlaskClient, make_user: object) -> None:
    make_user("viewer@a.example", "Org A", Role.VIEWER)  # type: ignore[operator]
    login(client, "viewer@a.example")
    assert client.get("/team").status_code == 403
    assert (
        client.post(
            "/team/invite",
            data={
                "email": "x@y.example",
                "role": "coordinator",
                "csrf_token": csrf_token(client, "/"),
            },
        ).status_code
        == 403
    )


def test_roles_change_and_accounts_deactivate_but_the_last_coordinator_stays(
    app: Flask, client: FlaskClient, coordinator: User, make_user: object
) -> None:
    make_user("sat@a.example", "Org A", Role.SAT_MEMBER)  # type: ignore[operator]
    mine = _membership(app, "coord@a.example")
    theirs = _membership(app, "sat@a.example")

    before = _table_counts(app)
    demote = _post(client, f"/team/{mine.id}/role", {"role": "viewer"})
    assert demote.status_code == 422  # type: ignore[attr-defined]
    assert "You are the only coordinator" in demote.get_data(as_text=True)  # type: ignore[attr-defined]
    leave = _post(client, f"/team/{mine.id}/active", {"active": "no"})
    assert leave.status_code == 422  # type: ignore[attr-defined]
    assert _table_counts(app) == before
    assert _membership(app, "coord@a.example").role == Role.COORDINATOR

    bad = _post(client, f"/team/{theirs.id}/role", {"role": "owner"})
    assert bad.status_code == 422  # type: ignore[attr-defined]

    assert _post(client, f"/team/{theirs.id}/role", {"role": "coordinator"}).status_code == 303  # type: ignore[attr-defined]
    assert _membership(app, "sat@a.example").role == Role.COORDINATOR
    # Now there are two, so I may step down.
    assert _post(client, f"/team/{mine.id}/role", {"role": "sat_member"}).status_code == 303  # type: ignore[attr-defined]
    with app.app_context():
        actions = [
            e.action
            for e in db.session.execute(select(AuditEntry).order_by(AuditEntry.at)).scalars()
        ]
    assert actions == ["user.role_changed", "user.role_changed"]


def test_a_deactivated_colleague_can_no_longer_sign_in_or_act(
    app: Flask, client: FlaskClient, coordinator: User, make_user: object
) -> None:
    make_user("gone@a.example", "Org A", Role.SAT_MEMBER)  # type: ignore[operator]
    theirs = _membership(app, "gone@a.example")
    other = FlaskClient(app, app.response_class)
    login(other, "gone@a.example")
    assert other.get("/").status_code == 200

    assert _post(client, f"/team/{theirs.id}/active", {"active": "no"}).status_code == 303  # type: ignore[attr-defined]
    assert "Deactivated" in client.get("/team").get_data(as_text=True)
    assert other.get("/").status_code == 403  # their open session no longer acts for Org A
    fresh = FlaskClient(app, app.response_class)
    refused = fresh.post(
        "/login",
        data={"email": "gone@a.example", "password": PASSWORD, "csrf_token": csrf_token(fresh)},
    )
    assert refused.status_code == 422
    with app.app_context():
        from app.models import Organisation
        from app.services.assessment.assessments import team_candidates

        org = db.session.get(Organisation, theirs.organisation_id)
        assert org is not None
        assert "gone@a.example" not in {u.email for u, _ in team_candidates(org)}

    assert _post(client, f"/team/{theirs.id}/active", {"active": "yes"}).status_code == 303  # type: ignore[attr-defined]
    login(fresh, "gone@a.example")


def test_another_organisation_s_member_is_not_found(
    app: Flask, client: FlaskClient, coordinator: User, make_user: object
) -> None:
    make_user("b@b.example", "Org B", Role.SAT_MEMBER)  # type: ignore[operator]
    theirs = _membership(app, "b@b.example")
    response = _post(client, f"/team/{theirs.id}/active", {"active": "no"})
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert _membership(app, "b@b.example").active


def test_forgot_password_answers_the_same_for_unknown_addresses_and_resets_once(
    app: Flask, client: FlaskClient, make_user: object, smtp: SmtpServer
) -> None:
    make_user("known@a.example", "Org A", Role.VIEWER)  # type: ignore[operator]
    unknown = _post(client, "/account/forgot", {"email": "nobody@a.example"}, "/account/forgot")
    known = _post(client, "/account/forgot", {"email": "Known@A.example"}, "/account/forgot")
    assert unknown.status_code == known.status_code == 200  # type: ignore[attr-defined]

    def said(response: object) -> str:
        text = response.get_data(as_text=True)  # type: ignore[attr-defined]
        return re.sub(
            r"(?i)\S+@a\.example", "ADDRESS", text.split('role="status"')[1].split("</div>")[0]
        )

    assert said(unknown) == said(known)
    # Queued in the outbox, not sent by the page: the mail worker sends it like other mail.
    with app.app_context():
        (queued,) = db.session.execute(select(OutboxMessage)).scalars()
        assert queued.kind == MessageKind.PASSWORD_RESET and queued.to_address == "known@a.example"
        assert queued.round_id is None and queued.invitation_id is None
    assert smtp.messages == []
    assert work(app).sent == 1
    (message,) = smtp.wait_for(1)
    assert message["To"] == "known@a.example"
    (link,) = LINK.findall(text_part(message))
    path = urlsplit(link).path
    with app.app_context():  # the database never held the link itself
        assert path.rsplit("/", 1)[-1] not in _all_text(app)
    other = FlaskClient(app, app.response_class)
    ok = other.post(
        path,
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_token(other)},
    )
    assert ok.status_code == 303
    with app.app_context():
        assert authenticate("known@a.example", NEW_PASSWORD) is not None
        # Not in the audit trail: anyone may ask.
        assert db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 0
    again = FlaskClient(app, app.response_class)
    assert again.get(path).status_code == 410
    bad = _post(client, "/account/forgot", {"email": "nonsense"}, "/account/forgot")
    assert bad.status_code == 422  # type: ignore[attr-defined]


def test_forgot_password_is_rate_limited_per_address(
    app: Flask,
    client: FlaskClient,
    make_user: object,
    no_smtp: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "3 per hour")
    statuses = []
    for _ in range(4):
        fresh = FlaskClient(
            app, app.response_class
        )  # a new client each time: the per-address limit
        statuses.append(
            _post(
                fresh, "/account/forgot", {"email": "someone@a.example"}, "/account/forgot"
            ).status_code  # type: ignore[attr-defined]
        )
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429


def test_a_new_reset_link_withdraws_the_earlier_one(
    app: Flask, client: FlaskClient, make_user: object, smtp: SmtpServer
) -> None:
    make_user("twice@a.example", "Org A", Role.VIEWER)  # type: ignore[operator]
    _post(client, "/account/forgot", {"email": "twice@a.example"}, "/account/forgot")
    assert work(app).sent == 1
    smtp.wait_for(1)
    _post(client, "/account/forgot", {"email": "twice@a.example"}, "/account/forgot")
    assert work(app).sent == 1
    first, second = (LINK.findall(text_part(m))[0] for m in smtp.wait_for(2))
    other = FlaskClient(app, app.response_class)
    assert other.get(urlsplit(first).path).status_code == 410
    assert other.get(urlsplit(second).path).status_code == 200


def test_a_reset_withdrawn_before_the_worker_sends_it_is_never_sent(
    app: Flask, client: FlaskClient, make_user: object, smtp: SmtpServer
) -> None:
    make_user("thrice@a.example", "Org A", Role.VIEWER)  # type: ignore[operator]
    for _ in range(3):
        _post(client, "/account/forgot", {"email": "thrice@a.example"}, "/account/forgot")
    with app.app_context():  # each newer request withdrew the older link and its message
        assert db.session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 1
    assert work(app).sent == 1
    (message,) = smtp.wait_for(1)
    threading.Event().wait(0.3)
    assert len(smtp.messages) == 1
    other = FlaskClient(app, app.response_class)
    assert other.get(urlsplit(LINK.findall(text_part(message))[0]).path).status_code == 200


def test_a_reset_link_used_before_its_mail_goes_is_dropped(
    app: Flask, client: FlaskClient, make_user: object, smtp: SmtpServer
) -> None:
    make_user("late@a.example", "Org A", Role.VIEWER)  # type: ignore[operator]
    _post(client, "/account/forgot", {"email": "late@a.example"}, "/account/forgot")
    with app.app_context():
        link = db.session.execute(select(AccountLink)).scalar_one()
        link.used_at = utcnow()
        db.session.commit()
    report = work(app)
    assert report.sent == 0 and report.dropped == 1
    assert smtp.messages == []


def _all_text(app: Flask) -> str:
    """Every text column of the tables a reset touches."""
    rows = [
        *db.session.execute(select(OutboxMessage)).scalars(),
        *db.session.execute(select(AccountLink)).scalars(),
    ]
    return " ".join(str(getattr(row, c.key)) for row in rows for c in row.__table__.columns)


def test_someone_with_an_account_elsewhere_is_added_without_a_new_password(
    app: Flask, client: FlaskClient, coordinator: User, make_user: object, smtp: SmtpServer
) -> None:
    make_user("both@b.example", "Org B", Role.COORDINATOR)  # type: ignore[operator]
    response = _invite(client, "both@b.example", "viewer")
    assert response.status_code == 303  # type: ignore[attr-defined]
    (message,) = smtp.wait_for(1)
    assert "added you to Org A" in text_part(message) and "/account/" not in text_part(message)
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(AccountLink)).scalar_one() == 0
    other = FlaskClient(app, app.response_class)
    login(other, "both@b.example")  # their own password still works, now for both
    page = client.get("/team").get_data(as_text=True)
    assert "both@b.example" in page and "Invited, no password yet" not in page


def test_a_new_link_can_be_sent_and_the_old_one_stops(
    app: Flask, client: FlaskClient, coordinator: User, smtp: SmtpServer
) -> None:
    _invite(client, "slow@council.example")
    (old,) = LINK.findall(text_part(smtp.wait_for(1)[0]))
    membership = _membership(app, "slow@council.example")
    assert _post(client, f"/team/{membership.id}/link", {}).status_code == 303  # type: ignore[attr-defined]
    (new,) = LINK.findall(text_part(smtp.wait_for(2)[1]))
    stranger = FlaskClient(app, app.response_class)
    assert stranger.get(old.split("http://localhost", 1)[-1]).status_code == 410
    assert stranger.get(new.split("http://localhost", 1)[-1]).status_code == 200
    mine = _membership(app, "coord@a.example")
    refused = _post(client, f"/team/{mine.id}/link", {})
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "already chosen a password" in refused.get_data(as_text=True)  # type: ignore[attr-defined]


def test_with_no_mail_server_the_demo_shows_the_link_to_the_coordinator(
    app: Flask,
    client: FlaskClient,
    coordinator: User,
    no_smtp: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "DEMO_LINKS", True)
    response = _invite(client, "demo@council.example")
    assert response.status_code == 200  # type: ignore[attr-defined]
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    (link,) = LINK.findall(page.replace('"', " ").replace("<", " "))[:1]
    assert "/account/welcome/" in link
    monkeypatch.setitem(app.config, "DEMO_LINKS", False)
    hidden = _invite(client, "prod@council.example")
    assert hidden.status_code == 303  # type: ignore[attr-defined]
    assert "/account/welcome/" not in client.get("/team").get_data(as_text=True)
