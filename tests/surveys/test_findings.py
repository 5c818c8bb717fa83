"""surveys.findings: third-person findings and the indicator's pooled evidence sentence."""

from __future__ import annotations

import pytest

from surveys.findings import indicator_evidence, third_person
from surveys.scales import SCALES
from surveys.statistics import Distribution

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


def test_indicator_evidence_counts_answers() -> None:
    dist = Distribution(AGREE, {"sa": 60, "a": 81, "d": 20, "sd": 10, "dk": 6})
    text = indicator_evidence(
        dist, audience="parents and carers", indicator="2.2 Impact on families", statements=3
    )
    assert text.sentence == (
        "Most parents and carers (82%, 141 of 171 answers; 95% CI 76-87%) answer favourably to "
        "the 3 statements on 2.2 Impact on families."
    )
    assert text.dont_know == "6 answers were Don't know"


def test_indicator_evidence_words_and_edges() -> None:
    one = indicator_evidence(
        Distribution(AGREE, {"a": 5, "dk": 1}), audience="staff", indicator="3.1 X", statements=1
    )
    assert one.sentence.startswith("All staff (100%, 5 of 5 answers;")
    assert "to the statement on 3.1 X." in one.sentence
    assert one.dont_know == "1 answer was Don't know"
    only_dk = indicator_evidence(
        Distribution(AGREE, {"dk": 4}), audience="staff", indicator="3.1 X", statements=2
    )
    assert (
        only_dk.sentence
        == "No answers from staff to the 2 statements on 3.1 X other than Don't know."
    )
    nothing = indicator_evidence(
        Distribution(AGREE, {}), audience="staff", indicator="3.1 X", statements=2
    )
    assert nothing.sentence == "No answers from staff to the 2 statements on 3.1 X."
    none = indicator_evidence(
        Distribution(AGREE, {"d": 5}), audience="staff", indicator="3.1 X", statements=2
    )
    assert none.sentence.startswith("No staff (0%, 0 of 5 answers;")
    with pytest.raises(ValueError):
        indicator_evidence(Distribution(AGREE, {}), audience="staff", indicator="x", statements=0)
    with pytest.raises(ValueError):
        indicator_evidence(Distribution(AGREE, {}), audience=" ", indicator="x", statements=1)
