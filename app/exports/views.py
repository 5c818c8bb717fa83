"""Excel workbooks and paper questionnaires (issue 9)."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from typing import IO

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from app.dates import today
from app.exports.download import CSV_MIME, XLSX_MIME, bytes_io, download_name
from app.extensions import db
from app.models import Assessment, FeedbackRound, Role, RoundStatus
from app.rendering import render_page
from app.services.assessment.assessments import access_for
from app.services.documents import paper
from app.services.documents.assessment_workbook import write_assessment_workbook
from app.services.documents.indicators_csv import indicators_csv
from app.services.documents.paper.printed import PDF_MIME, build_printed, printed_language
from app.services.documents.round_tables import Names
from app.services.documents.round_workbook import write_round_workbook
from app.services.frameworks import UnknownFramework
from app.services.results import framework_of, round_results
from app.tenancy import current_org, current_role, get_owned_or_404

bp = Blueprint("exports", __name__, url_prefix="/exports")

MAX_ERRORS_SHOWN = 200


def _audience_labels(rnd: FeedbackRound) -> dict[str, str]:
    framework = framework_of(rnd)
    if framework is None:
        return {q.audience: q.audience for q in rnd.questionnaires}
    return {q.audience: framework.audience_label(q.audience) for q in rnd.questionnaires}


def _launched_or_409(rnd: FeedbackRound) -> None:
    if rnd.status == RoundStatus.DRAFT:
        abort(409, "This round has not been launched yet, so there is nothing to export.")


# -- downloads ---------------------------------------------------------------------------------


@bp.get("/rounds/<uuid:round_id>")
def round_downloads(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = get_owned_or_404(FeedbackRound, round_id)
    return render_page(
        "exports/downloads.html",
        rnd=rnd,
        labels=_audience_labels(rnd),
        launched=rnd.status != RoundStatus.DRAFT,
    )


def _attachment(body: IO[bytes], mimetype: str, filename: str) -> Response:
    response = send_file(
        body, mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0
    )
    response.headers["Cache-Control"] = "no-store, private"  # results stay off shared caches
    return response


def _workbook(write: Callable[[IO[bytes]], object], filename: str) -> Response:
    """Write to a temporary file, not memory (big rounds make big workbooks), then stream it;
    send_file closes the file when the response is done."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        write(spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return _attachment(spool, XLSX_MIME, filename)


@bp.get("/rounds/<uuid:round_id>.xlsx")
def round_workbook(round_id: uuid.UUID) -> ResponseReturnValue:
    """The results workbook, for any role of the organisation, once the round is launched."""
    rnd = get_owned_or_404(FeedbackRound, round_id)
    _launched_or_409(rnd)
    return _workbook(
        lambda out: write_round_workbook(rnd, out), download_name(rnd.name, "results", "xlsx")
    )


@bp.get("/rounds/<uuid:round_id>/indicators.csv", endpoint="indicators_csv")
def indicators_csv_download(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = get_owned_or_404(FeedbackRound, round_id)
    _launched_or_409(rnd)
    text = indicators_csv(round_results(rnd), Names(framework_of(rnd)))
    return _attachment(
        bytes_io(("\ufeff" + text).encode("utf-8")),  # the BOM tells Excel it is UTF-8
        CSV_MIME,
        download_name(rnd.name, "indicators", "csv"),
    )


@bp.get("/assessments/<uuid:assessment_id>.xlsx")
def assessment_workbook(assessment_id: uuid.UUID) -> ResponseReturnValue:
    """The assessment as the reader may see it on the pages (same team and role rules)."""
    assessment = get_owned_or_404(Assessment, assessment_id)
    access = access_for(assessment, current_user.id, current_role())
    if not access.can_view:
        abort(404)
    try:
        return _workbook(
            lambda out: write_assessment_workbook(assessment, access, out),
            download_name(assessment.title, "self-assessment", "xlsx"),
        )
    except UnknownFramework:
        abort(404, "This assessment's framework is no longer available to your organisation.")


# -- paper questionnaires ----------------------------------------------------------------------


def _coordinators_round(round_id: uuid.UUID) -> FeedbackRound:
    """The round, for its organisation's coordinators: 404 first (another organisation's round
    does not exist), then 403 for other roles."""
    rnd = get_owned_or_404(FeedbackRound, round_id)
    if current_role() != Role.COORDINATOR:
        abort(403, "Only coordinators type in paper questionnaires.")
    return rnd


def _paper_page(
    rnd: FeedbackRound,
    *,
    status: int = 200,
    error: str | None = None,
    check: paper.PaperCheck | None = None,
    skip_invalid: bool = False,
    duplicate: bool = False,
) -> ResponseReturnValue:
    return render_page(
        "exports/paper.html",
        block="upload",
        status=status,
        rnd=rnd,
        labels=_audience_labels(rnd),
        live=rnd.status == RoundStatus.LIVE,
        error=error,
        check=check,
        errors_shown=(check.errors[:MAX_ERRORS_SHOWN] if check else []),
        skip_invalid=skip_invalid,
        duplicate=duplicate,
        max_mb=paper.MAX_UPLOAD_BYTES // (1024 * 1024),
    )


@bp.get("/rounds/<uuid:round_id>/paper")
def paper_page(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _coordinators_round(round_id)
    return _paper_page(rnd)


@bp.get("/rounds/<uuid:round_id>/paper/<audience>.xlsx")
def paper_template(round_id: uuid.UUID, audience: str) -> ResponseReturnValue:
    rnd = _coordinators_round(round_id)
    questionnaire = paper.questionnaire_for(rnd, audience)
    if questionnaire is None:
        abort(404, "This round has no questionnaire for that audience.")
    label = _audience_labels(rnd).get(audience, audience)
    try:
        data = paper.build_template(
            rnd,
            questionnaire,
            label,
            upload_url=_absolute(url_for("exports.paper_page", round_id=rnd.id)),
        )
    except paper.PaperError as exc:
        abort(409, str(exc))
    return _attachment(bytes_io(data), XLSX_MIME, download_name(rnd.name, f"paper {label}", "xlsx"))


@bp.get("/rounds/<uuid:round_id>/paper/<audience>.pdf")
def paper_printed(round_id: uuid.UUID, audience: str) -> ResponseReturnValue:
    """The questionnaire to print and hand out, in `?lang=` (one the round offers, else its
    default language)."""
    rnd = _coordinators_round(round_id)
    questionnaire = paper.questionnaire_for(rnd, audience)
    if questionnaire is None:
        abort(404, "This round has no questionnaire for that audience.")
    language = printed_language(rnd, request.args.get("lang"))
    try:
        data = build_printed(rnd, questionnaire, language.code, current_org().name)
    except paper.PaperError as exc:
        abort(409, str(exc))
    label = _audience_labels(rnd).get(audience, audience)
    name = download_name(rnd.name, f"paper questionnaire {label} {language.code}", "pdf")
    return _attachment(bytes_io(data), PDF_MIME, name)


def _absolute(path: str) -> str:
    """The address people use (PUBLIC_BASE_URL behind a proxy), else this request's host."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return base.rstrip("/") + path


@bp.post("/rounds/<uuid:round_id>/paper")
def paper_upload(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _coordinators_round(round_id)
    skip_invalid = request.form.get("skip_invalid") == "yes"
    allow_duplicate = request.form.get("allow_duplicate") == "yes"
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _paper_page(
            rnd,
            status=422,
            error="Choose the filled-in template to upload.",
            skip_invalid=skip_invalid,
        )
    data = upload.stream.read(paper.MAX_UPLOAD_BYTES + 1)
    try:
        check = paper.check_upload(rnd, data, _audience_labels(rnd))
        if check.errors and not (skip_invalid and check.rows):
            return _paper_page(rnd, status=422, check=check, skip_invalid=skip_invalid)
        imported = paper.import_rows(
            rnd,
            check.audience,
            check.rows,
            today(),
            secret=current_app.config["SECRET_KEY"],
            audience_label=check.audience_label,
            allow_duplicate=allow_duplicate,
            language=_paper_language(rnd),
        )
        db.session.flush()  # a twin's unique key fails here, not at commit
    except paper.DuplicateBatch as exc:
        db.session.rollback()
        return _paper_page(
            rnd, status=422, error=str(exc), skip_invalid=skip_invalid, duplicate=True
        )
    except paper.PaperError as exc:
        db.session.rollback()
        return _paper_page(rnd, status=422, error=str(exc), skip_invalid=skip_invalid)
    except IntegrityError:
        # The same batch, uploaded twice at the same moment: the other upload counted it.
        db.session.rollback()
        return _paper_page(
            rnd,
            status=422,
            error="These questionnaires were imported a moment ago by another upload, so "
            "nothing was imported this time.",
        )
    noun = "questionnaire" if imported == 1 else "questionnaires"
    message = f"Imported {imported} paper {noun} for {check.audience_label}."
    if check.error_rows:
        rows = check.error_rows
        listed = ", ".join(str(r) for r in rows[:20]) + (" and more" if len(rows) > 20 else "")
        message += (
            f" {len(rows)} row{'s' if len(rows) != 1 else ''} with errors "
            f"{'were' if len(rows) != 1 else 'was'} not imported (row {listed}): correct "
            "them in a file holding only those rows, then upload it."
        )
    message += (
        " They join the results with the next update: results change in steps of at least "
        f"{rnd.threshold} people of a group, to protect anonymity."
    )
    flash(message, "success")
    return redirect(url_for("exports.paper_page", round_id=rnd.id), 303)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """Raised while reading the form, before sign-in is loaded: say what to do, plainly."""
    if request.endpoint != "exports.paper_upload":
        return error
    limit = paper.MAX_UPLOAD_BYTES // (1024 * 1024)
    return render_page(
        "errors/error.html",
        block="content",
        status=413,
        title="That file is too large",
        advice=f"The file is larger than {limit} MB, so nothing was imported. Go back, split "
        "the questionnaires into several files and upload them one at a time.",
        status_code=413,
    )


def _paper_language(rnd: FeedbackRound) -> str:
    """Which printed version the uploaded questionnaires were: one the round offers, else not
    recorded (a tampered value is not an error: the count simply leaves it out)."""
    code = request.form.get("language", "")
    return code if code in (rnd.languages or []) else ""
