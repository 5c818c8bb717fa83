"""Audiences a round defines itself (issue 22): `/rounds/<id>/audiences`.

Before launch a coordinator adds an audience beside the built-in six (name, plural wording,
scale, email and/or open link, an audience it resembles), gives it statements per chosen
indicator, changes or removes it. Every form works without JavaScript; bad input is 422 with
an error summary and nothing stored.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from app.extensions import db
from app.models import FeedbackRound, Role
from app.rendering import render_page
from app.rounds.audit_trail import record
from app.rounds.views import bp
from app.services import round_audiences as service
from app.services.frameworks import UnknownFramework
from app.services.rounds import RoundLocked
from app.tenancy import current_role, get_owned_or_404
from surveys import audiences as custom
from surveys.scales import SCALES

SCALE_HINTS = {
    "agree4": "Strongly agree, Agree, Disagree, Strongly disagree, and Don't know",
    "progress5": "Levels a (not yet) to e (done for a few years and refined), and Don't know",
}


def _round(round_id: uuid.UUID) -> FeedbackRound:
    rnd = get_owned_or_404(FeedbackRound, round_id)
    if current_role() != Role.COORDINATOR:
        abort(403)
    return rnd


def _definition() -> dict[str, Any]:
    return {
        "name": request.form.get("name", ""),
        "plural": request.form.get("plural", ""),
        "scale": request.form.get("scale", ""),
        "email": "email" in request.form.getlist("channels"),
        "open_link": "open_link" in request.form.getlist("channels"),
    }


def _page(
    rnd: FeedbackRound,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    editing: str | None = None,
    texts: dict[str, str] | None = None,
) -> ResponseReturnValue:
    try:
        base = service.base_framework(rnd)
    except UnknownFramework:
        abort(404, f"The framework {rnd.framework_id!r} of this round is no longer available.")
    customs = service.customs_of(rnd)
    indicators = [
        base.indicator(i) for i in rnd.indicator_ids if i in {x.id for x in base.indicators}
    ]
    return render_page(
        "rounds/audiences.html",
        block="content",
        status=status,
        rnd=rnd,
        base=base,
        customs=customs,
        indicators=indicators,
        builtin=[(a, base.audience_label(a)) for a in base.audience_ids],
        scales=[(s, SCALES[s].title, SCALE_HINTS[s]) for s in custom.ADULT_SCALES],
        errors=errors or {},
        form=form
        or {"name": "", "plural": "", "scale": "agree4", "email": True, "open_link": True},
        editing=editing,
        texts=texts or {},
        advice=service.advice(rnd),
        name_max=custom.NAME_MAX,
        per_indicator=custom.STATEMENTS_PER_INDICATOR,
    )


def _locked(rnd: FeedbackRound) -> ResponseReturnValue:
    db.session.rollback()
    return _page(rnd, status=409, errors=RoundLocked().errors)


@bp.get("/<uuid:round_id>/audiences")
def audiences(round_id: uuid.UUID) -> ResponseReturnValue:
    return _page(_round(round_id))


@bp.post("/<uuid:round_id>/audiences")
def add_audience(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _round(round_id)
    form = {**_definition(), "resembles": request.form.get("resembles", "")}
    if not rnd.is_draft:
        return _locked(rnd)
    try:
        made = service.add_audience(
            rnd,
            name=form["name"],
            plural=form["plural"],
            scale=form["scale"],
            email=form["email"],
            open_link=form["open_link"],
            resembles=form["resembles"] or None,
        )
    except service.AudienceError as exc:
        db.session.rollback()
        return _page(rnd, status=422, errors=exc.errors, form=form)
    record("round.audience_added", f"Added the audience “{made.name}”.", rnd)
    flash(
        f"Added “{made.name}”. Check its statements for each indicator below.",
        "success",
    )
    return redirect(url_for("rounds.audiences", round_id=rnd.id, _anchor=made.id), 303)


def _custom_or_404(rnd: FeedbackRound, audience: str) -> custom.CustomAudience:
    found = service.find(rnd, audience)
    if found is None:
        abort(404, "This round has no audience of its own with that name.")
    return found


@bp.post("/<uuid:round_id>/audiences/<audience>")
def change_audience(round_id: uuid.UUID, audience: str) -> ResponseReturnValue:
    rnd = _round(round_id)
    old = _custom_or_404(rnd, audience)
    form = _definition()
    if not rnd.is_draft:
        return _locked(rnd)
    try:
        changed = service.update_audience(rnd, audience, **form)
    except service.AudienceError as exc:
        db.session.rollback()
        errors = {f"{audience}-{k}": v for k, v in exc.errors.items()}
        return _page(rnd, status=422, errors=errors, editing=audience, form=form)
    record("round.audience_changed", f"Changed the audience “{old.name}”.", rnd)
    flash(f"Saved “{changed.name}”.", "success")
    return redirect(url_for("rounds.audiences", round_id=rnd.id, _anchor=audience), 303)


@bp.post("/<uuid:round_id>/audiences/<audience>/statements")
def audience_statements(round_id: uuid.UUID, audience: str) -> ResponseReturnValue:
    rnd = _round(round_id)
    found = _custom_or_404(rnd, audience)
    if not rnd.is_draft:
        return _locked(rnd)
    texts = {
        i: request.form.get(f"statements-{i}", "")
        for i in rnd.indicator_ids
        if f"statements-{i}" in request.form
    }
    try:
        count = service.set_statements(rnd, audience, texts)
    except service.AudienceError as exc:
        db.session.rollback()
        errors = {f"{audience}-{k}": v for k, v in exc.errors.items()}
        return _page(rnd, status=422, errors=errors, editing=audience, texts=texts)
    record("round.audience_statements", f"Changed the statements of “{found.name}”.", rnd)
    flash(f"Saved {count} statement{'s' if count != 1 else ''} for “{found.name}”.", "success")
    return redirect(url_for("rounds.audiences", round_id=rnd.id, _anchor=audience), 303)


@bp.post("/<uuid:round_id>/audiences/<audience>/remove")
def remove_audience(round_id: uuid.UUID, audience: str) -> ResponseReturnValue:
    rnd = _round(round_id)
    _custom_or_404(rnd, audience)
    if not rnd.is_draft:
        return _locked(rnd)
    removed = service.remove_audience(rnd, audience)
    record("round.audience_removed", f"Removed the audience “{removed.name}”.", rnd)
    flash(f"Removed “{removed.name}” and its questionnaire.", "success")
    return redirect(url_for("rounds.audiences", round_id=rnd.id), 303)
