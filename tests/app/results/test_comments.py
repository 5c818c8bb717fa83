"""Comments (DESIGN.md 6.6): only for groups of k or more, random order, coordinators hide."""

from __future__ import annotations

import random
import re
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Comment, CommentPrompt, FeedbackRound, Role
from app.services.results import hide_comment, visible_comments
from app.services.synthetic import SyntheticComment
from tests.support import csrf_token, login

WELL = CommentPrompt.WORKS_WELL
BETTER = CommentPrompt.COULD_BE_BETTER


def said(*texts: str, section: str = "5") -> dict[int, list[SyntheticComment]]:
    prompts = [WELL, BETTER]
    return {n: [SyntheticComment(section, prompts[n % 2], text)] for n, text in enumerate(texts)}


@pytest.fixture
def commented(live_round, respond) -> uuid.UUID:
    """5.1: staff 8 (eight comments), parents 6 (two), partners 4 (one; under k = 5)."""
    rid = live_round(indicators=["5.1"], audiences=["staff", "partners", "parents"])
    respond(rid, "staff", {"a": 8}, comments=said(*(f"Staff remark {n}" for n in range(8))))
    respond(rid, "parents", {"a": 6}, comments=said("Parents remark A", "Parents remark B"))
    respond(rid, "partners", {"sa": 4}, comments=said("PARTNERS-ONLY-WORDS"))
    return rid


def _comments(app: Flask, rid: uuid.UUID, **kwargs):
    with app.app_context():
        return visible_comments(db.session.get(FeedbackRound, rid), **kwargs)


def test_each_group_of_k_or_more_gets_its_own_comments(app: Flask, commented) -> None:
    groups = {g.audience: g for g in _comments(app, commented, rng=random.Random(1))}
    assert sorted(c.text for c in groups["parents"].comments) == [
        "Parents remark A",
        "Parents remark B",
    ]
    assert len(groups["staff"].comments) == 8
    assert groups["partners"].suppressed and groups["partners"].comments == []
    every = [c.text for g in groups.values() for c in g.comments]
    assert "PARTNERS-ONLY-WORDS" not in every


def test_random_order_is_seedable_and_not_the_stored_order(app: Flask, commented) -> None:
    def order(seed: int) -> list[str]:
        groups = _comments(app, commented, audience="staff", rng=random.Random(seed))
        return [c.text for c in groups[0].comments]

    assert order(3) == order(3)
    orders = [order(seed) for seed in range(6)]
    assert all(sorted(o) == sorted(orders[0]) for o in orders)  # the same comments each time
    # 8! possible orders: six seeds agreeing, or all matching the stored order, is no shuffle
    assert len({tuple(o) for o in orders}) > 1
    with app.app_context():
        stored = [
            c.text
            for c in db.session.execute(
                select(Comment).where(Comment.round_id == commented).order_by(Comment.id)
            ).scalars()
            if c.text.startswith("Staff")
        ]
    assert any(o != stored for o in orders)


def test_hidden_comments_are_left_out_and_counted(app: Flask, commented) -> None:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, commented)
        target = db.session.execute(
            select(Comment.id).where(Comment.text == "Parents remark A")
        ).scalar_one()
        hide_comment(rnd, target)
        db.session.commit()
    parents = _comments(app, commented, audience="parents")[0]
    assert [c.text for c in parents.comments] == ["Parents remark B"]
    assert parents.hidden_count == 1


def test_comments_of_a_section_and_audience(app: Flask, commented) -> None:
    assert _comments(app, commented, section_id="2") == []
    only = _comments(app, commented, section_id="5", audience="parents")
    assert [g.audience for g in only] == ["parents"]


def test_hide_comment_refuses_a_comment_of_another_round(app: Flask, commented, live_round) -> None:
    other = live_round(name="Other round")
    with app.app_context():
        target = db.session.execute(
            select(Comment.id).where(Comment.text == "Parents remark A")
        ).scalar_one()
        with pytest.raises(LookupError):
            hide_comment(db.session.get(FeedbackRound, other), target)


def shown_part(html: str) -> str:
    """The page without the coordinators' list of hidden comments."""
    return re.sub(r'<details class="hidden-comments">.*?</details>', "", html, flags=re.S)


def _comment_id(app: Flask, text: str) -> uuid.UUID:
    with app.app_context():
        return db.session.execute(select(Comment.id).where(Comment.text == text)).scalar_one()


def test_coordinator_hides_a_comment_without_javascript(
    app: Flask, client: FlaskClient, coordinator, commented
) -> None:
    page = client.get(f"/results/{commented}/indicators/5.1").get_data(as_text=True)
    assert "Parents remark A" in page and "PARTNERS-ONLY-WORDS" not in page
    assert "Fewer than 5 responses: comments from this group are not shown." in page
    target = _comment_id(app, "Parents remark A")
    token = csrf_token(client, f"/results/{commented}")
    done = client.post(
        f"/results/{commented}/comments/{target}/hide",
        data={"csrf_token": token, "indicator_id": "5.1"},
    )
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/results/{commented}/indicators/5.1#comments")
    page = client.get(f"/results/{commented}/indicators/5.1").get_data(as_text=True)
    assert "Parents remark A" not in shown_part(page) and "Parents remark B" in page
    assert "1 comment hidden by a coordinator." in page
    assert "Hidden comments (1), seen only by coordinators" in page
    with app.app_context():
        assert db.session.get(Comment, target).text == "Parents remark A"  # hidden, not edited


def test_htmx_hide_returns_only_the_comments_block(
    app: Flask, client: FlaskClient, coordinator, commented
) -> None:
    target = _comment_id(app, "Staff remark 3")
    token = csrf_token(client, f"/results/{commented}")
    swapped = client.post(
        f"/results/{commented}/comments/{target}/hide",
        data={"indicator_id": "5.1"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert swapped.status_code == 200
    body = swapped.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="comments"')
    assert "<html" not in body and "Staff remark 4" in body
    assert "Staff remark 3" not in shown_part(body)
    assert "The comment is hidden." in body
    assert "PARTNERS-ONLY-WORDS" not in body


@pytest.mark.parametrize("role", [Role.SAT_MEMBER, Role.VIEWER])
def test_only_coordinators_hide_and_see_the_button(
    app: Flask, client: FlaskClient, make_user, commented, role: Role
) -> None:
    make_user("member@a.example", "Org A", role)
    login(client, "member@a.example")
    page = client.get(f"/results/{commented}/indicators/5.1").get_data(as_text=True)
    assert "Parents remark A" in page and "/hide" not in page
    target = _comment_id(app, "Parents remark A")
    token = csrf_token(client, "/")
    refused = client.post(
        f"/results/{commented}/comments/{target}/hide", data={"csrf_token": token}
    )
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.get(Comment, target).hidden is False


def test_hide_needs_csrf_and_the_comments_own_round(
    app: Flask, client: FlaskClient, coordinator, commented, live_round
) -> None:
    target = _comment_id(app, "Parents remark A")
    assert client.post(f"/results/{commented}/comments/{target}/hide").status_code == 400
    other = live_round(name="Another round of ours")
    token = csrf_token(client, "/")
    wrong = client.post(f"/results/{other}/comments/{target}/hide", data={"csrf_token": token})
    assert wrong.status_code == 404
    missing = client.post(
        f"/results/{commented}/comments/{uuid.uuid4()}/hide", data={"csrf_token": token}
    )
    assert missing.status_code == 404
    with app.app_context():
        assert db.session.get(Comment, target).hidden is False


def test_coordinator_shows_a_hidden_comment_again(
    app: Flask, client: FlaskClient, make_user, commented
) -> None:
    target = _comment_id(app, "Parents remark A")
    secret = _comment_id(app, "PARTNERS-ONLY-WORDS")
    with app.app_context():
        rnd = db.session.get(FeedbackRound, commented)
        hide_comment(rnd, target)
        hide_comment(rnd, secret)  # hidden in a group under k: never listed, even hidden
        db.session.commit()
    make_user("viewer@a.example", "Org A", Role.VIEWER)
    login(client, "viewer@a.example")
    page = client.get(f"/results/{commented}/indicators/5.1").get_data(as_text=True)
    assert "Parents remark A" not in page and "Hidden comments" not in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    make_user("coord@a.example", "Org A", Role.COORDINATOR)
    login(client, "coord@a.example")
    page = client.get(f"/results/{commented}/indicators/5.1").get_data(as_text=True)
    hidden = page[page.index("Hidden comments (1)") : page.index("</details>")]
    assert "Parents remark A" in hidden and "Show again" in hidden
    assert "PARTNERS-ONLY-WORDS" not in page
    token = csrf_token(client, f"/results/{commented}")
    swapped = client.post(
        f"/results/{commented}/comments/{target}/show",
        data={"indicator_id": "5.1"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    ).get_data(as_text=True)
    assert "The comment is shown again." in swapped and "Hidden comments" not in swapped
    with app.app_context():
        assert db.session.get(Comment, target).hidden is False
        assert db.session.get(Comment, secret).hidden is True
