"""Results per indicator: the ONE code path for pages, exports, evidence import and the CLI.

DESIGN.md 6.5-6.7 and 7. One grouped query per round counts answers by item and value (served by
the covering index ix_answer_round_item_value); two small grouped queries count respondents and
invitations per audience. Everything else is assembled in memory with the pure modules:
`surveys.statistics` (distributions, Wilson intervals, quantity words, roll-ups, disparities,
Newcombe), `surveys.suppression` (threshold k with complementary suppression) and
`surveys.evidence` / `surveys.findings` (sentences). No Python loop ever touches one answer.

Anonymity is decided once per round, here, so no caller can get it wrong: a cell that may not be
shown carries None in every figure and only a notice ("Fewer than 5 responses").

Results freeze at close: a closed round takes no responses, so its results are computed once per
process and then served from memory.
"""

from __future__ import annotations

import enum
import logging
import pickle
import random
import threading
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Answer,
    Channel,
    Comment,
    CommentPrompt,
    FeedbackRound,
    Invitation,
    QuestionItem,
    Questionnaire,
    Response,
    RoundStatus,
)
from app.services.frameworks import UnknownFramework, get_framework
from app.services.responding import discard_drafts
from frameworks import Framework
from surveys import evidence as wording
from surveys.findings import indicator_evidence, third_person
from surveys.questionnaire import audience_phrase
from surveys.scales import SCALES, Scale, get_scale
from surveys.statistics import (
    Disparity,
    Distribution,
    IndicatorRollup,
    RollupKey,
    disparities,
    roll_up,
    whole_percent,
    wilson_interval,
)
from surveys.statistics import ItemResult as StatItem
from surveys.statistics import compare_rounds as compare_distributions
from surveys.suppression import (
    comments_for_group,
    suppress_counts,
)

log = logging.getLogger("chorus.results")

RESULT_STATUSES = (RoundStatus.LIVE, RoundStatus.CLOSED)


class ResultsUnavailable(LookupError):
    """A draft round has no results yet."""


class CloseError(ValueError):
    """The round cannot be closed in its present state; the message says why."""


class CellStatus(enum.StrEnum):
    SHOWN = "shown"
    SUPPRESSED = "suppressed"  # fewer than k respondents
    EMPTY = "empty"  # no responses at all


# ---------------------------------------------------------------------------------------------
# The public result types (exports and the assessment import read these)


@dataclass(frozen=True, slots=True)
class Cell:
    """One group's figure for an item or an indicator. Hidden cells hold None in every figure."""

    status: CellStatus
    respondents: int | None  # people; for an indicator, the audience's respondents
    base: int | None  # answers excluding Don't know (the denominator)
    favourable: int | None
    dont_know: int | None
    percent: float | None  # unrounded percent favourable, 0..100
    ci_low: float | None  # Wilson 95%, unrounded percent
    ci_high: float | None
    word: str | None  # quantity word, decided on the unrounded percentage
    evidence: str
    dont_know_text: str | None = None
    scale_id: str | None = None

    @property
    def suppressed(self) -> bool:
        """True whenever no figure may be shown."""
        return self.status == CellStatus.SUPPRESSED

    @property
    def shown(self) -> bool:
        return self.status == CellStatus.SHOWN

    @property
    def percent_text(self) -> str | None:
        return None if self.percent is None else f"{whole_percent(self.percent)}%"

    @property
    def interval_text(self) -> str | None:
        """'70-90%', rounded as in the evidence sentence."""
        if self.ci_low is None or self.ci_high is None:
            return None
        return f"{whole_percent(self.ci_low)}-{whole_percent(self.ci_high)}%"

    @property
    def band(self) -> str:
        """A CSS-friendly name for the quantity word (colour always comes with the word)."""
        return (self.word or self.status.value).replace(" ", "-")

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["status"] = self.status.value
        data["suppressed"] = self.suppressed
        return data


@dataclass(frozen=True, slots=True)
class AudienceSummary:
    audience: str
    label: str
    phrase: str  # "parents and carers", for sentences
    status: CellStatus
    invited: int  # invitations sent: not a figure about respondents, always shown
    completed: int | None  # responses through an email invitation
    open_link_responses: int | None
    paper_responses: int | None
    respondents: int | None
    notice: str  # what a hidden group reads instead of figures; "" when shown
    scales: tuple[str, ...] = ()

    @property
    def suppressed(self) -> bool:
        return self.status == CellStatus.SUPPRESSED

    @property
    def response_rate(self) -> float | None:
        """Completed invitations as a percentage of those invited (email channel only)."""
        if self.completed is None or not self.invited:
            return None
        return 100 * self.completed / self.invited

    @property
    def response_rate_text(self) -> str | None:
        rate = self.response_rate
        return None if rate is None else f"{whole_percent(rate)}%"

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["status"] = self.status.value
        data["suppressed"] = self.suppressed
        data["scales"] = list(self.scales)
        data["response_rate"] = self.response_rate
        return data


@dataclass(frozen=True, slots=True)
class Column:
    """An overview column: an audience, or an audience's second scale group (faces apart)."""

    key: str
    audience: str
    pooled_group: str
    label: str


@dataclass(frozen=True, slots=True)
class ItemResult:
    item_id: uuid.UUID
    indicator_id: str
    theme_id: str | None
    section_id: str
    audience: str
    position: int
    statement: str
    scale_id: str
    distribution: dict[str, int] | None  # full, in scale order; None when hidden
    cell: Cell

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": str(self.item_id),
            "indicator_id": self.indicator_id,
            "theme_id": self.theme_id,
            "section_id": self.section_id,
            "audience": self.audience,
            "position": self.position,
            "statement": self.statement,
            "scale_id": self.scale_id,
            "distribution": self.distribution,
            "cell": self.cell.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    indicator_id: str
    title: str
    section_id: str
    cells: dict[str, Cell]  # by Column.key (the audience id); absent: audience not asked
    disparity: Disparity | None  # the largest spread between shown audiences, if any
    disparities: tuple[Disparity, ...] = ()  # one per scale group with two or more audiences

    @property
    def label(self) -> str:
        return f"{self.indicator_id} {self.title}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator_id": self.indicator_id,
            "title": self.title,
            "section_id": self.section_id,
            "cells": {key: cell.to_dict() for key, cell in self.cells.items()},
            "disparities": [asdict(d) for d in self.disparities],
        }


@dataclass(frozen=True, slots=True)
class RoundResults:
    round_id: uuid.UUID
    round_name: str
    framework_id: str
    framework_title: str
    status: RoundStatus
    threshold: int
    closed_at: datetime | None
    audiences: list[AudienceSummary]
    columns: list[Column]
    indicators: list[IndicatorResult]
    items: list[ItemResult]
    total_respondents: int | None  # None when it must be hidden
    comments_allowed_audiences: list[str] = field(default_factory=list)

    @property
    def frozen(self) -> bool:
        return self.status == RoundStatus.CLOSED

    def audience(self, audience: str) -> AudienceSummary:
        for summary in self.audiences:
            if summary.audience == audience:
                return summary
        raise KeyError(audience)

    def indicator(self, indicator_id: str) -> IndicatorResult:
        for result in self.indicators:
            if result.indicator_id == indicator_id:
                return result
        raise KeyError(indicator_id)

    def items_for(self, indicator_id: str, audience: str | None = None) -> list[ItemResult]:
        return [
            item
            for item in self.items
            if item.indicator_id == indicator_id and (audience is None or item.audience == audience)
        ]

    @property
    def disparities(self) -> list[Disparity]:
        """Every indicator's spreads, largest first (CSIT: discuss the disparities)."""
        found = [d for result in self.indicators for d in result.disparities]
        return sorted(found, key=lambda d: (-d.spread, d.indicator, d.pooled_group))

    def to_dict(self) -> dict[str, Any]:
        return {
            "round_id": str(self.round_id),
            "round_name": self.round_name,
            "framework_id": self.framework_id,
            "framework_title": self.framework_title,
            "status": self.status.value,
            "threshold": self.threshold,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "total_respondents": self.total_respondents,
            "audiences": [a.to_dict() for a in self.audiences],
            "columns": [asdict(c) for c in self.columns],
            "indicators": [i.to_dict() for i in self.indicators],
            "items": [i.to_dict() for i in self.items],
            "comments_allowed_audiences": self.comments_allowed_audiences,
        }


# ---------------------------------------------------------------------------------------------
# Queries: three grouped SELECTs and the items


def answer_counts(round_id: uuid.UUID) -> dict[uuid.UUID, dict[str, int]]:
    """item id -> {answer code: count}: THE grouped query, one row per item and value."""
    rows = db.session.execute(
        select(Answer.item_id, Answer.value, func.count())
        .where(Answer.round_id == round_id)
        .group_by(Answer.item_id, Answer.value)
    )
    counts: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for item_id, value, count in rows:
        counts[item_id][value] = count
    return counts


def respondent_counts(round_id: uuid.UUID) -> dict[str, dict[str, int]]:
    """audience -> {channel: responses}."""
    rows = db.session.execute(
        select(Response.audience, Response.channel, func.count())
        .where(Response.round_id == round_id)
        .group_by(Response.audience, Response.channel)
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for audience, channel, count in rows:
        counts[audience][Channel(channel).value] = count
    return counts


def invitation_counts(round_id: uuid.UUID) -> dict[str, int]:
    rows = db.session.execute(
        select(Invitation.audience, func.count())
        .where(Invitation.round_id == round_id)
        .group_by(Invitation.audience)
    )
    return {audience: count for audience, count in rows}


@dataclass(frozen=True, slots=True)
class _Item:
    id: uuid.UUID
    audience: str
    position: int
    section_id: str
    indicator_id: str
    theme_id: str | None
    statement: str
    scale_id: str


def _round_items(round_id: uuid.UUID) -> list[_Item]:
    rows = db.session.execute(
        select(
            QuestionItem.id,
            Questionnaire.audience,
            QuestionItem.position,
            QuestionItem.section_id,
            QuestionItem.indicator_id,
            QuestionItem.theme_id,
            QuestionItem.statement,
            QuestionItem.scale_id,
        )
        .join(Questionnaire, QuestionItem.questionnaire_id == Questionnaire.id)
        .where(Questionnaire.round_id == round_id)
        .order_by(Questionnaire.audience, QuestionItem.position)
    )
    return [_Item(*row) for row in rows]


# ---------------------------------------------------------------------------------------------
# Which audiences may show figures


@dataclass(frozen=True, slots=True)
class AudienceVisibility:
    shown: frozenset[str]
    suppressed: frozenset[str]  # fewer than k respondents: no figure at all
    empty: frozenset[str]  # no respondents: zeros, nothing else
    total_shown: bool  # whether the all-groups respondent count may appear


def audience_visibility(respondents: dict[str, int], k: int) -> AudienceVisibility:
    """Primary suppression per audience, with the all-groups total as the complement.

    A shown total beside the shown groups would give a suppressed group's count away by
    subtraction, so something else must be hidden. `surveys.suppression` would hide the next
    smallest audience (totals cost most in a statistical table); here that would throw away a
    whole group's results, every percentage and chart, to keep one headcount. So the total is
    the complementary cell: it appears only when no audience is suppressed. No figure for all
    groups together (percentage, distribution) is shown anywhere, so nothing else can be
    subtracted.
    """
    table = suppress_counts(respondents, k, with_total=False)  # no total: primary only
    empty = frozenset(a for a, n in respondents.items() if n == 0)
    return AudienceVisibility(
        shown=frozenset(respondents) - table.hidden - empty,
        suppressed=frozenset(table.primary),
        empty=empty,
        total_shown=not table.primary,
    )


# ---------------------------------------------------------------------------------------------
# Assembly


def framework_of(rnd: FeedbackRound) -> Framework | None:
    try:
        return get_framework(rnd.organisation_id, rnd.framework_id)
    except UnknownFramework:
        return None  # a custom framework deleted since: results still show, with bare ids


def ensure_results(rnd: FeedbackRound) -> None:
    if rnd.status not in RESULT_STATUSES:
        raise ResultsUnavailable(
            "This round is a draft: results appear once it has been launched and people answer."
        )


# Closed rounds' results never change (no response is accepted after close), so each process
# keeps the latest few, pickled: a copy per caller, so nobody can alter another's figures.
FROZEN_CACHE_SIZE = 64
_frozen: OrderedDict[tuple[uuid.UUID, datetime | None, int], bytes] = OrderedDict()
_frozen_lock = threading.Lock()


def round_results(rnd: FeedbackRound) -> RoundResults:
    """Everything the results pages, exports and CLI show for one round, threshold applied.

    A live round is counted afresh on every call; a closed round is counted once per process
    and then served from memory, because its results are frozen.
    """
    ensure_results(rnd)
    if rnd.status != RoundStatus.CLOSED:
        return _compute(rnd)
    # SQLite reads the time back without its zone: compare the UTC wall time either way.
    closed_at = rnd.closed_at.replace(tzinfo=None) if rnd.closed_at else None
    key = (rnd.id, closed_at, rnd.threshold)
    with _frozen_lock:
        stored = _frozen.get(key)
        if stored is not None:
            _frozen.move_to_end(key)
    if stored is not None:
        return pickle.loads(stored)
    results = _compute(rnd)
    with _frozen_lock:
        _frozen[key] = pickle.dumps(results)
        while len(_frozen) > FROZEN_CACHE_SIZE:
            _frozen.popitem(last=False)
    return results


def _compute(rnd: FeedbackRound) -> RoundResults:
    k = rnd.threshold
    framework = framework_of(rnd)
    items = _round_items(rnd.id)
    counts = answer_counts(rnd.id)
    by_channel = respondent_counts(rnd.id)
    invited = invitation_counts(rnd.id)

    audiences = _ordered_audiences(rnd, items, by_channel)
    respondents = {a: sum(by_channel.get(a, {}).values()) for a in audiences}
    visibility = audience_visibility(respondents, k)

    def status_of(audience: str) -> CellStatus:
        if audience in visibility.empty:
            return CellStatus.EMPTY
        if audience in visibility.suppressed:
            return CellStatus.SUPPRESSED
        return CellStatus.SHOWN

    def label(audience: str) -> str:
        return framework.audience_label(audience) if framework else audience

    def phrase(audience: str) -> str:
        return audience_phrase(framework, audience) if framework else audience

    scales_by_audience: dict[str, list[str]] = defaultdict(list)
    for item in items:
        if item.scale_id not in scales_by_audience[item.audience]:
            scales_by_audience[item.audience].append(item.scale_id)

    summaries = [
        _audience_summary(
            audience,
            label(audience),
            phrase(audience),
            status_of(audience),
            invited.get(audience, 0),
            by_channel.get(audience, {}),
            k,
            tuple(scales_by_audience.get(audience, ())),
        )
        for audience in audiences
    ]

    # Items: one cell each, hidden with their audience or when fewer than k answered them.
    item_results: list[ItemResult] = []
    shown_items: list[StatItem] = []
    for item in items:
        scale = get_scale(item.scale_id)
        distribution = _distribution(scale, counts.get(item.id, {}), item.id)
        status = status_of(item.audience)
        if status == CellStatus.SHOWN and 0 < distribution.n_answered < k:
            status = CellStatus.SUPPRESSED
        if status == CellStatus.SHOWN and distribution.n_answered == 0:
            status = CellStatus.EMPTY
        if status == CellStatus.SHOWN:
            finding = third_person(item.statement)
            text = wording.evidence(
                distribution,
                audience=phrase(item.audience),
                finding=finding,
                statement=None if finding else item.statement,
            )
            cell = _shown_cell(distribution, distribution.n_answered, text, item.scale_id)
            shown_items.append(
                StatItem(str(item.id), item.indicator_id, item.audience, distribution)
            )
        else:
            cell = _hidden_cell(status, k, phrase(item.audience), item.scale_id)
        item_results.append(
            ItemResult(
                item_id=item.id,
                indicator_id=item.indicator_id,
                theme_id=item.theme_id,
                section_id=item.section_id,
                audience=item.audience,
                position=item.position,
                statement=item.statement,
                scale_id=item.scale_id,
                distribution=dict(distribution.counts) if status == CellStatus.SHOWN else None,
                cell=cell,
            )
        )

    columns = _columns(audiences, items, label)
    column_key = {(c.audience, c.pooled_group): c.key for c in columns}
    rollups = roll_up(shown_items)
    spreads = disparities(rollups.values(), shown_audiences=visibility.shown)

    indicators = _indicator_results(
        rnd,
        framework,
        items,
        item_results,
        rollups,
        spreads,
        column_key,
        respondents,
        status_of,
        phrase,
        k,
    )
    order = {result.indicator_id: n for n, result in enumerate(indicators)}
    rank = {audience: n for n, audience in enumerate(audiences)}
    item_results.sort(
        key=lambda r: (order.get(r.indicator_id, len(order)), rank[r.audience], r.position)
    )

    total = sum(respondents.values()) if visibility.total_shown else None
    return RoundResults(
        round_id=rnd.id,
        round_name=rnd.name,
        framework_id=rnd.framework_id,
        framework_title=framework.title if framework else rnd.framework_id,
        status=rnd.status,
        threshold=k,
        closed_at=rnd.closed_at,
        audiences=summaries,
        columns=columns,
        indicators=indicators,
        items=item_results,
        total_respondents=total,
        comments_allowed_audiences=[a for a in audiences if respondents[a] >= k],
    )


def _ordered_audiences(
    rnd: FeedbackRound, items: Iterable[_Item], by_channel: dict[str, dict[str, int]]
) -> list[str]:
    """The round's audiences that were asked something, in the round's order; any audience
    with responses but no questionnaire (should not happen) still counts towards the total."""
    asked = {item.audience for item in items}
    ordered = [a for a in rnd.audiences if a in asked]
    extra = sorted((asked | set(by_channel)) - set(ordered))
    return ordered + extra


def _distribution(scale: Scale, counts: dict[str, int], item_id: uuid.UUID) -> Distribution:
    known = {code: n for code, n in counts.items() if code in scale.codes}
    if len(known) != len(counts):
        # The respondent journey validates codes; a stray one means data was edited by hand.
        log.warning("item %s: answers outside scale %s ignored", item_id, scale.id)
    return Distribution(scale, known)


def _audience_summary(
    audience: str,
    label: str,
    phrase: str,
    status: CellStatus,
    invited: int,
    channels: dict[str, int],
    k: int,
    scales: tuple[str, ...],
) -> AudienceSummary:
    completed = open_link = paper = respondents = None
    if status in (CellStatus.SHOWN, CellStatus.EMPTY):
        respondents = sum(channels.values())
        # Channels split a group: each is a smaller group with its own threshold, and the
        # audience's count is their total, so the same complementary rule applies.
        split = suppress_counts(
            {c.value: channels.get(c.value, 0) for c in Channel}, k, with_total=True
        )
        if not split.total_suppressed:
            completed = split.shown[Channel.EMAIL.value]
            open_link = split.shown[Channel.OPEN_LINK.value]
            paper = split.shown[Channel.PAPER.value]
    return AudienceSummary(
        audience=audience,
        label=label,
        phrase=phrase,
        status=status,
        invited=invited,
        completed=completed,
        open_link_responses=open_link,
        paper_responses=paper,
        respondents=respondents,
        notice=_notice(status, k),
        scales=scales,
    )


def _notice(status: CellStatus, k: int) -> str:
    if status == CellStatus.SUPPRESSED:
        return wording.suppressed(k).sentence
    if status == CellStatus.EMPTY:
        return "No responses"
    return ""


def _hidden_cell(status: CellStatus, k: int, phrase: str, scale_id: str | None) -> Cell:
    zero = 0 if status == CellStatus.EMPTY else None
    text = f"No responses from {phrase}." if status == CellStatus.EMPTY else _notice(status, k)
    return Cell(
        status=status,
        respondents=zero,
        base=zero,
        favourable=zero,
        dont_know=zero,
        percent=None,
        ci_low=None,
        ci_high=None,
        word=None,
        evidence=text,
        scale_id=scale_id,
    )


def _shown_cell(
    distribution: Distribution, respondents: int, text: wording.Evidence, scale_id: str
) -> Cell:
    interval = wilson_interval(distribution.favourable, distribution.base)
    return Cell(
        status=CellStatus.SHOWN,
        respondents=respondents,
        base=distribution.base,
        favourable=distribution.favourable,
        dont_know=distribution.dont_know,
        percent=distribution.percent_favourable,
        ci_low=None if interval is None else interval[0] * 100,
        ci_high=None if interval is None else interval[1] * 100,
        word=distribution.quantity_word,
        evidence=text.sentence,
        dont_know_text=text.dont_know,
        scale_id=scale_id,
    )


def _columns(
    audiences: list[str], items: Iterable[_Item], label: Callable[[str], str]
) -> list[Column]:
    """One column per audience for its main scale group; a second group (rare: an audience
    answering both faces and an adult scale) gets its own column, never pooled."""
    groups: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in items:
        groups[item.audience][SCALES[item.scale_id].pooled_group] += 1
    columns = []
    for audience in audiences:
        ranked = sorted(groups.get(audience, {"adult": 0}).items(), key=lambda g: -g[1])
        for n, (group, _) in enumerate(ranked):
            key = audience if n == 0 else f"{audience}/{group}"
            name = label(audience) if n == 0 else f"{label(audience)} ({group} scale)"
            columns.append(Column(key, audience, group, name))
    return columns


def _indicator_results(
    rnd: FeedbackRound,
    framework: Framework | None,
    items: list[_Item],
    item_results: list[ItemResult],
    rollups: dict[RollupKey, IndicatorRollup],
    spreads: list[Disparity],
    column_key: dict[tuple[str, str], str],
    respondents: dict[str, int],
    status_of: Callable[[str], CellStatus],
    phrase: Callable[[str], str],
    k: int,
) -> list[IndicatorResult]:
    asked: dict[str, set[tuple[str, str]]] = defaultdict(set)  # indicator -> (audience, group)
    scale_of: dict[tuple[str, str, str], str] = {}
    for item in items:
        group = SCALES[item.scale_id].pooled_group
        asked[item.indicator_id].add((item.audience, group))
        scale_of.setdefault((item.indicator_id, item.audience, group), item.scale_id)
    hidden_items: dict[tuple[str, str, str], int] = defaultdict(int)
    for result in item_results:
        if result.cell.status == CellStatus.SUPPRESSED:
            key = (result.indicator_id, result.audience, SCALES[result.scale_id].pooled_group)
            hidden_items[key] += 1

    ids = list(rnd.indicator_ids) + sorted(set(asked) - set(rnd.indicator_ids))
    results = []
    for indicator_id in ids:
        title, section_id = indicator_id, ""
        if framework is not None:
            try:
                indicator = framework.indicator(indicator_id)
                title, section_id = indicator.title, indicator.section
            except KeyError:
                pass
        cells: dict[str, Cell] = {}
        for audience, group in sorted(asked.get(indicator_id, ())):
            key = column_key[(audience, group)]
            status = status_of(audience)
            rollup = rollups.get(RollupKey(indicator_id, audience, group))
            scale_id = scale_of[(indicator_id, audience, group)]
            if status == CellStatus.SHOWN and rollup is None:
                # every item of the audience was hidden (fewer than k answered each)
                has_hidden = hidden_items[(indicator_id, audience, group)] > 0
                status = CellStatus.SUPPRESSED if has_hidden else CellStatus.EMPTY
            if status != CellStatus.SHOWN or rollup is None:
                cells[key] = _hidden_cell(status, k, phrase(audience), scale_id)
                continue
            pooled = rollup.pooled
            text = indicator_evidence(
                pooled,
                audience=phrase(audience),
                indicator=f"{indicator_id} {title}",
                statements=len(rollup.items),
            )
            cells[key] = _shown_cell(pooled, respondents[audience], text, scale_id)
        own = tuple(d for d in spreads if d.indicator == indicator_id)
        results.append(
            IndicatorResult(
                indicator_id=indicator_id,
                title=title,
                section_id=section_id,
                cells=cells,
                disparity=own[0] if own else None,
                disparities=own,
            )
        )
    return results


# ---------------------------------------------------------------------------------------------
# Comments (DESIGN.md 6.6)


@dataclass(frozen=True, slots=True)
class VisibleComment:
    id: uuid.UUID
    section_id: str
    prompt: CommentPrompt
    text: str
    hidden: bool = False  # always False once chosen for display


@dataclass(frozen=True, slots=True)
class CommentGroup:
    section_id: str
    audience: str
    label: str
    comments: list[VisibleComment]
    hidden_count: int  # hidden by a coordinator (a count, never which)
    suppressed: bool = False  # fewer than k respondents: no comment of theirs is shown
    # Only with include_hidden (for coordinators, to show one again); never for a small group.
    hidden: list[VisibleComment] = field(default_factory=list)

    def by_prompt(self, prompt: CommentPrompt) -> list[VisibleComment]:
        return [c for c in self.comments if c.prompt == prompt]


def visible_comments(
    rnd: FeedbackRound,
    audience: str | None = None,
    rng: random.Random | None = None,
    *,
    section_id: str | None = None,
    include_hidden: bool = False,
) -> list[CommentGroup]:
    """The comments that may be shown, per section and audience, in random order (DESIGN 6.6).

    An audience's comments appear only when it has k or more respondents. A smaller group's
    comments are shown nowhere, not even pooled with other groups': pooled comments would still be
    its words, and listing the other groups apart would single them out. Its group is returned
    with `suppressed` set and no comments, so pages can say why. Hidden comments are left out
    and only counted, unless `include_hidden` (coordinators' view) also lists them apart.
    `section_id` and `audience` narrow the result; `rng` seeds the shuffle (tests only: the
    default order cannot be replayed).
    """
    ensure_results(rnd)
    k = rnd.threshold
    framework = framework_of(rnd)
    by_channel = respondent_counts(rnd.id)
    respondents = {a: sum(c.values()) for a, c in by_channel.items()}
    asked: dict[str, set[str]] = defaultdict(set)
    section_order: list[str] = []
    for questionnaire in db.session.execute(
        select(Questionnaire).where(Questionnaire.round_id == rnd.id)
    ).scalars():
        for section in questionnaire.sections:
            if section.get("free_text"):
                asked[section["id"]].add(questionnaire.audience)
                if section["id"] not in section_order:
                    section_order.append(section["id"])
    query = (
        select(
            Comment.id,
            Comment.section_id,
            Comment.prompt,
            Comment.text,
            Comment.hidden,
            Response.audience,
        )
        .join(Response, Comment.response_id == Response.id)
        .where(Comment.round_id == rnd.id)
        .order_by(Comment.id)  # random ids: no trace of submission order
    )
    if section_id is not None:
        query = query.where(Comment.section_id == section_id)
    comments: dict[str, dict[str, list[_StoredComment]]] = defaultdict(lambda: defaultdict(list))
    for cid, sid, prompt, text, hidden, aud in db.session.execute(query):
        comments[sid][aud].append(_StoredComment(cid, sid, CommentPrompt(prompt), text, hidden))
    if framework is not None:
        rank = {s.id: n for n, s in enumerate(framework.sections)}
        section_order.sort(key=lambda s: rank.get(s, len(rank)))
    sections = [s for s in section_order if section_id in (None, s)]
    sections += sorted(s for s in comments if s not in sections)

    order = {a: n for n, a in enumerate(rnd.audiences)}
    groups: list[CommentGroup] = []
    for sid in sections:
        present = asked.get(sid, set()) | set(comments[sid])
        for aud in sorted(present, key=lambda a: (order.get(a, len(order)), a)):
            if audience not in (None, aud):
                continue
            label = framework.audience_label(aud) if framework else aud
            count = respondents.get(aud, 0)
            if count < k:
                # Never shown, not even mixed in with other groups' comments: the words
                # themselves could identify someone in a small group.
                groups.append(CommentGroup(sid, aud, label, [], 0, suppressed=count > 0))
                continue
            own = comments[sid].get(aud, [])
            chosen = comments_for_group(own, count, k, rng=rng)
            hidden = [c for c in own if c.hidden]
            groups.append(
                CommentGroup(
                    sid,
                    aud,
                    label,
                    [c.visible() for c in chosen],
                    len(hidden),
                    hidden=[c.visible() for c in hidden] if include_hidden else [],
                )
            )
    return groups


@dataclass(frozen=True, slots=True)
class _StoredComment:
    id: uuid.UUID
    section_id: str
    prompt: CommentPrompt
    text: str
    hidden: bool

    def visible(self) -> VisibleComment:
        return VisibleComment(self.id, self.section_id, self.prompt, self.text)


def get_comment(rnd: FeedbackRound, comment_id: uuid.UUID) -> Comment | None:
    return db.session.execute(
        select(Comment).where(Comment.id == comment_id, Comment.round_id == rnd.id)
    ).scalar_one_or_none()


def hide_comment(rnd: FeedbackRound, comment_id: uuid.UUID, hidden: bool = True) -> Comment:
    """Hide a comment of this round from every page and export, or (hidden=False) show it
    again. Coordinators only; the text is never edited. LookupError if the round has no such
    comment."""
    comment = get_comment(rnd, comment_id)
    if comment is None:
        raise LookupError(comment_id)
    comment.hidden = hidden
    db.session.flush()
    return comment


# ---------------------------------------------------------------------------------------------
# Closing: results freeze


def close_round(rnd: FeedbackRound) -> FeedbackRound:
    """Close a live round: no further responses are accepted and its results stop changing.

    The round row is re-read FOR UPDATE: a submission holds a share lock on it while it
    inserts, so on PostgreSQL the close waits for submissions in flight, and any submission
    after it sees "closed" and is refused. (SQLite serialises writers anyway.)
    """
    db.session.execute(
        select(FeedbackRound)
        .where(FeedbackRound.id == rnd.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if rnd.status == RoundStatus.DRAFT:
        raise CloseError("This round has not been launched yet, so there is nothing to close.")
    if rnd.status == RoundStatus.CLOSED:
        raise CloseError("This round is already closed.")
    rnd.status = RoundStatus.CLOSED
    rnd.closed_at = datetime.now(UTC)
    discard_drafts(rnd.id)  # unsent drafts can never be sent now (DESIGN.md 6.4, 6.7)
    db.session.flush()
    return rnd


# ---------------------------------------------------------------------------------------------
# Which rounds have results


def rounds_with_results(org_id: uuid.UUID) -> list[FeedbackRound]:
    return list(
        db.session.execute(
            select(FeedbackRound)
            .where(
                FeedbackRound.organisation_id == org_id,
                FeedbackRound.status.in_(RESULT_STATUSES),
            )
            .order_by(FeedbackRound.opens_on.desc(), FeedbackRound.name)
        ).scalars()
    )


def total_respondents_shown(rounds: list[FeedbackRound]) -> dict[uuid.UUID, int | None]:
    """Each round's total responses, or None where it must be hidden (fewer than k)."""
    if not rounds:
        return {}
    rows = db.session.execute(
        select(Response.round_id, Response.audience, func.count())
        .where(Response.round_id.in_([r.id for r in rounds]))
        .group_by(Response.round_id, Response.audience)
    )
    per_round: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for round_id, audience, count in rows:
        per_round[round_id][audience] = count
    shown: dict[uuid.UUID, int | None] = {}
    for rnd in rounds:
        counts = per_round.get(rnd.id, {})
        visibility = audience_visibility(counts, rnd.threshold)
        shown[rnd.id] = sum(counts.values()) if visibility.total_shown else None
    return shown


def earlier_rounds(rnd: FeedbackRound) -> list[FeedbackRound]:
    """Rounds of the same organisation and framework with results, other than this one."""
    return [
        other
        for other in rounds_with_results(rnd.organisation_id)
        if other.id != rnd.id and other.framework_id == rnd.framework_id
    ]


# ---------------------------------------------------------------------------------------------
# Round versus round (DESIGN.md 7)


@dataclass(frozen=True, slots=True)
class ItemComparison:
    audience: str
    audience_label: str
    indicator_id: str
    statement: str
    scale_id: str
    current: Cell
    earlier: Cell
    change: float | None  # percentage points, unrounded
    low: float | None
    high: float | None
    significant: bool | None
    reason: str  # why not compared, "" when compared

    @property
    def compared(self) -> bool:
        return self.change is not None

    @property
    def change_text(self) -> str | None:
        if self.change is None:
            return None
        points = whole_percent(self.change)
        return f"{'+' if points > 0 else ''}{points} points"

    @property
    def interval_text(self) -> str | None:
        if self.low is None or self.high is None:
            return None
        return f"{whole_percent(self.low)} to {whole_percent(self.high)} points"


@dataclass(frozen=True, slots=True)
class RoundComparison:
    current: RoundResults
    earlier: RoundResults
    items: list[ItemComparison]
    new_items: int  # in the current round with no identical earlier item
    dropped_items: int  # in the earlier round with no identical current item


def _match_key(item: ItemResult) -> tuple[str, str, str]:
    return (item.audience, item.scale_id, " ".join(item.statement.split()))


def compare_rounds(current: FeedbackRound, earlier: FeedbackRound) -> RoundComparison:
    """Items asked with identical wording and scale to the same audience in both rounds."""
    if current.id == earlier.id:
        raise ValueError("choose a different round to compare with")
    if current.framework_id != earlier.framework_id:
        raise ValueError("rounds on different frameworks cannot be compared")
    if current.organisation_id != earlier.organisation_id:
        raise ValueError("rounds of different organisations cannot be compared")
    now, before = round_results(current), round_results(earlier)

    def index(results: RoundResults) -> dict[tuple[str, ...], ItemResult]:
        seen: dict[tuple[str, ...], list[ItemResult]] = defaultdict(list)
        for item in results.items:
            seen[_match_key(item)].append(item)
        out: dict[tuple[str, ...], ItemResult] = {}
        for key, found in seen.items():
            if len(found) == 1:
                out[key] = found[0]
            else:  # the same words twice for one audience: tell them apart by indicator
                for item in found:
                    out[(*key, item.indicator_id)] = item
        return out

    current_items, earlier_items = index(now), index(before)
    labels = {a.audience: a.label for a in now.audiences}
    comparisons = []
    for key, item in current_items.items():
        old = earlier_items.get(key)
        if old is None:
            continue
        comparisons.append(_compare_item(item, old, labels.get(item.audience, item.audience)))
    matched = sum(1 for key in current_items if key in earlier_items)
    return RoundComparison(
        current=now,
        earlier=before,
        items=comparisons,
        new_items=len(current_items) - matched,
        dropped_items=len(earlier_items) - matched,
    )


def _compare_item(item: ItemResult, old: ItemResult, audience_label: str) -> ItemComparison:
    reason = ""
    difference = None
    if item.distribution is None or old.distribution is None:
        reason = "Not compared: one of the rounds cannot show figures for this group."
    else:
        scale = get_scale(item.scale_id)
        difference = compare_distributions(
            Distribution(scale, item.distribution), Distribution(scale, old.distribution)
        )
        if difference is None:
            reason = "Not compared: only Don't know answers in one of the rounds."
    return ItemComparison(
        audience=item.audience,
        audience_label=audience_label,
        indicator_id=item.indicator_id,
        statement=item.statement,
        scale_id=item.scale_id,
        current=item.cell,
        earlier=old.cell,
        change=None if difference is None else difference.difference * 100,
        low=None if difference is None else difference.low * 100,
        high=None if difference is None else difference.high * 100,
        significant=None if difference is None else difference.significant,
        reason=reason,
    )
