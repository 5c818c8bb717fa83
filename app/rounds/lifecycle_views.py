"""A launched round's actions (issue 16): change dates, edit wording, cancel, archive, delete.

Each action re-checks the round's state in its service (row lock or conditional UPDATE), records
an audit entry in the same unit of work, and answers bad input with a specific message, status
422 and nothing changed.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from app.dates import long_date, today
from app.extensions import db
from app.models import (
    Contact,
    FeedbackRound,
    Invitation,
    Role,
    RoundStatus,
)
from app.rendering import render_page
from app.rounds.audit_trail import record
from app.rounds.forms import DATE_EXAMPLE, parse_date
from app.rounds.views import bp
from app.services import lifecycle
from app.services.rounds import RoundError
from app.tenancy import current_role, get_owned_or_404

TAB_ENDPOINTS = (
    ("overview", "Overview", "rounds.show"),
    ("questionnaires", "Questionnaires", "rounds.questionnaires"),
    ("contacts", "Contacts", "invitations.contacts"),
    ("launch", "Launch", "invitations.launch"),
    ("responses", "Responses", "invitations.dashboard"),
    ("reminders", "Reminders", "invitations.reminders"),
    ("open_links", "Open links", "invitations.open_links"),
    ("results", "Results", "results.overview"),
    ("downloads", "Downloads", "exports.round_downloads"),
)
COORDINATOR_TABS = {"contacts", "launch", "responses", "reminders"}


def _count(model: type[Contact] | type[Invitation], round_id: uuid.UUID) -> int:
    from sqlalchemy import func, select

    return int(
        db.session.execute(
            select(func.count()).select_from(model).where(model.round_id == round_id)
        ).scalar_one()
    )


def round_tabs(rnd: FeedbackRound, current: str | None = None) -> list[dict[str, Any]]:
    """The one tab bar of a round: the same nine tabs in every state, each marked done once its
    step is, and plain text (not a link) where there is nothing to see yet."""
    launched = rnd.status != RoundStatus.DRAFT
    coordinator = current_role() == Role.COORDINATOR
    people = _count(Invitation, rnd.id) if launched else _count(Contact, rnd.id)
    done = {
        "overview": True,
        "questionnaires": bool(rnd.questionnaires),
        "contacts": people > 0,
        "launch": launched,
        "results": rnd.status == RoundStatus.CLOSED,
    }
    available = {
        "launch": not launched,
        "responses": launched,
        "reminders": launched,
        "results": launched,
        "downloads": True,
        "questionnaires": bool(rnd.questionnaires),
    }
    tabs = []
    for key, label, endpoint in TAB_ENDPOINTS:
        if key in COORDINATOR_TABS and not coordinator:
            continue
        if key == "contacts" and launched:
            endpoint = "invitations.people"
        args: dict[str, Any] = {"round_id": rnd.id}
        if key == "questionnaires" and rnd.questionnaires:
            endpoint = "rounds.questionnaire"
            args["audience"] = rnd.questionnaires[0].audience
        tabs.append(
            {
                "key": key,
                "label": label,
                "url": url_for(endpoint, **args) if available.get(key, True) else None,
                "done": done.get(key, False),
                "current": key == current or request.endpoint == endpoint,
            }
        )
    return tabs


def _state_of(rnd: FeedbackRound) -> lifecycle.RoundState:
    return lifecycle.round_state(rnd, today())


@bp.record_once
def _register_globals(state: Any) -> None:
    # Globals, not a context processor: macros imported without context (results/_macros.html)
    # include the tab bar too.
    state.app.jinja_env.globals.update(
        round_tabs=round_tabs,
        round_state=_state_of,
        address_groups=_address_groups,
        grace_until=_grace_until,
    )


def _grace_until(rnd: FeedbackRound) -> date | None:
    """The last day of a closed round's grace period while it runs (issue 18), else None."""
    return lifecycle.grace_until(rnd, today())


def _address_groups() -> list[tuple[str, int]]:
    from app.services import address_book
    from app.tenancy import current_org

    return address_book.groups(current_org().id)


def _round(round_id: uuid.UUID) -> FeedbackRound:
    rnd = get_owned_or_404(FeedbackRound, round_id)
    if current_role() != Role.COORDINATOR:
        abort(403)
    return rnd


def _read_date(name: str, label: str, errors: dict[str, str]) -> date | None:
    try:
        value = parse_date(request.form.get(name, "").strip())
    except ValueError:
        errors[name] = f"Enter the {label} date as a real date, {DATE_EXAMPLE}."
        return None
    if value is None:
        errors[name] = f"Enter the {label} date."
    return value


# -- dates ----------------------------------------------------------------------------------------


@bp.route("/<uuid:round_id>/dates", methods=["GET", "POST"])
def dates(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _round(round_id)
    day = today()
    state = lifecycle.round_state(rnd, day)
    errors: dict[str, str] = {}
    form = {"opens_on": rnd.opens_on.isoformat(), "closes_on": rnd.closes_on.isoformat()}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in form}
        opens_on = (
            _read_date("opens_on", "opening", errors)
            if state == lifecycle.RoundState.SCHEDULED
            else rnd.opens_on
        )
        closes_on = _read_date("closes_on", "closing", errors)
        if not errors:
            try:
                changed = lifecycle.change_dates(rnd, opens_on, closes_on, day)
            except RoundError as exc:
                db.session.rollback()
                errors = exc.errors
            else:
                if changed:
                    words = [
                        f"{'opening' if k == 'opens_on' else 'closing'} date from "
                        f"{long_date(before)} to {long_date(after)}"
                        for k, (before, after) in changed.items()
                    ]
                    record(
                        "round.dates_changed",
                        "Changed the " + " and the ".join(words) + ".",
                        rnd,
                        **{k: [b.isoformat(), a.isoformat()] for k, (b, a) in changed.items()},
                    )
                    flash("Dates changed: the " + " and the ".join(words) + ".", "success")
                else:
                    flash("The dates are as they were.", "success")
                return redirect(url_for("rounds.show", round_id=rnd.id), 303)
        rnd = get_owned_or_404(FeedbackRound, round_id)
    return render_page(
        "rounds/dates.html",
        block="content",
        status=422 if errors else 200,
        rnd=rnd,
        state=lifecycle.round_state(rnd, day),
        errors=errors,
        form=form,
    )


# -- wording --------------------------------------------------------------------------------------


@bp.route("/<uuid:round_id>/wording", methods=["GET", "POST"])
def wording(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _round(round_id)
    errors: dict[str, str] = {}
    form = {
        "invitation_intro": rnd.invitation_intro or "",
        "reminder_intro": rnd.reminder_intro or "",
    }
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in form}
        try:
            changed = lifecycle.set_wording(rnd, form["invitation_intro"], form["reminder_intro"])
        except RoundError as exc:
            db.session.rollback()
            errors = exc.errors
            rnd = get_owned_or_404(FeedbackRound, round_id)
        else:
            if changed:
                names = {"invitation_intro": "invitation", "reminder_intro": "reminder"}
                record(
                    "round.wording_edited",
                    "Changed the wording of the "
                    + " and ".join(names[c] for c in changed)
                    + " emails not yet sent.",
                    rnd,
                    changed=[names[c] for c in changed],
                )
                flash("Wording saved. Messages not yet sent will use it.", "success")
            nxt = request.form.get("next", "")
            if nxt == "launch":
                return redirect(url_for("invitations.launch", round_id=rnd.id), 303)
            return redirect(url_for("rounds.show", round_id=rnd.id), 303)
    return render_page(
        "rounds/wording.html",
        block="content",
        status=422 if errors else 200,
        rnd=rnd,
        errors=errors,
        form=form,
        max_chars=lifecycle.WORDING_MAX,
    )


# -- cancel ---------------------------------------------------------------------------------------


@bp.route("/<uuid:round_id>/cancel", methods=["GET", "POST"])
def cancel(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _round(round_id)
    day = today()
    errors: dict[str, str] = {}
    if request.method == "POST":
        then = request.form.get("then", "")
        if then not in ("draft", "delete"):
            errors["then"] = "Choose whether to keep the round as a draft or delete it."
        else:
            name = rnd.name
            try:
                invited = _count(Invitation, rnd.id)
                record(
                    "round.cancelled",
                    f"Cancelled the round before it opened; {invited} queued invitations "
                    "withdrawn, none sent"
                    + (", and deleted it." if then == "delete" else "; it is a draft again."),
                    rnd,
                    invitations_withdrawn=invited,
                    deleted=then == "delete",
                )
                restored = lifecycle.cancel_round(rnd, day, delete_round=then == "delete")
            except RoundError as exc:
                db.session.rollback()
                errors = exc.errors
                rnd = get_owned_or_404(FeedbackRound, round_id)
            else:
                if then == "delete":
                    flash(f"Round “{name}” cancelled and deleted. Nothing was sent.", "success")
                    return redirect(url_for("rounds.index"), 303)
                flash(
                    f"Round cancelled: nothing was sent. It is a draft again, with its "
                    f"{restored} contact{'s' if restored != 1 else ''} back.",
                    "success",
                )
                return redirect(url_for("rounds.show", round_id=rnd.id), 303)
    return render_page(
        "rounds/cancel.html",
        block="content",
        status=422 if errors else 200,
        rnd=rnd,
        state=lifecycle.round_state(rnd, day),
        invited=_count(Invitation, rnd.id),
        errors=errors,
    )


# -- archive --------------------------------------------------------------------------------------


@bp.post("/<uuid:round_id>/archive")
def archive(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _round(round_id)
    undo = request.form.get("undo") == "1"
    try:
        if undo:
            lifecycle.unarchive_round(rnd)
        else:
            lifecycle.archive_round(rnd)
    except RoundError as exc:
        db.session.rollback()
        flash(exc.errors["round"], "error")
        return redirect(url_for("rounds.show", round_id=round_id), 303)
    if undo:
        record("round.unarchived", "Took the round out of the archive.", rnd)
        flash("The round is back in the list of rounds.", "success")
    else:
        record("round.archived", "Archived the round.", rnd)
        flash("Round archived. It stays readable here until you delete it.", "success")
    return redirect(url_for("rounds.show", round_id=rnd.id), 303)
