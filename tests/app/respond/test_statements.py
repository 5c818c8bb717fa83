"""What a respondent's requests cost the database: a regression here fails the budget.

A launched questionnaire is frozen, so its pages need nothing from the database once a process
holds its shape and (for a few seconds) its round's facts: no statement, no connection taken,
so no BEGIN, no pool pre-ping and no ROLLBACK. Entering by a link and sending do need it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text, update
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models import FeedbackRound, RoundStatus
from app.services.responding import survey as survey_module
from tests.app.respond.helpers import Browser, Launched, invite, set_round
from tests.app.respond.test_htmx_flow import HtmxBrowser, walk_htmx

# Budgets (statements; a connection is taken only when one runs). Entering by an invitation
# reads the invitation, its round, the questionnaire and any saved draft; sending checks the
# submission id is unspent, reads the round under lock, claims the invitation, spends the id,
# seals the answers and deletes any draft.
ENTRY_MAX = 4
SEND_MAX = 6


@dataclass
class Tally:
    statements: list[str] = field(default_factory=list)
    checkouts: int = 0


@contextmanager
def counting(app: Flask) -> Iterator[Tally]:
    """Every SQL statement the app sends, and every connection it takes from the pool."""
    tally = Tally()
    with app.app_context():
        engine = db.engine

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        tally.statements.append(sql.split(None, 1)[0].upper())

    def checkout(*_args: Any) -> None:
        tally.checkouts += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine.pool, "checkout", checkout)
    try:
        yield tally
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine.pool, "checkout", checkout)


class CountingClient(FlaskClient):
    """A test client that records (method, path, statements, connections taken) per request."""

    log: list[tuple[str, str, int, int]]

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with counting(self.application) as tally:
            response = super().open(*args, **kwargs)
        request = response.request
        self.log.append((request.method, request.path, len(tally.statements), tally.checkouts))
        return response


def _client(app: Flask) -> CountingClient:
    client = CountingClient(app, app.response_class, use_cookies=True)
    client.log = []
    return client


def _respond(app: Flask, launched: Launched, flow: type[Browser]) -> CountingClient:
    client = _client(app)
    phone = flow(client)
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    phone.start()
    if isinstance(phone, HtmxBrowser):
        walk_htmx(phone, f"/q/{launched.questionnaires['parents']}")
    else:
        phone.complete("a")
    assert "Thank you" in phone.html
    return client


def _costs(log: list[tuple[str, str, int, int]]) -> dict[str, list[tuple[int, int]]]:
    kinds: dict[str, list[tuple[int, int]]] = {}
    for method, path, statements, checkouts in log:
        kind = (
            "entry"
            if path.startswith("/r/")
            else "send"
            if method == "POST" and path.endswith("/send")
            else f"{method} page"
        )
        kinds.setdefault(kind, []).append((statements, checkouts))
    return kinds


@pytest.mark.parametrize("flow", [Browser, HtmxBrowser], ids=["plain", "htmx"])
def test_pages_of_a_launched_questionnaire_run_no_sql(
    app: Flask, launched: Launched, flow: type[Browser]
) -> None:
    _respond(app, launched, flow)  # the first visit fills the caches
    phone = _respond(app, launched, flow)
    costs = _costs(phone.log)
    assert set(costs) == {"entry", "GET page", "POST page", "send"}, phone.log
    # Every page shown and every page answered: not one statement, not one connection.
    assert costs["GET page"] and all(c == (0, 0) for c in costs["GET page"]), phone.log
    assert costs["POST page"] and all(c == (0, 0) for c in costs["POST page"]), phone.log
    [(entry, entry_conns)] = costs["entry"]
    [(send, send_conns)] = costs["send"]
    assert 1 <= entry <= ENTRY_MAX and entry_conns == 1, phone.log
    assert 1 <= send <= SEND_MAX and send_conns == 1, phone.log


def test_after_the_facts_expire_a_page_reads_the_round_once(
    app: Flask, launched: Launched, monkeypatch: pytest.MonkeyPatch
) -> None:
    _respond(app, launched, Browser)
    monkeypatch.setattr(survey_module, "FACTS_SECONDS", 0.0)
    survey_module._facts.clear()  # the shape stays held: frozen
    client = _client(app)
    phone = Browser(client)
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    phone.start()
    pages = [cost for method, _, *cost in client.log[1:] if method == "GET"]
    assert pages and all(cost == [1, 1] for cost in pages), client.log


def test_a_round_closed_by_this_process_is_seen_at_once(app: Flask, launched: Launched) -> None:
    phone = Browser(app.test_client())
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    phone.start()
    page = phone.locations[-1]
    set_round(app, launched.round_id, status=RoundStatus.CLOSED)
    assert phone.get(page).status_code == 410


def test_a_round_closed_elsewhere_refuses_the_send_though_pages_still_show(
    app: Flask, launched: Launched
) -> None:
    """Another process closed the round (no event here): the held facts may show pages for a
    few seconds, but sending re-reads the round under lock and refuses, storing nothing."""
    phone = Browser(app.test_client())
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    phone.start()
    phone.reach_last_page("a")
    with app.app_context():
        url = db.engine.url
    other = create_engine(make_url(str(url.render_as_string(hide_password=False))))
    with other.begin() as conn:
        conn.execute(
            update(FeedbackRound)
            .where(FeedbackRound.id == launched.round_id)
            .values(status=RoundStatus.CLOSED)
        )
    other.dispose()
    assert phone.get(phone.locations[-1]).status_code == 200  # held for FACTS_SECONDS
    response = phone.submit_page("send", "a")
    assert response.status_code == 410
    with app.app_context():
        sealed = db.session.execute(text("SELECT count(*) FROM sealed_submission")).scalar_one()
    assert sealed == 0


def test_moving_between_pages_rewrites_no_session_or_remember_cookie(
    app: Flask, launched: Launched
) -> None:
    """Only the answers' cookie changes per page: no account is loaded for a respondent, so
    Flask-Login's session protection never rewrites the session or clears a remember cookie."""
    phone = Browser(app.test_client())
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    phone.start()
    shown = phone.client.get(phone.locations[-1])
    moved = phone.submit_page("next", "a")
    for response in (shown, moved):
        names = {c.split("=", 1)[0] for c in response.headers.getlist("Set-Cookie")}
        assert names <= {"chorus_progress"}, response.headers.getlist("Set-Cookie")
