"""surveys.findings: third-person findings and the indicator's pooled evidence sentence."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import proportion_confint

from surveys.findings import indicator_evidence, third_person
from surveys.scales import SCALES
from surveys.statistics import Clusters, Distribution

AGREE = SCALES["agree4"]


@pytest.mark.parametrize(
    ("statement", "finding"),
    [
        (
            "I am kept informed about my child's progress.",
            "they are kept informed about their child's progress",
        ),
        (
            "When I complain, I am not passed from person to person.",
            "when they complain, they are not passed from person to person",
        ),
        ("I was told what would happen next.", "they were told what would happen next"),
        ("We treat all parents fairly.", "they treat all parents fairly"),
        ("Our leaders look at our services.", "their leaders look at their services"),
        (
            "Staff share information with us in good time.",
            "staff share information with them in good time",
        ),
        ("Adults here help me to stay healthy.", "adults here help them to stay healthy"),
        ("I'm happy here.", "they're happy here"),
        ("I’ve had training myself.", "they've had training themselves"),
        ("NHS staff listen to me.", "NHS staff listen to them"),
        ("The US office helps us.", "the US office helps them"),
        ("The plan was shared with me.", "the plan was shared with them"),
    ],
)
def test_third_person(statement: str, finding: str) -> None:
    assert third_person(statement) == finding


@pytest.mark.parametrize(
    "statement",
    ["Do you feel safe?", "Your views are heard.", 'I say "yes".', "", "   ", "i like it."],
)
def test_third_person_refuses_what_it_cannot_turn_round(statement: str) -> None:
    assert third_person(statement) is None


def _clusters(pairs: list[tuple[tuple[int, int], int]]) -> Clusters:
    return Clusters.tally(pairs)


def test_indicator_evidence_counts_answers_and_people() -> None:
    dist = Distribution(AGREE, {"sa": 60, "a": 81, "d": 20, "sd": 10, "dk": 6})
    # 57 people answered 3 statements each (other than Don't know): 35 agreed with all three,
    # 18 with two, 4 with none: 141 of 171. By hand: p = 141/171; residuals 3 - 3p, 2 - 3p,
    # -3p; n_eff = p(1-p) / (sum of squared residuals / 171^2) = 110.7; Wilson on 110.7.
    clusters = _clusters([((3, 3), 35), ((2, 3), 18), ((0, 3), 4)])
    p = 141 / 171
    squares = 35 * (3 - 3 * p) ** 2 + 18 * (2 - 3 * p) ** 2 + 4 * (0 - 3 * p) ** 2
    n_eff = p * (1 - p) / (squares / 171**2)
    assert n_eff == pytest.approx(110.70, abs=0.01)
    low, high = proportion_confint(p * n_eff, n_eff, method="wilson")
    assert (round(low * 100), round(high * 100)) == (74, 88)  # plain Wilson on 171: 76-87
    text = indicator_evidence(
        dist,
        audience="parents and carers",
        indicator="2.2 Impact on families",
        statements=3,
        clusters=clusters,
    )
    assert text.sentence == (
        "Most parents and carers (82%, 141 of 171 answers from 57 people; 95% CI 74-88%) "
        "answer favourably to the 3 statements on 2.2 Impact on families."
    )
    assert text.dont_know == "6 answers were Don't know"


def test_indicator_evidence_refuses_counts_that_do_not_add_up() -> None:
    with pytest.raises(ValueError, match="do not add up"):
        indicator_evidence(
            Distribution(AGREE, {"a": 5}),
            audience="staff",
            indicator="3.1 X",
            statements=1,
            clusters=_clusters([((1, 1), 4)]),
        )


def test_indicator_evidence_words_and_edges() -> None:
    one = indicator_evidence(
        Distribution(AGREE, {"a": 5, "dk": 1}),
        audience="staff",
        indicator="3.1 X",
        statements=1,
        clusters=_clusters([((1, 1), 5), ((0, 0), 1)]),
    )
    assert one.sentence.startswith("All staff (100%, 5 of 5 answers from 5 people;")
    assert "to the statement on 3.1 X." in one.sentence
    assert one.dont_know == "1 answer was Don't know"
    lone = indicator_evidence(
        Distribution(AGREE, {"a": 2, "d": 1}),
        audience="staff",
        indicator="3.1 X",
        statements=3,
        clusters=_clusters([((2, 3), 1)]),
    )
    assert "3 answers from 1 person;" in lone.sentence
    only_dk = indicator_evidence(
        Distribution(AGREE, {"dk": 4}),
        audience="staff",
        indicator="3.1 X",
        statements=2,
        clusters=_clusters([((0, 0), 2)]),
    )
    assert (
        only_dk.sentence
        == "No answers from staff to the 2 statements on 3.1 X other than Don't know."
    )
    nothing = indicator_evidence(
        Distribution(AGREE, {}),
        audience="staff",
        indicator="3.1 X",
        statements=2,
        clusters=Clusters(),
    )
    assert nothing.sentence == "No answers from staff to the 2 statements on 3.1 X."
    none = indicator_evidence(
        Distribution(AGREE, {"d": 5}),
        audience="staff",
        indicator="3.1 X",
        statements=2,
        clusters=_clusters([((0, 2), 2), ((0, 1), 1)]),
    )
    assert none.sentence.startswith("No staff (0%, 0 of 5 answers from 3 people;")
    with pytest.raises(ValueError):
        indicator_evidence(
            Distribution(AGREE, {}),
            audience="staff",
            indicator="x",
            statements=0,
            clusters=Clusters(),
        )
    with pytest.raises(ValueError):
        indicator_evidence(
            Distribution(AGREE, {}),
            audience=" ",
            indicator="x",
            statements=1,
            clusters=Clusters(),
        )
