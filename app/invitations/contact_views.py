"""Contacts per audience before launch: upload a CSV/XLSX or paste a list, check, import."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from app.invitations.common import (
    audience_labels,
    email_audiences,
    load_round,
    page_number,
)
from app.invitations.views import bp
from app.models import FeedbackRound
from app.rendering import render_page
from app.services.contacts import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    ContactFileError,
    ParseResult,
    add_contacts,
    contact_counts,
    contacts_page,
    existing_emails,
    load_pending,
    parse_pasted,
    parse_upload,
    remove_audience_contacts,
    remove_contact,
    sign_pending,
)
from app.tenancy import parse_uuid_or_404

PER_PAGE = 100


def _draft_or_409(rnd: FeedbackRound) -> None:
    if not rnd.is_draft:
        abort(
            409,
            "This round has been launched, so its contacts have become invitations and the "
            "list cannot change here. See the round's invitations instead.",
        )


def _contacts_page(rnd: FeedbackRound, status: int = 200, **extra: Any) -> ResponseReturnValue:
    labels = audience_labels(rnd)
    audiences = email_audiences(rnd)
    counts = contact_counts(rnd.id)
    # Contacts left over for an audience that lost its questionnaire: shown, so they can go.
    orphans = sorted(a for a in counts if a not in audiences)
    selected = request.values.get("show") or None
    if selected not in audiences + orphans:
        selected = None
    page = page_number()
    rows, total = contacts_page(rnd.id, selected, page, PER_PAGE)
    return render_page(
        "invitations/contacts.html",
        block="content",
        status=status,
        rnd=rnd,
        labels=labels,
        audiences=audiences,
        orphans=orphans,
        counts=counts,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        selected=selected,
        max_rows=MAX_ROWS,
        max_mb=MAX_FILE_BYTES // (1024 * 1024),
        errors=extra.pop("errors", {}),
        form=extra.pop("form", {}),
        **extra,
    )


@bp.get("/<uuid:round_id>/contacts")
def contacts(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    if not rnd.is_draft:
        return redirect(url_for("invitations.people", round_id=rnd.id), 303)
    return _contacts_page(rnd)


def _chosen_audience(rnd: FeedbackRound, errors: dict[str, str], field: str) -> str:
    audience = request.form.get("audience", "")
    if audience not in email_audiences(rnd):
        errors[field] = "Choose who these contacts are (an audience with a questionnaire)."
    return audience


def _after_check(
    rnd: FeedbackRound,
    audience: str,
    result: ParseResult,
    source: str,
    pasted: str | None = None,
) -> ResponseReturnValue:
    labels = audience_labels(rnd)
    if result.ok:
        added, skipped = add_contacts(rnd, audience, result.valid)
        _record_import(rnd, added, audience)
        _flash_added(added, skipped, labels.get(audience, audience))
        return redirect(url_for("invitations.contacts", round_id=rnd.id, show=audience), 303)
    pending = (
        sign_pending(current_app.config["SECRET_KEY"], rnd.id, audience, result.valid)
        if result.valid
        else ""
    )
    return render_page(
        "invitations/contact_report.html",
        block="content",
        status=422,
        rnd=rnd,
        audience=audience,
        audience_label=labels.get(audience, audience),
        result=result,
        pending=pending,
        source=source,
        pasted=pasted,
    )


def _record_import(rnd: FeedbackRound, added: int, audience: str) -> None:
    from app.rounds.audit_trail import record

    record(
        "contacts.imported",
        f"Imported {added} contact{'s' if added != 1 else ''} for {audience}.",
        rnd,
        contacts=added,
        audience=audience,
    )


def _flash_added(added: int, skipped: int, label: str) -> None:
    message = f"Added {added} contact{'s' if added != 1 else ''} for {label}."
    if skipped:
        verb = "were" if skipped != 1 else "was"
        message += f" {skipped} {verb} already in the round and {verb} skipped."
    flash(message, "success")


@bp.post("/<uuid:round_id>/contacts/upload")
def upload_contacts(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    _draft_or_409(rnd)
    errors: dict[str, str] = {}
    audience = _chosen_audience(rnd, errors, "audience")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        errors["file"] = "Choose a CSV or Excel (.xlsx) file to upload."
    if errors:
        return _contacts_page(rnd, 422, errors=errors, form=request.form)
    assert upload is not None
    data = upload.stream.read(MAX_FILE_BYTES + 1)
    try:
        result = parse_upload(
            upload.filename or "", data, existing_emails(rnd, audience_labels(rnd))
        )
    except ContactFileError as exc:
        return _contacts_page(rnd, 422, errors={"file": str(exc)}, form=request.form)
    return _after_check(rnd, audience, result, upload.filename or "the file")


@bp.post("/<uuid:round_id>/contacts/paste")
def paste_contacts(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    _draft_or_409(rnd)
    errors: dict[str, str] = {}
    audience = _chosen_audience(rnd, errors, "paste-audience")
    text = request.form.get("addresses", "")
    if not text.strip():
        errors["addresses"] = "Paste at least one email address, one per line."
    if errors:
        return _contacts_page(rnd, 422, errors=errors, form=request.form)
    try:
        result = parse_pasted(text, existing_emails(rnd, audience_labels(rnd)))
    except ContactFileError as exc:
        return _contacts_page(rnd, 422, errors={"addresses": str(exc)}, form=request.form)
    return _after_check(rnd, audience, result, "the pasted list", pasted=text)


@bp.post("/<uuid:round_id>/contacts/import-valid")
def import_valid_contacts(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    _draft_or_409(rnd)
    audience = request.form.get("audience", "")
    rows = load_pending(
        current_app.config["SECRET_KEY"], request.form.get("pending", ""), rnd.id, audience
    )
    if rows is None or audience not in email_audiences(rnd):
        flash(
            "Nothing was imported: that check is more than an hour old or was changed. "
            "Upload the file again.",
            "error",
        )
        return redirect(url_for("invitations.contacts", round_id=rnd.id), 303)
    added, skipped = add_contacts(rnd, audience, rows)
    _record_import(rnd, added, audience)
    _flash_added(added, skipped, audience_labels(rnd).get(audience, audience))
    return redirect(url_for("invitations.contacts", round_id=rnd.id, show=audience), 303)


@bp.post("/<uuid:round_id>/contacts/remove")
def remove_one_contact(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    _draft_or_409(rnd)
    contact_id = parse_uuid_or_404(request.form.get("contact_id", ""))
    if not remove_contact(rnd, contact_id):
        abort(404, "That contact is not in this round (it may have been removed already).")
    from app.rounds.audit_trail import record

    record("contacts.removed", "Removed 1 contact.", rnd, contacts=1)
    flash("Contact removed.", "success")
    show = request.form.get("show") or None
    return redirect(url_for("invitations.contacts", round_id=rnd.id, show=show), 303)


@bp.post("/<uuid:round_id>/contacts/remove-audience")
def remove_audience(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    _draft_or_409(rnd)
    audience = request.form.get("audience", "")
    if request.form.get("confirm") != "yes":
        return _contacts_page(
            rnd,
            422,
            errors={f"confirm-{audience}": "Tick the box to confirm you want to remove them all."},
            form=request.form,
        )
    removed = remove_audience_contacts(rnd, audience)
    from app.rounds.audit_trail import record

    record(
        "contacts.removed",
        f"Removed all {removed} contacts for {audience}.",
        rnd,
        contacts=removed,
        audience=audience,
    )
    label = audience_labels(rnd).get(audience, audience)
    flash(f"Removed {removed} contact{'s' if removed != 1 else ''} for {label}.", "success")
    return redirect(url_for("invitations.contacts", round_id=rnd.id), 303)
