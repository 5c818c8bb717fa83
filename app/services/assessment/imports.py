"""Import a closed round's stakeholder results as immutable "stakeholders' views" evidence.

One evidence item per indicator that the round asked about and the assessment includes. Each
holds the round's evidence sentences, the figures behind them, the anonymity threshold and the
provenance (round, dates, invited and completed per audience), frozen as they were at import.
A later round adds new items beside the old ones; nothing is overwritten. Suppressed cells are
stored as their notice alone ("Fewer than 5 responses"): no count of a small group is copied,
so the evidence log can never show what the results pages hide.

The figures come from `app.services.results.round_results`, the same numbers the results pages
and exports show.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy import select

from app.dates import today
from app.extensions import db
from app.models import (
    Assessment,
    EvidenceItem,
    EvidenceSourceType,
    FeedbackRound,
    RoundStatus,
    User,
)
from app.services import audit
from app.services.assessment.assessments import Access, AssessmentError
from app.services.assessment.own_evidence import describe_lines, own_question_payloads
from app.services.results import (
    AudienceSummary,
    Cell,
    CellStatus,
    IndicatorResult,
    ItemResult,
    RoundResults,
    round_results,
)
from frameworks import Framework
from surveys.assessment import CellFigures

PAYLOAD_KIND = "stakeholder_views"
PAYLOAD_FORMAT = 1

CONTRIBUTORS_ONLY = (
    "Only the Self-Assessment Team and coordinators can import stakeholder results. "
    "Viewers can read them."
)


def _number(value: Any) -> int | float | None:
    """JSON-safe: Fractions and Decimals become floats; ints stay ints."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Fraction):
        return float(value)
    return float(value)


def _closed_on(rnd: FeedbackRound) -> date:
    return rnd.closed_at.date() if rnd.closed_at is not None else rnd.closes_on


# ---------------------------------------------------------------------------------------------
# Which rounds can be imported


@dataclass(frozen=True)
class RoundChoice:
    round: FeedbackRound
    overlap: list[str]  # indicators both the round and the assessment cover
    imported: bool


def imported_round_ids(assessment: Assessment) -> set[uuid.UUID]:
    rows = db.session.execute(
        select(EvidenceItem.payload).where(
            EvidenceItem.assessment_id == assessment.id, EvidenceItem.payload.is_not(None)
        )
    ).scalars()
    # The payload, not imported_round_id, is the record: the round may since have been deleted.
    return {uuid.UUID(p["round"]["id"]) for p in rows if p and p.get("kind") == PAYLOAD_KIND}


def round_choices(assessment: Assessment) -> list[RoundChoice]:
    """The organisation's closed rounds on the same framework, newest first."""
    done = imported_round_ids(assessment)
    rounds = db.session.execute(
        select(FeedbackRound)
        .where(
            FeedbackRound.organisation_id == assessment.organisation_id,
            FeedbackRound.framework_id == assessment.framework_id,
            FeedbackRound.status == RoundStatus.CLOSED,
        )
        .order_by(FeedbackRound.closes_on.desc(), FeedbackRound.name)
    ).scalars()
    choices = []
    for rnd in rounds:
        overlap = [i for i in assessment.indicator_ids if i in set(rnd.indicator_ids)]
        choices.append(RoundChoice(rnd, overlap, rnd.id in done))
    return choices


def _importable_round(assessment: Assessment, round_id: str) -> FeedbackRound:
    """The round to import, or AssessmentError saying plainly why not (nothing is changed)."""
    not_found = {
        "round_id": "There is no feedback round with that reference in your organisation. "
        "Choose one of the closed rounds listed."
    }
    try:
        parsed = uuid.UUID(str(round_id))
    except ValueError:
        raise AssessmentError(not_found) from None
    rnd = db.session.get(FeedbackRound, parsed)
    if rnd is None or rnd.organisation_id != assessment.organisation_id:
        raise AssessmentError(not_found)  # another organisation's round looks like no round
    if rnd.framework_id != assessment.framework_id:
        raise AssessmentError(
            {
                "round_id": f"“{rnd.name}” asked about another framework, so its results "
                "cannot be evidence for this assessment."
            }
        )
    if rnd.status != RoundStatus.CLOSED:
        state = "still a draft" if rnd.status == RoundStatus.DRAFT else "still open"
        raise AssessmentError(
            {
                "round_id": f"“{rnd.name}” is {state}. Import it after it closes, when its "
                "results are final."
            }
        )
    if rnd.id in imported_round_ids(assessment):
        raise AssessmentError(
            {
                "round_id": f"“{rnd.name}” has already been imported into this assessment. "
                "Its evidence items are in the log; nothing was changed."
            }
        )
    if not any(i in set(rnd.indicator_ids) for i in assessment.indicator_ids):
        raise AssessmentError(
            {
                "round_id": f"“{rnd.name}” asked about none of this assessment's indicators, "
                "so there is nothing to import."
            }
        )
    return rnd


# ---------------------------------------------------------------------------------------------
# Building the frozen payload


def _audience_payload(summary: AudienceSummary) -> dict[str, Any]:
    """Provenance per audience. `invited` is not a figure about respondents and is always kept;
    the response counts are None whenever the results service hides them."""
    return {
        "audience": summary.audience,
        "label": summary.label,
        "invited": _number(summary.invited),
        "completed": _number(summary.completed),  # through an email invitation
        "open_link_responses": _number(summary.open_link_responses),
        "paper_responses": _number(summary.paper_responses),
        "kiosk_responses": _number(summary.kiosk_responses),
        "respondents": _number(summary.respondents),
        "suppressed": bool(summary.suppressed),
        "notice": summary.notice,
    }


_FIGURES = (
    "respondents",
    "people",
    "base",
    "favourable",
    "dont_know",
    "percent",
    "ci_low",
    "ci_high",
)


def _cell_payload(key: str, label: str, cell: Cell) -> dict[str, Any]:
    """One audience's figure. Only a shown cell keeps numbers: a hidden one (fewer than k, or
    withheld to protect a smaller group) keeps its notice alone, so nothing can leak from here.
    Percentages and interval ends are unrounded percents (0..100), as the results service gives."""
    shown = cell.status == CellStatus.SHOWN and not cell.suppressed
    out: dict[str, Any] = {
        "audience": key,
        "label": label,
        "status": cell.status.value,
        "suppressed": bool(cell.suppressed),
        "evidence": cell.evidence,
    }
    if shown:
        out.update({name: _number(getattr(cell, name)) for name in _FIGURES})
        out["word"] = cell.word
        out["dont_know_text"] = cell.dont_know_text
    return out


def _item_payload(item: ItemResult, label: str) -> dict[str, Any]:
    cell = _cell_payload(item.audience, label, item.cell)
    cell["statement"] = item.statement
    return cell


def _disparity_payload(disparity: Any, labels: dict[str, str]) -> dict[str, Any] | None:
    """The spread between shown audiences (only shown audiences take part, so it is safe)."""
    if disparity is None:
        return None
    return {
        "spread": _number(disparity.spread),
        "highest": [labels.get(a, a) for a in disparity.highest],
        "lowest": [labels.get(a, a) for a in disparity.lowest],
    }


def build_payload(
    rnd: FeedbackRound,
    results: RoundResults,
    indicator: IndicatorResult,
    framework: Framework,
    imported_by: str,
) -> dict[str, Any]:
    """The frozen record for one indicator, from the results service's RoundResults and one of
    its IndicatorResults (cells keyed by column: the audience, or "audience/group")."""
    labels = {c.key: c.label for c in results.columns}
    labels.update({a.audience: a.label for a in results.audiences if a.audience not in labels})

    def label(key: str) -> str:
        return labels.get(key) or framework.audience_label(key.split("/")[0])

    order = list(labels)
    keys = sorted(indicator.cells, key=lambda k: order.index(k) if k in order else len(order))
    items = results.items_for(indicator.indicator_id)
    return {
        "kind": PAYLOAD_KIND,
        "format": PAYLOAD_FORMAT,
        "indicator": {"id": indicator.indicator_id, "title": indicator.title},
        "round": {
            "id": str(rnd.id),
            "name": rnd.name,
            "framework_id": rnd.framework_id,
            "opens_on": rnd.opens_on.isoformat(),
            "closes_on": rnd.closes_on.isoformat(),
            "closed_on": _closed_on(rnd).isoformat(),
        },
        "threshold": _number(results.threshold),
        "audiences": [_audience_payload(a) for a in results.audiences],
        "cells": [_cell_payload(k, label(k), indicator.cells[k]) for k in keys],
        "disparity": _disparity_payload(indicator.disparity, labels),
        "items": [_item_payload(i, label(i.audience)) for i in items],
        # The round's own questions on this indicator: beside its figures, never in them.
        "own_questions": own_question_payloads(rnd, results, indicator.indicator_id),
        "imported_on": today().isoformat(),
        "imported_by": imported_by,
    }


def describe(payload: dict[str, Any]) -> str:
    """The item's description: the evidence sentences in plain words, suppressed ones too."""
    rnd = payload["round"]
    lines = [
        f"Stakeholders' views from the round “{rnd['name']}” "
        f"({rnd['opens_on']} to {rnd['closed_on']}; figures for groups under "
        f"{payload['threshold']} are not shown)."
    ]
    for cell in payload["cells"]:
        text = cell["evidence"].strip()
        if cell["status"] == "shown":
            lines.append(text)
        else:
            lines.append(f"{cell['label']}: {text.rstrip('.')}.")
    return "\n".join([*lines, *describe_lines(payload)])


def import_round(
    assessment: Assessment,
    framework: Framework,
    access: Access,
    round_id: str,
    user_id: uuid.UUID,
    user_name: str,
) -> list[EvidenceItem]:
    """Add one immutable "stakeholders' views" item per indicator covered; return them."""
    access.require(access.can_contribute, CONTRIBUTORS_ONLY)
    rnd = _importable_round(assessment, round_id)
    results = round_results(rnd)
    wanted = set(assessment.indicator_ids) & set(rnd.indicator_ids)
    added = []
    for indicator in results.indicators:
        if indicator.indicator_id not in wanted:
            continue
        payload = build_payload(rnd, results, indicator, framework, user_name)
        item = EvidenceItem(
            assessment_id=assessment.id,
            indicator_id=indicator.indicator_id,
            source_type=EvidenceSourceType.STAKEHOLDER_VIEWS,
            description=describe(payload),
            evidence_date=_closed_on(rnd),
            location=f"Chorus feedback round “{rnd.name}”"[:300],
            added_by_id=user_id,
            imported_round_id=rnd.id,
            payload=payload,
        )
        db.session.add(item)
        added.append(item)
    if not added:
        raise AssessmentError(
            {"round_id": f"“{rnd.name}” has no results for this assessment's indicators."}
        )
    db.session.flush()
    audit.record(
        "assessment.round_imported",
        f"Imported the results of {rnd.name} into {assessment.title} "
        f"({len(added)} indicator{'s' if len(added) != 1 else ''})",
        organisation_id=assessment.organisation_id,
        actor=db.session.get(User, user_id),
        round=rnd,
        object_type="assessment",
        object_id=assessment.id,
        details={"indicators": len(added)},
    )
    return added


# ---------------------------------------------------------------------------------------------
# Reading imports back: the latest figures per indicator, for SAT vs stakeholders


def _latest_key(item: EvidenceItem) -> tuple[str, str]:
    assert item.payload is not None
    return (item.payload["round"]["closed_on"], item.created_at.isoformat())


def latest_stakeholder_views(assessment: Assessment) -> dict[str, EvidenceItem]:
    """Per indicator, the import from the most recently closed round (then the newest import)."""
    items = db.session.execute(
        select(EvidenceItem).where(
            EvidenceItem.assessment_id == assessment.id, EvidenceItem.payload.is_not(None)
        )
    ).scalars()
    latest: dict[str, EvidenceItem] = {}
    for item in items:
        if not item.payload or item.payload.get("kind") != PAYLOAD_KIND:
            continue
        held = latest.get(item.indicator_id)
        if held is None or _latest_key(item) > _latest_key(held):
            latest[item.indicator_id] = item
    return latest


def _interval(cell: dict[str, Any]) -> tuple[float, float] | None:
    """The interval the figure was shown with, as proportions: for an indicator, the clustered
    one. Imports frozen before the payload held people counts carry the pooled Wilson interval
    of that time; they return None, so the flag rule recomputes what they showed."""
    low, high = cell.get("ci_low"), cell.get("ci_high")
    if "people" not in cell or low is None or high is None:
        return None
    return (low / 100, high / 100)


def cell_figures(payload: dict[str, Any]) -> list[CellFigures]:
    """The imported cells in the shape the flag rule takes; suppressed cells carry no counts."""
    cells = []
    for c in payload["cells"]:
        shown = c.get("status") == "shown" and not c.get("suppressed")
        cells.append(
            CellFigures(
                audience=c["audience"],
                label=c["label"],
                suppressed=not shown,
                favourable=c.get("favourable") if shown else None,
                base=c.get("base") if shown else None,
                interval=_interval(c) if shown else None,
            )
        )
    return cells
