"""The public result types: what pages, exports, the CLI and the assessment import read.

Anonymity is already applied by the time these exist: a cell that may not be shown carries None
in every figure and only a notice ("Fewer than 5 responses").
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.models import RoundStatus
from surveys.statistics import Disparity, whole_percent

if TYPE_CHECKING:
    from app.services.results.own_questions import OwnQuestionResult


class CellStatus(enum.StrEnum):
    SHOWN = "shown"
    SUPPRESSED = "suppressed"  # fewer than k respondents
    EMPTY = "empty"  # no responses at all


@dataclass(frozen=True, slots=True)
class Cell:
    """One group's figure for an item or an indicator. Hidden cells hold None in every figure."""

    status: CellStatus
    respondents: int | None  # people; for an indicator, the audience's respondents
    people: int | None  # people behind `base` (an answer other than Don't know); hidden: None
    base: int | None  # answers excluding Don't know (the denominator)
    favourable: int | None
    dont_know: int | None
    percent: float | None  # unrounded percent favourable, 0..100
    # 95%, unrounded percent: Wilson for an item, respondents as clusters for an indicator
    ci_low: float | None
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
    def people_text(self) -> str | None:
        """'20 people', '1 person'; None when hidden."""
        if self.people is None:
            return None
        return f"{self.people} {'person' if self.people == 1 else 'people'}"

    @property
    def band(self) -> str:
        """A CSS-friendly name for the quantity word (colour always comes with the word)."""
        return (self.word or self.status.value).replace(" ", "-")

    def to_dict(self) -> dict[str, Any]:
        return _with_status(self)


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
    kiosk_responses: int | None = None  # through a kiosk (issue 18): its own channel

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
        data = _with_status(self)
        data["scales"] = list(self.scales)
        data["response_rate"] = self.response_rate
        return data


def _with_status(record: Cell | AudienceSummary) -> dict[str, Any]:
    """Every field, the status as its plain value, and `suppressed` spelled out for readers."""
    data = {name: getattr(record, name) for name in record.__dataclass_fields__}
    data["status"] = record.status.value
    data["suppressed"] = record.suppressed
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
    # The round's own questions (issue 20), suppressed per audience and per cell.
    own_questions: list[OwnQuestionResult] = field(default_factory=list)

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
            "own_questions": [q.to_dict(self.threshold) for q in self.own_questions],
        }
