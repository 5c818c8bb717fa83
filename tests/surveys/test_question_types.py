"""surveys.question_types: the coordinator's own questions (issue 20).

Specs and answers refuse with specific messages; a property test drives every type's answer
parsing with arbitrary form values; the statistics are checked against statsmodels (intervals)
and the standard library (median); the suppression of the new cells is checked by brute force:
every table of answers a reader could not tell apart from the truth is enumerated, and each
hidden cell must still admit two values.
"""

from __future__ import annotations

import itertools
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from surveys.question_types import (
    ANSWER_TEXT_MAX,
    MEDIAN_MIN,
    MESSAGES,
    Bin,
    Given,
    Kind,
    QuestionError,
    Spec,
    SpecInvalid,
    Tally,
    check_spec,
    figures,
    form_values,
    median_of,
    options_from_text,
    parse_answer,
)

PROPERTY = settings(max_examples=300, deadline=None, database=None)

YES_NO = check_spec("yes_no", "Did you get a leaflet?")
ONE = check_spec("one_choice", "How did you hear?", options=["Email", "Poster", "Friend"])
ONE_OTHER = check_spec("one_choice", "How did you hear?", options=["Email", "Poster"], other=True)
SEVERAL = check_spec("several_choices", "Which do you use?", options=["Bus", "Car", "Bike"])
NUMBER = check_spec("number", "How old are you?", minimum="0", maximum="20", bins="0-4,5-9,10-20")
TEXT = check_spec("free_text", "What one thing would you change?")
SPECS = (YES_NO, ONE, ONE_OTHER, SEVERAL, NUMBER, TEXT)


def codes_of(invalid: SpecInvalid) -> list[str]:
    return [e.code for e in invalid.errors]


# --- specs ---------------------------------------------------------------------------------------


def test_a_valid_spec_of_each_type_round_trips_through_its_stored_form():
    for spec in SPECS:
        assert Spec.from_json(spec.kind, spec.text, spec.to_json()) == spec


def test_number_bins_are_read_in_several_spellings_and_sorted():
    spec = check_spec("number", "Q", minimum="-5", maximum="10", bins="3 to 10; -5--1, 0 - 2")
    assert spec.bins == (Bin(-5, -1), Bin(0, 2), Bin(3, 10))
    assert [label for _, label in spec.bin_choices] == ["-5 to -1", "0 to 2", "3 to 10"]


@pytest.mark.parametrize(
    ("options", "code", "words"),
    [
        (["Email", "email"], "option_duplicate", "“email” is in the list more than once"),
        (["Email", "", "Poster"], "option_empty", "Option 2 is empty"),
        (["Email"], "options_too_few", "at least 2 options"),
        ([], "options_too_few", "at least 2 options"),
        (["Email", "Other"], "option_is_other", "tick “Other, please say”"),
        (["Email", "x" * 121], "option_too_long", "Option 2 must be 120 characters"),
        ([f"o{i}" for i in range(21)], "options_too_many", "no more than 20"),
    ],
)
def test_bad_option_lists_are_refused_with_a_specific_message(options, code, words):
    for kind in ("one_choice", "several_choices"):
        with pytest.raises(SpecInvalid) as refused:
            check_spec(kind, "Question?", options=options)
        assert codes_of(refused.value) == [code]
        assert words in str(refused.value)


def test_trailing_blank_lines_of_the_options_box_are_not_options():
    spec = check_spec("one_choice", "Q", options=options_from_text("A\r\nB\r\n\r\n"))
    assert spec.options == ("A", "B")


@pytest.mark.parametrize(
    ("minimum", "maximum", "bins", "code", "words"),
    [
        ("10", "5", "", "minimum_above_maximum", "(10) must be below the largest (5)"),
        ("5", "5", "", "minimum_above_maximum", "must be below"),
        ("", "5", "0-5", "minimum_missing", "smallest number allowed"),
        ("0", "", "0-5", "maximum_missing", "largest number allowed"),
        ("zero", "5", "0-5", "bound_not_number", "smallest number as a whole number"),
        ("0", "5.5", "0-5", "bound_not_number", "largest number as a whole number"),
        ("0", "10", "", "bins_missing", "Enter the groups"),
        ("0", "10", "0-4, 5-12", "bin_outside_range", "“5-12” is outside the range 0 to 10"),
        ("0", "10", "-1-4, 5-10", "bin_outside_range", "outside the range"),
        ("0", "10", "0-4, 6-10", "bins_gap", "should start at 5"),
        ("0", "10", "0-5, 5-10", "bins_gap", "should start at 6"),
        ("0", "10", "0-4, 5-8", "bins_short", "should end at 10"),
        ("0", "10", "0-4, five-10", "bin_not_range", "“five-10” is not a group"),
        ("0", "10", "4-0, 5-10", "bin_reversed", "“4-0”"),
        ("0", "99", ",".join(str(i) for i in range(13)), "bins_too_many", "no more than 12"),
    ],
)
def test_bad_number_ranges_are_refused_with_a_specific_message(minimum, maximum, bins, code, words):
    with pytest.raises(SpecInvalid) as refused:
        check_spec("number", "How many?", minimum=minimum, maximum=maximum, bins=bins)
    assert code in codes_of(refused.value)
    assert words in str(refused.value)


def test_every_mistake_is_listed_with_its_field():
    with pytest.raises(SpecInvalid) as refused:
        check_spec("one_choice", "  ", options=["A", "a"])
    assert [(e.code, e.field) for e in refused.value.errors] == [
        ("text_missing", "text"),
        ("option_duplicate", "options"),
    ]
    with pytest.raises(SpecInvalid) as refused:
        check_spec("ranking", "Q")
    assert codes_of(refused.value) == ["kind_unknown"]


def test_every_message_template_fills_in():
    for code, template in MESSAGES.items():
        filled = template % {name: 1 for name in _names(template)}
        assert filled and "%(" not in filled, code


def _names(template):
    import re

    return set(re.findall(r"%\((\w+)\)s", template))


# --- answers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "values", "text", "code"),
    [
        (YES_NO, ["maybe"], "", "answer_not_option"),
        (YES_NO, ["yes", "no"], "", "answer_several"),
        (ONE, ["o4"], "", "answer_not_option"),
        (ONE, ["o1", "o2"], "", "answer_several"),
        (ONE, ["other"], "", "answer_not_option"),
        (ONE_OTHER, ["other"], "", "other_missing"),
        (ONE_OTHER, ["o1"], "a neighbour", "other_not_chosen"),
        (SEVERAL, ["o1", "o9"], "", "answer_not_option"),
        (SEVERAL, ["o1", "o1"], "", "answer_repeated"),
        (NUMBER, ["twelve"], "", "number_not_number"),
        (NUMBER, ["4.5"], "", "number_not_number"),
        (NUMBER, ["21"], "", "number_outside_range"),
        (NUMBER, ["-1"], "", "number_outside_range"),
        (NUMBER, ["3", "4"], "", "answer_several"),
        (TEXT, [], "x" * (ANSWER_TEXT_MAX + 1), "text_answer_too_long"),
    ],
)
def test_bad_answers_are_refused_with_a_specific_message(spec, values, text, code):
    with pytest.raises(QuestionError) as refused:
        parse_answer(spec, values, text)
    assert refused.value.code == code
    assert str(refused.value) == MESSAGES[code] % refused.value.params


def test_number_messages_name_the_range():
    with pytest.raises(QuestionError, match="between 0 and 20"):
        parse_answer(NUMBER, ["99"])


def test_good_answers_are_read():
    assert parse_answer(YES_NO, ["dk"]) == Given(("dk",))
    assert parse_answer(ONE_OTHER, ["other"], " a neighbour ") == Given(("other",), "a neighbour")
    assert parse_answer(SEVERAL, ["o3", "o1"]) == Given(("o1", "o3"))
    assert parse_answer(NUMBER, [" 12 "]) == Given(("12",))
    assert parse_answer(NUMBER, ["+7"]) == Given(("7",))
    wide = check_spec("number", "Q", minimum="\u22125", maximum="5,000", bins="-5-5000")
    assert parse_answer(wide, ["1,500"]) == Given(("1500",))
    assert parse_answer(wide, ["\u22123"]) == Given(("-3",))
    assert parse_answer(wide, ["١٢"]) == Given(("12",))  # Arabic-Indic digits
    for typed in ("1,0", "1,50", "12.5", "1e3", "12 3"):
        with pytest.raises(QuestionError, match="Enter a whole number"):
            parse_answer(wide, [typed])
    assert parse_answer(TEXT, [], "  More buses  ") == Given((), "More buses")
    for spec in SPECS:
        assert parse_answer(spec, [], "").blank
        assert parse_answer(spec, [" "], "").blank


form_value = st.one_of(
    st.sampled_from(["yes", "no", "dk", "o1", "o2", "o3", "o4", "other", "0", "20", "21", "-1"]),
    st.integers(-30, 30).map(str),
    st.text(max_size=12),
)


@PROPERTY
@given(
    spec=st.sampled_from(SPECS),
    values=st.lists(form_value, max_size=4),
    text=st.one_of(st.just(""), st.text(max_size=30), st.just("x" * (ANSWER_TEXT_MAX + 5))),
)
def test_parsing_never_raises_anything_else_and_accepted_answers_round_trip(spec, values, text):
    try:
        given_answer = parse_answer(spec, values, text)
    except QuestionError as refused:
        assert refused.code in MESSAGES
        return
    assert parse_answer(spec, *form_values(given_answer)) == given_answer
    assert all(v in spec.codes for v in given_answer.values) or spec.kind == Kind.NUMBER
    if spec.kind == Kind.NUMBER and given_answer.values:
        assert spec.minimum <= int(given_answer.values[0]) <= spec.maximum
    if spec.kind in (Kind.YES_NO, Kind.ONE_CHOICE, Kind.NUMBER):
        assert len(given_answer.values) <= 1


# --- statistics ----------------------------------------------------------------------------------


def wilson(count, n):
    return proportion_confint(count, n, alpha=0.05, method="wilson")


def test_percent_yes_excludes_dont_know_and_has_the_wilson_interval():
    result = figures(YES_NO, Tally(40, {"yes": 21, "no": 9, "dk": 7}), k=5)
    assert result.headline == pytest.approx(70.0)
    assert result.headline_interval == pytest.approx(wilson(21, 30), abs=1e-12)
    assert [c.count for c in result.cells] == [21, 9, None]
    assert result.no_answer.count is None and result.no_answer.status == "suppressed"
    # "no answer" (3) is hidden with the next smallest (7 don't know), so the total stays true
    assert result.cells[2].status == "withheld"


def test_one_choice_distribution_with_other():
    tally = Tally(30, {"o1": 12, "o2": 10, "other": 8})
    result = figures(ONE_OTHER, tally, k=5)
    assert [(c.code, c.count) for c in result.cells] == [("o1", 12), ("o2", 10), ("other", 8)]
    assert [c.percent for c in result.cells] == pytest.approx([40, 100 / 3, 80 / 3])
    assert result.no_answer.count == 0 and result.answered == 30


def test_several_choices_share_of_the_group_with_wilson_intervals():
    tally = Tally(50, {"o1": 30, "o2": 44, "o3": 0})
    result = figures(SEVERAL, tally, k=5)
    assert result.answered == 50 and result.no_answer is None
    for cell, chosen in zip(result.cells, (30, 44, 0), strict=True):
        assert cell.count == chosen
        assert cell.percent == pytest.approx(100 * chosen / 50)
        assert cell.interval == pytest.approx(wilson(chosen, 50), abs=1e-12)


def test_several_choices_hide_an_option_few_chose_or_few_did_not():
    result = figures(SEVERAL, Tally(20, {"o1": 2, "o2": 18, "o3": 10}), k=5)
    assert [c.count for c in result.cells] == [None, None, 10]
    assert [c.status for c in result.cells] == ["suppressed", "withheld", "shown"]


def test_number_bins_and_the_median_only_from_ten_answers():
    values = {"1": 3, "6": 2, "7": 2, "15": 2}  # 9 answers
    small = figures(NUMBER, Tally(9, values), k=3)
    # 2 in 10 to 20 is hidden, and the smallest other bin with it (no answer's 0 is shown)
    assert [c.count for c in small.cells] == [None, 4, None]
    assert small.no_answer.count == 0
    assert small.headline is None
    values["20"] = 1
    big = figures(NUMBER, Tally(10, values), k=3)
    expanded = [int(v) for v, c in values.items() for _ in range(c)]
    assert big.headline == statistics.median(expanded)
    assert MEDIAN_MIN == 10


@given(st.dictionaries(st.integers(-50, 50).map(str), st.integers(0, 6), max_size=8))
def test_median_matches_the_standard_library(values):
    expanded = [int(v) for v, c in values.items() for _ in range(c)]
    if not expanded:
        assert median_of(values) is None
    else:
        assert median_of(values) == statistics.median(expanded)


def test_a_group_under_k_shows_nothing_and_free_text_has_no_cells():
    assert figures(ONE, Tally(4, {"o1": 4}), k=5).suppressed
    text = figures(TEXT, Tally(9, {}), k=5)
    assert not text.suppressed and text.cells == ()


def test_answers_beyond_the_respondents_are_refused():
    with pytest.raises(ValueError):
        figures(ONE, Tally(5, {"o1": 6}), k=5)
    with pytest.raises(ValueError):
        figures(SEVERAL, Tally(5, {"o1": 6}), k=5)


# --- suppression of the new cells, by brute force ------------------------------------------------


def _check_worlds(spec, truth, worlds, k):
    """Each hidden cell of the truth must take two values among the worlds that publish the
    same figures; no shown count may be under k (zeros apart)."""
    seen = figures(spec, truth, k)  # a frozen dataclass: equal when every shown figure is
    alike = [w for w in worlds if figures(spec, w, k) == seen]
    cells = [*seen.cells, seen.no_answer]
    for position, cell in enumerate(cells):
        if cell is None:
            continue
        if cell.count is not None:
            assert cell.count == 0 or cell.count >= k, cell
            continue
        assert len({_cell_value(spec, w, position) for w in alike}) >= 2, (cell, truth)


def _cell_value(spec, tally, position):
    result_codes = (
        [b.code for b in spec.bins] if spec.kind == Kind.NUMBER else [c for c, _ in spec.choices]
    )
    if position == len(result_codes):
        return tally.respondents - sum(tally.values.values())
    code = result_codes[position]
    if spec.kind == Kind.NUMBER:
        bin_ = spec.bins[position]
        return sum(c for v, c in tally.values.items() if bin_.low <= int(v) <= bin_.high)
    return tally.values.get(code, 0)


def _partitions(codes, respondents):
    for counts in itertools.product(range(respondents + 1), repeat=len(codes)):
        if sum(counts) <= respondents:
            yield Tally(respondents, dict(zip(codes, counts, strict=True)))


@settings(max_examples=150, deadline=None, database=None)
@given(counts=st.lists(st.integers(0, 5), min_size=3, max_size=3), blank=st.integers(0, 4))
def test_yes_no_cells_cannot_be_worked_out(counts, blank):
    respondents = sum(counts) + blank
    truth = Tally(respondents, dict(zip(("yes", "no", "dk"), counts, strict=True)))
    worlds = list(_partitions(("yes", "no", "dk"), respondents))
    _check_worlds(YES_NO, truth, worlds, k=3)


@settings(max_examples=150, deadline=None, database=None)
@given(counts=st.lists(st.integers(0, 5), min_size=3, max_size=3), blank=st.integers(0, 3))
def test_one_choice_cells_cannot_be_worked_out(counts, blank):
    codes = ("o1", "o2", "other")
    respondents = sum(counts) + blank
    truth = Tally(respondents, dict(zip(codes, counts, strict=True)))
    _check_worlds(ONE_OTHER, truth, list(_partitions(codes, respondents)), k=3)


@settings(max_examples=150, deadline=None, database=None)
@given(counts=st.lists(st.integers(0, 4), min_size=3, max_size=3), blank=st.integers(0, 3))
def test_number_bins_cannot_be_worked_out(counts, blank):
    spec = check_spec("number", "Q", minimum="0", maximum="2", bins="0,1,2")
    respondents = sum(counts) + blank
    codes = ("0", "1", "2")
    truth = Tally(respondents, dict(zip(codes, counts, strict=True)))
    _check_worlds(spec, truth, list(_partitions(codes, respondents)), k=3)


@settings(max_examples=80, deadline=None, database=None)
@given(data=st.data(), respondents=st.integers(3, 9), k=st.integers(3, 4))
def test_several_choices_cells_cannot_be_worked_out(data, respondents, k):
    answered = data.draw(st.integers(0, respondents))
    chosen = data.draw(st.lists(st.integers(0, answered), min_size=3, max_size=3))
    codes = ("o1", "o2", "o3")
    truth = Tally(respondents, dict(zip(codes, chosen, strict=True)))
    # the base is the whole group, so how many ticked something is no figure of its own
    worlds = [
        Tally(respondents, dict(zip(codes, c, strict=True)))
        for c in itertools.product(range(respondents + 1), repeat=3)
    ]
    _check_worlds(SEVERAL, truth, worlds, k)
