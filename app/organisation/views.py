"""Settings, Organisation: a coordinator chooses the organisation's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import groupby

from flask import Blueprint, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.dates import date_time, use_zone, zone_names
from app.extensions import db
from app.models import Role
from app.rendering import render_page
from app.services.organisation_settings import SettingsError, set_time_zone
from app.tenancy import current_org, role_required

bp = Blueprint("organisation", __name__, url_prefix="/settings/organisation")


def _zones_by_region() -> list[tuple[str, list[str]]]:
    return [
        (region, list(names))
        for region, names in groupby(zone_names(), key=lambda n: n.partition("/")[0])
    ]


@bp.route("", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def settings() -> ResponseReturnValue:
    org = current_org()
    errors: dict[str, str] = {}
    value = org.time_zone
    if request.method == "POST":
        value = request.form.get("time_zone", "")
        try:
            changed = set_time_zone(org, value, current_user)
        except SettingsError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            use_zone(org.time_zone)
            flash(
                f"The time zone is now {org.time_zone}."
                if changed
                else f"No change: the time zone is already {org.time_zone}.",
                "success",
            )
            return redirect(url_for("organisation.settings"), 303)
    return render_page(
        "organisation/settings.html",
        status=422 if errors else 200,
        org=org,
        errors=errors,
        value=value,
        regions=_zones_by_region(),
        now_there=date_time(datetime.now(UTC)),
    )
