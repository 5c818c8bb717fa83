"""The results pages: overview, indicator page, disparities, red threads, close, roles."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Channel, FeedbackRound, Role, RoundStatus
from tests.app.results.helpers import row_of, text_of
from tests.support import csrf_token, login


@pytest.fixture
def two_groups(live_round, respond) -> uuid.UUID:
    """Staff 10 (80% on 2.2), parents 20 (55%), partners 3 (under k=5) on 5.1."""
    rid = live_round(indicators=["2.2", "5.1"], audiences=["staff", "partners", "parents"])
    respond(rid, "staff", {"sa": 4, "a": 4, "d": 2})
    respond(rid, "parents", {"sa": 5, "a": 6, "d": 6, "sd": 3, "dk": 0})
    respond(rid, "partners", {"sa": 3})
    return rid


def test_overview_shows_word_percent_and_n_per_indicator_and_group(
    client: FlaskClient, coordinator, two_groups
) -> None:
    page = client.get(f"/results/{two_groups}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    row = row_of(html, "2.2 Impact on parents/carers and families")
    assert "Most 80% n = 10" in row  # staff
    assert "Majority 55% n = 20" in row  # parents
    assert "Not asked" in row  # partners have no 2.2 items
    assert "Fewer than 5 responses" in row_of(html, "5.1 Knowing")
    # colour is never the only signal: every coloured cell carries its word
    for cell in re.findall(r'<td class="cell band-([a-z-]+)">(.*?)</td>', html, flags=re.S):
        assert cell[0].replace("-", " ") in text_of(cell[1]).lower()
    assert "Vary" in page.headers and "HX-Request" in page.headers["Vary"]


def test_complementary_suppression_is_visible_in_the_overview(
    client: FlaskClient, coordinator, two_groups
) -> None:
    html = client.get(f"/results/{two_groups}").get_data(as_text=True)
    assert "Fewer than 5 responses" in row_of(html, "Partners")
    total = row_of(html, "All groups")
    assert "Not shown" in total and "33" not in total and "30" not in total
    assert "The total is not shown because a group has fewer than 5 responses" in text_of(html)


def test_channel_complement_is_visible(
    client: FlaskClient, coordinator, live_round, respond
) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    respond(rid, "parents", {"a": 31}, channel=Channel.EMAIL)
    respond(rid, "parents", {"a": 12}, channel=Channel.OPEN_LINK, seed=1)
    respond(rid, "parents", {"a": 2}, channel=Channel.PAPER, seed=2)
    respond(rid, "staff", {"a": 6})
    html = client.get(f"/results/{rid}").get_data(as_text=True)
    parents = row_of(html, "Parents and carers")
    assert "31" in parents and "45" in parents
    assert " 12 " not in f" {parents} " and " 2 " not in f" {parents} "
    assert parents.count("Not shown") == 2
    assert row_of(html, "All groups").endswith("51")  # no group is suppressed: total shown


@pytest.mark.parametrize(
    ("favourable", "base", "word", "percent"),
    [
        (20, 20, "All", "100%"),
        (21, 23, "Almost all", "91%"),
        (18, 20, "Most", "90%"),
        (15, 20, "Most", "75%"),
        (10, 20, "Majority", "50%"),
        (3, 20, "Less than half", "15%"),
        (2, 20, "Few", "10%"),
        (0, 20, "None", "0%"),
    ],
)
def test_quantity_word_boundaries_through_the_page(
    client: FlaskClient, coordinator, live_round, respond, favourable, base, word, percent
) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    respond(rid, "staff", {"a": favourable, "d": base - favourable, "dk": 2})
    respond(rid, "parents", {"a": 5})
    html = client.get(f"/results/{rid}").get_data(as_text=True)
    staff_cell = text_of(re.findall(r'<td class="cell[^"]*">.*?</td>', html, flags=re.S)[0])
    assert staff_cell == f"{word} {percent} n = {base + 2}"
    page = client.get(f"/results/{rid}/indicators/2.2").get_data(as_text=True)
    lead = {"Majority": "The majority of staff", "Less than half": "Less than half of staff"}
    expected = lead.get(word, f"{word} staff" if word != "None" else "No staff")
    assert f"{expected} ({percent}, {favourable} of {base};" in text_of(page)


def test_indicator_page_has_charts_tables_evidence_and_dont_know(
    client: FlaskClient, coordinator, live_round, respond
) -> None:
    rid = live_round(indicators=["5.1"], audiences=["parents", "staff"])
    respond(rid, "parents", {"sa": 20, "a": 27, "d": 7, "sd": 3, "dk": 4})
    respond(rid, "staff", {"sa": 6})
    page = client.get(f"/results/{rid}/indicators/5.1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    words = text_of(html)
    sentence = (
        "Most parents and carers (82%, 47 of 57; 95% CI 71-90%) report that they are kept "
        "informed about their child's progress."
    )
    assert sentence in words
    assert "(4 answered Don't know.)" in words
    # one diverging bar per item with a text alternative and a whisker
    charts = re.findall(r'<svg class="diverging".*?</svg>', html, flags=re.S)
    assert len(charts) == 3 + 4  # parents' three items, staff's four
    first = next(c for c in charts if "(47 of 57)" in c)
    assert 'role="img"' in first and "<title id=" in first and "<desc id=" in first
    assert "82% favourable (47 of 57), 95% confidence interval 71% to 90%" in first
    assert "Don&#39;t know: 4 (not drawn)" in first
    assert 'class="whisker"' in first
    # the data table beside it
    tables = re.findall(r'<table class="answers-table">.*?</table>', html, flags=re.S)
    table = next(t for t in tables if "kept informed" in t)
    assert "Strongly agree (favourable) 20 35%" in text_of(table)
    assert "Don't know 4 not counted" in text_of(table)
    # evidence to copy: a read-only text area with every sentence
    area = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, flags=re.S)
    assert "readonly" in area.group(0) and sentence.replace("'", "&#39;") in area.group(1)


def test_indicator_not_in_the_round_is_404(client: FlaskClient, coordinator, two_groups) -> None:
    page = client.get(f"/results/{two_groups}/indicators/9.1")
    assert page.status_code == 404
    assert "did not ask about an indicator called" in page.get_data(as_text=True)


def test_disparities_largest_gap_first(
    client: FlaskClient, coordinator, live_round, respond
) -> None:
    rid = live_round(indicators=["2.2", "5.1"], audiences=["staff", "parents"])
    respond(rid, "staff", {"sa": 9, "d": 1})
    respond(
        rid,
        "parents",
        lambda item: {"a": 2, "d": 8} if item.indicator_id == "2.2" else {"a": 7, "d": 3},
    )
    words = text_of(client.get(f"/results/{rid}/disparities").get_data(as_text=True))
    first = words.index("2.2 Impact on parents")
    second = words.index("5.1 Knowing")
    assert first < second
    assert "70 percentage points Staff (90%) Parents and carers (20%)" in words
    assert "20 percentage points Staff (90%) Parents and carers (70%)" in words


def test_red_thread_puts_linked_indicators_side_by_side(
    client: FlaskClient, coordinator, live_round, respond
) -> None:
    rid = live_round(indicators=["2.2", "5.1", "8.1"], audiences=["staff", "parents"])
    respond(rid, "staff", {"sa": 6})
    respond(rid, "parents", {"a": 6})
    page = client.get(f"/results/{rid}/red-thread?view=linked:2.2")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # HMIE: 2.2 links to 5.1, 6.2 and 8.1; 6.2 was not asked in this round
    rows = [row_of(html, name) for name in ("2.2 Impact", "5.1 Knowing", "8.1 Partnership")]
    assert all("All 100%" in row for row in rows)
    assert "Not asked about in this round: 6.2." in text_of(html)
    section = client.get(f"/results/{rid}/red-thread?view=section:5").get_data(as_text=True)
    assert "5.1 Knowing" in text_of(section) and "2.2 Impact" not in text_of(section)
    bad = client.get(f"/results/{rid}/red-thread?view=thread:nope")
    assert bad.status_code == 422
    assert "error-summary" in bad.get_data(as_text=True)


def test_red_thread_uses_the_frameworks_threads(
    client: FlaskClient, coordinator, live_round, respond
) -> None:
    rid = live_round(
        framework="csit-red-threads", indicators=["1.1", "2.1"], audiences=["staff", "partners"]
    )
    respond(rid, "staff", {"sa": 6})
    html = client.get(f"/results/{rid}/red-thread").get_data(as_text=True)
    assert '<optgroup label="Red threads">' in html
    assert "Setting and following a clear direction" in text_of(html)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.SAT_MEMBER, Role.VIEWER])
def test_every_role_of_the_organisation_sees_results(
    client: FlaskClient, make_user, two_groups, role: Role
) -> None:
    make_user("someone@a.example", "Org A", role)
    login(client, "someone@a.example")
    for path in ("", "/indicators/2.2", "/disparities", "/red-thread", "/compare"):
        assert client.get(f"/results/{two_groups}{path}").status_code == 200, path
    index = client.get("/results/").get_data(as_text=True)
    assert "Spring feedback" in index


def test_another_organisations_round_is_404(
    client: FlaskClient, coordinator, live_round, respond
) -> None:
    theirs = live_round("Org B")
    respond(theirs, "staff", {"sa": 6})
    for path in ("", "/indicators/2.2", "/disparities", "/red-thread", "/compare", "/close"):
        assert client.get(f"/results/{theirs}{path}").status_code == 404, path
    assert "Spring feedback" not in client.get("/results/").get_data(as_text=True)


def test_drafts_say_results_come_after_launch(client: FlaskClient, coordinator, live_round) -> None:
    draft = live_round(live=False, name="Autumn draft")
    for path in ("", "/indicators/2.2", "/disparities", "/red-thread", "/compare"):
        page = client.get(f"/results/{draft}{path}")
        assert page.status_code == 200
        assert "This round is a draft, so it has no results yet." in text_of(
            page.get_data(as_text=True)
        )
    assert "Autumn draft" not in client.get("/results/").get_data(as_text=True)


def test_index_hides_a_total_under_the_threshold(
    client: FlaskClient, coordinator, live_round, respond
) -> None:
    small = live_round(name="Tiny round")
    respond(small, "staff", {"a": 2})
    big = live_round(name="Big round")
    respond(big, "staff", {"a": 7})
    respond(big, "parents", {"a": 9})
    html = client.get("/results/").get_data(as_text=True)
    assert row_of(html, "Tiny round").endswith("Fewer than 5")
    assert row_of(html, "Big round").endswith("16")


def test_index_says_a_large_total_protects_a_smaller_group(
    client: FlaskClient, coordinator, live_round, respond
) -> None:
    rnd = live_round(name="Large round")
    respond(rnd, "staff", {"a": 30})
    respond(rnd, "parents", {"a": 3})  # under k: the total would give it away
    row = row_of(client.get("/results/").get_data(as_text=True), "Large round")
    assert row.endswith("Not shown (protects a smaller group)")
    assert "Fewer" not in row and "33" not in row


def test_coordinator_closes_a_round(
    app: Flask, client: FlaskClient, coordinator, two_groups, results_of
) -> None:
    before = results_of(two_groups)
    confirm = client.get(f"/results/{two_groups}/close")
    assert confirm.status_code == 200
    assert "Closing cannot be undone" in text_of(confirm.get_data(as_text=True))
    token = csrf_token(client, f"/results/{two_groups}")
    done = client.post(f"/results/{two_groups}/close", data={"csrf_token": token})
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/results/{two_groups}")
    with app.app_context():
        rnd = db.session.get(FeedbackRound, two_groups)
        assert rnd.status == RoundStatus.CLOSED and rnd.closed_at is not None
    after = results_of(two_groups)
    assert after.to_dict()["indicators"] == before.to_dict()["indicators"]
    page = client.get(f"/results/{two_groups}").get_data(as_text=True)
    assert "these results are final" in text_of(page)
    again = client.post(f"/results/{two_groups}/close", data={"csrf_token": token})
    assert again.status_code == 422
    assert "This round is already closed." in again.get_data(as_text=True)


def test_only_coordinators_close_and_never_without_csrf(
    app: Flask, client: FlaskClient, make_user, two_groups
) -> None:
    make_user("coord@a.example", "Org A", Role.COORDINATOR)
    login(client, "coord@a.example")
    assert client.post(f"/results/{two_groups}/close").status_code == 400  # no CSRF token
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    make_user("viewer@a.example", "Org A", Role.VIEWER)
    login(client, "viewer@a.example")
    token = csrf_token(client, "/")
    assert client.get(f"/results/{two_groups}/close").status_code == 403
    assert (
        client.post(f"/results/{two_groups}/close", data={"csrf_token": token}).status_code == 403
    )
    with app.app_context():
        assert db.session.get(FeedbackRound, two_groups).status == RoundStatus.LIVE


def test_a_live_round_without_answers_has_every_page(
    client: FlaskClient, coordinator, live_round
) -> None:
    rid = live_round(indicators=["2.1", "2.2"], audiences=["staff", "parents", "children"])
    for path in ("", "/indicators/2.1", "/disparities", "/red-thread", "/compare", "/close"):
        page = client.get(f"/results/{rid}{path}")
        assert page.status_code == 200, path
    overview = client.get(f"/results/{rid}").get_data(as_text=True)
    assert row_of(overview, "2.1 Impact").count("No responses") == 3
    assert row_of(overview, "All groups").endswith("0")
