"""The round's own questions in the results (issue 20): per audience, suppressed cells only.

Counted from released answers only, with the same cut as every other figure (one release
behind while live). A question has a cell only for the audiences it is asked of: any other
audience has no row, figure or words for it at all (not a zero, not "hidden"). An audience's
figures appear only where its statements' do (at least k respondents, `audience_visibility`);
inside it every option, bin and yes/no cell goes through
`surveys.question_types.figures`, i.e. `surveys.suppression` with complementary suppression.
The words (free text and "other, please say") are comments (DESIGN.md 6.7): only for groups of
at least k, in a fresh random order on every read, hideable, never cached.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import FeedbackRound, QuestionAnswer, QuestionText, Response
from app.services.mix import Shown, shown
from app.services.results.figures import CellStatus
from app.services.results.query import respondent_counts
from surveys import question_types as qt
from surveys.evidence import hidden_figure
from surveys.statistics import whole_percent
from surveys.suppression import comments_for_group


@dataclass(frozen=True, slots=True)
class OwnCell:
    """One audience's figures for one question; `figures` None when none may be shown."""

    audience: str
    label: str
    status: CellStatus
    notice: str  # what a hidden group reads instead; "" when shown
    figures: qt.Figures | None = None

    def cell(self, code: str) -> qt.Cell | None:
        """The figure for one option, bin or "No answer" (None when no figures at all)."""
        if self.figures is None:
            return None
        found = [*self.figures.cells, *([self.figures.no_answer] if self.figures.no_answer else [])]
        return next((c for c in found if c.code == code), None)

    def count_text(self, cell: qt.Cell, k: int) -> str:
        if cell.count is not None:
            return str(cell.count)
        return hidden_figure(cell.status == "suppressed", k)

    @staticmethod
    def percent_text(value: float | None) -> str:
        return "" if value is None else f"{whole_percent(value)}%"

    @staticmethod
    def interval_text(cell: qt.Cell | None, figures: qt.Figures | None = None) -> str:
        interval = (
            cell.interval if cell is not None else figures.headline_interval if figures else None
        )
        if interval is None:
            return ""
        return f"{whole_percent(interval[0] * 100)}-{whole_percent(interval[1] * 100)}%"


@dataclass(frozen=True, slots=True)
class OwnFigure:
    """One row of a question's figures for exports and the API: already suppressed."""

    audience: str
    answer_code: str
    answer: str
    count: int | None
    hidden: str  # why the count is missing ("" when shown)
    percent: float | None  # unrounded 0..100
    ci_low: float | None  # unrounded percent
    ci_high: float | None


@dataclass(frozen=True, slots=True)
class OwnQuestionResult:
    question_id: uuid.UUID
    position: int
    kind: qt.Kind
    text: str
    indicator_id: str | None  # None: about the round as a whole
    spec: qt.Spec
    cells: tuple[OwnCell, ...] = field(default_factory=tuple)

    @property
    def kind_label(self) -> str:
        return qt.KIND_LABELS[self.kind]

    @property
    def asked_of(self) -> tuple[str, ...]:
        """The audiences of these results that were asked it (one cell each)."""
        return tuple(cell.audience for cell in self.cells)

    @property
    def rows(self) -> list[tuple[str, str]]:
        """(code, label) of every row of its table: options or bins, then "No answer"."""
        if self.kind == qt.Kind.FREE_TEXT:
            return []
        listed = list(self.spec.bin_choices if self.kind == qt.Kind.NUMBER else self.spec.choices)
        if self.kind != qt.Kind.SEVERAL_CHOICES:
            listed.append((qt.NO_ANSWER, "No answer"))
        return listed

    def to_dict(self, k: int) -> dict[str, Any]:
        """For the CLI's JSON: the same suppressed rows as the workbook and the API."""
        return {
            "question_id": str(self.question_id),
            "kind": self.kind.value,
            "text": self.text,
            "indicator_id": self.indicator_id,
            "asked_of": list(self.asked_of),
            "figures": [asdict(row) for row in self.figure_rows(k)],
        }

    def text_rows(self, k: int) -> list[list[str]]:
        """The question's table in words, a row per answer and a column per audience (reports):
        "12 (40%; 95% CI 24-58%)", or why a figure is hidden."""
        table: dict[str, list[str]] = {}
        for row in self.figure_rows(k):
            if row.hidden:
                words = row.hidden
            elif row.answer_code == "median":
                words = f"{row.percent:g}" if row.percent is not None else ""
            else:
                parts = [] if row.count is None else [str(row.count)]
                extra = [] if row.percent is None else [f"{whole_percent(row.percent)}%"]
                if row.ci_low is not None and row.ci_high is not None:
                    extra.append(
                        f"95% CI {whole_percent(row.ci_low)}-{whole_percent(row.ci_high)}%"
                    )
                words = " ".join(
                    [*parts, f"({'; '.join(extra)})" if extra and parts else "; ".join(extra)]
                ).strip()
            table.setdefault(row.answer, []).append(words)
        return [[answer, *cells] for answer, cells in table.items()]

    def figure_rows(self, k: int) -> list[OwnFigure]:
        """Every figure of the question, one per audience and answer, then the headline
        (percent yes, or the median) as an answer of its own; hidden ones say why."""
        found: list[OwnFigure] = []
        for cell in self.cells:
            for code, label in self.rows:
                x = cell.cell(code)
                if x is None:
                    found.append(
                        OwnFigure(cell.audience, code, label, None, cell.notice, None, None, None)
                    )
                    continue
                low, high = (
                    (None, None)
                    if x.interval is None
                    else (100 * x.interval[0], 100 * x.interval[1])
                )
                hidden = "" if x.count is not None else cell.count_text(x, k)
                found.append(
                    OwnFigure(cell.audience, code, label, x.count, hidden, x.percent, low, high)
                )
            headline = _headline(self.kind, cell)
            if headline is not None:
                found.append(headline)
        return found


def _headline(kind: qt.Kind, cell: OwnCell) -> OwnFigure | None:
    if kind not in (qt.Kind.YES_NO, qt.Kind.NUMBER):
        return None
    code, label = ("percent_yes", "Percent yes") if kind == qt.Kind.YES_NO else ("median", "Median")
    figures = cell.figures
    if figures is None or figures.headline is None:
        reason = cell.notice or "not shown"
        return OwnFigure(cell.audience, code, label, None, reason, None, None, None)
    if kind == qt.Kind.NUMBER:
        return OwnFigure(cell.audience, code, label, None, "", figures.headline, None, None)
    interval = figures.headline_interval
    low, high = (None, None) if interval is None else (100 * interval[0], 100 * interval[1])
    return OwnFigure(cell.audience, code, label, None, "", figures.headline, low, high)


def _counts(round_id: uuid.UUID, cut: Shown) -> dict[tuple[uuid.UUID, str], dict[str, int]]:
    """(question, audience) -> {value: answers}: one grouped query, released answers only."""
    values: dict[tuple[uuid.UUID, str], dict[str, int]] = defaultdict(dict)
    rows = db.session.execute(
        select(QuestionAnswer.question_id, Response.audience, QuestionAnswer.value, func.count())
        .join(Response, Response.id == QuestionAnswer.response_id)
        .where(QuestionAnswer.round_id == round_id, cut.where(QuestionAnswer.release_batch))
        .group_by(QuestionAnswer.question_id, Response.audience, QuestionAnswer.value)
    )
    for question, audience, value, count in rows:
        values[(question, audience)][value] = count
    return values


def own_question_results(
    rnd: FeedbackRound,
    cut: Shown,
    audiences: list[str],
    respondents: Mapping[str, int],
    status_of: Callable[[str], CellStatus],
    label: Callable[[str], str],
) -> list[OwnQuestionResult]:
    """Every own question of the round, with one cell per audience (called by compute_results,
    with its cut and audience visibility, so the figures agree with everything else)."""
    from app.services.questions import questions_of, spec_of

    asked = questions_of(rnd.id)
    if not asked:
        return []
    k = rnd.threshold
    values = _counts(rnd.id, cut)
    results = []
    for question in asked:
        spec = spec_of(question)
        cells = []
        for audience in (a for a in audiences if question.asks(a)):
            status = status_of(audience)
            if status != CellStatus.SHOWN:
                notice = "No responses" if status == CellStatus.EMPTY else hidden_figure(True, k)
                cells.append(OwnCell(audience, label(audience), status, notice))
                continue
            tally = qt.Tally(respondents[audience], values.get((question.id, audience), {}))
            try:
                figures = qt.figures(spec, tally, k)
            except ValueError:  # answers the spec cannot hold: show nothing rather than guess
                figures = qt.Figures(spec.kind, tally.respondents, None, suppressed=True)
            if figures.suppressed:
                cells.append(
                    OwnCell(
                        audience, label(audience), CellStatus.SUPPRESSED, hidden_figure(False, k)
                    )
                )
            else:
                cells.append(OwnCell(audience, label(audience), CellStatus.SHOWN, "", figures))
        if not cells:  # asked of no audience the results show
            continue
        results.append(
            OwnQuestionResult(
                question.id,
                question.position,
                spec.kind,
                spec.text,
                question.indicator_id,
                spec,
                tuple(cells),
            )
        )
    return results


# ---------------------------------------------------------------------------------------------
# The words: comments


@dataclass(frozen=True, slots=True)
class OwnText:
    id: uuid.UUID
    text: str
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class OwnTextGroup:
    question_id: uuid.UUID
    audience: str
    texts: list[OwnText]  # shown, in a fresh random order
    hidden_count: int  # hidden by a coordinator (a count, never which)
    suppressed: bool  # fewer than k respondents: none of their words is shown
    hidden: list[OwnText] = field(default_factory=list)  # coordinators only, never small groups


def own_texts(
    rnd: FeedbackRound,
    figures: Sequence[OwnQuestionResult],
    rng: random.Random | None = None,
    *,
    include_hidden: bool = False,
) -> dict[uuid.UUID, list[OwnTextGroup]]:
    """question -> per audience, the words that may be shown (as comments are: DESIGN 6.7).

    An audience under k shows none of its words; hidden ones are only counted (listed apart
    for coordinators with `include_hidden`, never for a small group); the order is a fresh
    shuffle on every call. The words of "Other, please say" appear only where the "Other"
    count itself is shown (`figures`, the round's results): counting the words listed would
    otherwise give a hidden count away.
    """
    other_shown = {
        (q.question_id, c.audience)
        for q in figures
        if q.spec.other
        for c in q.cells
        if (other := c.cell(qt.OTHER)) is not None and other.count is not None
    }
    with_other = {q.question_id for q in figures if q.spec.other}
    asked = {(q.question_id, c.audience) for q in figures for c in q.cells}
    k = rnd.threshold
    cut = shown(rnd.id)
    by_channel = respondent_counts(rnd.id, cut)
    respondents = {a: sum(c.values()) for a, c in by_channel.items()}
    rows = db.session.execute(
        select(
            QuestionText.id,
            QuestionText.question_id,
            Response.audience,
            QuestionText.text,
            QuestionText.hidden,
        )
        .join(Response, Response.id == QuestionText.response_id)
        .where(QuestionText.round_id == rnd.id, cut.where(Response.release_batch))
    )
    grouped: dict[tuple[uuid.UUID, str], list[OwnText]] = defaultdict(list)
    for text_id, question, audience, text, hidden in rows:
        grouped[(question, audience)].append(OwnText(text_id, text, hidden))
    found: dict[uuid.UUID, list[OwnTextGroup]] = defaultdict(list)
    for (question, audience), texts in sorted(grouped.items(), key=lambda kv: str(kv[0])):
        if (question, audience) not in asked:
            continue  # a question not asked of this audience shows nothing of it
        count = respondents.get(audience, 0)
        small = count < k or (question in with_other and (question, audience) not in other_shown)
        found[question].append(
            OwnTextGroup(
                question,
                audience,
                [] if small else comments_for_group(texts, count, k, rng=rng),
                0 if small else sum(1 for t in texts if t.hidden),
                small,
                [t for t in texts if t.hidden] if include_hidden and not small else [],
            )
        )
    return dict(found)


def hide_own_text(rnd: FeedbackRound, text_id: uuid.UUID, *, hidden: bool) -> bool:
    """Hide (or show again) one answer's words; False if it is not this round's."""
    changed = db.session.execute(
        update(QuestionText)
        .where(QuestionText.id == text_id, QuestionText.round_id == rnd.id)
        .values(hidden=hidden)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return bool(changed.rowcount)  # type: ignore[attr-defined]
