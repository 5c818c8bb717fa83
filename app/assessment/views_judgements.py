"""One indicator's workspace (guidance, ratings, agreed judgement, stakeholders, evidence), the
section judgements, the history of changes, the review and SAT-versus-stakeholders."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.assessment.common import SAVED_AT_ONCE, Loaded, form_list, indicator_or_404, load
from app.assessment.views import bp
from app.extensions import db
from app.models import EvidenceItem, Judgement, JudgementScope
from app.rendering import render_page
from app.services.assessment import imports
from app.services.assessment.actions import STATUS_LABELS, actions_of
from app.services.assessment.assessments import (
    AssessmentError,
    indicators_in_section,
    member_names,
    tag_threads,
    user_names,
)
from app.services.assessment.evidence import SOURCE_LABELS, evidence_for, triangulations
from app.services.assessment.external_flags import external_cells_for, external_survey_items
from app.services.assessment.judgements import (
    CONFIDENCE_LEVELS,
    RESULTS_SECTION,
    JudgementInput,
    capacity_key,
    capacity_section,
    change_count,
    changed_fields,
    get_judgement,
    history,
    judgements_of,
    record_judgement,
    save_review,
    section_targets,
)
from app.services.assessment.ratings import ratings_visible, visible_ratings
from surveys.assessment import rating_spread, stakeholder_flags, thread_counts


def _errors_of(exc: Exception) -> dict[str, str]:
    if isinstance(exc, AssessmentError):
        return exc.errors
    return {"judgement": SAVED_AT_ONCE}


def _judgement_input(form: Any, with_rating: bool) -> JudgementInput:
    try:
        based_on: int | None = int(form.get("based_on", ""))
    except ValueError:
        based_on = None
    return JudgementInput(
        agreed_rating=form.get("agreed_rating") if with_rating else None,
        strengths=form.get("strengths", ""),
        areas_for_improvement=form.get("areas_for_improvement", ""),
        thread_tags=form_list(form, "thread_tags"),
        based_on=based_on,
    )


def _judgement_values(j: Judgement | None) -> dict[str, Any]:
    if j is None:
        return {"agreed_rating": "", "strengths": "", "areas_for_improvement": "", "tags": []}
    return {
        "agreed_rating": j.agreed_rating or "",
        "strengths": j.strengths,
        "areas_for_improvement": j.areas_for_improvement,
        "tags": list(j.thread_tags or []),
    }


def _stakeholders(
    loaded: Loaded,
    item: EvidenceItem | None,
    agreed: str | None,
    external: list[EvidenceItem] | None = None,
) -> dict[str, Any] | None:
    """The latest round's imported figures and every external survey's for an indicator, with
    the flags against its agreed rating (external ones marked, per statement)."""
    round_payload = item.payload if item is not None and item.payload else None
    if round_payload is None and not external:
        return None
    cells = imports.cell_figures(round_payload) if round_payload else []
    cells += external_cells_for(external)
    flags = stakeholder_flags(loaded.framework.rating_scale, agreed, cells)
    return {
        "item": item if round_payload else None,
        "payload": round_payload,
        "flags": flags,
        "external": [e.payload for e in external or []],
    }


# ---------------------------------------------------------------------------------------------
# Indicator


def _indicator_page(
    loaded: Loaded,
    ind: str,
    status: int = 200,
    errors: dict[str, str] | None = None,
    posted: dict[str, Any] | None = None,
    evidence_errors: dict[str, str] | None = None,
    evidence_values: dict[str, str] | None = None,
) -> ResponseReturnValue:
    assessment, framework = loaded.assessment, loaded.framework
    indicator = framework.indicator(ind)
    judgement = get_judgement(assessment, JudgementScope.INDICATOR, ind)
    visible = ratings_visible(assessment, loaded.access)
    names = member_names(assessment) if loaded.access.sees_names else {}
    team_ratings = [r for r in visible_ratings(assessment, loaded.access) if r.indicator_id == ind]
    codes = {lvl.code for lvl in framework.rating_scale.levels}
    spread = (
        rating_spread(
            framework.rating_scale, ind, [r.value for r in team_ratings if r.value in codes]
        )
        if visible
        else None
    )
    items = evidence_for(assessment, ind)
    added_by = user_names({i.added_by_id for i in items})
    agreed = judgement.agreed_rating if judgement else None
    return render_page(
        "assessment/indicator.html",
        block="page",
        status=status,
        **loaded.ctx(
            indicator=indicator,
            section=framework.section(indicator.section),
            judgement=judgement,
            values=posted or _judgement_values(judgement),
            based_on=change_count(judgement),
            updated_by=user_names({judgement.updated_by_id}).get(judgement.updated_by_id)
            if judgement
            else None,
            errors=errors or {},
            visible=visible,
            spread=spread,
            team_ratings=sorted(
                (
                    {"name": names.get(r.user_id, ""), "value": r.value, "note": r.note}
                    for r in team_ratings
                ),
                key=lambda r: r["name"].lower(),
            ),
            threads=tag_threads(framework),
            stakeholders=_stakeholders(
                loaded,
                imports.latest_stakeholder_views(assessment).get(ind),
                agreed,
                external_survey_items(assessment).get(ind),
            ),
            evidence=items,
            added_by=added_by,
            source_labels=SOURCE_LABELS,
            triangulation=triangulations(assessment)[ind],
            evidence_errors=evidence_errors or {},
            evidence_values=evidence_values or {},
            actions=[a for a in actions_of(assessment) if ind in (a.indicator_ids or [])],
            status_labels=STATUS_LABELS,
            active="consensus",
        ),
    )


@bp.get("/<uuid:assessment_id>/indicators/<ind>")
def indicator(assessment_id: uuid.UUID, ind: str) -> ResponseReturnValue:
    loaded = load(assessment_id)
    return _indicator_page(loaded, indicator_or_404(loaded, ind))


@bp.post("/<uuid:assessment_id>/indicators/<ind>")
def record_indicator(assessment_id: uuid.UUID, ind: str) -> ResponseReturnValue:
    loaded = load(assessment_id)
    indicator_or_404(loaded, ind)
    data = _judgement_input(request.form, with_rating=True)
    try:
        saved = record_judgement(
            loaded.assessment,
            loaded.framework,
            loaded.access,
            JudgementScope.INDICATOR,
            ind,
            data,
            current_user.id,
        )
        db.session.flush()  # a twin's unique key fails here, not at commit
    except (AssessmentError, IntegrityError) as exc:
        db.session.rollback()
        return _indicator_page(
            loaded,
            ind,
            status=422,
            errors=_errors_of(exc),
            posted={
                "agreed_rating": data.agreed_rating or "",
                "strengths": data.strengths,
                "areas_for_improvement": data.areas_for_improvement,
                "tags": data.thread_tags,
            },
        )
    flash("The agreed judgement is saved." if saved else "Nothing had changed.", "success")
    return redirect(url_for("assessment.indicator", assessment_id=assessment_id, ind=ind), 303)


def _history_page(loaded: Loaded, judgement: Judgement | None, title: str) -> ResponseReturnValue:
    versions = list(reversed(history(judgement)))  # oldest first to diff, shown newest first
    names = user_names({v.changed_by_id for v in versions})
    rows = []
    previous = None
    for version in versions:
        rows.append(
            {
                "version": version,
                "by": names.get(version.changed_by_id, "a former user"),
                "changed": changed_fields(version.snapshot, previous),
                "snapshot": version.snapshot,
            }
        )
        previous = version.snapshot
    return render_page(
        "assessment/history.html",
        block="page",
        **loaded.ctx(
            rows=list(reversed(rows)),
            title=title,
            thread_titles={t.id: t.title for t in tag_threads(loaded.framework)},
            active="consensus",
        ),
    )


@bp.get("/<uuid:assessment_id>/indicators/<ind>/history")
def indicator_history(assessment_id: uuid.UUID, ind: str) -> ResponseReturnValue:
    loaded = load(assessment_id)
    indicator_or_404(loaded, ind)
    judgement = get_judgement(loaded.assessment, JudgementScope.INDICATOR, ind)
    title = f"{ind} {loaded.framework.indicator(ind).title}"
    return _history_page(loaded, judgement, title)


# ---------------------------------------------------------------------------------------------
# Section


def _section_or_404(loaded: Loaded, sec: str) -> str:
    for section_id, title in section_targets(loaded.assessment, loaded.framework):
        if section_id == sec:
            return title
    abort(404, f"{sec} is not one of the sections in this assessment.")


def _section_page(
    loaded: Loaded,
    sec: str,
    status: int = 200,
    errors: dict[str, str] | None = None,
    posted: dict[str, Any] | None = None,
) -> ResponseReturnValue:
    assessment, framework = loaded.assessment, loaded.framework
    title = _section_or_404(loaded, sec)
    judgement = get_judgement(assessment, JudgementScope.SECTION, sec)
    judgements = judgements_of(assessment)
    indicator_ids = (
        indicators_in_section(assessment, framework, sec) if sec != RESULTS_SECTION else []
    )
    return render_page(
        "assessment/section.html",
        block="page",
        status=status,
        **loaded.ctx(
            sec=sec,
            title=title,
            summary=framework.section(sec).summary if sec != RESULTS_SECTION else "",
            results_questions=framework.results_questions if sec == RESULTS_SECTION else [],
            indicators=[
                {
                    "indicator": framework.indicator(i),
                    "judgement": judgements.get((JudgementScope.INDICATOR, i)),
                }
                for i in indicator_ids
            ],
            judgement=judgement,
            values=posted or _judgement_values(judgement),
            based_on=change_count(judgement),
            errors=errors or {},
            threads=tag_threads(framework),
            active="consensus",
        ),
    )


@bp.get("/<uuid:assessment_id>/sections/<sec>")
def section(assessment_id: uuid.UUID, sec: str) -> ResponseReturnValue:
    return _section_page(load(assessment_id), sec)


@bp.post("/<uuid:assessment_id>/sections/<sec>")
def record_section(assessment_id: uuid.UUID, sec: str) -> ResponseReturnValue:
    loaded = load(assessment_id)
    _section_or_404(loaded, sec)
    data = _judgement_input(request.form, with_rating=False)
    try:
        saved = record_judgement(
            loaded.assessment,
            loaded.framework,
            loaded.access,
            JudgementScope.SECTION,
            sec,
            data,
            current_user.id,
        )
        db.session.flush()  # a twin's unique key fails here, not at commit
    except (AssessmentError, IntegrityError) as exc:
        db.session.rollback()
        return _section_page(
            loaded,
            sec,
            status=422,
            errors=_errors_of(exc),
            posted={
                "agreed_rating": "",
                "strengths": data.strengths,
                "areas_for_improvement": data.areas_for_improvement,
                "tags": data.thread_tags,
            },
        )
    flash(
        "The section's strengths and areas for improvement are saved."
        if saved
        else "Nothing had changed.",
        "success",
    )
    return redirect(url_for("assessment.section", assessment_id=assessment_id, sec=sec), 303)


@bp.get("/<uuid:assessment_id>/sections/<sec>/history")
def section_history(assessment_id: uuid.UUID, sec: str) -> ResponseReturnValue:
    loaded = load(assessment_id)
    title = _section_or_404(loaded, sec)
    judgement = get_judgement(loaded.assessment, JudgementScope.SECTION, sec)
    return _history_page(loaded, judgement, title)


# ---------------------------------------------------------------------------------------------
# Review: capacity for improvement (HMIE) and the review questions (CSIT)


def _review_page(
    loaded: Loaded,
    status: int = 200,
    errors: dict[str, str] | None = None,
    posted: dict[str, str] | None = None,
) -> ResponseReturnValue:
    assessment, framework = loaded.assessment, loaded.framework
    stored: dict[str, str] = dict(assessment.review or {})
    stored["capacity_statement"] = assessment.capacity_statement
    stored["capacity_confidence"] = assessment.capacity_confidence
    judgements = judgements_of(assessment)
    threads = tag_threads(framework)
    titles = dict(section_targets(assessment, framework))
    areas: list[dict[str, Any]] = []
    for (scope, target), j in judgements.items():
        if not j.areas_for_improvement.strip():
            continue
        label = (
            f"{target} {framework.indicator(target).title}"
            if scope == JudgementScope.INDICATOR
            else titles.get(target, target)
        )
        url = (
            url_for("assessment.indicator", assessment_id=assessment.id, ind=target)
            if scope == JudgementScope.INDICATOR
            else url_for("assessment.section", assessment_id=assessment.id, sec=target)
        )
        areas.append({"label": label, "url": url, "judgement": j})
    order = {i.id: n for n, i in enumerate(framework.indicators)}
    areas.sort(
        key=lambda a: (
            a["judgement"].scope != JudgementScope.INDICATOR,
            order.get(a["judgement"].target_id, 0),
            a["label"],
        )
    )
    counts = thread_counts(
        [t.id for t in threads],
        (j.thread_tags or [] for j in judgements.values() if j.areas_for_improvement.strip()),
    )
    tagged_on = {
        t.id: [a["label"] for a in areas if t.id in (a["judgement"].thread_tags or [])]
        for t in threads
    }
    capacity = capacity_section(framework)
    return render_page(
        "assessment/review.html",
        block="page",
        status=status,
        **loaded.ctx(
            values=posted or stored,
            errors=errors or {},
            capacity=capacity,
            capacity_keys=[capacity_key(n) for n in range(1, len(capacity.components) + 1)]
            if capacity
            else [],
            confidence_levels=CONFIDENCE_LEVELS,
            questions=framework.review_questions,
            areas=areas,
            thread_counts=counts,
            thread_titles={t.id: t.title for t in threads},
            tagged_on=tagged_on,
            active="review",
        ),
    )


@bp.get("/<uuid:assessment_id>/review")
def review(assessment_id: uuid.UUID) -> ResponseReturnValue:
    return _review_page(load(assessment_id))


@bp.post("/<uuid:assessment_id>/review")
def save_review_view(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    answers = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        save_review(loaded.assessment, loaded.framework, loaded.access, answers)
    except AssessmentError as exc:
        db.session.rollback()
        return _review_page(loaded, status=422, errors=exc.errors, posted=answers)
    flash("The review is saved.", "success")
    return redirect(url_for("assessment.review", assessment_id=assessment_id), 303)


# ---------------------------------------------------------------------------------------------
# SAT versus stakeholders


@bp.get("/<uuid:assessment_id>/stakeholders")
def stakeholders(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    assessment, framework = loaded.assessment, loaded.framework
    judgements = judgements_of(assessment)
    latest = imports.latest_stakeholder_views(assessment)
    external = external_survey_items(assessment)
    rows: list[dict[str, Any]] = []
    for ind in assessment.indicator_ids:
        judgement = judgements.get((JudgementScope.INDICATOR, ind))
        agreed = judgement.agreed_rating if judgement else None
        rows.append(
            {
                "indicator": framework.indicator(ind),
                "agreed": agreed,
                "stakeholders": _stakeholders(loaded, latest.get(ind), agreed, external.get(ind)),
            }
        )
    flagged = sum(1 for r in rows if r["stakeholders"] and r["stakeholders"]["flags"])
    return render_page(
        "assessment/stakeholders.html",
        block="page",
        **loaded.ctx(rows=rows, flagged=flagged, active="stakeholders"),
    )
