"""The item-bank review (frameworks.item_review) over every framework file, and its rules on
statements written to break them (issue 20)."""

from __future__ import annotations

from pathlib import Path

import pytest

from frameworks import load_file
from frameworks.item_review import coverage, reading_grade, review, syllables
from frameworks.loader import FRAMEWORK_DIR
from frameworks.schema import Framework

PATHS = sorted(FRAMEWORK_DIR.glob("*.yaml"))
by_file = pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])


@by_file
def test_every_statement_keeps_the_review_rules(path: Path) -> None:
    findings = review(load_file(path))
    assert not findings, "\n".join(
        f"{f.indicator} {f.audience}: {f.message}: {f.statement!r}" for f in findings
    )


@by_file
def test_every_indicator_has_statements_for_someone(path: Path) -> None:
    gaps = [c.indicator for c in coverage(load_file(path)) if not c.surveyed]
    assert not gaps, f"indicators no audience can be asked about: {gaps}"


def test_every_red_thread_criterion_has_statements_from_two_sides_of_the_360_view() -> None:
    # CSIT's 360-degree feedback: partners and staff, or staff and customers, for each criterion.
    framework = load_file(FRAMEWORK_DIR / "csit-red-threads.yaml")
    thin = [c.indicator for c in coverage(framework) if sum(1 for n in c.counts.values() if n) < 1]
    assert not thin
    linked = {link for thread in framework.threads for link in thread.links}
    assert linked == {ind.id for ind in framework.indicators}
    one_sided = [
        c.indicator for c in coverage(framework) if sum(1 for n in c.counts.values() if n) < 2
    ]
    # Only the people-management criteria of one's own performance are for staff alone.
    assert set(one_sided) <= {"1.3", "6.1", "6.2", "6.5", "8.5"}, one_sided


def _framework_with(statements: dict[str, list[str]]) -> Framework:
    return Framework.model_validate(
        {
            "id": "review-test",
            "title": "Review test",
            "source": {"document": "x.txt", "title": "X"},
            "rating_scale": {
                "id": "s",
                "title": "S",
                "good_from": "b",
                "levels": [{"code": "b", "label": "B"}, {"code": "a", "label": "A"}],
            },
            "sections": [{"id": "s1", "title": "S1"}],
            "indicators": [{"id": "1", "title": "One", "section": "s1", "items": statements}],
        }
    )


@pytest.mark.parametrize(
    ("audience", "statement", "rule"),
    [
        ("partners", "Agency representatives meet agreed deadlines.", "first-person"),
        ("community", "Services for young people have reduced nuisance in my area.", "cause"),
        ("community", "I feel safer in this area because of services for young people.", "cause"),
        (
            "staff",
            "Our leaders think about partners when they make budget decisions.",
            "others-mind",
        ),
        (
            "staff",
            "Our leaders regularly check whether formal deals could deliver our services better.",
            "others-mind",
        ),
        (
            "children",
            "I think the grown-ups who help me at my club always listen to what I say to them.",
            "too-long",
        ),
        (
            "parents",
            "Multidisciplinary professionals communicate comprehensively regarding my child.",
            "reading-age",
        ),
    ],
)
def test_each_rule_catches_a_statement_that_breaks_it(
    audience: str, statement: str, rule: str
) -> None:
    found = {f.rule for f in review(_framework_with({audience: [statement]}))}
    assert rule in found


def test_plain_first_person_statements_pass() -> None:
    framework = _framework_with(
        {
            "parents": ["Staff listen to me.", "I am told what happens next."],
            "children": ["Adults here ask me what I think."],
            "staff": ["Our leaders tell us about their plans."],
        }
    )
    assert review(framework) == []


def test_a_whole_bank_over_reading_age_eleven_is_flagged_even_when_no_statement_is() -> None:
    # Each statement stays under the per-statement ceiling, but the bank as a passage does not.
    statements = [
        "Staff at the centre usually answer my questions.",
        "I understand the letters I am sent.",
        "Staff explain decisions about my child.",
        "Local services are easy to contact.",
    ]
    assert all(reading_grade([s]) <= 9.0 for s in statements)
    assert reading_grade(statements) > 6.0
    findings = review(_framework_with({"community": statements}))
    assert [f.rule for f in findings if not f.statement] == ["reading-age"]


def test_syllables_come_from_the_offline_dictionary() -> None:
    assert [syllables(w) for w in ("me", "agree", "community", "information")] == [1, 2, 4, 4]
    # Flesch-Kincaid of one short plain sentence: grade = 0.39*w + 11.8*syl/w - 15.59.
    assert reading_grade(["Staff listen to me."]) == pytest.approx(0.39 * 4 + 11.8 * 5 / 4 - 15.59)
