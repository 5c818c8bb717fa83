"""Retention (UK GDPR): contacts' addresses and names are erased when due, and on request.

"Erased" is checked the hard way: every column of every table (from the models' metadata, so
a new table is scanned too) is read back and searched for the address.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.mail import outbox
from app.models import (
    AuditEntry,
    FeedbackRound,
    Invitation,
    InvitationStatus,
    Organisation,
    OutboxMessage,
    Response,
    RoundStatus,
    User,
)
from app.services import retention
from tests.app.invitations.builders import (
    add_contacts,
    complete,
    do_launch,
    invitation_by_email,
    make_round,
    today,
    work,
)
from tests.smtp import SmtpServer
from tests.support import csrf_token


def _where(app: Flask, needle: str) -> list[str]:
    """table.column of every value holding `needle` (case-insensitive), in the whole database."""
    needle = needle.lower()
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(table.select()).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    text = (
                        bytes(value).decode("latin-1")
                        if isinstance(value, bytes | memoryview)
                        else str(value)
                    )
                    if needle in text.lower():
                        found.append(f"{table.name}.{column}")
    return found


def _closed_round(app: Flask, name: str, days_ago: int, emails: list[str]) -> uuid.UUID:
    """A launched round with these parents invited (and mailed), closed `days_ago` days ago."""
    round_id = make_round(
        app,
        audiences=("parents",),
        name=name,
        opens_on=today() - timedelta(days=days_ago + 20),
        closes_on=today() + timedelta(days=5),
    )
    add_contacts(app, round_id, "parents", emails)
    do_launch(app, round_id, today() - timedelta(days=days_ago + 20))
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        rnd.opens_on = today() - timedelta(days=1)  # so the outbox sends (the round is open)
        db.session.commit()
        # The outbox alone: the whole worker pass would also run retention on earlier rounds.
        outbox.drain("test-worker")
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        rnd.opens_on = today() - timedelta(days=days_ago + 20)
        rnd.closes_on = today() - timedelta(days=days_ago)
        rnd.status = RoundStatus.CLOSED
        rnd.closed_at = datetime.now(UTC) - timedelta(days=days_ago)
        db.session.commit()
    return round_id


def _run_cli(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_job_erases_due_rounds_from_every_table_and_keeps_counts(
    app: Flask, smtp: SmtpServer
) -> None:
    due = [f"due{n}@families.example" for n in range(6)]
    kept = [f"kept{n}@families.example" for n in range(3)]
    due_id = _closed_round(app, "Long closed", 31, due)
    kept_id = _closed_round(app, "Recently closed", 10, kept)
    smtp.wait_for(9)
    complete(app, invitation_by_email(app, "due0@families.example").id)
    complete(app, invitation_by_email(app, "due1@families.example").id)
    assert _where(app, "due3@families.example"), "the scan finds the address before the job"

    output = _run_cli(app)
    assert "Erased 6 contacts" not in output  # contacts became invitations at launch
    assert "6 invitations kept as counts only" in output

    for address in due:
        assert _where(app, address) == [], address
        assert _where(app, address.split("@")[0]) == [], "the name part too"
    for address in kept:
        assert _where(app, address), "a round not yet due keeps its contacts"
    with app.app_context():
        statuses = db.session.execute(
            select(Invitation.status, func.count())
            .where(Invitation.round_id == due_id)
            .group_by(Invitation.status)
        ).all()
        assert dict(statuses) == {InvitationStatus.COMPLETED: 2, InvitationStatus.PENDING: 4}
        assert (
            db.session.execute(
                select(func.count()).select_from(Response).where(Response.round_id == due_id)
            ).scalar_one()
            == 2
        ), "answers stay"
        assert (
            db.session.execute(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.round_id == due_id)
            ).scalar_one()
            == 0
        )
        (entry,) = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "retention.erased")
        ).scalars()
        assert entry.round_id == due_id and entry.actor_name == "Chorus"
        assert entry.details["invitations_anonymised"] == 6
        assert db.session.get(FeedbackRound, kept_id).contacts_erased_at is None  # type: ignore[union-attr]

    assert "0 invitations" in _run_cli(app), "a second run has nothing left to do"


def test_a_round_kept_longer_is_erased_after_its_date_only(app: Flask, smtp: SmtpServer) -> None:
    round_id = _closed_round(app, "You said, we did", 40, ["update@families.example"])
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        rnd.retain_until = today() + timedelta(days=60)
        db.session.commit()
        assert retention.due_rounds() == []
        assert [r.id for r in retention.due_rounds(today() + timedelta(days=61))] == [round_id]
    _run_cli(app)
    assert _where(app, "update@families.example")


def test_the_worker_loop_runs_retention(app: Flask, smtp: SmtpServer) -> None:
    _closed_round(app, "Old", 45, ["worker@families.example"])
    work(app)
    assert _where(app, "worker@families.example") == []


def _post(client: FlaskClient, path: str, data: dict[str, str]) -> object:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/privacy")})


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            t.name: db.session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in db.metadata.sorted_tables
        }


def test_an_erasure_request_removes_one_person_from_every_round(
    app: Flask, client: FlaskClient, coordinator: User, smtp: SmtpServer
) -> None:
    first = _closed_round(app, "Spring", 5, ["ask@families.example", "stay@families.example"])
    live = make_round(app, audiences=("parents",), name="Live")
    add_contacts(app, live, "parents", ["Ask@Families.example", "other@families.example"])
    do_launch(app, live)
    draft = make_round(app, audiences=("parents",), name="Draft")
    add_contacts(app, draft, "parents", ["ask@families.example"])
    complete(app, invitation_by_email(app, "ask@families.example").id)

    before = _counts(app)
    for data, message in [
        ({"email": "not an address", "confirm": "yes"}, "Enter the email address to erase"),
        ({"email": "ask@families.example"}, "Tick the box to confirm"),
    ]:
        refused = _post(client, "/privacy/erasure", data)
        assert refused.status_code == 422  # type: ignore[attr-defined]
        assert message in refused.get_data(as_text=True)  # type: ignore[attr-defined]
    assert _counts(app) == before

    done = _post(client, "/privacy/erasure", {"email": "ASK@families.example", "confirm": "yes"})
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert "erased from 3 rounds" in client.get("/privacy").get_data(as_text=True)
    assert _where(app, "ask@families.example") == []
    assert _where(app, "stay@families.example") and _where(app, "other@families.example")
    with app.app_context():
        assert (
            db.session.execute(
                select(func.count()).select_from(Response).where(Response.round_id == first)
            ).scalar_one()
            == 1
        ), "their anonymous answer stays"
        live_left = db.session.execute(
            select(Invitation).where(Invitation.round_id == live, Invitation.email == "")
        ).scalar_one()
        assert live_left.status == InvitationStatus.OPTED_OUT, "and is sent nothing more"
        (entry,) = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "retention.erasure_request")
        ).scalars()
        assert entry.details["rounds"] == 3
    assert draft


def test_retention_settings_are_checked_and_shown_to_respondents(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    from app.dates import long_date
    from app.services.responding import clear_shape_cache
    from app.services.tokens import derive_token
    from tests.app.respond.helpers import Browser

    round_id = make_round(app, audiences=("parents",), name="Noticed")
    add_contacts(app, round_id, "parents", ["notice@families.example"])
    before = _counts(app)
    for value, message in [
        ("thirty", "whole number of days"),
        ("0", "from 1 to 3650"),
        ("99999", "from 1 to 3650"),
    ]:
        response = _post(client, "/privacy/retention", {"retention_days": value})
        assert response.status_code == 422  # type: ignore[attr-defined]
        assert message in response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert _counts(app) == before
    assert _post(client, "/privacy/retention", {"retention_days": "60"}).status_code == 303  # type: ignore[attr-defined]

    do_launch(app, round_id)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        standard = rnd.closes_on + timedelta(days=rnd.grace_days + 60)  # from the grace end
    token = derive_token(
        app.config["SECRET_KEY"], invitation_by_email(app, "notice@families.example").id
    )
    clear_shape_cache()
    phone = Browser(app.test_client())
    phone.enter(f"/r/{token}")
    assert f"60 days after it closes, by {long_date(standard)}" in phone.text

    before = _counts(app)
    for value, message in [
        ((standard - timedelta(days=1)).isoformat(), "never shorter"),
        ("31/12/2027", "Enter a date like"),
    ]:
        response = _post(client, f"/privacy/rounds/{round_id}", {"retain_until": value})
        assert response.status_code == 422  # type: ignore[attr-defined]
        assert message in response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert _counts(app) == before
    later = standard + timedelta(days=90)
    saved = _post(client, f"/privacy/rounds/{round_id}", {"retain_until": later.isoformat()})
    assert saved.status_code == 303  # type: ignore[attr-defined]
    clear_shape_cache()
    phone = Browser(app.test_client())
    phone.enter(f"/r/{token}")
    assert f"from this survey after {long_date(later)}" in phone.text


def test_a_round_closed_early_counts_from_its_close(app: Flask, smtp: SmtpServer) -> None:
    round_id = _closed_round(app, "Closed early", 35, ["early@families.example"])
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        rnd.closes_on = today() + timedelta(days=10)  # planned to run on; closed 35 days ago
        db.session.commit()
    _run_cli(app)
    assert _where(app, "early@families.example") == []


def test_retention_waits_for_the_end_of_the_grace_period(app: Flask, smtp: SmtpServer) -> None:
    """Past its close but not closed by its coordinator, a round still takes answers made
    before the close and queued on a device (issue 18): its invitations keep their addresses
    until the grace period is over, then the retention days count from there."""
    round_id = _closed_round(app, "In its grace period", 2, ["late@families.example"])
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        rnd.status, rnd.closed_at, rnd.grace_days = RoundStatus.LIVE, None, 3
        org = db.session.get(Organisation, rnd.organisation_id)
        assert org is not None
        org.retention_days = 1
        db.session.commit()
        grace_end = rnd.closes_on + timedelta(days=3)
        assert retention.erase_on(rnd, 1) == grace_end + timedelta(days=1)
        assert retention.due_rounds() == []
        assert retention.due_rounds(grace_end) == [], "the grace period's last day"
        assert [r.id for r in retention.due_rounds(grace_end + timedelta(days=1))] == [round_id]
    _run_cli(app)
    assert "invitation.email" in _where(app, "late@families.example")
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None and rnd.contacts_erased_at is None
        # Closed by its coordinator: nothing more can arrive, so the days count from then.
        rnd.status, rnd.closed_at = RoundStatus.CLOSED, datetime.now(UTC) - timedelta(days=2)
        db.session.commit()
    _run_cli(app)
    assert _where(app, "late@families.example") == []
