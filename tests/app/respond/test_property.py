"""Arbitrary form bodies at the page and send endpoints: never a 500, never a bad response."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.models import (
    Answer,
    Channel,
    Comment,
    Invitation,
    InvitationStatus,
    QuestionItem,
    Questionnaire,
    Response,
)
from surveys.questionnaire import FREE_TEXT_MAX_CHARS, ROLE_QUESTIONS
from surveys.scales import get_scale
from tests.app.respond.helpers import Browser, Launched, add_open_link, invite, questionnaire_items
from tests.support import release_all

CODES = ["sa", "a", "d", "sd", "dk", "happy", "ok", "sad", "", "x", "under_5", "prefer_not_to_say"]
CODES += ["1"]  # the check page's and a changed page's hidden fields (issue 20)
NAVS = ["next", "back", "save", "send", "start", "", "restart", "nonsense"]


def _text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(CODES),
        st.text(max_size=40),
        st.text(alphabet="ab\n\r\x00\u00e9\u4e2d\U0001f600 ", min_size=990, max_size=1010),
    )


def _bodies(names: list[str]) -> st.SearchStrategy[dict[str, object]]:
    keys = st.one_of(
        st.sampled_from(names),
        st.sampled_from(["nav", "role", "hp_note", "t", "csrf_token", "a-", "ft-"]),
        st.sampled_from(["check", "change"]),
        st.text(max_size=12),
        st.builds(lambda: f"a-{uuid.uuid4()}"),
    )
    values = st.one_of(_text(), st.lists(st.sampled_from(CODES), min_size=2, max_size=3))
    return st.dictionaries(keys, values, max_size=12)


def _check_invariants(app: Flask, launched: Launched) -> None:
    """Every stored response is complete, on its scales, and counted against one invitation."""
    release_all(app)
    with app.app_context():
        items = {
            str(i.id): (i, q.audience)
            for i, q in db.session.execute(
                select(QuestionItem, Questionnaire).join(
                    Questionnaire, QuestionItem.questionnaire_id == Questionnaire.id
                )
            ).all()
        }
        per_audience = {}
        for item, audience in items.values():
            per_audience.setdefault(audience, set()).add(str(item.id))
        for response in db.session.execute(select(Response)).scalars():
            answers = {
                str(a.item_id): a.value
                for a in db.session.execute(
                    select(Answer).where(Answer.response_id == response.id)
                ).scalars()
            }
            assert set(answers) == per_audience[response.audience]
            for item_id, value in answers.items():
                assert value in get_scale(items[item_id][0].scale_id).codes
            if response.role is not None:
                codes = {o.code for o in ROLE_QUESTIONS[response.audience].options}
                assert response.role in codes
        for comment in db.session.execute(select(Comment)).scalars():
            assert 0 < len(comment.text) <= FREE_TEXT_MAX_CHARS
            assert "\x00" not in comment.text
        email = db.session.execute(
            select(func.count()).select_from(Response).where(Response.channel == Channel.EMAIL)
        ).scalar_one()
        completed = db.session.execute(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.status == InvitationStatus.COMPLETED)
        ).scalar_one()
        assert email == completed


def _fuzz(
    app: Flask, launched: Launched, entry_url: str, prefill: bool, target: str, body: dict
) -> None:
    limiter.reset()
    phone = Browser(app.test_client())
    phone.enter(entry_url)
    phone.start()
    if prefill:
        phone.reach_last_page()
    base = f"/q/{launched.questionnaires['parents']}"
    url = f"{base}/send" if target == "send" else f"{base}/page/{target}"
    data = dict(body)
    if "csrf_token" not in data:
        data["csrf_token"] = phone.csrf()
    response = phone.client.post(url, data=data)
    assert response.status_code < 500, (url, data, response.get_data(as_text=True)[:400])
    _check_invariants(app, launched)


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("channel", ["email", "open_link"])
def test_arbitrary_bodies_never_break_the_rules(
    app: Flask, launched: Launched, channel: str, patient: None
) -> None:
    names = [f"a-{i}" for i in questionnaire_items(app, launched.questionnaires["parents"])]
    names += ["ft-0-works_well", "ft-1-could_be_better", "ft-2-works_well"]
    code = add_open_link(app, launched.round_id) if channel == "open_link" else ""

    @SETTINGS
    @given(
        prefill=st.booleans(),
        target=st.sampled_from(["1", "2", "3", "send", "99"]),
        body=_bodies(names),
    )
    def run(prefill: bool, target: str, body: dict) -> None:
        entry = f"/o/{code}" if code else f"/r/{invite(app, launched.round_id)}"
        _fuzz(app, launched, entry, prefill, target, body)

    run()


def test_a_complete_fuzzed_send_is_stored_correctly(app: Flask, launched: Launched) -> None:
    """The property test's invariants, checked on a send known to be stored."""

    @settings(max_examples=15, deadline=None)
    @given(
        role=st.sampled_from([o.code for o in ROLE_QUESTIONS["parents"].options]),
        extra=st.dictionaries(st.sampled_from(["hp_note", "t", "x"]), _text(), max_size=2),
    )
    def run(role: str, extra: dict) -> None:
        limiter.reset()
        phone = Browser(app.test_client())
        phone.enter(f"/r/{invite(app, launched.round_id)}")
        phone.start()
        phone.reach_last_page("dk")
        response = phone.post(phone.form_action(), {**extra, "role": role, "nav": "send"})
        assert response.status_code == 303
        _check_invariants(app, launched)

    run()
