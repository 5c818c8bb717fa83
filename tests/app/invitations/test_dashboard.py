"""The response-rate dashboard: counts per audience, HTMX polling, sending progress."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Channel, Response
from tests.app.invitations.builders import complete, invitation_by_email, launched_round, work
from tests.smtp import SmtpServer


def _row(html: str, label: str) -> list[str]:
    match = re.search(rf'<th scope="row">{label}</th>(.*?)</tr>', html, re.S)
    assert match, label
    return re.findall(r'<td class="num">(\d+)', match.group(1))


def test_counts_per_audience_with_rates_and_open_link_responses(
    app: Flask,
    smtp: SmtpServer,
    client: FlaskClient,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    round_id = launched_round(app, {"parents": 8, "staff": 2})
    smtp.handler.refuse["staff1@example.org"] = "550 unknown"
    work(app)
    for n in range(6):
        complete(app, invitation_by_email(app, f"parents{n}@example.org").id)
    with app.app_context():
        for _ in range(5):
            db.session.add(Response(round_id=round_id, audience="staff", channel=Channel.OPEN_LINK))
        db.session.commit()
    html = client.get(f"/rounds/{round_id}/responses").get_data(as_text=True)
    # invited, delivered, by email, open link, paper, kiosk, received
    assert _row(html, "Parents and carers") == ["8", "8", "6", "0", "0", "0", "6"]
    assert _row(html, "Staff") == ["2", "1", "0", "5", "0", "0", "5"]
    assert "1 not delivered" in html
    assert "6 of 8 (75%)" in html  # the bar's text: never colour alone
    assert '<progress value="6" max="8"' in html
    assert "11 answers received; results update in steps of at least 5 people" in html


def test_small_groups_are_hidden_with_their_total(
    app: Flask,
    no_smtp: None,
    client: FlaskClient,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    round_id = launched_round(app, {"parents": 30, "staff": 6})
    for n in range(12):
        complete(app, invitation_by_email(app, f"parents{n}@example.org").id)
    for n in range(4):
        complete(app, invitation_by_email(app, f"staff{n}@example.org").id)
    for headers in ({}, {"HX-Request": "true"}):  # the page and its HTMX fragment
        html = client.get(f"/rounds/{round_id}/responses", headers=headers).get_data(as_text=True)
        partners = re.search(r'<th scope="row">Staff</th>(.*?)</tr>', html, re.S)
        assert partners and "Fewer than 5" in partners.group(1)
        assert not re.search(r">\s*4\s*<", partners.group(1))
        assert _row(html, "Parents and carers")[-1] == "12"
        total = re.search(r'<th scope="row">All</th>(.*?)</tr>', html, re.S)
        assert total and "16" not in total.group(1)
        assert "Not shown (protects a smaller group)" in total.group(1)
        assert "16 answers" not in html and "4 completed" not in html


def test_htmx_polls_the_figures_block_and_can_be_stopped(
    app: Flask,
    client: FlaskClient,
    coordinator,
    no_smtp,  # type: ignore[no-untyped-def]
) -> None:
    round_id = launched_round(app, {"parents": 2})
    page = client.get(f"/rounds/{round_id}/responses")
    html = page.get_data(as_text=True)
    assert 'hx-trigger="every 5s"' in html and 'hx-swap="outerHTML"' in html
    assert "Refresh the figures" in html and "Stop automatic updates" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert "kept on the" in html  # no mail server: where the invitations are

    block = client.get(f"/rounds/{round_id}/responses", headers={"HX-Request": "true"})
    fragment = block.get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="figures"') and "<html" not in fragment
    assert "HX-Request" in block.headers["Vary"]

    stopped = client.get(f"/rounds/{round_id}/responses?live=0").get_data(as_text=True)
    assert "hx-trigger" not in stopped and "Update automatically" in stopped


def test_sending_progress_while_the_outbox_drains(
    app: Flask,
    smtp: SmtpServer,
    client: FlaskClient,
    coordinator,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 3)
    round_id = launched_round(app, {"parents": 5})
    html = client.get(f"/rounds/{round_id}/responses").get_data(as_text=True)
    assert '<progress value="0" max="5"' in html and "5 still to send" in html
    from app.mail import outbox

    with app.app_context():
        outbox.process_batch("w")
    html = client.get(f"/rounds/{round_id}/responses").get_data(as_text=True)
    assert '<progress value="3" max="5"' in html and "3 sent, 2 still to send" in html


def test_other_roles_see_neither_the_dashboard_nor_the_per_person_list(
    app: Flask,
    client: FlaskClient,
    make_user,  # type: ignore[no-untyped-def]
) -> None:
    from app.models import Role
    from tests.support import login

    round_id = launched_round(app, {"parents": 1})
    for role in (Role.SAT_MEMBER, Role.VIEWER):
        email = f"{role.value}@a.example"
        make_user(email, "Org A", role)
        client = app.test_client()
        login(client, email)
        # Live counts that move one person at a time are a coordinator's tool: results only.
        assert client.get(f"/rounds/{round_id}/responses").status_code == 403
        assert client.get(f"/rounds/{round_id}/reminders").status_code == 403
        assert client.get(f"/rounds/{round_id}/invitations").status_code == 403
        assert client.get(f"/rounds/{round_id}/invitations.csv").status_code == 403
        assert client.get("/rounds/outbox").status_code == 403
