"""surveys.evidence: the evidence sentence of DESIGN.md section 7."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import proportion_confint

from surveys.evidence import Evidence, evidence, suppressed, wilson_percents, withheld
from surveys.scales import SCALES
from surveys.statistics import Distribution

AGREE = SCALES["agree4"]
FACES = SCALES["faces3"]
INFORMED = "they are kept informed about their child's progress"


def agree(sa=0, a=0, d=0, sd=0, dk=0):
    return Distribution(AGREE, {"sa": sa, "a": a, "d": d, "sd": sd, "dk": dk})


def test_the_design_example():
    # 47 of 57 favourable. DESIGN.md prints "95% CI 70-90%", but the Wilson interval for 47/57
    # is 70.63%-90.18%, which rounds to 71-90 (statsmodels agrees, below).
    result = evidence(agree(sa=20, a=27, d=6, sd=4), audience="parents", finding=INFORMED)
    assert result == Evidence(
        "Most parents (82%, 47 of 57; 95% CI 71-90%) report that they are kept informed about "
        "their child's progress."
    )
    low, high = proportion_confint(47, 57, method="wilson")
    assert (round(low * 100, 2), round(high * 100, 2)) == (70.63, 90.18)
    assert wilson_percents(47, 57) == (71, 90)


def test_dont_know_is_counted_beside_the_sentence_not_inside_it():
    result = evidence(agree(sa=20, a=27, d=6, sd=4, dk=3), audience="parents", finding=INFORMED)
    assert result.sentence.startswith("Most parents (82%, 47 of 57; 95% CI 71-90%)")
    assert result.dont_know == "3 answered Don't know"
    assert evidence(agree(a=5, dk=1), audience="staff", finding="x").dont_know == (
        "1 answered Don't know"
    )


@pytest.mark.parametrize(
    ("favourable", "base", "opening"),
    [
        (10, 10, "All staff (100%, 10 of 10;"),
        (19, 20, "Almost all staff (95%, 19 of 20;"),
        (9, 10, "Most staff (90%, 9 of 10;"),  # exactly 90 is "most"
        (3, 4, "Most staff (75%, 3 of 4;"),
        (6, 10, "The majority of staff (60%, 6 of 10;"),
        (1, 2, "The majority of staff (50%, 1 of 2;"),
        (3, 10, "Less than half of staff (30%, 3 of 10;"),
        (1, 10, "Few staff (10%, 1 of 10;"),
        (0, 10, "No staff (0%, 0 of 10; 95% CI 0-28%)"),
    ],
)
def test_quantity_word_opens_the_sentence_capitalised(favourable, base, opening):
    result = evidence(agree(a=favourable, d=base - favourable), audience="staff", finding="x")
    assert result.sentence.startswith(opening)


def test_only_the_first_letter_is_capitalised():
    result = evidence(agree(a=9, d=1), audience="parents in Fife", finding="Staff listen to them")
    assert result.sentence.startswith("Most parents in Fife (90%")
    assert result.sentence.endswith("report that Staff listen to them.")


def test_word_follows_the_unrounded_value():
    # 89.6% prints as 90% and is "most"; 90.4% prints as 90% and is "almost all"
    assert evidence(agree(a=896, d=104), audience="staff", finding="x").sentence.startswith(
        "Most staff (90%"
    )
    assert evidence(agree(a=904, d=96), audience="staff", finding="x").sentence.startswith(
        "Almost all staff (90%"
    )


def test_percent_rounds_half_away_from_zero():
    # 1 of 8 is 12.5%: shown as 13%, where round() would give 12
    assert "(13%, 1 of 8;" in evidence(agree(a=1, d=7), audience="staff", finding="x").sentence


def test_fallback_quotes_the_item_statement():
    faces = Distribution(FACES, {"happy": 8, "ok": 2})
    result = evidence(
        faces,
        audience="children and young people",
        statement="Adults listen to me.",
    )
    assert result.sentence == (
        "Most children and young people (80%, 8 of 10; 95% CI 49-94%) respond favourably to "
        '"Adults listen to me".'
    )


def test_a_finding_wins_over_the_statement_and_loses_its_full_stop():
    result = evidence(
        agree(a=9, d=1), audience="staff", finding="they feel listened to.", statement="I am heard."
    )
    assert result.sentence.endswith("report that they feel listened to.")
    assert ".." not in result.sentence


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"audience": "staff"}, "finding"),
        ({"audience": "staff", "finding": " . "}, "empty"),
        ({"audience": " ", "finding": "x"}, "audience"),
    ],
)
def test_evidence_needs_an_audience_and_something_to_say(kwargs, message):
    with pytest.raises(ValueError, match=message):
        evidence(agree(a=5), **kwargs)


def test_no_substantive_answers():
    result = evidence(agree(dk=6), audience="partners", finding="x")
    assert result == Evidence(
        "No answers from partners other than Don't know.", "6 answered Don't know"
    )
    assert evidence(agree(), audience="partners", finding="x") == Evidence(
        "No answers from partners."
    )


@pytest.mark.parametrize(
    ("k", "text"), [(5, "Fewer than 5 responses"), (3, "Fewer than 3 responses")]
)
def test_suppressed_groups(k, text):
    assert suppressed(k) == Evidence(text)
    assert suppressed(k).dont_know is None


@pytest.mark.parametrize("k", [2, 0, True])
def test_suppressed_rejects_thresholds_below_three(k):
    with pytest.raises(ValueError):
        suppressed(k)


def test_withheld_groups_are_not_called_small():
    assert "Fewer" not in withheld().sentence
    assert withheld().sentence == "Not shown (protects a smaller group)"


def test_wilson_percents_of_nothing():
    assert wilson_percents(0, 0) is None
