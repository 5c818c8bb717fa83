"""Who was invited, and whether their invitation was delivered. Nothing else per person."""

from __future__ import annotations

import csv
import io
import re
import uuid

from flask import Response, request
from flask.typing import ResponseReturnValue

from app.dates import today
from app.extensions import db
from app.invitations.common import audience_labels, load_round, page_number
from app.invitations.views import bp
from app.models import FeedbackRound, RoundStatus
from app.rendering import render_page
from app.services.contact_export import contact_table
from app.services.invitations import Delivery, delivery_counts, delivery_rows

PER_PAGE = 100


def _filters(audiences: list[str]) -> tuple[str | None, Delivery | None, str]:
    audience = request.args.get("audience") or None
    if audience not in audiences:
        audience = None
    try:
        delivery = Delivery(request.args.get("delivery", ""))
    except ValueError:
        delivery = None
    return audience, delivery, request.args.get("q", "")[:200]


@bp.get("/<uuid:round_id>/invitations")
def people(round_id: uuid.UUID) -> ResponseReturnValue:
    return people_page(load_round(round_id, coordinator=True))


def people_page(
    rnd: FeedbackRound,
    status: int = 200,
    errors: dict[str, str] | None = None,
    late: dict[str, str] | None = None,
) -> ResponseReturnValue:
    labels = audience_labels(rnd)
    counts = delivery_counts(rnd.id)
    audiences = [q.audience for q in rnd.questionnaires]
    audience, delivery, search = _filters(audiences)
    page = page_number()
    rows, total = delivery_rows(
        rnd.id, audience=audience, delivery=delivery, search=search, page=page, per_page=PER_PAGE
    )
    return render_page(
        "invitations/people.html",
        block="content",
        status=status,
        rnd=rnd,
        labels=labels,
        audiences=audiences,
        counts=counts,
        deliveries=list(Delivery),
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        audience=audience,
        delivery=delivery,
        search=search,
        errors=errors or {},
        late=late or {},
        can_add=rnd.status == RoundStatus.LIVE and today() <= rnd.closes_on,
    )


_FORMULA = re.compile(r"^[=+\-@\t\r]")


def _cell(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; neutralise them."""
    return "'" + value if _FORMULA.match(value) else value


@bp.get("/<uuid:round_id>/invitations.csv")
def people_csv(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = load_round(round_id, coordinator=True)
    table = contact_table(rnd, audience_labels(rnd), state="delivery")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([_cell(value) for value in row])
    slug = re.sub(r"[^a-z0-9]+", "-", rnd.name.lower()).strip("-")[:60] or "round"
    from app.rounds.audit_trail import record

    rows = table.rows
    record(
        "contacts.exported",
        f"Downloaded the {'contact' if rnd.is_draft else 'invitation'} list ({len(rows)} rows, "
        "CSV).",
        rnd,
        rows=len(rows),
        format="csv",
        draft=rnd.is_draft,
    )
    db.session.commit()
    return Response(
        "\ufeff" + out.getvalue(),  # a BOM so Excel reads UTF-8 names correctly
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{table.kind}-{slug}.csv"',
            "Cache-Control": "no-store",
        },
    )
