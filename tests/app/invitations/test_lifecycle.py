"""A round's life after launch (issue 16): Scheduled and Open, dates, wording, cancel, archive,
delete, each through the pages, with a real SMTP server saying what was (not) sent."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from app.dates import zone
from app.extensions import db
from app.models import (
    AuditEntry,
    Contact,
    FeedbackRound,
    Invitation,
    MessageStatus,
    OutboxMessage,
    Questionnaire,
    RoundStatus,
)
from app.services import lifecycle
from app.services.lifecycle import RoundState, round_state
from app.services.results import close_round
from tests.app.conftest import ON_POSTGRES
from tests.app.invitations.builders import (
    add_contacts,
    do_launch,
    invitations,
    make_round,
    messages,
    today,
    work,
)
from tests.smtp import SmtpServer, text_part
from tests.support import csrf_token

EMAILS = [f"parent{i}@example.org" for i in range(6)]


def scheduled_round(app: Flask, days_ahead: int = 10, name: str = "Spring feedback") -> uuid.UUID:
    round_id = make_round(
        app,
        opens_on=today() + timedelta(days=days_ahead),
        closes_on=today() + timedelta(days=days_ahead + 14),
        name=name,
    )
    add_contacts(app, round_id, "parents", EMAILS)
    do_launch(app, round_id)
    return round_id


def get_round(app: Flask, round_id: uuid.UUID) -> FeedbackRound | None:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        if rnd is not None:
            db.session.expunge(rnd)
        return rnd


def count(app: Flask, model: Any, round_id: uuid.UUID) -> int:
    with app.app_context():
        return int(
            db.session.execute(
                select(func.count()).select_from(model).where(model.round_id == round_id)
            ).scalar_one()
        )


def post(client: FlaskClient, url: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client, "/"), **data})


def audit_of(app: Flask, round_id: uuid.UUID) -> list[AuditEntry]:
    with app.app_context():
        rows = list(
            db.session.execute(
                select(AuditEntry).where(AuditEntry.round_id == round_id).order_by(AuditEntry.at)
            ).scalars()
        )
        for r in rows:
            db.session.expunge(r)
        return rows


def after_opening(round_id: uuid.UUID, app: Flask) -> datetime:
    rnd = get_round(app, round_id)
    assert rnd is not None
    return datetime.combine(rnd.opens_on, time(12), UTC)


# -- states ---------------------------------------------------------------------------------------


def test_states_follow_status_and_the_local_day(app: Flask) -> None:
    day = date(2026, 6, 10)
    rnd = FeedbackRound(
        status=RoundStatus.DRAFT, opens_on=date(2026, 6, 12), closes_on=date(2026, 6, 30)
    )
    assert round_state(rnd, day) == RoundState.DRAFT
    rnd.status = RoundStatus.LIVE
    assert round_state(rnd, day) == RoundState.SCHEDULED
    assert round_state(rnd, date(2026, 6, 12)) == RoundState.OPEN
    assert round_state(rnd, date(2026, 7, 1)) == RoundState.CLOSED  # past its day, not final
    assert lifecycle.awaiting_close(rnd, date(2026, 7, 1))
    rnd.status = RoundStatus.CLOSED
    assert round_state(rnd, day) == RoundState.CLOSED
    rnd.archived_at = datetime.now(UTC)
    assert round_state(rnd, day) == RoundState.ARCHIVED


def test_scheduled_invitations_wait_for_local_midnight_of_the_opening_day(
    app: Flask, smtp: SmtpServer
) -> None:
    round_id = scheduled_round(app, days_ahead=3)
    opens = today() + timedelta(days=3)
    midnight = datetime.combine(opens, time(), zone()).astimezone(UTC)
    with app.app_context():
        due = {m.next_attempt_at for m in messages(app, round_id)}
    assert {d.replace(tzinfo=UTC) if d.tzinfo is None else d for d in due if d} == {midnight}
    assert work(app).sent == 0 and smtp.messages == []
    assert work(app, now=midnight - timedelta(seconds=1)).sent == 0
    assert work(app, now=midnight + timedelta(seconds=1)).sent == len(EMAILS)


def test_scheduled_round_page_offers_its_actions_and_no_reminders(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    round_id = scheduled_round(app)
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "Scheduled" in page and "Cancel the round" in page and "Change dates" in page
    assert "Send reminders" not in page
    for tab in ("Overview", "Questionnaires", "Contacts", "Launch", "Responses", "Reminders"):
        assert f">{tab}" in page
    assert "Open links" in page and "Results" in page and "Downloads" in page


# -- cancel ---------------------------------------------------------------------------------------


def test_cancelling_a_scheduled_round_sends_nothing_and_gives_back_a_draft(
    app: Flask, client: FlaskClient, coordinator: Any, smtp: SmtpServer
) -> None:
    round_id = scheduled_round(app)
    opening = after_opening(round_id, app)
    with app.app_context():
        frozen_ids = set(
            db.session.execute(
                select(Questionnaire.id).where(Questionnaire.round_id == round_id)
            ).scalars()
        )
    response = post(client, f"/rounds/{round_id}/cancel", then="draft")
    assert response.status_code == 303
    rnd = get_round(app, round_id)
    assert rnd is not None and rnd.status == RoundStatus.DRAFT and rnd.launched_at is None
    assert count(app, Invitation, round_id) == 0 and count(app, OutboxMessage, round_id) == 0
    with app.app_context():
        contacts = db.session.execute(
            select(Contact.email).where(Contact.round_id == round_id)
        ).scalars()
        assert sorted(contacts) == sorted(EMAILS)
        assert not any(
            db.session.execute(
                select(Questionnaire.frozen).where(Questionnaire.round_id == round_id)
            ).scalars()
        )
        # Editable again under new ids: no process's cache of the frozen shape applies.
        new_ids = set(
            db.session.execute(
                select(Questionnaire.id).where(Questionnaire.round_id == round_id)
            ).scalars()
        )
        assert len(new_ids) == len(frozen_ids) and not new_ids & frozen_ids
    # Well past the opening day the worker still has nothing to send: the server gets nothing.
    assert work(app, now=opening).sent == 0
    assert work(app, now=opening + timedelta(days=30)).claimed == 0
    assert smtp.messages == []
    [entry] = [e for e in audit_of(app, round_id) if e.action == "round.cancelled"]
    assert entry.details["invitations_withdrawn"] == len(EMAILS)
    assert not any(e in str(entry.details) + entry.summary for e in EMAILS)
    # As a draft it can be launched again, and then it sends.
    do_launch(app, round_id)
    assert work(app, now=opening).sent == len(EMAILS)
    assert len(smtp.wait_for(len(EMAILS))) == len(EMAILS)


def test_cancel_and_delete(app: Flask, client: FlaskClient, coordinator: Any) -> None:
    round_id = scheduled_round(app)
    assert post(client, f"/rounds/{round_id}/cancel", then="delete").status_code == 303
    assert get_round(app, round_id) is None
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Invitation)).scalar_one() == 0


def test_an_open_round_cannot_be_cancelled(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    round_id = make_round(app)  # opened yesterday
    add_contacts(app, round_id, "parents", EMAILS)
    do_launch(app, round_id)
    before = [m.id for m in messages(app, round_id)]
    response = post(client, f"/rounds/{round_id}/cancel", then="draft")
    assert response.status_code == 422
    assert "Only a round that has not opened yet" in response.get_data(as_text=True)
    rnd = get_round(app, round_id)
    assert rnd is not None and rnd.status == RoundStatus.LIVE
    assert [m.id for m in messages(app, round_id)] == before
    assert post(client, f"/rounds/{round_id}/cancel").status_code == 422  # no choice made


# -- dates ----------------------------------------------------------------------------------------


def test_dates_of_a_scheduled_round_move_its_waiting_invitations(
    app: Flask, client: FlaskClient, coordinator: Any, smtp: SmtpServer
) -> None:
    round_id = scheduled_round(app, days_ahead=20)
    new_open = today() + timedelta(days=2)
    new_close = today() + timedelta(days=9)
    response = post(
        client,
        f"/rounds/{round_id}/dates",
        opens_on=new_open.isoformat(),
        closes_on=new_close.isoformat(),
    )
    assert response.status_code == 303
    rnd = get_round(app, round_id)
    assert rnd is not None and (rnd.opens_on, rnd.closes_on) == (new_open, new_close)
    midnight = datetime.combine(new_open, time(), zone()).astimezone(UTC)
    assert work(app, now=midnight + timedelta(minutes=1)).sent == len(EMAILS)
    # The email gives the new closing date.
    mail = smtp.wait_for(len(EMAILS))
    assert f"{new_close.day} {new_close:%B %Y}" in text_part(mail[0])
    [entry] = [e for e in audit_of(app, round_id) if e.action == "round.dates_changed"]
    assert entry.details["opens_on"][1] == new_open.isoformat()


@pytest.mark.parametrize(
    ("opens", "closes", "field", "message"),
    [
        (-1, 10, "opens_on", "The opening date cannot be in the past."),
        (5, 3, "closes_on", "The closing date must be on or after the opening date."),
        (0, -1, "closes_on", "The closing date cannot be before today."),
        (None, 10, "opens_on", "Enter the opening date as a real date"),
    ],
)
def test_bad_dates_are_refused_and_change_nothing(
    app: Flask,
    client: FlaskClient,
    coordinator: Any,
    opens: int | None,
    closes: int,
    field: str,
    message: str,
) -> None:
    round_id = scheduled_round(app)
    before = get_round(app, round_id)
    due_before = sorted(str(m.next_attempt_at) for m in messages(app, round_id))
    response = post(
        client,
        f"/rounds/{round_id}/dates",
        opens_on="31/02/2026" if opens is None else (today() + timedelta(days=opens)).isoformat(),
        closes_on=(today() + timedelta(days=closes)).isoformat(),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and f'id="{field}-error"' in html
    after = get_round(app, round_id)
    assert before is not None and after is not None
    assert (after.opens_on, after.closes_on) == (before.opens_on, before.closes_on)
    assert sorted(str(m.next_attempt_at) for m in messages(app, round_id)) == due_before
    assert not [e for e in audit_of(app, round_id) if e.action == "round.dates_changed"]


def test_an_open_round_extends_its_close_but_keeps_its_opening(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    round_id = make_round(app)
    do_launch(app, round_id)
    rnd = get_round(app, round_id)
    assert rnd is not None
    later = rnd.closes_on + timedelta(days=7)
    ok = post(client, f"/rounds/{round_id}/dates", closes_on=later.isoformat())
    assert ok.status_code == 303
    after = get_round(app, round_id)
    assert after is not None and after.closes_on == later and after.opens_on == rnd.opens_on
    with app.app_context():
        live = db.session.get(FeedbackRound, round_id)
        assert live is not None
        with pytest.raises(lifecycle.RoundError) as refused:
            lifecycle.change_dates(live, today() + timedelta(days=1), later, today())
        assert "opens_on" in refused.value.errors


def test_a_closed_round_is_never_reopened(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    round_id = make_round(app)
    do_launch(app, round_id)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        close_round(rnd)
        db.session.commit()
    later = today() + timedelta(days=30)
    response = post(client, f"/rounds/{round_id}/dates", closes_on=later.isoformat())
    assert response.status_code == 422 and "never reopened" in response.get_data(as_text=True)
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "never reopened" in page and "Copy into a new draft" in page


# -- wording --------------------------------------------------------------------------------------


def test_new_wording_reaches_messages_not_yet_sent(
    app: Flask, client: FlaskClient, coordinator: Any, smtp: SmtpServer
) -> None:
    round_id = scheduled_round(app)
    intro = "Our family centre is changing. Tell us what matters to you."
    ok = post(client, f"/rounds/{round_id}/wording", invitation_intro=intro, reminder_intro="")
    assert ok.status_code == 303
    assert work(app, now=after_opening(round_id, app)).sent == len(EMAILS)
    mail = smtp.wait_for(len(EMAILS))
    assert all(intro in text_part(m) for m in mail)
    assert "is asking" not in text_part(mail[0])  # Chorus's own paragraph is replaced
    too_long = post(client, f"/rounds/{round_id}/wording", invitation_intro="x" * 2001)
    assert too_long.status_code == 422
    rnd = get_round(app, round_id)
    assert rnd is not None and rnd.invitation_intro == intro


# -- archive and delete ---------------------------------------------------------------------------


def test_closed_round_archived_then_deleted_only_with_its_name_typed(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    round_id = make_round(app, name="Autumn survey")
    add_contacts(app, round_id, "parents", EMAILS)
    do_launch(app, round_id)
    assert post(client, f"/rounds/{round_id}/archive").status_code == 303  # refused: live
    rnd = get_round(app, round_id)
    assert rnd is not None and rnd.archived_at is None
    with app.app_context():
        live = db.session.get(FeedbackRound, round_id)
        assert live is not None
        close_round(live)
        db.session.commit()
    assert post(client, f"/rounds/{round_id}/archive").status_code == 303
    rnd = get_round(app, round_id)
    assert rnd is not None and rnd.archived_at is not None
    wrong = post(client, f"/rounds/{round_id}/delete", confirm_name="Autumn")
    assert wrong.status_code == 422 and "Type the round" in wrong.get_data(as_text=True)
    assert get_round(app, round_id) is not None and count(app, Invitation, round_id) == 6
    assert (
        post(client, f"/rounds/{round_id}/delete", confirm_name="Autumn survey").status_code == 303
    )
    assert get_round(app, round_id) is None and count(app, Invitation, round_id) == 0
    actions = [e.action for e in audit_of(app, round_id)]
    assert actions[:1] == ["round.launched"] or "round.archived" in actions
    assert "round.archived" in actions and "round.deleted" in actions


def test_a_live_round_cannot_be_deleted(app: Flask, client: FlaskClient, coordinator: Any) -> None:
    round_id = scheduled_round(app)
    assert client.get(f"/rounds/{round_id}/delete").status_code == 409
    assert (
        post(client, f"/rounds/{round_id}/delete", confirm_name="Spring feedback").status_code
        == 409
    )
    assert get_round(app, round_id) is not None


# -- two coordinators at once (PostgreSQL) --------------------------------------------------------


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks and concurrent writers need PostgreSQL")
@pytest.mark.parametrize("attempt", range(4))
def test_cancel_and_launch_at_once_end_consistent(app: Flask, attempt: int) -> None:
    from app.invitations.common import audience_labels
    from app.services.launch import LaunchRefused, launch

    round_id = make_round(
        app,
        opens_on=today() + timedelta(days=5),
        closes_on=today() + timedelta(days=20),
        name=f"Race {attempt}",
    )
    add_contacts(app, round_id, "parents", EMAILS)
    if attempt % 2:
        do_launch(app, round_id)  # half the time the round starts scheduled, half a draft
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def run(which: str) -> None:
        with app.app_context():
            rnd = db.session.get(FeedbackRound, round_id)
            assert rnd is not None
            start.wait()
            try:
                if which == "launch":
                    launch(
                        rnd,
                        secret=app.config["SECRET_KEY"],
                        labels=audience_labels(rnd),
                        today=today(),
                    )
                else:
                    lifecycle.cancel_round(rnd, today())
                db.session.commit()
                outcomes[which] = "done"
            except (LaunchRefused, lifecycle.RoundError) as exc:
                db.session.rollback()
                outcomes[which] = f"refused: {exc}"

    threads = [threading.Thread(target=run, args=(w,)) for w in ("launch", "cancel")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert set(outcomes) == {"launch", "cancel"}, outcomes
    rnd = get_round(app, round_id)
    assert rnd is not None
    n_inv, n_msg, n_contacts = (
        count(app, Invitation, round_id),
        count(app, OutboxMessage, round_id),
        count(app, Contact, round_id),
    )
    if rnd.status == RoundStatus.LIVE:
        assert (n_inv, n_msg, n_contacts) == (len(EMAILS), len(EMAILS), 0), outcomes
    else:
        assert rnd.status == RoundStatus.DRAFT
        assert (n_inv, n_msg, n_contacts) == (0, 0, len(EMAILS)), outcomes
    assert {m.status for m in messages(app, round_id)} <= {MessageStatus.QUEUED}
    assert len({i.email for i in invitations(app, round_id)}) == n_inv


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks and concurrent writers need PostgreSQL")
def test_two_cancels_at_once_one_wins(app: Flask) -> None:
    round_id = scheduled_round(app)
    start = threading.Barrier(2)
    results: list[str] = []

    def run() -> None:
        with app.app_context():
            rnd = db.session.get(FeedbackRound, round_id)
            assert rnd is not None
            start.wait()
            try:
                lifecycle.cancel_round(rnd, today())
                db.session.commit()
                results.append("done")
            except lifecycle.RoundError:
                db.session.rollback()
                results.append("refused")

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["done", "refused"]
    assert count(app, Contact, round_id) == len(EMAILS)  # restored once, not twice


def test_a_whole_rounds_audit_trail_holds_no_one_in_particular(
    app: Flask, client: FlaskClient, coordinator: Any, no_smtp: None
) -> None:
    """Every lifecycle step through the pages; then no entry holds an invitation id, a token
    (or its hash), a response id or an address."""
    from app.models import Response
    from tests.app.invitations.builders import complete

    round_id = scheduled_round(app)
    later = today() + timedelta(days=40)
    post(
        client,
        f"/rounds/{round_id}/dates",
        opens_on=(today() + timedelta(days=2)).isoformat(),
        closes_on=later.isoformat(),
    )
    post(
        client, f"/rounds/{round_id}/wording", invitation_intro="Hello from us.", reminder_intro=""
    )
    post(
        client,
        f"/rounds/{round_id}/invitations/add",
        audience="parents",
        addresses="late@example.org",
    )
    client.get(f"/rounds/{round_id}/invitations.csv")
    client.get(f"/rounds/{round_id}/invitations.xlsx")
    post(client, f"/rounds/{round_id}/copy", name="Next year", with_contacts="1")
    people = invitations(app, round_id)
    complete(app, people[0].id)
    with app.app_context():
        db.session.execute(
            update(FeedbackRound).where(FeedbackRound.id == round_id).values(opens_on=today())
        )
        db.session.commit()
    post(client, f"/results/{round_id}/close")
    post(client, f"/rounds/{round_id}/archive")
    with app.app_context():
        entries = list(db.session.execute(select(AuditEntry)).scalars())
        response_ids = [str(r) for r in db.session.execute(select(Response.id)).scalars()]
    actions = {e.action for e in entries}
    assert {
        "round.dates_changed",
        "round.wording_edited",
        "contacts.added",
        "contacts.exported",
        "round.copied",
        "round.closed",
        "round.archived",
    } <= actions, actions
    flat = " ".join(f"{e.summary} {e.details} {e.object_id} {e.object_type}" for e in entries)
    for person in people:
        assert str(person.id) not in flat and person.id.hex not in flat
        assert person.token_hash not in flat and person.email not in flat
    for response_id in response_ids:
        assert response_id not in flat
    assert "@" not in flat


def test_a_scheduled_round_offers_no_reminders_now(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    round_id = scheduled_round(app)
    for url in (f"/rounds/{round_id}/responses", f"/rounds/{round_id}/reminders"):
        page = client.get(url).get_data(as_text=True)
        assert "Send reminders now" not in page, url
    open_id = make_round(app, name="Open one")
    do_launch(app, open_id)
    assert "Send reminders now" in client.get(f"/rounds/{open_id}/responses").get_data(as_text=True)


def test_the_launch_page_shows_the_invitation_as_it_will_be_sent(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    round_id = make_round(app)
    add_contacts(app, round_id, "parents", EMAILS)
    page = client.get(f"/rounds/{round_id}/launch").get_data(as_text=True)
    assert "The invitation email" in page and "Edit the introduction" in page
    preview_url = f"/rounds/{round_id}/launch/preview/parents.html"
    assert preview_url in page
    post(client, f"/rounds/{round_id}/wording", invitation_intro="Our own words.", next="launch")
    preview = client.get(preview_url)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "Our own words." in html and "/r/your-own-link" in html
    assert "default-src 'none'" in preview.headers["Content-Security-Policy"]
    assert client.get(f"/rounds/{round_id}/launch/preview/martians.html").status_code == 404
    assert count(app, Invitation, round_id) == 0  # a preview invites nobody
