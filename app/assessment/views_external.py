"""Existing feedback as evidence: upload a survey run elsewhere, confirm its mapping, and record
focus groups and discussions (issue 22). Every form works without JavaScript."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.assessment.common import SAVED_AT_ONCE, Loaded, load
from app.assessment.views import bp
from app.extensions import db
from app.models import ExternalImport
from app.rendering import render_page
from app.services.assessment import discussions, external, external_files
from app.services.assessment.assessments import AssessmentError, user_names
from surveys.external import PLACE_LABELS, PLACES

DISCUSSION_GROUP_ROWS = 4


def _user_name() -> str:
    return user_names({current_user.id}).get(current_user.id, current_user.email)


def _external_page(
    loaded: Loaded,
    status: int = 200,
    errors: dict[str, str] | None = None,
    cells: list[Any] | None = None,
    discussion_errors: dict[str, str] | None = None,
    discussion_values: dict[str, Any] | None = None,
    threshold_errors: dict[str, str] | None = None,
) -> ResponseReturnValue:
    assessment = loaded.assessment
    records = external.imports_of(assessment)
    names = user_names({r.uploaded_by_id for r in records} | {r.confirmed_by_id for r in records})
    return render_page(
        "assessment/external.html",
        block="page",
        status=status,
        **loaded.ctx(
            records=records,
            pending_days=external.PENDING_DAYS,
            names=names,
            errors=errors or {},
            cells=cells or [],
            discussion_errors=discussion_errors or {},
            discussion_values=discussion_values or {"groups": [("", "")] * DISCUSSION_GROUP_ROWS},
            threshold=external.threshold_of(assessment),
            threshold_errors=threshold_errors or {},
            own_threshold=assessment.threshold,
            active="evidence",
        ),
    )


@bp.get("/<uuid:assessment_id>/external")
def external_feedback(assessment_id: uuid.UUID) -> ResponseReturnValue:
    return _external_page(load(assessment_id))


@bp.get("/<uuid:assessment_id>/external/template.<fmt>")
def external_template(assessment_id: uuid.UUID, fmt: str) -> ResponseReturnValue:
    load(assessment_id)
    if fmt == "csv":
        body, mime = external_files.template_csv(), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = external_files.template_xlsx()
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404, "The template comes as .csv or .xlsx.")
    return Response(
        body,
        mimetype=mime,
        headers={"Content-Disposition": f'attachment; filename="external-survey-template.{fmt}"'},
    )


@bp.post("/<uuid:assessment_id>/external")
def upload_external(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    upload = request.files.get("file")
    data = upload.read() if upload is not None else b""
    name = (upload.filename or "") if upload is not None else ""
    try:
        record = external.stage_import(
            loaded.assessment, loaded.framework, loaded.access, name, data, current_user.id
        )
        db.session.flush()  # the same file uploaded twice at once fails here
    except external_files.FileRefused as exc:
        db.session.rollback()
        return _external_page(loaded, status=422, errors=exc.errors, cells=exc.cells)
    except AssessmentError as exc:
        db.session.rollback()
        return _external_page(loaded, status=422, errors=exc.errors)
    except IntegrityError:
        db.session.rollback()
        return _external_page(loaded, status=422, errors={"file": SAVED_AT_ONCE})
    flash("File checked. Confirm the indicator for each statement and the scale.", "success")
    return redirect(
        url_for("assessment.external_import", assessment_id=assessment_id, import_id=record.id),
        303,
    )


def _record_or_404(loaded: Loaded, import_id: uuid.UUID) -> ExternalImport:
    record = external.get_import(loaded.assessment, import_id)
    if record is None:
        abort(404)
    return record


def _confirm_page(
    loaded: Loaded,
    record: ExternalImport,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> ResponseReturnValue:
    data = record.data
    chosen = values or {}
    if not values:
        for n, statement in enumerate(data["statements"]):
            chosen[f"indicator-{n}"] = statement.get("suggested") or ""
        for n, option in enumerate(data["options"]):
            chosen[f"place-{n}"] = data["suggested_places"].get(option) or ""
        for n, ind in (data.get("mapping") or {}).items():
            chosen[f"indicator-{n}"] = ind
    names = user_names({record.uploaded_by_id, record.confirmed_by_id})
    return render_page(
        "assessment/external_confirm.html",
        block="page",
        status=status,
        **loaded.ctx(
            record=record,
            data=data,
            chosen=chosen,
            errors=errors or {},
            names=names,
            indicators=[loaded.framework.indicator(i) for i in loaded.assessment.indicator_ids],
            places=[(p, PLACE_LABELS[p]) for p in PLACES],
            leave_out=external.LEAVE_OUT,
            active="evidence",
        ),
    )


@bp.get("/<uuid:assessment_id>/external/<uuid:import_id>")
def external_import(assessment_id: uuid.UUID, import_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    return _confirm_page(loaded, _record_or_404(loaded, import_id))


@bp.post("/<uuid:assessment_id>/external/<uuid:import_id>")
def confirm_external(assessment_id: uuid.UUID, import_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    record = _record_or_404(loaded, import_id)
    form = request.form
    statements = len(record.data["statements"])
    options = len(record.data["options"])
    choices = external.Choices(
        indicators={n: form.get(f"indicator-{n}", "") for n in range(statements)},
        places={n: form.get(f"place-{n}", "") for n in range(options)},
    )
    values = {key: form.get(key, "") for key in form if key != "csrf_token"}
    try:
        added = external.confirm_import(
            record,
            loaded.assessment,
            loaded.framework,
            loaded.access,
            choices,
            current_user.id,
            _user_name(),
        )
    except AssessmentError as exc:
        db.session.rollback()
        record = _record_or_404(loaded, import_id)
        return _confirm_page(loaded, record, status=422, errors=exc.errors, values=values)
    flash(
        f"Imported the external survey as stakeholders' views for {len(added)} "
        f"indicator{'s' if len(added) != 1 else ''}. It is in the evidence log, marked as "
        "external, and cannot be changed.",
        "success",
    )
    return redirect(url_for("assessment.evidence", assessment_id=assessment_id), 303)


@bp.post("/<uuid:assessment_id>/external/<uuid:import_id>/discard")
def discard_external(assessment_id: uuid.UUID, import_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    record = _record_or_404(loaded, import_id)
    try:
        external.discard_import(record, loaded.access)
    except AssessmentError as exc:
        db.session.rollback()
        return _confirm_page(loaded, record, status=422, errors=exc.errors)
    flash("The uploaded file was discarded. Nothing was imported.", "success")
    return redirect(url_for("assessment.external_feedback", assessment_id=assessment_id), 303)


@bp.post("/<uuid:assessment_id>/threshold")
def external_threshold(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    try:
        k = external.set_threshold(
            loaded.assessment, loaded.access, request.form.get("threshold", ""), current_user.id
        )
    except AssessmentError as exc:
        db.session.rollback()
        return _external_page(loaded, status=422, threshold_errors=exc.errors)
    flash(f"The threshold for evidence from elsewhere is now {k}.", "success")
    return redirect(url_for("assessment.external_feedback", assessment_id=assessment_id), 303)


@bp.post("/<uuid:assessment_id>/discussions")
def record_discussion(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    form = request.form
    groups = [
        (form.get(f"group-{n}", ""), form.get(f"people-{n}", ""))
        for n in range(DISCUSSION_GROUP_ROWS)
    ]
    data = discussions.DiscussionInput(
        indicator_id=form.get("indicator_id", ""),
        held_on=form.get("held_on", ""),
        groups=groups,
        key_points=form.get("key_points", ""),
        title=form.get("title", ""),
    )
    try:
        item = discussions.record_discussion(
            loaded.assessment, loaded.access, data, current_user.id, _user_name()
        )
    except AssessmentError as exc:
        db.session.rollback()
        return _external_page(
            loaded, status=422, discussion_errors=exc.errors, discussion_values=vars(data)
        )
    counted = (item.payload or {}).get("counted")
    flash(
        "Discussion recorded in the evidence log"
        + (
            " as stakeholders' views."
            if counted
            else f", but with fewer than {external.threshold_of(loaded.assessment)} people it "
            "is not counted as stakeholders' views."
        ),
        "success",
    )
    return redirect(
        url_for(
            "assessment.indicator",
            assessment_id=assessment_id,
            ind=item.indicator_id,
            _anchor="evidence",
        ),
        303,
    )
