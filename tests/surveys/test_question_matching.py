"""Matching two rounds' own questions: type, words and options (or bins), spaces and case aside."""

from __future__ import annotations

import pytest

from surveys.question_matching import answer_pairs, match_key
from surveys.question_types import check_spec


def test_spaces_case_and_option_order_do_not_matter() -> None:
    now = check_spec("one_choice", "How did you  hear?", options=["Email", "Poster"], other=True)
    then = check_spec("one_choice", "how did you hear?", options=["POSTER", " email"], other=True)
    assert match_key(now) == match_key(then)
    # Answers are paired by their words, not by their positions (o1 now is o2 then).
    assert answer_pairs(now, then) == [
        ("o1", "o2", "Email"),
        ("o2", "o1", "Poster"),
        ("other", "other", "Other, please say"),
        ("none", "none", "No answer"),
    ]


@pytest.mark.parametrize(
    "other",
    [
        check_spec("several_choices", "How did you hear?", options=["Email", "Poster"]),
        check_spec("one_choice", "How did you hear?", options=["Email", "Posters"], other=True),
        check_spec("one_choice", "How did you hear?", options=["Email", "Poster"]),
        check_spec("one_choice", "How did you hear about it?", options=["Email", "Poster"]),
    ],
)
def test_another_type_word_option_or_other_box_is_another_question(other) -> None:
    now = check_spec("one_choice", "How did you hear?", options=["Email", "Poster"], other=True)
    assert match_key(now) != match_key(other)
    with pytest.raises(ValueError):
        answer_pairs(now, other)


def test_number_questions_need_the_same_bins() -> None:
    now = check_spec("number", "Visits?", minimum="0", maximum="30", bins="0-4, 5-9, 10-30")
    same = check_spec("number", "visits?", minimum="0", maximum="30", bins="0 to 4, 5-9, 10-30")
    other = check_spec("number", "Visits?", minimum="0", maximum="30", bins="0-9, 10-30")
    assert match_key(now) == match_key(same) != match_key(other)
    assert [p[0] for p in answer_pairs(now, same)] == ["0..4", "5..9", "10..30", "none"]


def test_yes_no_and_free_text() -> None:
    yes_no = check_spec("yes_no", "Did you get our leaflet?")
    assert [p[2] for p in answer_pairs(yes_no, yes_no)] == ["Yes", "No", "Don't know", "No answer"]
    words = check_spec("free_text", "Anything else?")
    assert answer_pairs(words, words) == []
