"""The insider's attack on age bands (issue 20, DESIGN.md 6): a small band is never pooled with
another band (or adults), never released in a batch smaller than k, never changes any view
while below k, and cannot be inferred from totals once the round closes.

Children answer through the real respondent pages, by the round's shared children's link
(choosing their band on the welcome page). Every staff view of the round is read (pages,
HTMX fragments, CSVs, workbooks read back with openpyxl, the API, the CLI), as in
tests/app/anonymity/test_differencing.py.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.invitations.common import audience_labels
from app.models import FeedbackRound, OpenLink, Response, Role, SealedSubmission
from app.services import abuse
from app.services.accounts import find_user_by_email, get_or_create_organisation
from app.services.api_tokens import create_token
from app.services.launch import launch
from app.services.mix import release_waiting
from app.services.responding import clear_shape_cache, today
from app.services.results import close_round
from app.services.rounds import RoundSettings, create_round
from tests.app.anonymity import snapshots
from tests.app.anonymity.snapshots import Snapshot, Viewers
from tests.app.respond.helpers import Browser, hidden_fields, page_fields
from tests.support import login

K = 3
ORG = "Org A"
BANDS = ("under_8", "8_to_12", "13_plus")
# How many answer in each band: the under-8s stay below k, the others reach it.
ANSWERING = {"13_plus": 4, "8_to_12": 3, "under_8": 2}


@pytest.fixture(autouse=True)
def _fresh_shape_cache() -> Iterator[None]:
    clear_shape_cache()
    yield
    clear_shape_cache()


@pytest.fixture
def patient(monkeypatch: pytest.MonkeyPatch, app: Flask) -> None:
    real = abuse._now
    monkeypatch.setattr(abuse, "_now", lambda: real() + 60)
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "1000000 per minute")


def _launch(app: Flask) -> tuple[uuid.UUID, str]:
    with app.app_context():
        org = get_or_create_organisation(ORG)
        rnd = create_round(
            org,
            RoundSettings(
                name="Age bands round",
                framework_id="hmie-children-services",
                indicator_ids=["2.1"],
                audiences=["children"],
                opens_on=today() - timedelta(days=1),
                closes_on=today() + timedelta(days=30),
                threshold=K,
                free_text=True,
                children_bands=list(BANDS),
            ),
        )
        launch(rnd, secret=app.config["SECRET_KEY"], labels=audience_labels(rnd), today=today())
        db.session.commit()
        code = db.session.execute(
            select(OpenLink.code).where(
                OpenLink.round_id == rnd.id, OpenLink.audience == "children"
            )
        ).scalar_one()
        return rnd.id, code


def _answer(app: Flask, code: str, band: str, n: int, rng: random.Random) -> None:
    """One child on their own phone: the shared link, their band, every page, send."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.0.{BANDS.index(band)}.{n + 1}"
    phone = Browser(client)
    phone.enter(f"/o/{code}")
    assert "How old are you?" in phone.text
    phone.follow(phone.post(phone.form_action(), {"band": band}))
    phone.start()
    for _ in range(100):
        data = {k: v for k, v in hidden_fields(phone.html).items() if k != "csrf_token"}
        for name, options in page_fields(phone.html)["radios"].items():
            data[name] = rng.choice(options)
        for name in page_fields(phone.html)["texts"]:
            data[name] = f"[{snapshots.marker(f'children_{band}', n, 'a')}] fun"
        sending = "/send" in phone.form_action()
        data["nav"] = "send" if sending else "next"
        response = phone.post(phone.form_action(), data)
        assert response.status_code == 303, phone.text[:500]
        phone.follow(response)
        if sending:
            return
    raise AssertionError("the questionnaire never ended")


def _counts(app: Flask, round_id: uuid.UUID, model: type) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            select(model.audience, func.count())  # type: ignore[attr-defined]
            .where(model.round_id == round_id)  # type: ignore[attr-defined]
            .group_by(model.audience)  # type: ignore[attr-defined]
        ).all()
        return {audience: n for audience, n in rows}


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def _token(app: Flask) -> str:
    with app.app_context():
        org = get_or_create_organisation(ORG)
        user = find_user_by_email("coord@a.example")
        assert user is not None
        made = create_token(org.id, user, "Dashboard", ["read_results"], 30)
        db.session.commit()
        return made.secret


def _differences(a: Snapshot, b: Snapshot) -> list[str]:
    return sorted(
        name
        for name in set(a.views) | set(b.views)
        if a.views.get(name) != b.views.get(name) and not name.startswith("GET /api/v1/audit")
    )


def test_a_small_band_is_never_pooled_released_early_or_inferable(
    app: Flask, make_user: Callable[..., object], patient: None
) -> None:
    make_user("coord@a.example", ORG, Role.COORDINATOR)
    make_user("viewer@a.example", ORG, Role.VIEWER)
    round_id, code = _launch(app)
    groups = [f"children_{b}" for b in BANDS]
    viewers = Viewers(
        app=app,
        round_id=round_id,
        coordinator=_signed_in(app, "coord@a.example"),
        viewer=_signed_in(app, "viewer@a.example"),
        indicator_ids=["2.1"],
        audiences=groups,
        org_name=ORG,
        api_token=_token(app),
    )
    rng = random.Random(20)
    for band in ("13_plus", "8_to_12"):
        for n in range(ANSWERING[band]):
            _answer(app, code, band, n, rng)
            with app.app_context():
                release_waiting(round_id)
    # Each band released as a group of its own, in batches of at least k.
    released = _counts(app, round_id, Response)
    assert set(released) <= {"children_13_plus", "children_8_to_12"}
    assert all(n >= K for n in released.values()), released

    # Snapshot, then one under-8 child answers (and the release step runs): nothing moves.
    before = snapshots.take(viewers, full=True)
    assert not before.errors, before.errors
    for n in range(ANSWERING["under_8"]):
        _answer(app, code, "under_8", n, rng)
        with app.app_context():
            release_waiting(round_id)
        assert _counts(app, round_id, SealedSubmission).get("children_under_8") == n + 1
        assert "children_under_8" not in _counts(app, round_id, Response)
        after = snapshots.take(viewers, full=True)
        moved = {
            name: snapshots.changed_blocks(before.views[name], after.views[name])
            for name in _differences(before, after)
        }
        # Response counts are not answers (DESIGN.md 6.6): the round's "waiting" total may
        # move; nothing about the band itself may, and no answer-derived view at all.
        answers = {n: m for n, m in moved.items() if not snapshots.is_count_view(n)}
        assert not answers, answers
        for name, (gone, added) in moved.items():
            about = [b for b in gone + added if "under 8" in b or "under_8" in b]
            assert not about, (name, about)

    # The round closes: the under-8s are released (everything left), and still shown nowhere.
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        close_round(rnd)
        db.session.commit()
    assert _counts(app, round_id, Response)["children_under_8"] == ANSWERING["under_8"]
    final = snapshots.take(viewers, full=True)
    results = final.results_json
    assert results is not None
    shown = final.shown_respondents()
    assert set(shown) == set(groups)  # every band its own group; no "children" pooled
    assert shown["children_under_8"] == 0
    assert shown["children_13_plus"] == ANSWERING["13_plus"]
    assert shown["children_8_to_12"] == ANSWERING["8_to_12"]
    total = results["total_respondents"]
    assert total is None or total - sum(shown.values()) not in range(1, K), total
    # No column, item or indicator cell pools bands, and the small band has no figure.
    assert {c["audience"] for c in results["columns"]} <= set(groups)
    assert {i["audience"] for i in results["items"]} <= set(groups)
    for indicator in results["indicators"]:
        assert "children" not in indicator["cells"]
        cell = indicator["cells"].get("children_under_8")
        assert cell is None or cell.get("percent_favourable") is None, cell
    for item in results["items"]:
        if item["audience"] == "children_under_8":
            assert not any(item.get("counts", {}).values()), item
    # No comment of the small band appears anywhere; the larger bands' may.
    markers = final.markers()
    assert not {m for m in markers if "children_under_8" in m}, markers
    # The workbook has each band apart (read back with openpyxl through the snapshot).
    sheets = " ".join(name for name in final.views if "workbook" in name or ".xlsx" in name)
    assert sheets
