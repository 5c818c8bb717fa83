"""Improvement actions: list, add, edit, delete."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from app.assessment.common import Loaded, form_list, load
from app.assessment.views import bp
from app.extensions import db
from app.models import ImprovementAction, JudgementScope
from app.rendering import render_page
from app.services.assessment.actions import (
    STATUS_LABELS,
    ActionInput,
    actions_of,
    add_action,
    delete_action,
    get_action,
    overdue,
    update_action,
)
from app.services.assessment.assessments import AssessmentError
from app.services.assessment.judgements import judgements_of


def _action_input(form: Any) -> ActionInput:
    return ActionInput(
        title=form.get("title", ""),
        owner=form.get("owner", ""),
        due_on=form.get("due_on", ""),
        status=form.get("status", "not_started"),
        indicator_ids=form_list(form, "indicator_ids"),
        area_for_improvement=form.get("area_for_improvement", ""),
    )


def _values(action: ImprovementAction | None) -> dict[str, Any]:
    if action is None:
        return {
            "title": "",
            "owner": "",
            "due_on": "",
            "status": "not_started",
            "indicator_ids": [],
            "area_for_improvement": "",
        }
    return {
        "title": action.title,
        "owner": action.owner,
        "due_on": action.due_on.isoformat() if action.due_on else "",
        "status": action.status.value,
        "indicator_ids": list(action.indicator_ids or []),
        "area_for_improvement": action.area_for_improvement,
    }


def _recorded_areas(loaded: Loaded) -> list[dict[str, str]]:
    """The team's recorded areas for improvement, to copy into an action."""
    out = []
    for (scope, target), j in judgements_of(loaded.assessment).items():
        text = j.areas_for_improvement.strip()
        if not text:
            continue
        label = (
            f"{target} {loaded.framework.indicator(target).title}"
            if scope == JudgementScope.INDICATOR
            else target
        )
        out.append({"label": label, "text": text})
    return sorted(out, key=lambda a: a["label"])


def _page(
    loaded: Loaded,
    template: str,
    action: ImprovementAction | None = None,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> ResponseReturnValue:
    return render_page(
        template,
        block="page",
        status=status,
        **loaded.ctx(
            actions=actions_of(loaded.assessment),
            action=action,
            overdue=overdue,
            status_labels=STATUS_LABELS,
            errors=errors or {},
            values=values or _values(action),
            recorded_areas=_recorded_areas(loaded),
            active="actions",
        ),
    )


@bp.route("/<uuid:assessment_id>/actions", methods=["GET", "POST"])
def actions(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    if request.method == "GET":
        return _page(loaded, "assessment/actions.html")
    data = _action_input(request.form)
    try:
        add_action(loaded.assessment, loaded.access, data)
    except AssessmentError as exc:
        db.session.rollback()
        return _page(
            loaded, "assessment/actions.html", status=422, errors=exc.errors, values=vars(data)
        )
    flash(f"Action “{data.title.strip()}” added.", "success")
    return redirect(url_for("assessment.actions", assessment_id=assessment_id), 303)


def _action_or_404(loaded: Loaded, action_id: uuid.UUID) -> ImprovementAction:
    action = get_action(loaded.assessment, action_id)
    if action is None:
        abort(404)
    return action


@bp.route("/<uuid:assessment_id>/actions/<uuid:action_id>/edit", methods=["GET", "POST"])
def edit_action(assessment_id: uuid.UUID, action_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    action = _action_or_404(loaded, action_id)
    if request.method == "GET":
        return _page(loaded, "assessment/action_edit.html", action)
    data = _action_input(request.form)
    try:
        update_action(loaded.assessment, action, loaded.access, data)
    except AssessmentError as exc:
        db.session.rollback()
        return _page(
            loaded,
            "assessment/action_edit.html",
            action,
            status=422,
            errors=exc.errors,
            values=vars(data),
        )
    flash("Action updated.", "success")
    return redirect(url_for("assessment.actions", assessment_id=assessment_id), 303)


@bp.post("/<uuid:assessment_id>/actions/<uuid:action_id>/delete")
def remove_action(assessment_id: uuid.UUID, action_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    action = _action_or_404(loaded, action_id)
    delete_action(action, loaded.access)
    flash("Action deleted.", "success")
    return redirect(url_for("assessment.actions", assessment_id=assessment_id), 303)
