"""Reading a survey run elsewhere: every rule by row and column, the scale, suggestions, and the
figures (Wilson per statement, recomputed independently by statsmodels)."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import proportion_confint

from surveys import external as ext

HEAD = ["Statement", "Group", "count: Agree", "count: Disagree", "count: Don't know"]
META = ["Survey", "Method"]


def rows(*body: list[str], head: list[str] | None = None) -> list[tuple[int, list[str]]]:
    header = (head or HEAD) + META
    lines = [header] + [[*r, "Staff survey", "Online"] for r in body]
    return list(enumerate(lines, start=1))


def errors_of(table: list[tuple[int, list[str]]]) -> list[ext.CellError]:
    with pytest.raises(ext.ExternalFileError) as caught:
        ext.read_rows(table)
    return caught.value.errors


def test_a_good_file_is_read_with_its_survey_and_options() -> None:
    survey = ext.read_rows(rows(["I feel valued.", "Teachers", "30", "8", "2"]))
    assert survey.survey == "Staff survey" and survey.method == "Online"
    assert survey.form == "options" and survey.options == ("Agree", "Disagree", "Don't know")
    (row,) = survey.rows
    assert row.options == (("Agree", 30), ("Disagree", 8), ("Don't know", 2))
    assert row.answered == 40


def test_unknown_column_is_named_in_the_heading_row() -> None:
    (error,) = errors_of(rows(["s", "g", "1", "2", "0"], head=[*HEAD, "Colour"]))
    assert (error.row, error.column) == (1, "Colour")
    assert "unknown column" in error.message


@pytest.mark.parametrize(
    ("cell", "words"),
    [("-3", "negative"), ("lots", "not a number"), ("2.5", "not a whole number"), ("", "empty")],
)
def test_bad_counts_are_named_by_row_and_column(cell: str, words: str) -> None:
    (error,) = errors_of(rows(["s", "g", "1", "2", "0"], ["t", "g", "4", cell, "0"]))
    assert (error.row, error.column) == (3, "count: Disagree")
    assert words in error.message


def test_counts_that_do_not_add_up_to_answered() -> None:
    head = [*HEAD, "Answered"]
    (error,) = errors_of(rows(["s", "g", "1", "2", "0", "4"], head=head))
    assert (error.row, error.column) == (2, "Answered")
    assert "do not add up" in error.message and "sum to 3, not 4" in error.message


def test_favourable_above_valid_does_not_add_up() -> None:
    head = ["Statement", "Group", "Favourable", "Valid", "Don't know"]
    (error,) = errors_of(rows(["s", "g", "9", "8", "1"], head=head))
    assert (error.row, error.column) == (2, "Favourable")


def test_summary_form_is_read() -> None:
    head = ["Statement", "Group", "Favourable", "Valid", "Don't know"]
    survey = ext.read_rows(rows(["s", "g", "6", "8", "1"], head=head))
    assert survey.form == "summary" and survey.rows[0].answered == 9


def test_a_second_survey_in_the_same_file_is_refused() -> None:
    table = rows(["s", "g", "1", "2", "0"])
    table.append((3, ["t", "g", "1", "1", "0", "Tenant survey", "Online"]))
    (error,) = errors_of(table)
    assert (error.row, error.column) == (3, "Survey")


def test_repeated_statement_and_group() -> None:
    (error,) = errors_of(rows(["s", "g", "1", "2", "0"], ["S", "G", "1", "2", "0"]))
    assert error.row == 3 and "repeats" in error.message


def test_one_option_is_not_a_scale_and_mixed_forms_are_refused() -> None:
    assert errors_of(rows(["s", "g", "1"], head=["Statement", "Group", "count: Agree"]))
    mixed = ["Statement", "Group", "count: Agree", "count: No", "Favourable", "Valid"]
    (error,) = errors_of(rows(["s", "g", "1", "1", "1", "2"], head=mixed))
    assert "not both" in error.message


def test_scale_places_are_suggested_and_checked() -> None:
    labels = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Not sure"]
    places = {label: ext.suggest_place(label) or "" for label in labels}
    assert places == {
        "Strongly agree": "favourable",
        "Agree": "favourable",
        "Neither agree nor disagree": "unfavourable",
        "Disagree": "unfavourable",
        "Not sure": "dont_know",
    }
    assert ext.check_scale(labels, places) == {}
    assert ext.suggest_place("Purple") is None
    assert "Purple" in ext.check_scale(["Purple", "Agree"], {"Agree": "favourable"})
    every = ext.check_scale(["A", "B"], {"A": "favourable", "B": "dont_know"})
    assert "cannot be mapped" in every["A"]


def test_indicator_suggestion_matches_theme_words() -> None:
    indicators = [
        ext.IndicatorWords("1.1", "Improvements in performance", ("Trends over time",)),
        ext.IndicatorWords("5.3", "Staff development", ("Training and professional learning",)),
    ]
    assert ext.suggest_indicator("I get the training I need.", indicators) == "5.3"
    assert ext.suggest_indicator("Lunch is tasty.", indicators) is None


def test_indicator_column_must_name_an_assessment_indicator() -> None:
    head = [*HEAD, "Indicator"]
    survey = ext.read_rows(
        rows(["s", "g", "1", "2", "0", "9.9"], ["t", "g", "1", "2", "0", "2.2"], head=head)
    )
    found = ext.check_indicators(survey, ["2.1"], ["2.1", "2.2"])
    assert [(e.row, e.column) for e in found] == [(2, "Indicator"), (3, "Indicator")]
    assert "not an indicator of this assessment's framework" in found[0].message
    assert "not in this assessment" in found[1].message


def _rows_for(counts: dict[str, tuple[int, int, int]]) -> list[ext.SurveyRow]:
    return [
        ext.SurveyRow(
            n,
            "s",
            group,
            (("Agree", a), ("Disagree", d), ("Don't know", k)),
            None,
            None,
            0,
            a + d + k,
        )
        for n, (group, (a, d, k)) in enumerate(counts.items(), start=2)
    ]


def test_groups_under_k_are_kept_out_with_no_counts() -> None:
    figures = ext.statement_figures(_rows_for({"Teachers": (20, 5, 1), "Cooks": (2, 1, 0)}), 5)
    by_group = {g.group: g for g in figures.groups}
    assert by_group["Teachers"].shown and by_group["Teachers"].answered == 26
    assert by_group["Cooks"].status == "suppressed"
    assert by_group["Cooks"].answered is None and by_group["Cooks"].options == ()


def test_a_total_row_brings_complementary_suppression() -> None:
    counts = {"Teachers": (20, 5, 1), "Nurses": (9, 3, 0), "Cooks": (2, 1, 0)}
    total = tuple(sum(v[i] for v in counts.values()) for i in range(3))
    figures = ext.statement_figures(_rows_for({**counts, "All staff": total}), 5)
    status = {g.group: g.status for g in figures.groups}
    assert figures.total_group == "All staff"
    assert status["Cooks"] == "suppressed"
    # Cooks alone could be worked out as All staff - Teachers - Nurses: one more is withheld
    assert status["Nurses"] == "withheld" and status["Teachers"] == "shown"


@pytest.mark.parametrize(("favourable", "valid"), [(0, 7), (7, 7), (32, 41), (1, 5), (99, 150)])
def test_wilson_interval_equals_statsmodels(favourable: int, valid: int) -> None:
    figures = ext.GroupFigures(
        "g", "shown", answered=valid + 2, favourable=favourable, valid=valid, dont_know=2
    )
    result = ext.group_result(figures, {})
    low, high = proportion_confint(favourable, valid, alpha=0.05, method="wilson")
    assert result.ci_low == pytest.approx(100 * low, abs=1e-9)
    assert result.ci_high == pytest.approx(100 * high, abs=1e-9)
    assert result.percent == pytest.approx(100 * favourable / valid)


def test_sentence_names_the_external_survey() -> None:
    figures = ext.GroupFigures(
        "Teaching staff", "shown", answered=41, favourable=32, valid=41, dont_know=0
    )
    result = ext.group_result(figures, {})
    text = ext.sentence("I feel valued.", "Teaching staff", result, "Staff survey 2026")
    assert text.startswith("Most teaching staff (78%, 32 of 41; 95% CI")
    assert text.endswith(
        'respond favourably to "I feel valued" in the external survey “Staff survey 2026”.'
    )


def test_dates_must_be_dates_in_order_and_not_to_come() -> None:
    from datetime import date

    head = [*HEAD, "Start date", "End date"]
    table = rows(["s", "g", "1", "2", "0", "31/03/2026", "2026-03-01"], head=head)
    (error,) = errors_of(table)
    assert (error.row, error.column) == (2, "End date") and "before the start" in error.message
    table = rows(["s", "g", "1", "2", "0", "2026-03-01", "soon"], head=head)
    (error,) = errors_of(table)
    assert (error.row, error.column) == (2, "End date") and "not a date" in error.message
    table = rows(["s", "g", "1", "2", "0", "2026-03-01", "2026-04-01"], head=head)
    with pytest.raises(ext.ExternalFileError) as caught:
        ext.read_rows(table, today=date(2026, 3, 15))
    assert caught.value.errors[0].message == "is in the future"
    survey = ext.read_rows(table, today=date(2026, 4, 1))
    assert (survey.start_date, survey.end_date) == (date(2026, 3, 1), date(2026, 4, 1))
