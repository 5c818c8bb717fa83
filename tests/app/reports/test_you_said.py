"""'You said, we did': off by default, published only after close, final figures of groups of at
least k only, no comment ever, coordinators write it and others read it."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Questionnaire, Role, RoundNotice
from app.services.results import close_round, round_results
from tests.app.exports.conftest import HIDDEN_COMMENT, SECRET_COMMENT, load_round
from tests.app.reports.readback import flat, pdf_text
from tests.support import csrf_token, login


def _questionnaire(app: Flask, round_id: uuid.UUID, audience: str = "parents") -> uuid.UUID:
    with app.app_context():
        return db.session.execute(
            select(Questionnaire.id).where(
                Questionnaire.round_id == round_id, Questionnaire.audience == audience
            )
        ).scalar_one()


def _post(client: FlaskClient, round_id: uuid.UUID, **form: Any) -> Any:
    data = {"csrf_token": csrf_token(client), "heard": "", "doing": "", **form}
    return client.post(f"/results/{round_id}/you-said-we-did", data=data)


def _close(app: Flask, round_id: uuid.UUID) -> None:
    with app.app_context():
        close_round(load_round(round_id))
        db.session.commit()


def test_unpublished_until_the_round_closes_then_public_with_final_figures_only(
    app: Flask, client: FlaskClient, seeded_round: uuid.UUID
) -> None:
    public = f"/q/{_questionnaire(app, seeded_round)}/you-said-we-did"
    assert client.get(public).status_code == 404  # off by default
    live = _post(
        client, seeded_round, heard="HEARD-TEXT", indicator_ids=["2.1", "4.1"], published="yes"
    )
    assert live.status_code == 422
    assert "Publish once the round has closed" in live.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(RoundNotice)).first() is None  # nothing changed

    _close(app, seeded_round)
    saved = _post(
        client,
        seeded_round,
        heard="HEARD-TEXT",
        doing="DOING-TEXT",
        indicator_ids=["2.1", "4.1"],
        published="yes",
    )
    assert saved.status_code == 303
    anonymous = app.test_client()
    page = anonymous.get(public)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "HEARD-TEXT" in html and "DOING-TEXT" in html
    with app.app_context():
        results = round_results(load_round(seeded_round))
        entry = db.session.execute(select(AuditEntry.action)).scalars().all()
    assert "notice.published" in entry
    indicator = results.indicator("2.1")
    for cell in indicator.cells.values():
        assert cell.shown
        assert cell.evidence in html
    community = results.indicator("4.1").cells["community"]
    assert (
        community.suppressed
        and "Community" not in html.split("What we will do")[0].split("4.1")[-1]
    )
    for secret in (SECRET_COMMENT, HIDDEN_COMMENT, "Staff comment", "Parent 0"):
        assert secret not in html
    pdf = anonymous.get(public + ".pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "HEARD-TEXT" in text and flat(indicator.cells["parents"].evidence) in text
    assert SECRET_COMMENT not in text

    # Withdrawn: the public page is gone again.
    assert _post(client, seeded_round, heard="HEARD-TEXT").status_code == 303
    assert anonymous.get(public).status_code == 404


def test_bad_input_and_roles(
    app: Flask, client: FlaskClient, seeded_round: uuid.UUID, make_user: Any
) -> None:
    _close(app, seeded_round)
    bad = _post(client, seeded_round, heard="x", indicator_ids=["9.9"])
    assert bad.status_code == 422 and "Choose indicators from the list" in bad.get_data(
        as_text=True
    )
    too_long = _post(client, seeded_round, heard="x" * 5001)
    assert too_long.status_code == 422
    empty = _post(client, seeded_round, published="yes")
    assert empty.status_code == 422
    make_user("viewer@a.example", "Org A", Role.VIEWER)
    viewer = app.test_client()
    login(viewer, "viewer@a.example")
    assert viewer.get(f"/results/{seeded_round}/you-said-we-did").status_code == 200
    refused = viewer.post(
        f"/results/{seeded_round}/you-said-we-did",
        data={"csrf_token": csrf_token(viewer), "heard": "mine"},
    )
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.execute(select(RoundNotice)).first() is None


def test_the_public_page_of_another_questionnaire_id_is_404(app: Flask) -> None:
    client = app.test_client()
    assert client.get(f"/q/{uuid.uuid4()}/you-said-we-did").status_code == 404
    assert client.get(f"/q/{uuid.uuid4()}/you-said-we-did.pdf").status_code == 404
