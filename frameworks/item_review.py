"""Reviewing an item bank against the rules a good questionnaire keeps (issue 20, DESIGN.md 5).

Each rule is a plain check a reviewer would make by hand, run over every statement of a framework:
- respondents speak for themselves: every statement is in the first person ("I", "my", "we");
- nobody is asked to judge a cause ("Services have reduced nuisance in my area") or what their
  leaders think or weigh up ("Our leaders think about ..."), which happens out of sight;
- parents, service users and the community read at a reading age of 11 or under (Flesch-Kincaid
  grade 6, reading age = grade + 5) over their whole bank, with no single statement far above it;
- children read at most 15 words a statement;
- every indicator can be surveyed by someone (`coverage`, and the framework page shows the gaps).

Syllables come from pyphen's hyphenation dictionary, which works offline (textstat's English path
downloads a word list at run time).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pyphen  # type: ignore[import-untyped]  # ships no type information

from frameworks.schema import Framework, ItemSpec

PLAIN_AUDIENCES = frozenset({"parents", "service_users", "community"})
SHORT_AUDIENCES = frozenset({"children"})
MAX_BANK_GRADE = 6.0  # reading age 11
MAX_STATEMENT_GRADE = 9.0  # one statement may run above the bank's average, not far above it
MAX_SHORT_WORDS = 15

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_FIRST_PERSON = re.compile(
    r"\b(i|i'm|i've|i'd|me|my|mine|myself|we|we're|we've|us|our|ours|ourselves)\b", re.I
)
# Asking for a judgement of cause: the respondent sees the state of things, not why it changed.
_CAUSE = re.compile(
    r"\b(has|have|had)\s+(reduced|lowered|cut|caused|prevented|increased)\b"
    r"|\b(led|leads)\s+to\b|\bresult(ed|s)?\s+in\b|\bbecause\s+of\s+(the\s+)?services?\b"
    r"|\bthanks\s+to\b",
    re.I,
)
# What leaders think, know or weigh up happens out of sight: ask what they are seen to do.
_OTHERS_MIND = re.compile(
    r"\b(leaders|managers|senior\s+\w+)\b.*"
    r"\b(think|thinks|know|knows|understand|understands|consider|considers|believe|believes"
    r"|check\s+whether|checks\s+whether)\b",
    re.I,
)


@dataclass(frozen=True)
class Finding:
    indicator: str
    audience: str
    statement: str
    rule: str
    message: str


@dataclass(frozen=True)
class Coverage:
    indicator: str
    counts: dict[str, int]  # audience -> statements

    @property
    def surveyed(self) -> bool:
        return any(self.counts.values())


@cache
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US", left=1, right=1)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def syllables(word: str) -> int:
    return len(_dictionary().positions(word.lower())) + 1


def reading_grade(statements: list[str]) -> float:
    """Flesch-Kincaid grade of statements read as a passage of one-sentence statements."""
    found = [words(s) for s in statements]
    all_words = [w for ws in found for w in ws]
    if not all_words:
        return 0.0
    sentences = sum(1 for ws in found if ws)
    per_word = sum(syllables(w) for w in all_words) / len(all_words)
    return 0.39 * len(all_words) / sentences + 11.8 * per_word - 15.59


def _statements(framework: Framework) -> Iterator[tuple[str, str, ItemSpec]]:
    for ind in framework.indicators:
        for audience, items in ind.items.items():
            for item in items:
                yield ind.id, audience, item


def review(framework: Framework, plain: frozenset[str] = PLAIN_AUDIENCES) -> list[Finding]:
    """Every statement against the rules; `plain` are the audiences read at reading age 11
    (a round's own audience joins them when it resembles one, app/services/round_audiences)."""
    findings: list[Finding] = []
    bank: dict[str, list[str]] = {}
    for indicator, audience, item in _statements(framework):
        text = item.statement
        broken: list[tuple[str, str]] = []
        if not _FIRST_PERSON.search(text):
            broken.append(("first-person", "not in the first person: say it as they would"))
        if _CAUSE.search(text):
            broken.append(("cause", "asks the respondent to judge a cause; ask what they see"))
        if _OTHERS_MIND.search(text):
            broken.append(("others-mind", "asks what leaders think; ask what they are seen to do"))
        if audience in SHORT_AUDIENCES and len(words(text)) > MAX_SHORT_WORDS:
            broken.append(("too-long", f"over {MAX_SHORT_WORDS} words for children"))
        if audience in plain:
            bank.setdefault(audience, []).append(text)
            grade = reading_grade([text])
            if grade > MAX_STATEMENT_GRADE:
                broken.append(("reading-age", f"reading age {grade + 5:.0f}: use plainer words"))
        findings += [Finding(indicator, audience, text, rule, why) for rule, why in broken]
    for audience, texts in bank.items():
        grade = reading_grade(texts)
        if grade > MAX_BANK_GRADE:
            findings.append(
                Finding(
                    "",
                    audience,
                    "",
                    "reading-age",
                    f"the {audience} statements read at age {grade + 5:.1f} (at most 11)",
                )
            )
    return findings


def coverage(framework: Framework) -> list[Coverage]:
    """Statements per indicator and audience, every audience of the framework listed."""
    audiences = framework.audience_ids
    return [
        Coverage(ind.id, {a: len(ind.items.get(a, [])) for a in audiences})
        for ind in framework.indicators
    ]
