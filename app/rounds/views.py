"""Rounds and questionnaires (issue 4): set up a round, review and edit its questionnaires
before launch, copy it for next year, delete a draft.

Everyone in the organisation can look; only coordinators change anything. Objects load through
`get_owned_or_404` before the role check, so another organisation's round is a 404 for everyone.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.dates import today
from app.extensions import db, htmx
from app.i18n import LANGUAGES, catalog_status
from app.invitations.common import audience_labels
from app.models import FeedbackRound, ItemOrigin, QuestionItem, Questionnaire, Role, RoundStatus
from app.rendering import render_page
from app.rounds import forms
from app.rounds.forms import SettingsForm
from app.services import audit, questions, round_edits, translations
from app.services.documents import translation_workbook as translation_book
from app.services.documents.workbook import XLSX_MIME
from app.services.frameworks import (
    UnknownFramework,
    available_frameworks,
    framework_listings,
    framework_of,
    get_framework,
)
from app.services.rounds import (
    RoundError,
    RoundLocked,
    RoundSettings,
    as_generated,
    audience_scale,
    contact_count,
    copy_name,
    copy_round,
    create_round,
    delete_round,
    intro_changed,
    ordered_items,
    own_asked,
    questionnaire_of,
    round_of,
    rounds_of,
    skipped_audiences,
    update_round,
    validate_settings,
)
from app.tenancy import current_org, current_role, get_owned_or_404
from frameworks import Framework
from surveys import questionnaire as qgen
from surveys.scales import SCALES
from surveys.selection import shortcuts

bp = Blueprint("rounds", __name__, url_prefix="/rounds")

STATUS_LABELS = {RoundStatus.DRAFT: "Draft", RoundStatus.LIVE: "Live", RoundStatus.CLOSED: "Closed"}
ORIGIN_LABELS = {
    ItemOrigin.BANK: "from the item bank",
    ItemOrigin.EDITED: "edited",
    ItemOrigin.CUSTOM: "added by you",
}
CHILDREN_BAND_LABELS = {
    "under_8": "Under 8: very short sentences with faces, one question per page, read aloud",
    "8_to_12": "8 to 12: easy-read statements with faces and words, one question per page",
    "13_plus": "13 and over: the same scale as adults, with \u201cDon\u2019t know\u201d",
    # Rounds from before age bands asked children in one band (shown, never offered).
    "under_12": "Under 12 (one band, from before age bands): faces, one question per page",
    "12_plus": "12 and over (one band, from before age bands): the same scale as adults",
}
OFFERED_BANDS = {band: CHILDREN_BAND_LABELS[band] for band in qgen.CHILDREN_BANDS}


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "status_label": STATUS_LABELS,
        "origin_label": ORIGIN_LABELS,
        "too_long_minutes": qgen.TOO_LONG_MINUTES,
        "is_coordinator": current_role() == Role.COORDINATOR,
    }


def _require_coordinator() -> None:
    if current_role() != Role.COORDINATOR:
        abort(403)


def _round(round_id: uuid.UUID) -> FeedbackRound:
    return get_owned_or_404(FeedbackRound, round_id)


def _record(action: str, summary: str, rnd: FeedbackRound, **details: Any) -> None:
    from app.rounds.audit_trail import record

    record(action, summary, rnd, **details)


def _framework_or_none(framework_id: str) -> Framework | None:
    try:
        return get_framework(current_org().id, framework_id)
    except UnknownFramework:
        return None


# -- the list and one round -----------------------------------------------------------------------


@bp.get("/")
def index() -> ResponseReturnValue:
    org = current_org()
    known = {f.id: f for f in available_frameworks(org.id)}
    rounds = rounds_of(org.id)
    labels = {
        r.id: [
            own.get(a)
            or (known[r.framework_id].audience_label(a) if r.framework_id in known else a)
            for own in [{c["id"]: c["name"] for c in r.custom_audiences or []}]
            for a in r.audiences
        ]
        for r in rounds
    }
    titles = {fid: f.short_title or f.title for fid, f in known.items()}
    return render_page(
        "rounds/index.html", block="content", rounds=rounds, titles=titles, labels=labels
    )


@bp.get("/<uuid:round_id>")
def show(round_id: uuid.UUID) -> ResponseReturnValue:
    return _show_page(_round(round_id))


def _show_page(
    rnd: FeedbackRound, status: int = 200, errors: dict[str, str] | None = None
) -> ResponseReturnValue:
    framework = framework_of(rnd)
    summaries: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    if framework is not None:
        for q in rnd.questionnaires:
            generated = as_generated(q, framework)
            summaries.append(
                {
                    "audience": q.audience,
                    "label": generated.audience_label,
                    "item_count": len(generated.items),
                    "minutes": generated.estimated_minutes,
                    "too_long": qgen.is_too_long(generated),
                    "edited": sum(1 for i in q.items if i.origin == ItemOrigin.EDITED),
                    "custom": sum(1 for i in q.items if i.origin == ItemOrigin.CUSTOM),
                    "scales": [SCALES[s].title for s in generated.scale_ids],
                }
            )
        order = {a: n for n, a in enumerate(framework.audience_ids)}
        summaries.sort(key=lambda s: order.get(s["audience"], len(order)))
        skipped = skipped_audiences(rnd, framework)
    copied_from = round_of(rnd.organisation_id, rnd.copied_from_id) if rnd.copied_from_id else None
    warnings = []
    if rnd.is_draft and rnd.closes_on < today():
        warnings.append("The closing date has passed. Change the dates before you launch.")
    return render_page(
        "rounds/show.html",
        block="content",
        status=status,
        rnd=rnd,
        framework=framework,
        sections=_indicators_by_section(framework, rnd.indicator_ids) if framework else [],
        summaries=summaries,
        skipped=skipped,
        warnings=warnings,
        errors=errors or {},
        copied_from=copied_from,
        copy_default=copy_name(rnd.name),
        band_labels=[CHILDREN_BAND_LABELS.get(b, b) for b in rnd.children_bands or ()],
    )


def _indicators_by_section(framework: Framework, indicator_ids: list[str]) -> list[Any]:
    chosen = set(indicator_ids)
    out = []
    for section in framework.sections:
        indicators = [i for i in framework.indicators_in(section.id) if i.id in chosen]
        if indicators:
            out.append((section, indicators))
    return out


# -- settings: new and edit -----------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    _require_coordinator()
    org = current_org()
    if request.method == "GET":
        form = SettingsForm(
            framework_id=request.args.get("framework", "").strip(),
            scope={"organisation": org.name, "partners": ", ".join(org.member_organisations or [])},
        )
        return _settings_page(form, None, {})
    form = SettingsForm.from_form(request.form)
    settings, errors = _check(form)
    if errors:
        return _settings_page(form, None, errors, status=422)
    rnd = create_round(org, settings)
    _record("round.created", "Created the round as a draft.", rnd)
    flash(f"Round “{rnd.name}” created as a draft. Review its questionnaires below.", "success")
    return redirect(url_for("rounds.show", round_id=rnd.id), 303)


@bp.route("/<uuid:round_id>/edit", methods=["GET", "POST"])
def edit(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _round(round_id)
    _require_coordinator()
    if not rnd.is_draft:
        return _show_page(rnd, status=409, errors=RoundLocked().errors)
    if request.method == "GET":
        form = SettingsForm.from_settings(RoundSettings.of(rnd))
        switch_to = request.args.get("framework", "").strip()
        if switch_to and switch_to != rnd.framework_id:
            form.framework_id, form.choices, form.audiences = switch_to, set(), []
        return _settings_page(form, rnd, {})
    form = SettingsForm.from_form(request.form)
    settings, errors = _check(form, rnd)
    if errors:
        return _settings_page(form, rnd, errors, status=422)
    update_round(rnd, current_org(), settings)
    _record("round.edited", "Changed the round's settings.", rnd)
    flash("Settings saved.", "success")
    return redirect(url_for("rounds.show", round_id=rnd.id), 303)


def _check(
    form: SettingsForm, rnd: FeedbackRound | None = None
) -> tuple[RoundSettings, dict[str, str]]:
    """Form-level and service-level errors together, the form's first (they say more)."""
    framework = _framework_or_none(form.framework_id) if form.framework_id else None
    settings, errors = forms.to_settings(form, framework)
    try:
        validate_settings(current_org().id, settings, own_asked(rnd, settings.indicator_ids))
    except RoundError as exc:
        errors = {**exc.errors, **errors}
    return settings, errors


def _settings_page(
    form: SettingsForm, rnd: FeedbackRound | None, errors: dict[str, str], status: int = 200
) -> ResponseReturnValue:
    org = current_org()
    framework = _framework_or_none(form.framework_id) if form.framework_id else None
    if form.framework_id and framework is None:
        errors = {"framework_id": f"There is no framework called {form.framework_id!r}.", **errors}
        status = 422 if status == 200 else status
    has_edits = rnd is not None and any(
        i.origin != ItemOrigin.BANK for q in rnd.questionnaires for i in q.items
    )
    has_edits = has_edits or (rnd is not None and any(intro_changed(q) for q in rnd.questionnaires))
    return render_page(
        "rounds/settings.html",
        block="framework_choices",
        language_statuses=[catalog_status(code) for code in LANGUAGES],
        status=status,
        rnd=rnd,
        form=form,
        errors=errors,
        error_list=forms.ordered_errors(errors),
        framework_listings=framework_listings(org.id),
        framework=framework,
        shortcuts=shortcuts(framework) if framework else [],
        sections=_sections_with_indicators(framework) if framework else [],
        audience_info=_audience_info(framework) if framework else [],
        askers=_askers(framework) if framework else {},
        ticked_ids=[
            c.removeprefix("indicator:") for c in form.choices if c.startswith("indicator:")
        ],
        scope_labels=forms.SCOPE_LABELS,
        band_labels=OFFERED_BANDS,
        default_threshold=current_app.config["ANONYMITY_THRESHOLD"],
        has_edits=has_edits,
    )


def _sections_with_indicators(framework: Framework) -> list[Any]:
    return [
        (section, framework.indicators_in(section.id))
        for section in framework.sections
        if framework.indicators_in(section.id)
    ]


def _askers(framework: Framework) -> dict[str, list[str]]:
    """Indicator id -> labels of the audiences its item bank can ask."""
    return {
        ind.id: [framework.audience_label(a) for a in framework.audience_ids if ind.items.get(a)]
        for ind in framework.indicators
    }


def _audience_info(framework: Framework) -> list[dict[str, Any]]:
    total = len(framework.indicators)
    return [
        {
            "id": audience,
            "label": framework.audience_label(audience),
            "can_answer": sum(1 for i in framework.indicators if i.items.get(audience)),
            "total": total,
        }
        for audience in framework.audience_ids
    ]


# -- delete and copy ------------------------------------------------------------------------------


@bp.route("/<uuid:round_id>/delete", methods=["GET", "POST"])
def delete(round_id: uuid.UUID) -> ResponseReturnValue:
    """A draft is deleted after a plain confirmation; a closed round with everything in it
    only once its name has been typed (issue 16). A launched, not yet closed round is cancelled
    (before it opens) or closed first."""
    from app.rounds.audit_trail import record
    from app.services import lifecycle

    rnd = _round(round_id)
    _require_coordinator()
    errors: dict[str, str] = {}
    if request.method == "POST":
        name = rnd.name
        try:
            if rnd.status == RoundStatus.CLOSED:
                record("round.deleted", "Deleted the closed round with everything in it.", rnd)
                lifecycle.delete_closed_round(rnd, request.form.get("confirm_name", ""))
            else:
                record("round.deleted", "Deleted the draft round.", rnd)
                delete_round(rnd)
        except RoundError as exc:
            db.session.rollback()
            if "confirm_name" in exc.errors:
                errors = exc.errors
            else:
                return _show_page(rnd, status=409, errors=exc.errors)
        else:
            flash(f"Round “{name}” deleted.", "success")
            return redirect(url_for("rounds.index"), 303)
        rnd = _round(round_id)
    elif rnd.status == RoundStatus.LIVE:
        return _show_page(
            rnd,
            status=409,
            errors={
                "round": "This round has been launched. Cancel it before it opens, or close it, "
                "before it can be deleted."
            },
        )
    return render_page(
        "rounds/delete.html",
        block="content",
        status=422 if errors else 200,
        rnd=rnd,
        contacts=contact_count(rnd),
        errors=errors,
    )


@bp.post("/<uuid:round_id>/copy")
def copy(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _round(round_id)
    _require_coordinator()
    with_contacts = request.form.get("with_contacts") == "1"
    try:
        new_round = copy_round(
            rnd, current_org(), request.form.get("name", ""), with_contacts=with_contacts
        )
    except RoundError as exc:
        db.session.rollback()
        return _show_page(rnd, status=422, errors=exc.errors)
    questions.copy_questions(rnd, new_round)  # the same own questions, word for word
    copied = contact_count(new_round) if with_contacts else 0
    _record(
        "round.copied",
        f"Copied from “{rnd.name}”" + (f", with {copied} contacts." if with_contacts else "."),
        new_round,
        copied_from=str(rnd.id),
        contacts=copied,
    )
    flash(
        f"Copied into the new draft “{new_round.name}”, with the same questions word for word"
        + (f" and {copied} contact{'s' if copied != 1 else ''}" if with_contacts else "")
        + ". Its dates are one year after the original: check them before you launch.",
        "success",
    )
    return redirect(url_for("rounds.show", round_id=new_round.id), 303)


# -- one questionnaire ----------------------------------------------------------------------------


def _questionnaire(round_id: uuid.UUID, audience: str) -> tuple[FeedbackRound, Questionnaire]:
    rnd = _round(round_id)
    q = questionnaire_of(rnd, audience)
    if q is None:
        abort(404, "This round has no questionnaire for that audience.")
    return rnd, q


def _item(q: Questionnaire, item_id: uuid.UUID) -> QuestionItem:
    item = round_edits.find_item(q, item_id)
    if item is None:
        abort(404, "That question is not in this questionnaire.")
    return item


def _framework_of(rnd: FeedbackRound) -> Framework:
    framework = framework_of(rnd)
    if framework is None:
        abort(404, f"The framework {rnd.framework_id!r} of this round is no longer available.")
    return framework


@bp.get("/<uuid:round_id>/questionnaires/<audience>")
def questionnaire(round_id: uuid.UUID, audience: str) -> ResponseReturnValue:
    rnd, q = _questionnaire(round_id, audience)
    return _questionnaire_page(rnd, q)


def _questionnaire_page(
    rnd: FeedbackRound,
    q: Questionnaire,
    *,
    block: str = "questionnaire",
    status: int = 200,
    **extra: Any,
) -> ResponseReturnValue:
    framework = _framework_of(rnd)
    generated = as_generated(q, framework)
    items = ordered_items(q)
    sections = [(s, [i for i in items if i.section_id == s["id"]]) for s in q.sections]
    bounds = {
        item.id: (n == 0, n == len(its) - 1) for _, its in sections for n, item in enumerate(its)
    }
    extra.setdefault("errors", {})
    ctx: dict[str, Any] = {
        "rnd": rnd,
        "q": q,
        "framework": framework,
        "generated": generated,
        "sections": [(s, its) for s, its in sections if its],
        "too_long": qgen.is_too_long(generated),
        "can_edit": current_role() == Role.COORDINATOR and rnd.is_draft and not q.frozen,
        "indicator_title": lambda i: _indicator_title(framework, i),
        "theme_title": lambda i, t: _theme_title(framework, i, t),
        "scale_title": lambda s: SCALES[s].title if s in SCALES else s,
        "round_indicators": _indicators_by_section(framework, rnd.indicator_ids),
        "bounds": bounds,
        "custom_scale": audience_scale(q.audience, rnd.children_bands, [i.scale_id for i in items]),
        "intro_standard": not intro_changed(q),
        "editing_id": None,
        "item_errors": {},
        "item_values": {},
        "add_values": {},
        "add_errors": {},
        "intro_editing": False,
        "intro_value": None,
        "notice": None,
        "row_notice": None,
        "intro_notice": None,
        "focus_id": None,
        **extra,
    }
    return render_page("rounds/questionnaire.html", block=block, status=status, **ctx)


def _indicator_title(framework: Framework, indicator_id: str) -> str:
    try:
        return framework.indicator(indicator_id).title
    except KeyError:
        return ""


def _theme_title(framework: Framework, indicator_id: str, theme_id: str | None) -> str:
    if not theme_id:
        return ""
    try:
        themes = {t.id: t.title for t in framework.indicator(indicator_id).themes}
    except KeyError:
        return theme_id
    return themes.get(theme_id, theme_id)


def _back_to(q: Questionnaire, anchor: str = "") -> ResponseReturnValue:
    url = url_for("rounds.questionnaire", round_id=q.round_id, audience=q.audience)
    return redirect(url + (f"#{anchor}" if anchor else ""), 303)


def _row(
    rnd: FeedbackRound, q: Questionnaire, item: QuestionItem, status: int = 200, **extra: Any
) -> ResponseReturnValue:
    """One item row (HTMX), or the whole page with that row in the same state."""
    block = "item_row" if htmx else "questionnaire"
    return _questionnaire_page(rnd, q, block=block, status=status, item=item, **extra)


def _locked(
    rnd: FeedbackRound, q: Questionnaire, item: QuestionItem | None = None
) -> ResponseReturnValue:
    """Refused after launch: 422 for HTMX (so the message is swapped in), 409 for a page."""
    db.session.rollback()
    errors = RoundLocked().errors
    if item is not None and htmx:
        return _row(rnd, q, item, status=422, item_errors={item.id: errors["round"]})
    return _questionnaire_page(
        rnd, q, status=422 if htmx else 409, errors=errors, notice=errors["round"]
    )


@bp.get("/<uuid:round_id>/questionnaires/<audience>/items/<uuid:item_id>")
def item(round_id: uuid.UUID, audience: str, item_id: uuid.UUID) -> ResponseReturnValue:
    rnd, q = _questionnaire(round_id, audience)
    found = _item(q, item_id)
    if not htmx:
        return _back_to(q, f"item-{found.id}")
    return _row(rnd, q, found, focus_id=found.id)


@bp.get("/<uuid:round_id>/questionnaires/<audience>/items/<uuid:item_id>/edit")
def edit_item(round_id: uuid.UUID, audience: str, item_id: uuid.UUID) -> ResponseReturnValue:
    rnd, q = _questionnaire(round_id, audience)
    found = _item(q, item_id)
    _require_coordinator()
    if not rnd.is_draft or q.frozen:
        return _locked(rnd, q, found)
    return _row(rnd, q, found, editing_id=found.id)


@bp.post("/<uuid:round_id>/questionnaires/<audience>/items/<uuid:item_id>")
def save_item(round_id: uuid.UUID, audience: str, item_id: uuid.UUID) -> ResponseReturnValue:
    rnd, q = _questionnaire(round_id, audience)
    found = _item(q, item_id)
    _require_coordinator()
    text = request.form.get("statement", "")
    if request.form.get("restore") and found.bank_statement:
        text = found.bank_statement
    try:
        changed = round_edits.reword_item(found, text)
    except RoundLocked:
        return _locked(rnd, q, found)
    except RoundError as exc:
        db.session.rollback()
        message = next(iter(exc.errors.values()))
        return _row(
            rnd,
            q,
            found,
            status=422,
            editing_id=found.id,
            item_errors={found.id: message},
            item_values={found.id: text},
            errors={f"statement-{found.id}": message},
        )
    notice = "Saved." if changed else "No change: the wording is the same."
    if not htmx:
        flash(notice, "success")
        return _back_to(q, f"item-{found.id}")
    return _row(rnd, q, found, row_notice=notice, focus_id=found.id)


@bp.post("/<uuid:round_id>/questionnaires/<audience>/items/<uuid:item_id>/move")
def move_item(round_id: uuid.UUID, audience: str, item_id: uuid.UUID) -> ResponseReturnValue:
    rnd, q = _questionnaire(round_id, audience)
    found = _item(q, item_id)
    _require_coordinator()
    direction = request.form.get("direction", "")
    try:
        moved = round_edits.move_item(found, direction)
    except RoundLocked:
        return _locked(rnd, q)
    except RoundError as exc:
        db.session.rollback()
        return _questionnaire_page(rnd, q, status=422, errors=exc.errors)
    if moved:
        notice = f"Moved “{found.statement}” {direction}."
    else:
        notice = f"“{found.statement}” is already the {'first' if direction == 'up' else 'last'} "
        notice += "question in its section."
    if not htmx:
        flash(notice, "success")
        return _back_to(q, f"item-{found.id}")
    return _questionnaire_page(rnd, q, notice=notice, focus_id=found.id)


@bp.post("/<uuid:round_id>/questionnaires/<audience>/items/<uuid:item_id>/remove")
def remove_item(round_id: uuid.UUID, audience: str, item_id: uuid.UUID) -> ResponseReturnValue:
    rnd, q = _questionnaire(round_id, audience)
    found = _item(q, item_id)
    _require_coordinator()
    statement = found.statement
    try:
        round_edits.remove_item(found)
    except RoundLocked:
        return _locked(rnd, q)
    except RoundError as exc:
        db.session.rollback()
        return _questionnaire_page(
            rnd, q, status=422, errors=exc.errors, notice=next(iter(exc.errors.values()))
        )
    notice = f"Removed “{statement}”."
    if not htmx:
        flash(notice, "success")
        return _back_to(q)
    return _questionnaire_page(rnd, q, notice=notice)


@bp.route("/<uuid:round_id>/questionnaires/<audience>/items/new", methods=["GET", "POST"])
def add_item(round_id: uuid.UUID, audience: str) -> ResponseReturnValue:
    rnd, q = _questionnaire(round_id, audience)
    _require_coordinator()
    if request.method == "GET":
        if not htmx:
            return _back_to(q, "add-item")
        return _questionnaire_page(rnd, q)
    values = {
        "indicator_id": request.form.get("indicator_id", ""),
        "theme_id": request.form.get("theme_id", ""),
        "statement": request.form.get("statement", ""),
    }
    try:
        added = round_edits.add_custom_item(
            q,
            _framework_of(rnd),
            values["indicator_id"],
            values["theme_id"] or None,
            values["statement"],
        )
    except RoundLocked:
        return _locked(rnd, q)
    except RoundError as exc:
        db.session.rollback()
        add_errors = {f"new_{k}": v for k, v in exc.errors.items()}
        return _questionnaire_page(
            rnd, q, status=422, errors=add_errors, add_errors=add_errors, add_values=values
        )
    notice = f"Added your question “{added.statement}”."
    if not htmx:
        flash(notice, "success")
        return _back_to(q, f"item-{added.id}")
    return _questionnaire_page(rnd, q, notice=notice, focus_id=added.id)


@bp.route("/<uuid:round_id>/questionnaires/<audience>/intro", methods=["GET", "POST"])
def intro(round_id: uuid.UUID, audience: str) -> ResponseReturnValue:
    """GET: the introduction with its edit form open; POST: save it (or restore the standard)."""
    rnd, q = _questionnaire(round_id, audience)
    _require_coordinator()
    block = "intro" if htmx else "questionnaire"
    if request.method == "GET":
        if not rnd.is_draft or q.frozen:
            return _locked(rnd, q)
        return _questionnaire_page(rnd, q, block=block, intro_editing=True)
    text = request.form.get("intro", "")
    try:
        if request.form.get("action") == "restore":
            round_edits.restore_intro(q)
            notice = "The standard introduction is back."
        else:
            changed = round_edits.set_intro(q, text)
            notice = "Introduction saved." if changed else "No change to the introduction."
    except RoundLocked:
        return _locked(rnd, q)
    except RoundError as exc:
        db.session.rollback()
        return _questionnaire_page(
            rnd,
            q,
            block=block,
            status=422,
            errors=exc.errors,
            intro_editing=True,
            intro_value=text,
        )
    if not htmx:
        flash(notice, "success")
        return _back_to(q, "intro")
    return _questionnaire_page(rnd, q, block=block, intro_notice=notice, focus_id="intro")


# -- translations of the questionnaires (issue 17) ------------------------------------------------


def _translations_page(
    rnd: FeedbackRound, errors: list[str], status: int = 200
) -> ResponseReturnValue:
    labels = audience_labels(rnd)
    gaps = translations.missing(rnd, labels)
    return render_page(
        "rounds/translations.html",
        status=status,
        rnd=rnd,
        total=len(translations.parts(rnd, labels)),
        gaps=[(LANGUAGES[code], catalog_status(code), found) for code, found in gaps.items()],
        errors=errors,
    )


@bp.get("/<uuid:round_id>/translations")
def translations_page(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _round(round_id)
    _require_coordinator()
    return _translations_page(rnd, [])


@bp.get("/<uuid:round_id>/translations.xlsx")
def translation_workbook(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _round(round_id)
    _require_coordinator()
    data = translation_book.export(rnd, audience_labels(rnd))
    return Response(
        data,
        mimetype=XLSX_MIME,
        headers={"Content-Disposition": 'attachment; filename="translations.xlsx"'},
    )


@bp.post("/<uuid:round_id>/translations")
def import_translations(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _round(round_id)
    _require_coordinator()
    if not rnd.is_draft:
        return _translations_page(rnd, [RoundLocked().errors["round"]], status=409)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _translations_page(rnd, ["Choose the filled-in translation workbook."], 422)
    try:
        cells = translation_book.read(rnd, audience_labels(rnd), upload.read())
    except translation_book.TranslationFileError as exc:
        return _translations_page(rnd, [str(e) for e in exc.errors[:50]], status=422)
    count = translations.store(rnd, cells)
    audit.record(
        "round.translations_imported",
        f"Imported {count} translated texts",
        organisation_id=rnd.organisation_id,
        actor=current_user,
        round=rnd,
        object_type="round",
        object_id=str(rnd.id),
        details={"cells": count},
    )
    flash(f"Imported {count} translated texts.", "success")
    return redirect(url_for("rounds.translations_page", round_id=rnd.id), 303)


# Routes for launched rounds' actions (they import `bp` from here).
from app.rounds import (  # noqa: E402, F401
    address_book_views,
    audience_views,
    lifecycle_views,
    questions_views,
)
