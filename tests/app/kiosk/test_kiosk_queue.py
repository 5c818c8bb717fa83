"""A kiosk offline all day: grants from /kiosk/offline, queued answers through the offline
half's endpoint service (`take`), and revocation decided by the grant's day alone."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Channel, Response, User
from app.services import kiosks
from app.services.offline import Body, issue_grant, read_grant, take
from app.services.responding import load_survey, today
from tests.app.kiosk.conftest import Event, create_kiosk, grant_claim, kiosk_row, pair
from tests.app.respond.helpers import Browser, add_open_link, launch_round
from tests.support import release_all


def _answers(app: Flask, event: Event) -> dict[str, str]:
    with app.app_context():
        survey = load_survey(event.questionnaire_id)
        assert survey is not None
        answers: dict[str, str] = {}
        for page in survey.shape.pages:
            for item in page.items:
                answers[item.field] = item.scale.options[0].code
            if page.role:
                answers["role"] = page.role.options[0].code
        return answers


def _kit(tablet: Browser, want: int) -> dict:
    response = tablet.client.get(f"/kiosk/offline?want={want}")
    assert response.status_code == 200, response.status_code
    assert response.headers["Cache-Control"] == "no-store"
    kit = response.get_json()
    assert all(isinstance(g, str) for g in kit["grants"]), kit["grants"]  # bare grants
    # The tablet reads each grant's submission id from its payload.
    kit["grants"] = [{"grant": g, "submission_id": _sid(g)} for g in kit["grants"]]
    return kit


def _sid(grant: str) -> str:
    """As app/static/js/kiosk.js does: the grant's own `s` (never sent twice over the wire)."""
    return grant_claim(grant, "s")


def _take(app: Flask, event: Event, grant: str, sid: str, answers: dict[str, str], on=None):
    with app.app_context():
        import uuid

        answer = take(
            event.questionnaire_id, Body(grant, uuid.UUID(sid), answers, None), on=on or today()
        )
        if answer.stored:
            db.session.commit()
        else:
            db.session.rollback()
        return answer


def _kiosk_responses(app: Flask) -> int:
    release_all(app)
    with app.app_context():
        return len(
            db.session.execute(select(Response).where(Response.channel == Channel.KIOSK)).all()
        )


def test_the_offline_kit_holds_blank_pages_and_kiosk_grants(
    app: Flask, tablet: Browser, event: Event
) -> None:
    kit = _kit(tablet, 5)
    assert kit["q"] == event.questionnaire_id.hex
    assert kit["queue"] == f"/q/{event.questionnaire_id}/queued"
    assert len(kit["pages"]) >= 2 and all("data-kiosk-form" in p["html"] for p in kit["pages"])
    assert not any("checked" in p["html"] for p in kit["pages"])  # blank, the same for all
    assert len({g["submission_id"] for g in kit["grants"]}) == 5
    kiosk = kiosk_row(app)
    with app.app_context():
        grant = read_grant(kit["grants"][0]["grant"])
    assert grant.channel == Channel.KIOSK and grant.extra == {"k": kiosk.id.hex}
    assert grant.day == today() and grant.submission_id.hex == kit["grants"][0]["submission_id"]
    assert len(_kit(tablet, 10_000)["grants"]) == kiosks.GRANT_POOL  # never more than the pool
    assert _kit(tablet, "lots")["grants"] == []  # type: ignore[arg-type]


def test_queued_kiosk_answers_are_stored_once(app: Flask, tablet: Browser, event: Event) -> None:
    answers = _answers(app, event)
    grants = _kit(tablet, 3)["grants"]
    for g in grants:
        assert _take(app, event, g["grant"], g["submission_id"], answers).code == "stored"
    again = _take(app, event, grants[0]["grant"], grants[0]["submission_id"], answers)
    assert again.code == "already_received"
    assert _kiosk_responses(app) == 3


def test_a_revoked_kiosks_queue_is_accepted_up_to_the_revocation_day(
    app: Flask, client: FlaskClient, coordinator: User, tablet: Browser, event: Event
) -> None:
    answers = _answers(app, event)
    grants = _kit(tablet, 2)["grants"]
    kiosk = kiosk_row(app)
    response = client.post(
        f"/rounds/{event.launched.round_id}/kiosks/{kiosk.id}",
        data={"action": "revoke", "confirm": "yes", "csrf_token": _csrf(client)},
    )
    assert response.status_code == 303
    # Made before the revocation (a grant of the revocation day or earlier), sent after it,
    # even days later: accepted.
    later = today() + timedelta(days=2)
    assert _take(app, event, grants[0]["grant"], grants[0]["submission_id"], answers, later).stored
    # A grant dated after the revocation cannot have been given to this kiosk: refused.
    with app.app_context():
        import uuid

        sid = uuid.uuid4()
        forged_day = issue_grant(
            questionnaire_id=event.questionnaire_id,
            round_id=event.launched.round_id,
            submission_id=sid,
            channel=Channel.KIOSK,
            on=today() + timedelta(days=1),
            extra={"k": kiosk.id.hex},
        )
    refused = _take(app, event, forged_day, sid.hex, answers, later)
    assert (refused.status, refused.code) == (403, "kiosk_revoked")
    assert _kiosk_responses(app) == 1
    # And the revoked tablet gets no more grants.
    assert tablet.client.get("/kiosk/offline?want=3").status_code == 410


def _csrf(client: FlaskClient) -> str:
    from tests.support import csrf_token

    return csrf_token(client, "/")


def test_a_grant_for_an_unknown_or_other_rounds_kiosk_is_refused(
    app: Flask, client: FlaskClient, coordinator: User, tablet: Browser, event: Event
) -> None:
    answers = _answers(app, event)
    other = launch_round(app, "Org A")
    add_open_link(app, other.round_id, "parents")
    import uuid

    with app.app_context():
        for kiosk_hex in (uuid.uuid4().hex, "not-hex", None):
            sid = uuid.uuid4()
            grant = issue_grant(
                questionnaire_id=event.questionnaire_id,
                round_id=event.launched.round_id,
                submission_id=sid,
                channel=Channel.KIOSK,
                on=today(),
                extra={"k": kiosk_hex},
            )
            answer = take(event.questionnaire_id, Body(grant, sid, answers, None), on=today())
            assert (answer.status, answer.code) == (403, "kiosk_revoked"), kiosk_hex
            db.session.rollback()
        # A kiosk of this round cannot vouch for another round's answers.
        sid = uuid.uuid4()
        theirs = other.questionnaires["parents"]
        grant = issue_grant(
            questionnaire_id=theirs,
            round_id=other.round_id,
            submission_id=sid,
            channel=Channel.KIOSK,
            on=today(),
            extra={"k": kiosk_row(app).id.hex},
        )
        answer = take(theirs, Body(grant, sid, answers, None), on=today())
        assert (answer.status, answer.code) == (403, "kiosk_revoked")
        db.session.rollback()
    assert _kiosk_responses(app) == 0


def test_the_grant_pool_is_rate_limited_per_kiosk(
    app: Flask, client: FlaskClient, coordinator: User, tablet: Browser, event: Event
) -> None:
    app.config["KIOSK_GRANT_RATE_LIMIT"] = "2 per hour"
    try:
        assert tablet.client.get("/kiosk/offline?want=1").status_code == 200
        assert tablet.client.get("/kiosk/offline?want=1").status_code == 200
        assert tablet.client.get("/kiosk/offline?want=1").status_code == 429
        other = pair(app, create_kiosk(client, event, "Gala day tablet 2"))
        assert other.client.get("/kiosk/offline?want=1").status_code == 200
    finally:
        app.config.pop("KIOSK_GRANT_RATE_LIMIT")


def test_the_kit_carries_a_blank_check_page_for_the_tablet_to_fill(
    app: Flask, tablet: Browser, event: object
) -> None:
    tablet.start()  # a person part-way through: nothing of theirs is in the kit
    tablet.follow(tablet.submit_page("next", "sa"))
    kit = _kit(tablet, 1)
    check = kit["check"]["html"]
    assert check.lstrip().startswith('<div id="survey"') and "<html" not in check
    assert "Check your answers" in check and 'name="check" value="1"' in check
    assert "data-kiosk-form" in check and "data-offline-q" not in check
    # A frame: where each page's rows go, and one row to copy; no statement, field or answer
    # (the tablet builds the rows from the blank pages above and the answers in its memory).
    assert [f'data-rows="{n}"' in check for n in range(1, len(kit["pages"]) + 1)] == [True] * len(
        kit["pages"]
    )
    assert check.count('<div class="sl-r">') == 1 and "<template data-check-row>" in check
    fields = {f for page in kit["pages"] for f in re.findall(r'name="(a-[^"]+)"', page["html"])}
    assert fields and not any(f in check for f in fields)
    assert "Not answered" in check and "Nothing written" in check
    assert "data-offline-scale" not in check
    # Every page's form goes to its own address: the last one's Continue leads to the check.
    assert all("/send" not in page["html"] for page in kit["pages"])
