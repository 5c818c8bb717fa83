"""Individual ratings (one section at a time), submitting them, opening the discussion, and the
consensus view of the team's spread."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from flask import Response, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.assessment.common import SAVED_AT_ONCE, Loaded, load
from app.assessment.views import bp
from app.extensions import db, htmx
from app.models import JudgementScope
from app.rendering import render_page
from app.services.assessment.assessments import (
    AssessmentError,
    assessment_sections,
    indicators_in_section,
    member_names,
)
from app.services.assessment.judgements import judgements_of
from app.services.assessment.ratings import (
    VIEWER_CANNOT_RATE,
    my_ratings,
    open_discussion,
    rating_closed_reason,
    ratings_visible,
    save_ratings,
    spreads,
    submission_progress,
    submit_ratings,
    unrated,
    visible_ratings,
)


def _section_choice(loaded: Loaded, wanted: str | None) -> tuple[str, list[tuple[str, str]]]:
    sections = assessment_sections(loaded.assessment, loaded.framework)
    ids = [s for s, _ in sections]
    return (wanted if wanted in ids else ids[0]), sections


def _ratings_page(
    loaded: Loaded,
    section_id: str,
    sections: list[tuple[str, str]],
    status: int = 200,
    errors: dict[str, str] | None = None,
    posted: dict[str, Any] | None = None,
) -> Response:
    assessment, framework = loaded.assessment, loaded.framework
    mine = my_ratings(assessment, current_user.id) if loaded.access.on_team else {}
    values = {i: r.value for i, r in mine.items()}
    notes = {i: r.note for i, r in mine.items()}
    if posted is not None:  # show what was typed, not what is stored, after an error
        values.update(posted["values"])
        notes.update(posted["notes"])
    ids = [s for s, _ in sections]
    position = ids.index(section_id)
    rated_per_section = {
        s: sum(1 for i in indicators_in_section(assessment, framework, s) if i in mine) for s in ids
    }
    return render_page(
        "assessment/ratings.html",
        block="ratings_form",
        status=status,
        **loaded.ctx(
            section_id=section_id,
            section=framework.section(section_id),
            sections=sections,
            indicators=[
                framework.indicator(i)
                for i in indicators_in_section(assessment, framework, section_id)
            ],
            counts={s: len(indicators_in_section(assessment, framework, s)) for s in ids},
            rated_per_section=rated_per_section,
            next_section=ids[position + 1] if position + 1 < len(ids) else None,
            values=values,
            notes=notes,
            errors=errors or {},
            closed_reason=rating_closed_reason(assessment, loaded.access),
            missing=unrated(assessment, current_user.id) if loaded.access.on_team else [],
            active="ratings",
        ),
    )


@bp.get("/<uuid:assessment_id>/ratings")
def ratings(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    section_id, sections = _section_choice(loaded, request.args.get("section"))
    response = _ratings_page(loaded, section_id, sections)
    if htmx:  # reached by following the save's redirect: keep the address bar in step
        response.headers["HX-Push-Url"] = request.full_path.rstrip("?")
    return response


@bp.post("/<uuid:assessment_id>/ratings")
def save_section_ratings(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    loaded.access.require(loaded.access.can_rate, VIEWER_CANNOT_RATE)
    section_id, sections = _section_choice(loaded, request.form.get("section"))
    values = {
        key.removeprefix("rating-"): value.strip()
        for key, value in request.form.items()
        if key.startswith("rating-")
    }
    notes = {
        key.removeprefix("note-"): value
        for key, value in request.form.items()
        if key.startswith("note-")
    }
    try:
        changed = save_ratings(loaded.assessment, loaded.framework, loaded.access, values, notes)
        db.session.flush()  # a twin's unique key fails here, not at commit
    except (AssessmentError, IntegrityError) as exc:
        db.session.rollback()
        return _ratings_page(
            loaded,
            section_id,
            sections,
            status=422,
            errors=exc.errors if isinstance(exc, AssessmentError) else {"ratings": SAVED_AT_ONCE},
            posted={"values": values, "notes": notes},
        )
    title = loaded.framework.section(section_id).title
    flash(
        f"Your ratings for “{title}” are saved ({changed} changed). Only you can see them.",
        "success",
    )
    target = request.form.get("next") or section_id
    return redirect(url_for("assessment.ratings", assessment_id=assessment_id, section=target), 303)


@bp.post("/<uuid:assessment_id>/ratings/submit")
def submit(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    try:
        submit_ratings(loaded.assessment, loaded.access)
    except AssessmentError as exc:
        db.session.rollback()
        section_id, sections = _section_choice(loaded, request.form.get("section"))
        return _ratings_page(loaded, section_id, sections, status=422, errors=exc.errors)
    flash(
        "Your ratings are submitted. You can now see the ratings of the others who have "
        "submitted theirs.",
        "success",
    )
    return redirect(url_for("assessment.consensus", assessment_id=assessment_id), 303)


@bp.post("/<uuid:assessment_id>/discussion")
def discussion(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    try:
        open_discussion(loaded.assessment, loaded.access)
    except AssessmentError as exc:
        db.session.rollback()
        flash(exc.errors["discussion"], "info")
    else:
        flash(
            "The discussion is open: everyone on the team can now see every member's ratings. "
            "Start with the largest disagreements.",
            "success",
        )
    return redirect(url_for("assessment.consensus", assessment_id=assessment_id), 303)


@bp.get("/<uuid:assessment_id>/consensus")
def consensus(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    assessment, framework = loaded.assessment, loaded.framework
    visible = visible_ratings(assessment, loaded.access)
    names = member_names(assessment) if loaded.access.sees_names else {}
    by_indicator: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rating in visible:
        by_indicator[rating.indicator_id].append(
            {
                "name": names.get(rating.user_id, ""),
                "value": rating.value,
                "note": rating.note,
                "rank": framework.rating_scale.rank(rating.value)
                if rating.value in {lvl.code for lvl in framework.rating_scale.levels}
                else 0,
            }
        )
    for rows in by_indicator.values():
        rows.sort(key=lambda r: (-r["rank"], r["name"].lower()))
    judgements = judgements_of(assessment)
    submitted, total = submission_progress(assessment)
    return render_page(
        "assessment/consensus.html",
        block="page",
        **loaded.ctx(
            visible=ratings_visible(assessment, loaded.access),
            spreads=spreads(assessment, framework, visible) if visible else [],
            by_indicator=by_indicator,
            agreed={
                target: j.agreed_rating
                for (scope, target), j in judgements.items()
                if scope == JudgementScope.INDICATOR
            },
            submitted=submitted,
            total=total,
            submitted_names=[names.get(m.user_id, "") for m in assessment.members if m.submitted]
            if names
            else [],
            active="consensus",
        ),
    )
