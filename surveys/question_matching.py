"""Which of two rounds' own questions are the same question (issue 20), for round comparison.

Pure Python. Two questions match when they have the same type, the same words and the same
options (or bins) once spaces and letter case are set aside; options may be listed in another
order, and each answer is then paired by its words, never by its position.
"""

from __future__ import annotations

from surveys.question_types import NO_ANSWER, Kind, Spec


def normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


MatchKey = tuple[str, str, tuple[str, ...], bool, tuple[tuple[int, int], ...]]


def match_key(spec: Spec) -> MatchKey:
    """What must be equal for two questions to be compared."""
    options = tuple(sorted(normalise(o) for o in spec.options))
    bins = tuple((b.low, b.high) for b in spec.bins)
    return (spec.kind.value, normalise(spec.text), options, spec.other, bins)


def answer_pairs(current: Spec, earlier: Spec) -> list[tuple[str, str, str]]:
    """(current code, earlier code, label) of every answer both matched questions offer,
    in the current question's order, then "No answer" where the type has it."""
    if match_key(current) != match_key(earlier):
        raise ValueError("the questions do not match")
    if current.kind == Kind.FREE_TEXT:
        return []
    if current.kind == Kind.NUMBER:
        pairs = [(code, code, label) for code, label in current.bin_choices]
    else:
        before = {normalise(label): code for code, label in earlier.choices}
        pairs = [(code, before[normalise(label)], label) for code, label in current.choices]
    if current.kind != Kind.SEVERAL_CHOICES:
        pairs.append((NO_ANSWER, NO_ANSWER, "No answer"))
    return pairs
