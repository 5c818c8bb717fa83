"""The accessibility statement (issue 23): /accessibility in the model statement's order, linked
from every page's footer, and never claiming more than the recorded audit shows.

docs/accessibility.yaml holds the facts; docs/accessibility-audit.json is the audit run published
(written by `make e2e`, tests/browser/test_accessibility_checks.py). The browser audit holds the
statement against each fresh run; here it is held against the run published, dates included.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.accessibility import (
    AuditRecord,
    Statement,
    contradictions,
    load_record,
    load_statement,
)
from app.dates import long_date
from app.extensions import db
from app.models import RoundStatus, User
from tests.app.conftest import test_config as app_config
from tests.app.respond.helpers import Browser, add_open_link, invite, launch_round
from tests.app.respond.test_statements import _client

LINK = '<a href="/accessibility">Accessibility statement</a>'
MODEL_HEADINGS = [
    "How accessible this service is",
    "Feedback and contact information",
    "Reporting accessibility problems with this service",
    "Enforcement procedure",
    "Technical information about this service's accessibility",
    "Compliance status",
    "Non-accessible content",
    "Preparation of this accessibility statement",
]


def _audit(**failures: list[str]) -> dict[str, Any]:
    """An audit record as the browser audit writes it, every check run, with `failures`."""
    record = load_record().model_dump(mode="json")
    for name, check in record["checks"].items():
        check["failures"] = failures.get(name, [])
    return record


def _statement(**changes: Any) -> Statement:
    return Statement.model_validate({**load_statement().model_dump(), **changes})


# -- the statement against the audit ---------------------------------------------------------


def test_the_committed_statement_stands_on_the_published_audit() -> None:
    assert contradictions(load_statement(), load_record()) == []


def test_the_published_audit_checked_every_state_it_names() -> None:
    record = load_record()
    assert {"axe", "focus_contrast", "keyboard", "reflow", "text_spacing", "forced_colours"} <= set(
        record.checks
    )
    assert record.states > 30
    assert record.checks["focus_contrast"].elements > 300


def test_fully_compliant_with_a_failure_in_the_audit_is_refused() -> None:
    found = contradictions(
        _statement(status="full"), _audit(focus_contrast=["welcome: button 'Back' at 1.35:1"])
    )
    assert any("'focus_contrast' check failed" in p for p in found), found
    assert any("says fully compliant" in p for p in found), found


def test_a_failure_declared_as_non_conforming_may_stand() -> None:
    declared = _statement(
        status="partial",
        non_conforming=[
            {
                "criterion": "1.4.11 Non-text Contrast",
                "check": "focus_contrast",
                "what": "Secondary buttons show focus with a yellow ring only.",
            }
        ],
    )
    assert contradictions(declared, _audit(focus_contrast=["welcome: 'Back'"])) == []
    # ...but not a failure of another criterion.
    found = contradictions(declared, _audit(reflow=["welcome: 12px too wide"]))
    assert any("'reflow' check failed" in p for p in found), found


def test_a_statement_older_than_the_audit_is_refused() -> None:
    record = _audit()
    statement = load_statement()
    older = _statement(last_audit_on=statement.last_audit_on - timedelta(days=1))
    assert any("latest audit ran on" in p for p in contradictions(older, record))
    newer = _statement(last_audit_on=statement.last_audit_on + timedelta(days=1))
    assert any("names an audit on" in p for p in contradictions(newer, record))
    # A fresh run in make e2e is held on what it found, whatever its date.
    later = copy.deepcopy(record)
    later["audited_on"] = (
        date.fromisoformat(record["audited_on"]) + timedelta(days=30)
    ).isoformat()
    assert contradictions(statement, later, dated=False) == []
    assert contradictions(statement, later) != []


def test_a_check_the_audit_did_not_run_cannot_be_claimed() -> None:
    record = _audit()
    del record["checks"]["text_spacing"]
    found = contradictions(load_statement(), record)
    assert any("'text_spacing' was tested; the audit has no such check" in p for p in found)
    record = _audit()
    record["checks"]["reflow"]["criteria"] = []
    record["checks"]["reflow"]["states"] = []
    found = contradictions(load_statement(), AuditRecord.model_validate(record))
    assert any("checked no page" in p for p in found), found


def test_partially_compliant_must_say_what_does_not_conform() -> None:
    found = contradictions(_statement(status="partial", non_conforming=[]), _audit())
    assert any("lists nothing that does not conform" in p for p in found), found


# -- the page ----------------------------------------------------------------------------------


def test_the_statement_page_follows_the_model_and_names_its_last_audit(
    client: FlaskClient,
) -> None:
    response = client.get("/accessibility")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    headings = re.findall(r"<h[23][^>]*>([^<]+)</h[23]>", page)
    assert [h for h in headings if h in MODEL_HEADINGS] == MODEL_HEADINGS
    statement, record = load_statement(), load_record()
    assert f'This service was last tested on <time datetime="{statement.last_audit_on}">' in page
    assert long_date(statement.last_audit_on) in page
    assert f"This service is {statement.status_words} with the" in page
    assert f"in {record.states} page states, with {record.browser}" in page
    for tested in statement.tested:
        assert tested.title in page
    # Great Britain's enforcement body by default, and nobody's contact details made up.
    assert "Equality and Human Rights Commission" in page
    assert "Use the contact details in the invitation" in page
    assert "mailto:" not in page


@pytest.fixture
def configured(database_url: str, tmp_path: Any) -> Iterator[Callable[..., FlaskClient]]:
    """A client of an app made with these settings (its engine closed afterwards)."""
    made: list[Flask] = []

    def make(**settings: Any) -> FlaskClient:
        made.append(create_app(app_config(database_url, INSTANCE_PATH=str(tmp_path), **settings)))
        return made[-1].test_client()

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def test_the_operator_sets_the_contact_details_and_enforcement(
    configured: Callable[..., FlaskClient],
) -> None:
    client = configured(
        ACCESSIBILITY_ORGANISATION="Riverside Council",
        ACCESSIBILITY_EMAIL="access@riverside.example.gov.uk",
        ACCESSIBILITY_PHONE="028 9000 0000",
        ACCESSIBILITY_RESPONSE_DAYS=10,
        ACCESSIBILITY_ENFORCEMENT="ni",
    )
    page = html.unescape(client.get("/accessibility").get_data(as_text=True))
    assert "run by Riverside Council" in page
    assert '<a href="mailto:access@riverside.example.gov.uk">' in page
    assert "call 028 9000 0000" in page
    assert "get back to you in 10 working days" in page
    assert "Equality Commission for Northern Ireland" in page
    assert "Equality and Human Rights Commission" not in page

    own = configured(ACCESSIBILITY_ENFORCEMENT_TEXT="Complain to the Ombudsman <first>.")
    page = own.get("/accessibility").get_data(as_text=True)
    assert "Complain to the Ombudsman &lt;first&gt;." in page  # escaped, never raw HTML
    assert "Equality" not in page.split('id="enforcement"', 1)[1].split("<h2", 1)[0]


# -- linked from every page ----------------------------------------------------------------------


def test_every_staff_page_links_to_the_statement(
    client: FlaskClient, coordinator: User, app: Flask
) -> None:
    assert LINK in client.get("/accessibility").get_data(as_text=True)  # signed in already
    paths = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or set())
        and not rule.arguments
        and rule.endpoint not in {"static", "main.health"}
    ]
    assert len(paths) > 10
    for path in paths:
        response = client.get(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            assert LINK in response.get_data(as_text=True), path
    assert LINK in client.get("/no-such-page").get_data(as_text=True)


def test_the_sign_in_page_links_to_the_statement(client: FlaskClient) -> None:
    assert LINK in client.get("/login").get_data(as_text=True)


def test_every_respondent_page_links_to_the_statement_without_a_query(app: Flask) -> None:
    launched = launch_round(app)
    for visit in ("first", "second"):  # the first fills the per-process caches
        counting = _client(app)
        phone = Browser(counting)
        phone.enter(f"/r/{invite(app, launched.round_id)}")
        shown = [phone.html]  # the welcome page
        phone.start()
        shown.append(phone.html)
        while "/send" not in phone.form_action():  # every page, then the check page
            phone.follow(phone.submit_page("next", "a"))
            shown.append(phone.html)
        phone.follow(phone.send_checked())
        shown.append(phone.html)
        assert "Thank you" in phone.text
        assert all(LINK in page for page in shown), visit
    # The footer link costs nothing: a page of the questionnaire shown still runs no SQL.
    pages = [(n, c) for method, path, n, c in counting.log if method == "GET" and "/q/" in path]
    assert pages and all(cost == (0, 0) for cost in pages), counting.log


def test_closed_and_unknown_links_link_to_the_statement(app: Flask, client: FlaskClient) -> None:
    launched = launch_round(app, status=RoundStatus.CLOSED)
    code = add_open_link(app, launched.round_id)
    for path in (f"/o/{code}", "/o/NOSUCHCODE", "/r/not-a-token"):
        assert LINK in client.get(path, follow_redirects=True).get_data(as_text=True), path
