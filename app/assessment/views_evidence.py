"""The evidence log: triangulation per indicator, adding, editing and deleting items, and
importing a closed round's stakeholder results."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.assessment.common import SAVED_AT_ONCE, Loaded, indicator_or_404, load
from app.assessment.views import bp
from app.assessment.views_judgements import _indicator_page
from app.extensions import db
from app.models import EvidenceItem, EvidenceSourceType
from app.rendering import render_page
from app.services.assessment import imports
from app.services.assessment.assessments import AssessmentError, NotAllowed, user_names
from app.services.assessment.evidence import (
    CONTRIBUTORS_ONLY,
    IMPORTED_IS_FIXED,
    SOURCE_LABELS,
    EvidenceInput,
    add_evidence,
    delete_evidence,
    evidence_for,
    get_evidence,
    triangulations,
    update_evidence,
)


def _evidence_input(form: Any) -> EvidenceInput:
    return EvidenceInput(
        source_type=form.get("source_type", ""),
        description=form.get("description", ""),
        evidence_date=form.get("evidence_date", ""),
        location=form.get("location", ""),
    )


def _item_or_404(loaded: Loaded, evidence_id: uuid.UUID) -> EvidenceItem:
    item = get_evidence(loaded.assessment, evidence_id)
    if item is None:
        abort(404)
    return item


@bp.get("/<uuid:assessment_id>/evidence")
def evidence(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    assessment, framework = loaded.assessment, loaded.framework
    triangulated = triangulations(assessment)
    rows: list[dict[str, Any]] = [
        {"indicator": framework.indicator(i), "triangulation": triangulated[i]}
        for i in assessment.indicator_ids
    ]
    # Weakest evidence first: the team's next job is there.
    rows.sort(key=lambda r: r["triangulation"].count)
    return render_page(
        "assessment/evidence.html",
        block="page",
        **loaded.ctx(
            rows=rows,
            flagged=sum(1 for r in rows if r["triangulation"].flagged),
            source_labels=SOURCE_LABELS,
            views=[
                i
                for i in evidence_for(assessment)
                if i.source_type == EvidenceSourceType.STAKEHOLDER_VIEWS
            ],
            active="evidence",
        ),
    )


@bp.post("/<uuid:assessment_id>/indicators/<ind>/evidence")
def add_evidence_item(assessment_id: uuid.UUID, ind: str) -> ResponseReturnValue:
    loaded = load(assessment_id)
    indicator_or_404(loaded, ind)
    data = _evidence_input(request.form)
    try:
        add_evidence(loaded.assessment, loaded.access, ind, data, current_user.id)
    except AssessmentError as exc:
        db.session.rollback()
        return _indicator_page(
            loaded,
            ind,
            status=422,
            evidence_errors=exc.errors,
            evidence_values=vars(data),
        )
    flash("Evidence added to the log.", "success")
    return redirect(
        url_for("assessment.indicator", assessment_id=assessment_id, ind=ind, _anchor="evidence"),
        303,
    )


def _edit_page(
    loaded: Loaded,
    item: EvidenceItem,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> ResponseReturnValue:
    return render_page(
        "assessment/evidence_edit.html",
        block="page",
        status=status,
        **loaded.ctx(
            item=item,
            indicator=loaded.framework.indicator(item.indicator_id),
            errors=errors or {},
            values=values
            or {
                "source_type": item.source_type.value,
                "description": item.description,
                "evidence_date": item.evidence_date.isoformat() if item.evidence_date else "",
                "location": item.location,
            },
            source_labels=SOURCE_LABELS,
            active="evidence",
        ),
    )


@bp.route("/<uuid:assessment_id>/evidence/<uuid:evidence_id>/edit", methods=["GET", "POST"])
def edit_evidence(assessment_id: uuid.UUID, evidence_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    item = _item_or_404(loaded, evidence_id)
    loaded.access.require(loaded.access.can_contribute, CONTRIBUTORS_ONLY)
    if request.method == "GET":
        if item.immutable:
            raise NotAllowed(IMPORTED_IS_FIXED)
        return _edit_page(loaded, item)
    data = _evidence_input(request.form)
    try:
        update_evidence(item, loaded.access, data)
    except AssessmentError as exc:
        db.session.rollback()
        return _edit_page(loaded, item, status=422, errors=exc.errors, values=vars(data))
    flash("Evidence item updated.", "success")
    return redirect(
        url_for(
            "assessment.indicator",
            assessment_id=assessment_id,
            ind=item.indicator_id,
            _anchor="evidence",
        ),
        303,
    )


@bp.post("/<uuid:assessment_id>/evidence/<uuid:evidence_id>/delete")
def remove_evidence(assessment_id: uuid.UUID, evidence_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    item = _item_or_404(loaded, evidence_id)
    ind = item.indicator_id
    delete_evidence(item, loaded.access)
    flash("Evidence item deleted.", "success")
    return redirect(
        url_for("assessment.indicator", assessment_id=assessment_id, ind=ind, _anchor="evidence"),
        303,
    )


# ---------------------------------------------------------------------------------------------
# Import stakeholder results


def _import_page(
    loaded: Loaded, status: int = 200, errors: dict[str, str] | None = None
) -> ResponseReturnValue:
    assessment = loaded.assessment
    items = [
        i
        for i in evidence_for(assessment)
        if i.payload and i.payload.get("kind") == imports.PAYLOAD_KIND
    ]
    past: dict[str, dict[str, Any]] = {}
    for item in items:
        assert item.payload is not None
        key = item.payload["round"]["id"]
        entry = past.setdefault(
            key,
            {
                "round": item.payload["round"],
                "imported_on": item.payload.get("imported_on", ""),
                "imported_by": item.payload.get("imported_by", ""),
                "indicators": [],
            },
        )
        entry["indicators"].append(item.indicator_id)
    return render_page(
        "assessment/import.html",
        block="page",
        status=status,
        **loaded.ctx(
            choices=imports.round_choices(assessment),
            past=sorted(past.values(), key=lambda e: e["round"]["closed_on"], reverse=True),
            errors=errors or {},
            active="evidence",
        ),
    )


@bp.get("/<uuid:assessment_id>/import")
def import_results(assessment_id: uuid.UUID) -> ResponseReturnValue:
    return _import_page(load(assessment_id))


@bp.post("/<uuid:assessment_id>/import")
def import_round_view(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    name = user_names({current_user.id}).get(current_user.id, current_user.email)
    try:
        added = imports.import_round(
            loaded.assessment,
            loaded.framework,
            loaded.access,
            request.form.get("round_id", ""),
            current_user.id,
            name,
        )
        db.session.flush()  # a twin's unique key fails here, not at commit
    except AssessmentError as exc:
        db.session.rollback()
        return _import_page(loaded, status=422, errors=exc.errors)
    except IntegrityError:  # someone imported the same round a moment ago
        db.session.rollback()
        return _import_page(loaded, status=422, errors={"round_id": SAVED_AT_ONCE})
    flash(
        f"Imported stakeholders' views for {len(added)} "
        f"indicator{'s' if len(added) != 1 else ''}. They are in the evidence log and "
        "cannot be changed.",
        "success",
    )
    return redirect(url_for("assessment.stakeholders", assessment_id=assessment_id), 303)
