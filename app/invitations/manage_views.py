"""Managing contacts beyond the first import (issue 16): edit one before launch, add late
contacts after it, export the list (CSV or Excel) with the invitation state only."""

from __future__ import annotations

import io
import re
import uuid

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from openpyxl import Workbook

from app.dates import long_date, today
from app.extensions import db
from app.invitations.common import audience_labels, email_audiences, load_round
from app.invitations.views import bp
from app.models import Contact
from app.rendering import render_page
from app.rounds.audit_trail import record
from app.services import contact_changes
from app.services.contact_export import contact_table
from app.services.rounds import RoundError

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA = re.compile(r"^[=+\-@\t\r]")


def _cell(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; neutralise them."""
    return "'" + value if _FORMULA.match(value) else value


# -- edit one contact before launch ---------------------------------------------------------------


@bp.route("/<uuid:round_id>/contacts/<uuid:contact_id>/edit", methods=["GET", "POST"])
def edit_contact(round_id: uuid.UUID, contact_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    if not rnd.is_draft:
        return redirect(url_for("invitations.people", round_id=rnd.id), 303)
    contact = db.session.execute(
        db.select(Contact).where(Contact.round_id == rnd.id, Contact.id == contact_id)
    ).scalar_one_or_none()
    if contact is None:
        abort(404, "That contact is not in this round (it may have been removed already).")
    labels = audience_labels(rnd)
    audiences = email_audiences(rnd)
    form = {"email": contact.email, "name": contact.name, "audience": contact.audience}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in form}
        try:
            contact_changes.edit_contact(
                rnd,
                contact_id,
                email=form["email"],
                name=form["name"],
                audience=form["audience"],
                audiences=audiences,
                labels=labels,
            )
        except RoundError as exc:
            db.session.rollback()
            errors = exc.errors
            rnd = load_round(round_id)
        else:
            record("contacts.edited", "Edited 1 contact.", rnd, contacts=1)
            flash("Contact changed.", "success")
            return redirect(url_for("invitations.contacts", round_id=rnd.id), 303)
    return render_page(
        "invitations/contact_edit.html",
        block="content",
        status=422 if errors else 200,
        rnd=rnd,
        contact_id=contact_id,
        labels=labels,
        audiences=audiences,
        form=form,
        errors=errors,
    )


# -- late contacts --------------------------------------------------------------------------------


@bp.post("/<uuid:round_id>/invitations/add")
def add_late(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    labels = audience_labels(rnd)
    audience = request.form.get("audience", "")
    text = request.form.get("addresses", "")
    day = today()
    try:
        invited, result = contact_changes.add_late_contacts(
            rnd,
            audience,
            text,
            audiences=email_audiences(rnd),
            labels=labels,
            secret=current_app.config["SECRET_KEY"],
            today=day,
        )
    except RoundError as exc:
        db.session.rollback()
        return _late_page(round_id, exc.errors, text, audience)
    if not result.ok:
        db.session.rollback()
        problems = [f"{result.unit} {e.row}: {e.message}" for e in result.shown_errors]
        return _late_page(
            round_id,
            {
                "late-addresses": "Nothing was added. Correct these and try again: "
                + " ".join(problems)
            },
            text,
            audience,
        )
    record(
        "contacts.added",
        f"Added {invited} late contact{'s' if invited != 1 else ''} for "
        f"{labels.get(audience, audience)}.",
        rnd,
        contacts=invited,
        audience=audience,
    )
    when = "now" if rnd.opens_on <= day else f"on {long_date(rnd.opens_on)}, when the round opens"
    flash(
        f"Invited {invited} more {'people' if invited != 1 else 'person'}: "
        f"the invitation{'s go' if invited != 1 else ' goes'} {when}.",
        "success",
    )
    return redirect(url_for("invitations.people", round_id=rnd.id), 303)


def _late_page(
    round_id: uuid.UUID, errors: dict[str, str], text: str, audience: str
) -> ResponseReturnValue:
    from app.invitations.people_views import people_page

    return people_page(
        load_round(round_id),
        status=422,
        errors=errors,
        late={"addresses": text, "audience": audience},
    )


# -- export ---------------------------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "round"


@bp.get("/<uuid:round_id>/invitations.xlsx")
def people_xlsx(round_id: uuid.UUID) -> ResponseReturnValue:
    """The invitation list as Excel: the first invitation's state only (delivered, not
    delivered, opted out, waiting), never who has answered or been reminded."""
    rnd = load_round(round_id, coordinator=True)
    table = contact_table(rnd, audience_labels(rnd), state="invitation email")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.kind.capitalize())
    sheet.append(table.header)
    for row in table.rows:
        sheet.append([_cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    rows = table.rows
    record(
        "contacts.exported",
        f"Downloaded the {'contact' if rnd.is_draft else 'invitation'} list ({len(rows)} rows, "
        "Excel).",
        rnd,
        rows=len(rows),
        format="xlsx",
        draft=rnd.is_draft,
    )
    db.session.commit()
    return Response(
        out.getvalue(),
        mimetype=XLSX_MIME,
        headers={
            "Content-Disposition": f'attachment; filename="{table.kind}-{_slug(rnd.name)}.xlsx"',
            "Cache-Control": "no-store",
        },
    )
