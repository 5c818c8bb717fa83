"""app.services.results: figures, roll-ups, suppression and evidence from the grouped query."""

from __future__ import annotations

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from app.extensions import db
from app.models import Channel, FeedbackRound, RoundStatus
from app.services.results import (
    CellStatus,
    ResultsUnavailable,
    audience_visibility,
    round_results,
)
from app.services.synthetic import ResponsesRefused, insert_responses, items_of


def test_item_figures_distribution_interval_word_and_evidence(
    app: Flask, live_round, respond, results_of
) -> None:
    rid = live_round(indicators=["5.1"], audiences=["parents", "staff"])
    respond(rid, "parents", {"sa": 20, "a": 27, "d": 7, "sd": 3, "dk": 4})
    respond(rid, "staff", {"sa": 5, "a": 1})
    results = results_of(rid)

    informed = next(i for i in results.items if i.statement.startswith("I am kept informed"))
    assert informed.distribution == {"sa": 20, "a": 27, "d": 7, "sd": 3, "dk": 4}
    cell = informed.cell
    assert (cell.respondents, cell.base, cell.favourable, cell.dont_know) == (61, 57, 47, 4)
    assert cell.percent == pytest.approx(100 * 47 / 57)
    assert cell.word == "most"
    assert (round(cell.ci_low), round(cell.ci_high)) == (71, 90)
    assert cell.evidence == (
        "Most parents and carers (82%, 47 of 57; 95% CI 71-90%) report that they are kept "
        "informed about their child's progress."
    )
    assert cell.dont_know_text == "4 answered Don't know"


def test_indicator_pools_its_items_for_each_audience(live_round, respond, results_of) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    # Four parents' items with different answers: the roll-up adds the answers together.
    plans = iter([{"sa": 6}, {"a": 3, "d": 3}, {"sd": 6}, {"dk": 6}])
    respond(rid, "parents", lambda item: next(plans))
    respond(rid, "staff", {"sa": 3, "a": 2, "d": 1})
    results = results_of(rid)
    cell = results.indicator("2.2").cells["parents"]
    assert (cell.base, cell.favourable, cell.dont_know, cell.respondents) == (18, 9, 6, 6)
    assert cell.word == "majority"  # exactly 50%
    # Per parent: Strongly agree on the first, Agree (3 of them) or Disagree on the second,
    # Strongly disagree on the third, Don't know on the fourth: f = 2 or 1 of v = 3. By hand:
    # p = 1/2, residuals f - 3/2 = +-1/2, var = 6 * 1/4 / 18^2 = 1/216, n_eff = (1/4) * 216 = 54.
    # (Their shares are closer together than independent answers would be, so n_eff > 18.)
    low, high = proportion_confint(27, 54, method="wilson")
    assert (cell.people, cell.ci_low, cell.ci_high) == (
        6,
        pytest.approx(100 * low, abs=1e-9),
        pytest.approx(100 * high, abs=1e-9),
    )
    assert cell.evidence.startswith(
        "The majority of parents and carers (50%, 9 of 18 answers from 6 people; 95% CI 37-63%)"
    )
    assert "the 4 statements on 2.2 Impact on parents/carers and families" in cell.evidence
    staff = results.indicator("2.2").cells["staff"]
    assert (staff.base, staff.favourable) == (12, 10)


def test_faces_are_reported_apart_and_never_compared_with_adults(
    live_round, respond, results_of
) -> None:
    rid = live_round(indicators=["2.1"], audiences=["parents", "children"])
    respond(rid, "parents", {"sa": 2, "a": 2, "d": 6})  # 40%
    respond(rid, "children", {"happy": 9, "ok": 1})  # 90%
    results = results_of(rid)
    cells = results.indicator("2.1").cells
    assert cells["children"].scale_id == "faces3"
    assert cells["children"].base == 40  # 4 items x 10 children: faces only
    assert cells["parents"].base == 40
    assert cells["children"].percent == pytest.approx(90)
    # a spread needs two audiences on the same kind of scale
    assert results.indicator("2.1").disparities == ()


def test_disparities_between_shown_adult_groups_largest_first(
    live_round, respond, results_of
) -> None:
    rid = live_round(indicators=["2.2", "5.1"], audiences=["staff", "parents"])
    respond(rid, "staff", {"sa": 9, "d": 1})  # 90%
    respond(
        rid,
        "parents",
        lambda item: {"a": 3, "d": 7} if item.indicator_id == "5.1" else {"a": 8, "d": 2},
    )
    results = results_of(rid)
    spreads = results.disparities
    assert [d.indicator for d in spreads] == ["5.1", "2.2"]
    assert spreads[0].spread == pytest.approx(60)
    assert spreads[0].highest == ("staff",) and spreads[0].lowest == ("parents",)


def test_a_group_under_k_exposes_no_figures_and_the_total_is_withheld(
    live_round, respond, results_of
) -> None:
    rid = live_round(indicators=["5.1"], audiences=["staff", "partners", "parents"], threshold=5)
    respond(rid, "staff", {"sa": 10})
    respond(rid, "parents", {"a": 8})
    respond(rid, "partners", {"sa": 4})  # k - 1
    results = results_of(rid)
    partners = results.audience("partners")
    assert partners.status == CellStatus.SUPPRESSED and partners.suppressed
    assert (partners.respondents, partners.completed, partners.open_link_responses) == (
        None,
        None,
        None,
    )
    assert partners.notice == "Fewer than 5 responses"
    # the complement: the all-groups total would give 4 away by subtraction
    assert results.total_respondents is None
    assert results.audience("staff").respondents == 10
    cell = results.indicator("5.1").cells["partners"]
    assert cell.suppressed
    for figure in (cell.respondents, cell.base, cell.favourable, cell.dont_know, cell.percent):
        assert figure is None
    assert (cell.ci_low, cell.ci_high, cell.word) == (None, None, None)
    assert cell.evidence == "Fewer than 5 responses"
    for item in results.items_for("5.1", "partners"):
        assert item.distribution is None and item.cell.suppressed
    assert "partners" not in {a for d in results.disparities for a, _ in d.percents}


def test_total_shown_when_every_group_meets_the_threshold(live_round, respond, results_of) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"], threshold=5)
    respond(rid, "staff", {"sa": 5})
    respond(rid, "parents", {"a": 7})
    assert results_of(rid).total_respondents == 12


def test_a_channel_under_k_is_hidden_with_a_complement(live_round, respond, results_of) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"], threshold=5)
    respond(rid, "parents", {"a": 30}, channel=Channel.EMAIL)
    respond(rid, "parents", {"a": 9}, channel=Channel.OPEN_LINK, seed=1)
    respond(rid, "parents", {"a": 2}, channel=Channel.PAPER, seed=2)
    respond(rid, "staff", {"a": 6})
    parents = results_of(rid).audience("parents")
    assert parents.respondents == 41
    assert parents.paper_responses is None  # 2 < k
    assert parents.open_link_responses is None  # else 41 - 30 - 9 gives the 2 away
    assert parents.completed == 30


def test_an_item_answered_by_fewer_than_k_is_hidden_and_left_out_of_the_roll_up(
    app: Flask, live_round, respond, results_of
) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    respond(rid, "staff", {"sa": 6})
    with app.app_context():
        rnd = db.session.get(FeedbackRound, rid)
        items = items_of(rnd, "parents")
        # ten parents; only three of them answered the last item
        rows = [{item.id: "a" for item in items[:-1]} for _ in range(10)]
        for row in rows[:3]:
            row[items[-1].id] = "sd"
        insert_responses(rnd, "parents", rows)
        db.session.commit()
        last = items[-1].id
    results = results_of(rid)
    hidden = next(i for i in results.items if i.item_id == last)
    assert hidden.cell.status == CellStatus.SUPPRESSED and hidden.distribution is None
    pooled = results.indicator("2.2").cells["parents"]
    assert (pooled.base, pooled.favourable) == (30, 30)  # the three "sd" are not pooled in


def test_an_audience_without_responses_shows_zero_not_figures(
    live_round, respond, results_of
) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    respond(rid, "staff", {"sa": 5})
    results = results_of(rid)
    parents = results.audience("parents")
    assert parents.status == CellStatus.EMPTY and parents.respondents == 0
    cell = results.indicator("2.2").cells["parents"]
    assert cell.status == CellStatus.EMPTY and cell.percent is None
    assert results.total_respondents == 5


def test_only_dont_know_gives_no_percentage(live_round, respond, results_of) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    respond(rid, "staff", {"dk": 6})
    cell = results_of(rid).indicator("2.2").cells["staff"]
    assert cell.shown and cell.percent is None and cell.word is None and cell.dont_know == 12
    assert "other than Don't know" in cell.evidence


def test_drafts_have_no_results(app: Flask, live_round) -> None:
    rid = live_round(live=False)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, rid)
        assert rnd.status == RoundStatus.DRAFT
        with pytest.raises(ResultsUnavailable):
            round_results(rnd)
        with pytest.raises(ResponsesRefused):
            insert_responses(rnd, "staff", [])


def test_synthetic_insert_checks_items_and_codes(app: Flask, live_round) -> None:
    rid = live_round()
    other = live_round("Org B")
    with app.app_context():
        rnd = db.session.get(FeedbackRound, rid)
        foreign = items_of(db.session.get(FeedbackRound, other), "staff")[0]
        with pytest.raises(ValueError, match="not in the staff questionnaire"):
            insert_responses(rnd, "staff", [{foreign.id: "a"}])
        mine = items_of(rnd, "staff")[0]
        with pytest.raises(ValueError, match="not an answer"):
            insert_responses(rnd, "staff", [{mine.id: "happy"}])


def test_json_shape_carries_no_figure_for_suppressed_groups(
    live_round, respond, results_of
) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    respond(rid, "staff", {"sa": 3})
    respond(rid, "parents", {"a": 9})
    data = results_of(rid).to_dict()
    staff = next(a for a in data["audiences"] if a["audience"] == "staff")
    assert staff["respondents"] is None and staff["suppressed"] is True
    cell = data["indicators"][0]["cells"]["staff"]
    assert {k: cell[k] for k in ("base", "favourable", "percent", "ci_low")} == dict.fromkeys(
        ("base", "favourable", "percent", "ci_low")
    )
    assert all(i["distribution"] is None for i in data["items"] if i["audience"] == "staff")


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.dictionaries(
        # The built-in audiences, a framework's own and a round's own (issue 22) alike.
        st.sampled_from(
            [
                "staff",
                "partners",
                "parents",
                "children",
                "community",
                "elected_members",
                "c-elected-members",
                "c-board-members",
            ]
        ),
        st.integers(min_value=0, max_value=40),
        min_size=1,
    ),
    st.integers(min_value=3, max_value=10),
)
def test_audience_visibility_never_lets_a_hidden_count_be_subtracted(
    counts: dict[str, int], k: int
) -> None:
    seen = audience_visibility(counts, k)
    for audience, n in counts.items():
        if 0 < n < k:
            assert audience in seen.suppressed and audience not in seen.shown
        elif n >= k:
            assert audience in seen.shown
        else:
            assert audience in seen.empty
    if seen.suppressed:
        # with the total shown, total - shown groups = the hidden group(s)
        assert not seen.total_shown
