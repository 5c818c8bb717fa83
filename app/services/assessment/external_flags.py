"""External surveys in SAT versus stakeholders (issue 22): their figures beside the rounds'.

Each confirmed external survey item contributes one cell per statement and shown group: a
group the import kept out (under k, or withheld to protect one) has no counts, so it can
never raise a flag. The interval is Wilson on that statement's valid count, never pooled
across statements: aggregated counts give no respondents to cluster on, so a pooled figure
would claim a precision the file cannot support. Every cell and flag is marked external.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Assessment, EvidenceItem
from app.services.assessment.external import SURVEY_KIND
from app.services.assessment.imports import cell_figures
from surveys.assessment import CellFigures

STATEMENT_IN_LABEL = 60


def external_survey_items(assessment: Assessment) -> dict[str, list[EvidenceItem]]:
    """Per indicator, every confirmed external survey item, oldest first."""
    items = db.session.execute(
        select(EvidenceItem)
        .where(EvidenceItem.assessment_id == assessment.id, EvidenceItem.payload.is_not(None))
        .order_by(EvidenceItem.created_at, EvidenceItem.id)
    ).scalars()
    out: dict[str, list[EvidenceItem]] = {}
    for item in items:
        if item.payload and item.payload.get("kind") == SURVEY_KIND:
            out.setdefault(item.indicator_id, []).append(item)
    return out


def _label(group: str, survey: str, statement: str) -> str:
    short = statement if len(statement) <= STATEMENT_IN_LABEL else statement[:59] + "…"
    return f"{group} in the external survey “{survey}” (“{short}”)"


def external_cells(payload: dict[str, Any]) -> list[CellFigures]:
    """One cell per statement and shown group with answers other than Don't know."""
    survey = payload["source"]["survey"]
    cells = []
    for n, statement in enumerate(payload["statements"]):
        for cell in statement["cells"]:
            if cell.get("status") != "shown" or not cell.get("base"):
                continue
            cells.append(
                CellFigures(
                    audience=f"external:{payload['source']['import_id']}:{n}:{cell['group']}",
                    label=_label(cell["group"], survey, statement["text"]),
                    suppressed=False,
                    favourable=int(cell["favourable"]),
                    base=int(cell["base"]),
                    interval=None,  # the flag rule takes Wilson on this statement's count
                    external=True,
                )
            )
    return cells


def external_cells_for(items: list[EvidenceItem] | None) -> list[CellFigures]:
    return [c for item in items or [] if item.payload for c in external_cells(item.payload)]


def comparison_cells(
    assessment: Assessment, latest: dict[str, EvidenceItem]
) -> dict[str, list[CellFigures]]:
    """Per indicator, what SAT versus stakeholders compares: the latest round import's cells
    (`latest`, from imports.latest_stakeholder_views) and every external survey's."""
    external = external_survey_items(assessment)
    out: dict[str, list[CellFigures]] = {}
    for ind in assessment.indicator_ids:
        item = latest.get(ind)
        cells = cell_figures(item.payload) if item is not None and item.payload else []
        out[ind] = cells + external_cells_for(external.get(ind))
    return out
