"""The organisation's address book pages (issue 16), and adding a group to a round."""

from __future__ import annotations

import uuid

from flask import abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from app.dates import today
from app.extensions import db
from app.invitations.common import audience_labels, email_audiences
from app.models import FeedbackRound, Role, RoundStatus
from app.rendering import render_page
from app.rounds.audit_trail import actor, record
from app.rounds.views import bp
from app.services import address_book, audit
from app.services.contact_changes import invited_emails
from app.services.contacts import MAX_FILE_BYTES, add_contacts
from app.services.launch import invite
from app.tenancy import current_org, current_role, get_owned_or_404, parse_uuid_or_404


def _coordinator() -> None:
    if current_role() != Role.COORDINATOR:
        abort(403)


def _book_audit(action: str, summary: str, **details: object) -> None:
    audit.record(
        action,
        summary,
        organisation_id=current_org().id,
        actor=actor(),
        object_type="address_book",
        details=details,
    )


def _page(status: int = 200, **extra: object) -> ResponseReturnValue:
    org = current_org()
    shown = request.args.get("group")
    return render_page(
        "rounds/address_book.html",
        block="content",
        status=status,
        groups=address_book.groups(org.id),
        shown=shown,
        people=address_book.entries(org.id, shown) if shown else [],
        errors=extra.pop("errors", {}),
        problems=extra.pop("problems", []),
        text=extra.pop("text", ""),
        **extra,
    )


@bp.get("/address-book")
def address_book_page() -> ResponseReturnValue:
    _coordinator()
    return _page()


@bp.post("/address-book/upload")
def address_book_upload() -> ResponseReturnValue:
    _coordinator()
    text = request.form.get("people", "")
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.stream.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            return _page(422, errors={"file": "The file is too big (over 5 MB)."})
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _page(422, errors={"file": "The file is not UTF-8 text: save it as CSV UTF-8."})
    try:
        checked = address_book.parse_book(text)
    except address_book.BookError as exc:
        return _page(422, errors={"people": str(exc)}, text=text)
    if checked.errors:
        n = len(checked.errors)
        return _page(
            422,
            errors={
                "people": f"{n} row{'s' if n != 1 else ''} need correcting. Nothing was added."
            },
            problems=checked.errors[:200],
            text=text,
        )
    added, updated = address_book.import_book(current_org().id, checked)
    _book_audit(
        "address_book.imported",
        f"Added {added} people to the address book ({updated} names updated).",
        added=added,
        updated=updated,
    )
    flash(f"Added {added} {'person' if added == 1 else 'people'} to the address book.", "success")
    return redirect(url_for("rounds.address_book_page"), 303)


@bp.post("/address-book/remove")
def address_book_remove() -> ResponseReturnValue:
    _coordinator()
    org = current_org()
    group = request.form.get("group", "")
    if request.form.get("entry_id"):
        if not address_book.remove_entry(org.id, parse_uuid_or_404(request.form["entry_id"])):
            abort(404, "That person is not in the address book (perhaps removed already).")
        _book_audit("address_book.removed", "Removed 1 person from the address book.", people=1)
        flash("Removed from the address book.", "success")
        return redirect(url_for("rounds.address_book_page", group=group or None), 303)
    removed = address_book.remove_group(org.id, group)
    if not removed:
        abort(404, "There is no such group.")
    _book_audit(
        "address_book.removed", f"Removed the group “{group}” ({removed} people).", people=removed
    )
    flash(f"Removed the group “{group}”.", "success")
    return redirect(url_for("rounds.address_book_page"), 303)


@bp.post("/<uuid:round_id>/contacts/from-group")
def contacts_from_group(round_id: uuid.UUID) -> ResponseReturnValue:
    """A group's people join one audience of the round: as contacts before launch, as
    invitations (sent now if open) after it. Anyone already in the round is skipped."""
    rnd = get_owned_or_404(FeedbackRound, round_id)
    _coordinator()
    org = current_org()
    group = request.form.get("group", "")
    audience = request.form.get("audience", "")
    labels = audience_labels(rnd)
    back = url_for(
        "invitations.contacts" if rnd.is_draft else "invitations.people", round_id=rnd.id
    )
    rows = address_book.group_rows(org.id, group)
    if not rows or audience not in email_audiences(rnd):
        flash("Choose a group from the address book and an audience of this round.", "error")
        return redirect(back, 303)
    label = labels.get(audience, audience)
    if rnd.is_draft:
        added, skipped = add_contacts(rnd, audience, rows)
    elif rnd.status == RoundStatus.LIVE and today() <= rnd.closes_on:
        have = invited_emails(rnd, labels)
        fresh = [
            (audience, r.email, r.name, r.language or None)
            for r in rows
            if r.email.casefold() not in have
        ]
        added = invite(rnd, fresh, secret=current_app.config["SECRET_KEY"], today=today())
        skipped = len(rows) - added
    else:
        flash("This round has closed: nobody more can be invited.", "error")
        return redirect(back, 303)
    record(
        "contacts.imported",
        f"Added {added} contacts for {label} from the address book group “{group}”.",
        rnd,
        contacts=added,
        audience=audience,
    )
    note = (
        f" {skipped} already in the round {'were' if skipped != 1 else 'was'} skipped."
        if skipped
        else ""
    )
    flash(f"Added {added} from “{group}” for {label}.{note}", "success")
    db.session.flush()
    return redirect(back, 303)
