"""Age bands for children and young people (issue 20, DESIGN.md 5): one questionnaire per band,
each its own group; the legacy one-band rounds still generate as before."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frameworks import load_text
from surveys.questionnaire import (
    CHILDREN_BANDS,
    LEGACY_CHILDREN_BANDS,
    SelectionError,
    band_audience,
    band_of,
    build_questionnaires,
    check_children_bands,
    intro_text,
    is_children,
    round_audiences,
    scale_for,
)
from surveys.scales import SCALES

FW = load_text(
    """
id: bands-fw
title: Bands
short_title: Bands
source: {document: inline, title: Written for the tests}
rating_scale:
  id: three
  title: Three levels
  levels: [{code: good, label: Good}, {code: ok, label: OK}, {code: poor, label: Poor}]
  good_from: good
sections:
  - {id: s1, title: Feeling safe}
indicators:
  - id: "1.1"
    title: Children are safe
    section: s1
    items:
      staff:
        - "Children we work with are safe."
      children:
        - statement: "I feel safe when I am at the centre with the staff."
          easy_read: "I feel safe here."
        - {statement: "Adults listen to me.", scale: agree4}
""",
    "bands.yaml",
)


def build(bands, audiences=("children", "staff")):
    return build_questionnaires(FW, ["1.1"], audiences, children_bands=bands)


def test_each_band_gets_a_questionnaire_of_its_own_youngest_first():
    result = build(["13_plus", "under_8", "8_to_12"])
    assert list(result.questionnaires) == [
        "staff",
        "children_under_8",
        "children_8_to_12",
        "children_13_plus",
    ]
    assert "children" not in result.questionnaires
    for band in CHILDREN_BANDS:
        q = result.questionnaires[band_audience(band)]
        assert q.audience == band_audience(band)
        # The same bank items (keys keep "children") in every band.
        assert [i.key for i in q.items] == ["1.1/children/1", "1.1/children/2"]
    assert result.questionnaires["children_under_8"].audience_label == "Children under 8"


def test_under_8_faces_very_short_sentences_one_per_page_read_aloud_intro():
    q = build(["under_8"]).questionnaires["children_under_8"]
    assert q.easy_read and q.one_question_per_page
    assert q.scale_ids == ("faces3",)
    # The bank's easy-read wording where it has one.
    assert [i.statement for i in q.items] == ["I feel safe here.", "Adults listen to me."]
    lines = q.intro.splitlines()
    assert lines[0] == "We would like to know what you think."
    assert all(len(line.split()) <= 8 for line in lines), lines


def test_8_to_12_faces_with_words_one_per_page():
    q = build(["8_to_12"]).questionnaires["children_8_to_12"]
    assert q.easy_read and q.one_question_per_page
    assert q.scale_ids == ("faces3",)
    assert all(option.label for option in SCALES["faces3"].options)  # faces with words
    assert q.items[0].statement == "I feel safe when I am at the centre with the staff."
    assert "Pick the face" in q.intro


def test_13_plus_answer_the_four_point_scale_with_dont_know_like_adults():
    q = build(["13_plus"]).questionnaires["children_13_plus"]
    assert not q.easy_read and not q.one_question_per_page
    assert q.scale_ids == ("agree4",)
    assert "dk" in {o.code for o in SCALES["agree4"].options}
    assert "children and young people" in q.intro


def test_a_round_asks_only_the_bands_chosen():
    result = build(["8_to_12"])
    assert set(result.questionnaires) == {"staff", "children_8_to_12"}


@pytest.mark.parametrize("legacy", LEGACY_CHILDREN_BANDS)
def test_a_legacy_band_still_gives_the_one_children_questionnaire(legacy):
    result = build([legacy])
    assert set(result.questionnaires) == {"staff", "children"}
    q = result.questionnaires["children"]
    assert q.easy_read is (legacy == "under_12")
    assert q.scale_ids == (("faces3",) if legacy == "under_12" else ("agree4",))


@pytest.mark.parametrize(
    ("bands", "words"),
    [
        ([], "at least one age band"),
        (["toddlers"], "'toddlers'"),
        (["12_plus", "13_plus"], "cannot be combined"),
    ],
)
def test_bad_band_choices_are_refused_in_plain_words(bands, words):
    with pytest.raises(SelectionError, match=words):
        build(bands)
    with pytest.raises(SelectionError, match=words):
        check_children_bands(bands)


def test_bands_are_not_checked_when_children_are_not_asked():
    assert set(build([], audiences=["staff"]).questionnaires) == {"staff"}


@given(st.lists(st.sampled_from(CHILDREN_BANDS), min_size=1))
def test_round_audiences_and_band_keys_agree(bands):
    groups = round_audiences(["staff", "children", "parents"], bands)
    expected = [band_audience(b) for b in CHILDREN_BANDS if b in bands]
    assert groups == ["staff", *expected, "parents"]
    assert [band_of(g) for g in expected] == [b for b in CHILDREN_BANDS if b in bands]
    assert all(is_children(g) for g in expected) and not is_children("staff")
    assert check_children_bands(bands) == tuple(b for b in CHILDREN_BANDS if b in bands)


def test_round_audiences_of_a_legacy_round_keep_children():
    assert round_audiences(["children"], ["under_12"]) == ["children"]
    assert band_of("children") is None and is_children("children")


@pytest.mark.parametrize(
    ("audience", "bank_scale", "expected"),
    [
        ("children_under_8", "agree4", "faces3"),
        ("children_8_to_12", None, "faces3"),
        ("children_13_plus", None, "agree4"),
        ("children_13_plus", "faces3", "agree4"),
        ("children_13_plus", "progress5", "progress5"),
    ],
)
def test_scale_for_a_band_audience(audience, bank_scale, expected):
    assert scale_for(audience, bank_scale) == expected


def test_the_read_aloud_intro_is_shorter_than_easy_read():
    short = intro_text("children_under_8", read_aloud=True, minutes=2)
    easy = intro_text("children_8_to_12", easy_read=True, minutes=2)
    assert len(short) < len(easy)
    assert short.endswith("It takes about 2 minutes.")
