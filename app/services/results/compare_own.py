"""Round versus round for the round's own questions (issue 20).

Questions match on type, words and options or bins (`surveys.question_matching`); audiences
match as statements do (the same key and the same name, so an age band only with the same
band). Each side shows exactly its round's published figure, hidden ones with their notice.
A change (with Newcombe's interval) is worked out only from counts both rounds show, with the
base they show them on, so no comparison says anything about a hidden cell.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from app.services.results.change_words import ChangeWords
from app.services.results.figures import RoundResults
from app.services.results.own_questions import OwnCell, OwnQuestionResult
from surveys import question_types as qt
from surveys.question_matching import answer_pairs, match_key
from surveys.statistics import newcombe_difference

HEADLINE = "headline"


@dataclass(frozen=True, slots=True)
class OwnRowComparison(ChangeWords):
    audience: str
    audience_label: str
    answer: str
    earlier: str  # the figure as the earlier round publishes it, or why it is hidden
    current: str
    change: float | None  # percentage points, unrounded
    low: float | None
    high: float | None
    significant: bool | None
    reason: str  # why no change is given, "" when there is one


@dataclass(frozen=True, slots=True)
class OwnComparison:
    current: OwnQuestionResult
    earlier: OwnQuestionResult
    rows: list[OwnRowComparison]


# Why a row has no change: a figure hidden in a round, a percentage it does not publish (a
# cell of its question hidden to protect a smaller group), or a row that has no percentage.
HIDDEN, NO_PERCENT, NO_CHANGE = "hidden", "no_percent", "no_change"
REASONS = {
    HIDDEN: "Not compared: one of the rounds does not show this figure.",
    NO_PERCENT: "Not compared: one of the rounds shows no percentage here, to protect a "
    "smaller group.",
    NO_CHANGE: "No change is worked out for this row.",
}
Published = tuple[str, str, int | None, int | None]


def _shown(cell: OwnCell, code: str, k: int) -> Published:
    """The published words of one answer, why no change may use it ("" when one may), and the
    count and base a change may use (both None unless the round shows both)."""
    figures = cell.figures
    if figures is None:
        return cell.notice, HIDDEN, None, None
    if code == HEADLINE:
        return _headline(cell)
    x = cell.cell(code)
    if x is None or x.count is None:
        return (cell.notice if x is None else cell.count_text(x, k)), HIDDEN, None, None
    words = str(x.count)
    if x.percent is not None:
        extra = cell.percent_text(x.percent)
        if x.interval:
            extra += f"; 95% CI {cell.interval_text(x)}"
        words += f" ({extra})"
    base = figures.respondents if figures.kind == qt.Kind.SEVERAL_CHOICES else figures.answered
    if code == qt.NO_ANSWER or figures.answered == 0:  # no share of anything to compare
        return words, NO_CHANGE, None, None
    if x.percent is None or base is None:
        return words, NO_PERCENT, None, None
    return words, "", x.count, base


def _headline(cell: OwnCell) -> Published:
    figures = cell.figures
    if figures is None or figures.headline is None:
        return "Not shown", HIDDEN, None, None
    if figures.kind == qt.Kind.NUMBER:
        return f"{round(figures.headline, 1):g}", NO_CHANGE, None, None  # a median
    yes, no = cell.cell(qt.YES), cell.cell(qt.NO)
    assert yes is not None and no is not None and yes.count is not None and no.count is not None
    words = f"{cell.percent_text(figures.headline)}; 95% CI {cell.interval_text(None, figures)}"
    return words, "", yes.count, yes.count + no.count


def _rows(
    now: OwnQuestionResult,
    before: OwnQuestionResult,
    labels_now: dict[str, str],
    labels_before: dict[str, str],
    k_now: int,
    k_before: int,
) -> list[OwnRowComparison]:
    def key(audience: str, labels: dict[str, str]) -> tuple[str, str]:
        return (audience, " ".join(labels.get(audience, audience).split()).casefold())

    earlier_cells = {key(c.audience, labels_before): c for c in before.cells}
    pairs = answer_pairs(now.spec, before.spec)
    if now.kind == qt.Kind.YES_NO:
        pairs.append((HEADLINE, HEADLINE, "Percent yes (of yes and no)"))
    elif now.kind == qt.Kind.NUMBER:
        pairs.append((HEADLINE, HEADLINE, "Median (10 or more answers)"))
    rows = []
    for cell in now.cells:
        old = earlier_cells.get(key(cell.audience, labels_now))
        if old is None:
            continue  # this group was not asked in the earlier round
        for code, old_code, label in pairs:
            current, why_now, x1, n1 = _shown(cell, code, k_now)
            earlier, why_before, x2, n2 = _shown(old, old_code, k_before)
            difference = None
            if not (why_now or why_before) and x1 is not None and n1 and x2 is not None and n2:
                difference = newcombe_difference(x1, n1, x2, n2)
            why = next(
                (w for w in (HIDDEN, NO_PERCENT, NO_CHANGE) if w in (why_now, why_before)), ""
            )
            reason = "" if difference is not None else REASONS[why or NO_CHANGE]
            rows.append(
                OwnRowComparison(
                    audience=cell.audience,
                    audience_label=cell.label,
                    answer=label,
                    earlier=earlier,
                    current=current,
                    change=None if difference is None else difference.difference * 100,
                    low=None if difference is None else difference.low * 100,
                    high=None if difference is None else difference.high * 100,
                    significant=None if difference is None else difference.significant,
                    reason=reason,
                )
            )
    return rows


def compare_own_questions(
    now: RoundResults, before: RoundResults
) -> tuple[list[OwnComparison], list[OwnQuestionResult], list[OwnQuestionResult]]:
    """(matched pairs, only in the current round, only in the earlier round)."""
    waiting: dict[tuple[object, ...], list[OwnQuestionResult]] = defaultdict(list)
    for question in before.own_questions:
        waiting[match_key(question.spec)].append(question)
    labels_now = {a.audience: a.label for a in now.audiences}
    labels_before = {a.audience: a.label for a in before.audiences}
    matched, only_now = [], []
    for question in now.own_questions:
        found = waiting.get(match_key(question.spec))
        if not found:
            only_now.append(question)
            continue
        old = found.pop(0)  # the same question twice in a round: paired in order
        rows = _rows(question, old, labels_now, labels_before, now.threshold, before.threshold)
        matched.append(OwnComparison(question, old, rows))
    only_before = [q for found in waiting.values() for q in found]
    only_before.sort(key=lambda q: q.position)
    return matched, only_now, only_before
