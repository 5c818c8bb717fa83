"""Framework library pages: index, a framework's tree, an indicator, red threads, import (issue 3).

Built-in frameworks are visible to everyone signed in; a framework an organisation imported is
visible to that organisation alone: for anyone else every one of its URLs is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.extensions import db
from app.models import Role
from app.rendering import render_page
from app.services.frameworks import (
    FrameworkClash,
    UnknownFramework,
    describe_size,
    framework_listings,
    get_framework,
    import_upload,
    is_builtin,
)
from app.tenancy import current_org, current_role, role_required
from frameworks import Framework, FrameworkError, item_review
from frameworks.schema import Indicator
from frameworks.workbook import workbook_bytes
from surveys.questionnaire import CHILDREN_BANDS, scale_for
from surveys.scales import SCALES

bp = Blueprint("frameworks", __name__, url_prefix="/frameworks")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
FILE_FIELD = "framework_file"
BAND_WORDS = {
    "under_8": "children under 8",
    "8_to_12": "children 8 to 12",
    "13_plus": "young people 13 and over",
}


def _framework_or_404(framework_id: str) -> Framework:
    try:
        return get_framework(current_org().id, framework_id)
    except UnknownFramework:
        abort(404, "There is no framework with that id in your organisation's library.")


def _indicator_or_404(fw: Framework, indicator_id: str) -> Indicator:
    try:
        return fw.indicator(indicator_id)
    except KeyError:
        abort(404, f"{fw.title} has no indicator with that id.")


def _xlsx(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/")
def index() -> ResponseReturnValue:
    org = current_org()
    return render_page(
        "frameworks/index.html",
        block="content",
        org=org,
        listings=framework_listings(org.id),
        can_import=_is_coordinator(),
    )


def _is_coordinator() -> bool:
    return current_role() == Role.COORDINATOR


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def import_framework() -> ResponseReturnValue:
    org = current_org()
    errors: list[str] = []
    filename = ""
    replace = request.form.get("replace") == "yes"
    if request.method == "POST":
        upload = request.files.get(FILE_FIELD)
        filename = (upload.filename or "") if upload else ""
        if upload is None or not filename:
            errors = ["Choose a YAML file or an Excel workbook to import."]
        else:
            data = upload.stream.read(MAX_UPLOAD_BYTES + 1)
            if len(data) > MAX_UPLOAD_BYTES:
                errors = [f"{filename} is larger than 5 MB; a framework file is much smaller."]
            elif not data:
                errors = [f"{filename} is empty."]
            else:
                try:
                    row, replaced = import_upload(
                        org.id, data, filename, replace=replace, actor=current_user
                    )
                except FrameworkError as exc:
                    errors = exc.lines
                except FrameworkClash as exc:
                    errors = [str(exc)]
        if errors:
            db.session.rollback()
        else:
            fw = get_framework(org.id, row.framework_id)
            verb = "replaced" if replaced else "imported"
            flash(f"{fw.title} was {verb}: {describe_size(fw)}.", "success")
            return redirect(url_for("frameworks.framework", framework_id=fw.id), 303)
    return render_page(
        "frameworks/import.html",
        block="content",
        status=422 if errors else 200,
        errors=errors,
        filename=filename,
        replace=replace,
        file_field=FILE_FIELD,
        max_mb=MAX_UPLOAD_BYTES // (1024 * 1024),
    )


@bp.get("/template.xlsx")
def template() -> ResponseReturnValue:
    return _xlsx(workbook_bytes(), "chorus-framework-template.xlsx")


@bp.get("/<framework_id>/")
def framework(framework_id: str) -> ResponseReturnValue:
    fw = _framework_or_404(framework_id)
    coverage = item_review.coverage(fw)
    return render_page(
        "frameworks/framework.html",
        block="content",
        fw=fw,
        builtin=is_builtin(fw.id),
        ungrouped=fw.sections_in(None) if fw.groups else fw.sections,
        size=describe_size(fw),
        coverage=coverage,
        coverage_audiences=[a for a in fw.audience_ids if any(c.counts[a] for c in coverage)],
        findings=item_review.review(fw),
    )


@bp.get("/<framework_id>/workbook.xlsx")
def workbook(framework_id: str) -> ResponseReturnValue:
    fw = _framework_or_404(framework_id)
    return _xlsx(workbook_bytes(fw), f"{fw.id}.xlsx")


@bp.get("/<framework_id>/threads")
def threads(framework_id: str) -> ResponseReturnValue:
    fw = _framework_or_404(framework_id)
    if not fw.threads:
        abort(404, f"{fw.title} has no red threads.")
    indicators = {i.id: i for i in fw.indicators}
    return render_page("frameworks/threads.html", block="content", fw=fw, indicators=indicators)


def _scale_words(audience: str, bank_scales: set[str | None]) -> str:
    """Which scale(s) an audience answers this indicator's items on, in words."""
    if audience == "children":
        parts = []
        for band in CHILDREN_BANDS:
            titles = sorted({SCALES[scale_for(audience, s, band)].title for s in bank_scales})
            parts.append(f"{BAND_WORDS[band]}: {' or '.join(titles)}")
        return "; ".join(parts)
    return " or ".join(sorted({SCALES[scale_for(audience, s)].title for s in bank_scales}))


def _audience_blocks(fw: Framework, ind: Indicator) -> list[dict[str, Any]]:
    themes = {t.id: t for t in ind.themes}
    blocks = []
    for audience in fw.audience_ids:
        items = ind.items.get(audience)
        if not items:
            continue
        blocks.append(
            {
                "id": audience,
                "label": fw.audience_label(audience),
                "scale": _scale_words(audience, {i.scale for i in items}),
                "items": [(item, themes.get(item.theme or "")) for item in items],
            }
        )
    return blocks


def _level_label(fw: Framework, code: str) -> str | None:
    try:
        return fw.rating_scale.label(code)
    except KeyError:
        return None


@bp.get("/<framework_id>/indicators/<indicator_id>")
def indicator(framework_id: str, indicator_id: str) -> ResponseReturnValue:
    fw = _framework_or_404(framework_id)
    ind = _indicator_or_404(fw, indicator_id)
    section = fw.section(ind.section)
    blocks = _audience_blocks(fw, ind)
    asked = {b["id"] for b in blocks}
    return render_page(
        "frameworks/indicator.html",
        block="content",
        fw=fw,
        ind=ind,
        section=section,
        group=fw.group(section.group) if section.group else None,
        blocks=blocks,
        not_asked=[fw.audience_label(a) for a in fw.audience_ids if a not in asked],
        links_to=[fw.indicator(i) for i in ind.links],
        linked_from=fw.linked_from(ind.id),
        threads=fw.threads_through(ind.id),
        level_5=_level_label(fw, "5"),
        level_2=_level_label(fw, "2"),
    )
