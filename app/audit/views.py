"""The audit trail, per organisation and per round: filter, read, download as CSV (issue 16).

Coordinators only: the trail names colleagues and what they did. It holds nothing about
respondents beyond counts (app.services.audit).
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, Response, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.dates import as_utc, zone
from app.extensions import db
from app.invitations.common import load_round
from app.models import AuditEntry, FeedbackRound, Role
from app.rendering import render_page
from app.services import audit
from app.services.documents.workbook import csv_safe
from app.tenancy import current_org, parse_uuid_or_404, role_required

bp = Blueprint("audit", __name__)

PER_PAGE = 100
CSV_COLUMNS = ("When", "Who", "Action", "Round", "Object", "Object id", "What", "Details")


@dataclass
class Filters:
    action: str = ""
    actor: str = ""
    since: str = ""
    until: str = ""

    def query_args(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone())


def _parse(round_id: uuid.UUID | None) -> tuple[Filters, audit.AuditFilter, dict[str, str]]:
    raw = Filters(
        **{k: request.args.get(k, "").strip() for k in ("action", "actor", "since", "until")}
    )
    errors: dict[str, str] = {}
    days: dict[str, date] = {}
    for key, label in (("since", "From"), ("until", "To")):
        value = getattr(raw, key)
        if not value:
            continue
        try:
            days[key] = date.fromisoformat(value)
        except ValueError:
            errors[key] = f"{label}: enter a date like 2026-11-22."
    if "since" in days and "until" in days and days["until"] < days["since"]:
        errors["until"] = "The “To” date must be the same as or after the “From” date."
    actor_id = None
    if raw.actor and raw.actor != "chorus":
        try:
            actor_id = uuid.UUID(raw.actor)
        except ValueError:
            errors["actor"] = "Choose a person from the list."
    if len(raw.action) > 60:
        errors["action"] = "Choose an action from the list."
    where = audit.AuditFilter(
        round_id=round_id,
        action=raw.action or None,
        actor_id=actor_id,
        since=_local_midnight(days["since"]) if "since" in days else None,
        until=_local_midnight(days["until"] + timedelta(days=1)) if "until" in days else None,
    )
    return raw, where, errors


def _apply_chorus(entries: list[AuditEntry], raw: Filters) -> list[AuditEntry]:
    """ "Chorus" (the system) has no account id; filter it here."""
    if raw.actor == "chorus":
        return [e for e in entries if e.actor_id is None]
    return entries


def _choices(
    org_id: uuid.UUID, round_id: uuid.UUID | None
) -> tuple[list[str], list[tuple[str, str]]]:
    query = select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.actor_name).where(
        AuditEntry.organisation_id == org_id
    )
    if round_id is not None:
        query = query.where(AuditEntry.round_id == round_id)
    actions: set[str] = set()
    people: dict[str, str] = {}
    for action, actor_id, actor_name in db.session.execute(query.distinct()):
        actions.add(action)
        people.setdefault(str(actor_id) if actor_id else "chorus", actor_name)
    return sorted(actions), sorted(people.items(), key=lambda p: p[1].lower())


def _csv(entries: list[AuditEntry], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        details = "; ".join(f"{k}={v}" for k, v in sorted((e.details or {}).items()))
        # Names and summaries are typed by staff: formula-safe, as every export is.
        writer.writerow(
            [
                as_utc(e.at).astimezone(zone()).isoformat(timespec="seconds"),
                csv_safe(e.actor_name),
                e.action,
                csv_safe(e.round_name),
                e.object_type,
                csv_safe(e.object_id),
                csv_safe(e.summary),
                csv_safe(details),
            ]
        )
    response = Response(buffer.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _view(rnd: FeedbackRound | None, as_csv: bool) -> ResponseReturnValue:
    org = current_org()
    round_id = rnd.id if rnd is not None else None
    raw, where, errors = _parse(round_id)
    actions, people = _choices(org.id, round_id)
    if errors:
        entries: list[AuditEntry] = []
    else:
        entries = _apply_chorus(audit.entries(org.id, where), raw)
    if as_csv and not errors:
        stem = f"audit-{rnd.name if rnd else org.name}"
        safe = "".join(c if c.isalnum() else "-" for c in stem).strip("-").lower()[:80]
        return _csv(entries, f"{safe}.csv")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    total = len(entries)
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    page = min(page, pages)
    shown = entries[(page - 1) * PER_PAGE : page * PER_PAGE]
    here = "audit.round_log" if rnd else "audit.index"
    args: dict[str, Any] = {"round_id": rnd.id} if rnd else {}
    return render_page(
        "audit/index.html",
        status=422 if errors else 200,
        org=org,
        rnd=rnd,
        entries=shown,
        total=total,
        page=page,
        pages=pages,
        actions=actions,
        people=people,
        filters=raw,
        errors=errors,
        here=here,
        here_args=args,
        page_args={**args, **raw.query_args()},
        csv_url=url_for(here + "_csv", **{**args, **raw.query_args()}),
    )


@bp.get("/audit")
@role_required(Role.COORDINATOR)
def index() -> ResponseReturnValue:
    return _view(None, as_csv=False)


@bp.get("/audit.csv")
@role_required(Role.COORDINATOR)
def index_csv() -> ResponseReturnValue:
    return _view(None, as_csv=True)


@bp.get("/rounds/<round_id>/audit")
def round_log(round_id: str) -> ResponseReturnValue:
    return _view(load_round(parse_uuid_or_404(round_id), coordinator=True), as_csv=False)


@bp.get("/rounds/<round_id>/audit.csv")
def round_log_csv(round_id: str) -> ResponseReturnValue:
    return _view(load_round(parse_uuid_or_404(round_id), coordinator=True), as_csv=True)
