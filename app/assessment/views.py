"""The self-assessment workspace (issue 8): list, create, overview and team settings.

The other pages register on the same blueprint from the `views_*` modules imported at the end.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.assessment.common import Loaded, load, not_allowed, scale_label
from app.extensions import db
from app.models import JudgementScope, Role, TeamRole
from app.rendering import render_page
from app.services.assessment import imports
from app.services.assessment.assessments import (
    SCOPE_FIELDS,
    TEAM_ROLE_LABELS,
    AssessmentError,
    AssessmentSettings,
    NotAllowed,
    assessment_sections,
    create_assessment,
    indicators_in_section,
    team_candidates,
    team_roster,
    update_settings,
    visible_assessments,
)
from app.services.assessment.evidence import triangulations
from app.services.assessment.external_flags import external_cells_for, external_survey_items
from app.services.assessment.judgements import judgements_of
from app.services.assessment.ratings import my_ratings, submission_progress
from app.services.frameworks import (
    UnknownFramework,
    framework_listings,
    get_framework,
)
from app.tenancy import current_org, current_role, role_required
from frameworks import Framework
from surveys.assessment import stakeholder_flags
from surveys.selection import shortcuts

bp = Blueprint("assessment", __name__, url_prefix="/assessments")
bp.register_error_handler(NotAllowed, not_allowed)


@bp.app_template_filter("scale_label")
def _scale_label_filter(code: str | None, framework: Framework) -> str:
    return scale_label(framework, code)


@bp.get("/")
def index() -> ResponseReturnValue:
    org = current_org()
    rows = []
    for assessment in visible_assessments(org, current_user.id, current_role()):
        try:
            framework_title = get_framework(org.id, assessment.framework_id).title
        except UnknownFramework:
            framework_title = assessment.framework_id
        member = next((m for m in assessment.members if m.user_id == current_user.id), None)
        submitted, total = submission_progress(assessment)
        rows.append(
            {
                "assessment": assessment,
                "framework_title": framework_title,
                "my_role": TEAM_ROLE_LABELS[member.role] if member else None,
                "submitted": submitted,
                "total": total,
            }
        )
    return render_page(
        "assessment/index.html",
        block="page",
        rows=rows,
        can_create=current_role() == Role.COORDINATOR,
    )


# ---------------------------------------------------------------------------------------------
# Create


def _team_from_form(form: Any) -> tuple[dict[uuid.UUID, TeamRole], list[str]]:
    """`team-<user id>` selects -> {user id: role}; also returns values that were not roles."""
    team: dict[uuid.UUID, TeamRole] = {}
    bad: list[str] = []
    for key, value in form.items():
        if not key.startswith("team-") or not value:
            continue
        try:
            team[uuid.UUID(key.removeprefix("team-"))] = TeamRole(value)
        except ValueError:
            bad.append(value)
    return team, bad


def _scope_from_form(form: Any) -> dict[str, str]:
    return {key: form.get(f"scope-{key}", "") for key, _label, _hint in SCOPE_FIELDS}


def _new_form(framework: Framework | None, status: int = 200, **ctx: Any) -> ResponseReturnValue:
    org = current_org()
    return render_page(
        "assessment/new.html",
        block="page",
        status=status,
        framework_listings=framework_listings(org.id),
        framework=framework,
        shortcuts=shortcuts(framework) if framework else [],
        candidates=team_candidates(org),
        scope_fields=SCOPE_FIELDS,
        team_roles=TEAM_ROLE_LABELS,
        **ctx,
    )


@bp.get("/new")
@role_required(Role.COORDINATOR)
def new() -> ResponseReturnValue:
    org = current_org()
    framework_id = request.args.get("framework", "")
    framework = None
    errors: dict[str, str] = {}
    if framework_id:
        try:
            framework = get_framework(org.id, framework_id)
        except UnknownFramework:
            errors["framework"] = f"There is no framework called {framework_id!r}."
    return _new_form(
        framework,
        status=422 if errors else 200,
        errors=errors,
        values={"title": "", "choices": [], "scope": {}, "team": {current_user.id: "facilitator"}},
    )


@bp.post("/new")
@role_required(Role.COORDINATOR)
def create() -> ResponseReturnValue:
    org = current_org()
    form = request.form
    team, bad_roles = _team_from_form(form)
    settings = AssessmentSettings(
        title=form.get("title", ""),
        framework_id=form.get("framework_id", ""),
        choices=[c for c in form.getlist("choices") if c],
        scope=_scope_from_form(form),
        team=team,
    )
    try:
        if bad_roles:
            raise AssessmentError({"team": "Choose a team role from the list for each person."})
        assessment = create_assessment(org, settings)
    except AssessmentError as exc:
        db.session.rollback()
        try:
            framework = get_framework(org.id, settings.framework_id)
        except UnknownFramework:
            framework = None
        return _new_form(
            framework,
            status=422,
            errors=exc.errors,
            values={
                "title": settings.title,
                "choices": settings.choices,
                "scope": settings.scope,
                "team": {uid: role.value for uid, role in team.items()},
            },
        )
    flash(f"Assessment “{assessment.title}” created. The team can start rating.", "success")
    return redirect(url_for("assessment.overview", assessment_id=assessment.id), 303)


# ---------------------------------------------------------------------------------------------
# Overview


def overview_rows(loaded: Loaded) -> list[dict[str, Any]]:
    """Per section, each indicator's own rating, agreed rating, evidence and flags."""
    assessment, framework = loaded.assessment, loaded.framework
    mine = my_ratings(assessment, current_user.id) if loaded.access.on_team else {}
    judgements = judgements_of(assessment)
    triangulated = triangulations(assessment)
    latest = imports.latest_stakeholder_views(assessment)
    external = external_survey_items(assessment)
    sections = []
    for section_id, title in assessment_sections(assessment, framework):
        rows = []
        for ind in indicators_in_section(assessment, framework, section_id):
            judgement = judgements.get((JudgementScope.INDICATOR, ind))
            agreed = judgement.agreed_rating if judgement else None
            item = latest.get(ind)
            cells = imports.cell_figures(item.payload) if item is not None and item.payload else []
            cells += external_cells_for(external.get(ind))
            flags = stakeholder_flags(framework.rating_scale, agreed, cells)
            rows.append(
                {
                    "indicator": framework.indicator(ind),
                    "mine": mine[ind].value if ind in mine else None,
                    "agreed": agreed,
                    "triangulation": triangulated[ind],
                    "flags": flags,
                    "imported": item is not None or bool(external.get(ind)),
                }
            )
        sections.append({"id": section_id, "title": title, "rows": rows})
    return sections


@bp.get("/<uuid:assessment_id>")
def overview(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    submitted, total = submission_progress(loaded.assessment)
    return render_page(
        "assessment/overview.html",
        block="page",
        **loaded.ctx(
            sections=overview_rows(loaded),
            roster=team_roster(loaded.assessment),
            team_roles=TEAM_ROLE_LABELS,
            scope_fields=SCOPE_FIELDS,
            submitted=submitted,
            total=total,
            active="overview",
        ),
    )


# ---------------------------------------------------------------------------------------------
# Settings: title, scope, team (coordinators)


@bp.route("/<uuid:assessment_id>/settings", methods=["GET", "POST"])
def settings(assessment_id: uuid.UUID) -> ResponseReturnValue:
    loaded = load(assessment_id)
    if not loaded.access.can_manage:
        abort(403, "Only coordinators change an assessment's title, scope and team.")
    assessment = loaded.assessment
    org = current_org()
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "title": assessment.title,
        "scope": dict(assessment.scope or {}),
        "team": {m.user_id: m.role.value for m in assessment.members},
    }
    if request.method == "POST":
        form = request.form
        team, bad_roles = _team_from_form(form)
        values = {
            "title": form.get("title", ""),
            "scope": _scope_from_form(form),
            "team": {uid: role.value for uid, role in team.items()},
        }
        try:
            if bad_roles:
                raise AssessmentError({"team": "Choose a team role from the list for each person."})
            update_settings(assessment, org, values["title"], values["scope"], team)
        except AssessmentError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            flash("Assessment settings saved.", "success")
            return redirect(url_for("assessment.overview", assessment_id=assessment.id), 303)
    return render_page(
        "assessment/settings.html",
        block="page",
        status=422 if errors else 200,
        **loaded.ctx(
            errors=errors,
            values=values,
            candidates=team_candidates(org),
            scope_fields=SCOPE_FIELDS,
            team_roles=TEAM_ROLE_LABELS,
            active="settings",
        ),
    )


# The other pages of the workspace register on `bp` when imported.
from app.assessment import (  # noqa: E402, F401
    views_actions,
    views_evidence,
    views_external,
    views_judgements,
    views_ratings,
    views_reports,
)
