"""The respondent journey on a phone, and the coordinator's preview of it (issue 6).

Entry links (/r/<token>, /o/<code>) are exchanged for a signed session and a 303 to a URL
without the token; then one page per section (one per question in easy-read mode), plain form
posts with 303s between pages, and with HTMX one request per section: the POST that takes a
page answers with the next page's `survey` block and pushes its address (`_move_to`). After the
last page comes the check page (issue 20: every answer with a Change link to its page, "You are
nearly done" in easy read), and Send is there; a page opened from a Change link carries
`change=1` (in its address, then a hidden field), so its Continue goes back to the check page.
Answers so far stay in the browser (respond/state.py); only "save and continue later" keeps an
encrypted copy on the server. Every respondent view is public; the preview needs sign-in.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response  # what redirect() returns; Flask's is a subclass

from app import i18n
from app.dates import use_zone
from app.errors import MESSAGES
from app.exports.download import document, download_name
from app.extensions import db, htmx, limiter, login_manager
from app.i18n import N_, _, page_heading
from app.models import Channel, FeedbackRound, Organisation, Questionnaire, RoundNotice
from app.rendering import render_page
from app.respond import fragments, state
from app.respond.fragments import cached_questions, check_row_renderer
from app.respond.offline import offline_form
from app.respond.offline import scripts as offline_scripts
from app.respond.state import SessionEntry
from app.services import abuse, kiosks, round_notices
from app.services.documents.report_pdf import PDF_MIME
from app.services.documents.self_evaluation import organisation_name
from app.services.documents.you_said import write_you_said_pdf
from app.services.responding import (
    FREE_TEXT_MAX,
    CheckGroup,
    Entry,
    NotAsked,
    Page,
    PageInput,
    Progress,
    Refusal,
    Shape,
    Survey,
    TamperedForm,
    audience_label,
    build_shape,
    check_rows,
    delete_draft,
    enter_by_code,
    enter_by_token,
    errors_for_progress,
    load_draft,
    load_survey,
    newer,
    read_page,
    save_draft,
    scales_of,
    survey_from,
    today,
    values_for,
    window_refusal,
)
from app.services.submission import Outcome, submit
from app.tenancy import get_owned_or_404, public
from surveys.questionnaire import TOO_LONG_MINUTES
from surveys.scales import DONT_KNOW

bp = Blueprint("respond", __name__)
# The preview (a rounds page) calls the same macros, so the global is the whole app's.
bp.add_app_template_global(cached_questions)
bp.add_app_template_global(offline_scripts, "offline_scripts")

# The respondent requests a limit counts: entries and sends (and page POSTs that save).
_COUNTED = frozenset(
    {
        "respond.enter_invitation",
        "respond.enter_open_link",
        "respond.send",
        "respond.kiosk_offline",  # hands out grants: counted per kiosk
    }
)
_MOVING = frozenset({"respond.page", "respond.start"})
# The check page's form: a Send and the fields every respondent form carries, nothing else.
_CHECK_FIELDS = frozenset({"csrf_token", "nav", "check", abuse.STAMP_FIELD, abuse.HONEYPOT_FIELD})


@limiter.request_filter
def _uncounted() -> bool:
    """Skip Flask-Limiter's per-request bookkeeping on respondent requests no limit counts
    (every page GET, a POST that only moves): most of a submission's requests."""
    if request.blueprint != "respond" or request.endpoint in _COUNTED:
        return False
    if request.method in ("GET", "HEAD"):
        return True
    return request.endpoint in _MOVING and abuse.only_moving()


MAX_BODY_BYTES = 100 * 1024  # a whole page of answers and two full comment boxes is ~10 KB
BLOCK = "survey"
# Only reachable if earlier comments already filled the cookie: say where the fix is.
_NO_ROOM = {
    "_room": N_(
        "Your comments on earlier pages are too long to keep on this device. Please go "
        "back and shorten them."
    )
}

NO_ENTRY = (
    403,
    N_("Please open the survey from your link"),
    N_("This page only works after opening the survey from its link."),
    N_(
        "Use the link in your invitation email, or scan the QR code or type the link from the "
        "poster."
    ),
)
RESPONDENT_MESSAGES = {
    400: (
        N_("Something went wrong with that page"),
        N_("Nothing was saved. Go back and try again."),
    ),
    404: (
        N_("Page not found"),
        N_("Check the link, or open it again from your email or the poster."),
    ),
    405: (N_("That did not work"), N_("Please go back and use the buttons on the page.")),
    413: (
        N_("That was too much to send"),
        N_(
            "Nothing was saved. Each comment can be up to %(max)s characters: please "
            "go back, shorten your comments and try again."
        ),
    ),
    429: (
        N_("Please wait a few minutes"),
        N_(
            "A lot of answers have been sent from this internet connection in a short time, so "
            "it has been paused for a few minutes. Your answers so far are kept: try again "
            "shortly."
        ),
    ),
    503: (  # the database dropped mid-request (app/errors.py): nothing half-saved is kept
        N_("Sorry, that did not go through"),
        N_(
            "We could not reach our database for a moment. Your answers so far are kept on this "
            "device, and answers are never counted twice: please go back and press the button "
            "again in a minute."
        ),
    ),
}


# -- request plumbing -----------------------------------------------------------------------------


@bp.url_value_preprocessor
def _cap_body(endpoint: str | None, values: dict[str, Any] | None) -> None:
    # Runs before CSRFProtect reads the form, so an oversized body is refused unread (413).
    request.max_content_length = MAX_BODY_BYTES
    if endpoint != "respond.preview":
        # A respondent is nobody's account: load no user. Flask-Login would otherwise run its
        # "strong" session protection on the respondent's session on every request, rewriting
        # the session cookie and clearing a remember cookie in each answer (bytes and
        # signing for nothing); and a signed-in colleague answering is a respondent here too.
        g._login_user = login_manager.anonymous_user()
        # ?lang=cy on any respondent URL (the welcome page's choice, an email's link) is kept
        # in the session; a code the round does not offer falls back to its default later.
        if request.args.get("lang"):
            i18n.choose(request.args["lang"])


@bp.context_processor
def _kiosk_context() -> dict[str, Any]:
    """Kiosk pages load kiosk.js (idle timeout, history, the encrypted offline queue)."""
    # Set by the views of a kiosk's requests (never read from the session here: reading it in
    # every render changed what other pages' responses say, e.g. to the offline worker).
    revoked = bool(g.get("kiosk_revoked"))
    if not revoked and not g.get("kiosk_page"):
        return {"kiosk_mode": None}
    return {
        "kiosk_mode": {
            "revoked": revoked,
            "home": url_for("respond.kiosk_home"),
            "offline": url_for("respond.kiosk_offline"),
            "worker": url_for("respond.service_worker"),  # keeps the shell for a reload offline
            "idle": int(current_app.config.get("KIOSK_IDLE_SECONDS", kiosks.IDLE_SECONDS)),
            "warn": int(current_app.config.get("KIOSK_WARN_SECONDS", kiosks.WARN_SECONDS)),
            "pool": kiosks.grant_pool(),
        }
    }


@bp.after_request
def _private(response: Response) -> Response:
    # Answers are personal: never cached, and a browser's Back re-asks the server (which
    # re-renders from the progress cookie) instead of showing a stale copy.
    response.headers["Cache-Control"] = "no-store"
    if htmx and response.status_code >= 400:
        response.headers["HX-Push-Url"] = "false"
        response.headers["HX-Replace-Url"] = "false"
    return fragments.in_gzip(response)  # before Flask-Compress, which then leaves it be


def problem(
    status: int, title: str, message: str, advice: str = "", survey: Survey | None = None
) -> Response:
    """A respondent's problem page, in their language (the words are catalog msgids, or
    already translated: looking a translation up again finds nothing and keeps it)."""
    if survey is not None:
        i18n.speak(survey.languages)
    return render_page(
        "respond/problem.html",
        block=BLOCK,
        status=status,
        title=_(title),
        message=_(message, max=f"{FREE_TEXT_MAX:,}"),
        advice=_(advice) if advice else "",
        organisation=survey.organisation if survey else "",
        easy=bool(survey and survey.shape.easy_read),
    )


def refused(refusal: Refusal, survey: Survey | None = None) -> Response:
    return problem(refusal.status, refusal.title, refusal.message, refusal.advice, survey)


def _staff_error(code: int, detail: str | None) -> Response:
    """The preview is a staff page: its errors look like the rest of the staff side."""
    title, advice = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    return render_page(
        "errors/error.html",
        block="content",
        status=code,
        title=title,
        advice=detail or advice,
        status_code=code,
    )


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError) -> ResponseReturnValue:
    if request.endpoint == "respond.preview":
        return _staff_error(400, None)
    return problem(
        400,
        N_("This page had expired"),
        N_("Nothing was saved, because the page was sent without its security check."),
        N_("Go back, reload the page and try again. Your earlier answers are kept."),
    )


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    custom = error.description != type(error).description
    detail = error.description if custom else None
    if request.endpoint == "respond.preview":
        return _staff_error(code, detail)
    title, advice = RESPONDENT_MESSAGES.get(code, MESSAGES.get(code, MESSAGES[400]))
    return problem(code, title, detail or advice)


class Halt(Exception):
    """Stop the view and send this response instead (refusals, redirects to thanks)."""

    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


@bp.errorhandler(Halt)
def _halt(halt: Halt) -> ResponseReturnValue:
    return halt.response


@bp.errorhandler(Refusal)
def _refusal(refusal: Refusal) -> ResponseReturnValue:
    return refused(refusal)


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _entry(questionnaire_id: uuid.UUID) -> SessionEntry:
    entry = state.current_entry()
    if entry is None or entry.questionnaire_id != questionnaire_id:
        raise Refusal(*NO_ENTRY)
    return entry


def _survey(questionnaire_id: uuid.UUID) -> Survey:
    survey = load_survey(questionnaire_id)
    if survey is None:
        abort(404)
    i18n.speak(survey.languages)
    use_zone(survey.time_zone)  # "today" is the round's organisation's day
    return survey


def _answering(questionnaire_id: uuid.UUID) -> tuple[SessionEntry, Survey]:
    """The entry and survey of a browser still answering; halts with the right page if not."""
    entry = _entry(questionnaire_id)
    if entry.done:
        raise Halt(redirect(url_for("respond.thanks", questionnaire_id=questionnaire_id), 303))
    survey = _survey(questionnaire_id)
    if entry.channel == Channel.KIOSK:
        _this_kiosk(survey)
        g.kiosk_page = True
    refusal = _open_refusal(survey) or (
        _already_answered_here(survey) if _answered_here(entry, survey) else None
    )
    if refusal:
        raise Halt(refused(refusal, survey))
    return entry, survey


def _this_kiosk(survey: Survey | None) -> None:
    """A kiosk's every request: still paired and not revoked, else its own page (the tablet's
    script sends what it queued, then wipes it: app/static/js/kiosk.js)."""
    try:
        kiosks.device_kiosk(request.cookies.get(kiosks.DEVICE_COOKIE))
    except kiosks.KioskProblem as problem_:
        state.forget_entry()
        response = kiosk_problem(problem_, survey)
        state.clear_progress(response)
        raise Halt(response) from None


KIOSK_PROBLEMS = {
    "revoked": (
        N_("This kiosk has been switched off"),
        N_(
            "The people running this survey have stopped this tablet taking answers. Answers "
            "already given on it are sent, then removed from the tablet."
        ),
        N_("If you would like to answer, please ask someone running the event."),
    ),
    "unpaired": (
        N_("This tablet is not set up as a kiosk"),
        N_("Only a tablet paired with a code from the people running the survey can be a kiosk."),
        N_("If you would like to answer, please ask someone running the event."),
    ),
}


def kiosk_problem(problem_: kiosks.KioskProblem, survey: Survey | None = None) -> Response:
    title, message, advice = KIOSK_PROBLEMS.get(problem_.code, KIOSK_PROBLEMS["unpaired"])
    # A revoked tablet's script sends what it queued before, then wipes its storage.
    g.kiosk_revoked = problem_.code == "revoked"
    response = problem(problem_.status, title, message, advice, survey)
    return response


def _open_refusal(survey: Survey) -> Refusal | None:
    on = today()
    return window_refusal(
        survey.window(on), survey.opens_on, survey.closes_on, survey.grace_until(on)
    )


def _already_answered_here(survey: Survey) -> Refusal:
    return Refusal(
        409,
        N_("You have already answered on this device"),
        N_(
            "Answers to this survey have already been sent from this browser. To keep results "
            "fair, each phone or computer can send one set of answers."
        ),
        N_("If someone else here would like to answer, they can use their own phone or computer."),
    )


def _answered_here(entry: SessionEntry, survey: Survey) -> bool:
    """One response per browser through an open link; through a shared children's link, one
    in any of its age bands (choosing another band is not a second go)."""
    if entry.channel != Channel.OPEN_LINK:
        return False
    done = abuse.answered_here(request.cookies.get(abuse.DONE_COOKIE))
    if entry.choose_band:
        return any(qid.hex in done for _band, qid in survey.shape.bands)
    return entry.questionnaire_id.hex in done


def _to(endpoint: str, survey: Survey, **values: Any) -> str:
    return url_for(endpoint, questionnaire_id=survey.shape.questionnaire_id, **values)


def _page_url(survey: Survey, number: int, *, change: bool = False) -> str:
    if change:
        return _to("respond.page", survey, number=number, change="1")
    return _to("respond.page", survey, number=number)


def _changing() -> bool:
    """A page opened from the check page's Change link: Continue goes back there."""
    return (request.form if request.method == "POST" else request.args).get("change") == "1"


def _redirect_with(target: str, survey: Survey, progress: Progress | None) -> Response:
    response = redirect(target, 303)
    if progress is not None:
        state.write_progress(
            response, state.encode_progress(survey.shape, progress), survey.closes_on, today()
        )
    return response


# -- entry ----------------------------------------------------------------------------------------


@bp.get("/r/<token>")
@limiter.limit(abuse.page_rate_limit, key_func=abuse.client_key)
@public
def enter_invitation(token: str) -> ResponseReturnValue:
    """Exchange the emailed token for a session, then leave the token's URL at once."""
    try:
        entry = enter_by_token(token)
    except Refusal as refusal:
        current = state.current_entry()
        if (
            refusal.questionnaire_id is not None
            and current is not None
            and current.done
            and current.questionnaire_id == refusal.questionnaire_id
        ):
            # This browser sent these answers: show its thank-you page again.
            return redirect(
                url_for("respond.thanks", questionnaire_id=current.questionnaire_id), 303
            )
        return refused(refusal)
    state.remember_entry(entry)
    survey = _survey(entry.questionnaire_id)
    browser = state.read_progress(survey.shape)
    assert entry.token is not None
    chosen = newer(browser, load_draft(_secret(), entry.token, survey.shape))
    return _redirect_with(
        _to("respond.welcome", survey), survey, chosen if chosen is not browser else None
    )


@bp.get("/o/<code>")
@limiter.limit(abuse.page_rate_limit, key_func=abuse.client_key)
@public
def enter_open_link(code: str) -> ResponseReturnValue:
    try:
        entry = enter_by_code(code)
    except Refusal as refusal:
        return refused(refusal)
    state.remember_entry(entry)
    return redirect(url_for("respond.welcome", questionnaire_id=entry.questionnaire_id), 303)


@bp.get("/q/<uuid:questionnaire_id>")
@public
def welcome(questionnaire_id: uuid.UUID) -> ResponseReturnValue:
    entry, survey = _answering(questionnaire_id)
    return _welcome(survey, entry, state.read_progress(survey.shape))


def _choosing(survey: Survey, entry: SessionEntry) -> bool:
    """The welcome page asks a shared children's link's respondent their age band: until they
    have chosen one, or when they ask to change it."""
    return (
        entry.choose_band
        and len(survey.shape.bands) > 1
        and (not entry.band_chosen or request.args.get("band") == "change")
    )


def _welcome(
    survey: Survey,
    entry: SessionEntry,
    progress: Progress | None,
    *,
    sent: bool = False,
    band_error: str = "",
    status: int = 200,
    offline: dict[str, Any] | None = None,
) -> Response:
    choosing = bool(band_error) or _choosing(survey, entry)
    kiosk_mode = entry.channel == Channel.KIOSK
    started = bool(progress and (progress.answers or progress.texts or progress.role))

    def context() -> dict[str, Any]:
        found = welcome_context(
            survey, entry, progress, choosing=choosing, band_error=band_error, offline=offline
        )
        return {**found, "sent": kiosk_mode and (sent or request.args.get("sent") == "1")}

    # The phone's offline copy carries its script's attributes: never the page kept for all.
    if offline or choosing or kiosk_mode or started or not survey.shape.frozen:
        response = render_page(WELCOME_TEMPLATE, block=BLOCK, **context())
        response.status_code = status
        return response
    # Before a first answer, the same page for everyone entering the same way.
    key = ("welcome", entry.channel, entry.choose_band, *_told(survey))
    return fragments.kept_page(survey.shape, key, WELCOME_TEMPLATE, BLOCK, context, {}, status)


WELCOME_TEMPLATE = "respond/welcome.html"


def welcome_context(
    survey: Survey,
    entry: SessionEntry | Entry,
    progress: Progress | None,
    *,
    choosing: bool,
    band_error: str = "",
    offline: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the welcome page shows (but the kiosk's thank-you line and the phone's offline
    copy's attributes): also the copy of a band's welcome page a kiosk on a shared children's
    link keeps to show offline."""
    audience = _(CHILDREN_LABEL) if choosing else i18n.audience_name(survey.shape)
    return {
        **_common(survey),
        "title": _("%(audience)s survey", audience=audience),
        "choosing": choosing,
        "band_options": [(band, _(BAND_CHOICES[band])) for band, _qid in survey.shape.bands],
        "band_error": band_error,
        "choices": [i18n.LANGUAGES[code] for code in survey.languages],
        "entry": entry,
        "kiosk": entry.channel == Channel.KIOSK,
        "started": bool(progress and (progress.answers or progress.texts or progress.role)),
        "answered": progress.answered_count() if progress else 0,
        "offline": offline,  # the phone's copy kept to show offline: its script's attributes
    }


# The welcome page's age-band choice (DESIGN.md 5), in words a young child can read.
CHILDREN_LABEL = N_("Children and young people")
BAND_CHOICES = {
    "under_8": N_("I am under 8"),
    "8_to_12": N_("I am 8, 9, 10, 11 or 12"),
    "13_plus": N_("I am 13 or older"),
}


@bp.post("/q/<uuid:questionnaire_id>/band")
@limiter.limit(abuse.page_rate_limit, key_func=abuse.client_key, exempt_when=abuse.only_moving)
@public
def choose_band(questionnaire_id: uuid.UUID) -> ResponseReturnValue:
    """A shared children's link: the respondent's age band chooses their questionnaire (its
    own group from then on: its welcome page, pages, release and results)."""
    entry, survey = _answering(questionnaire_id)
    if not entry.choose_band:
        abort(404)
    bands = dict(survey.shape.bands)
    chosen = bands.get(request.form.get("band", ""))
    if chosen is None:
        progress = state.read_progress(survey.shape)
        return _welcome(
            survey, entry, progress, band_error=_("Choose how old you are."), status=422
        )
    state.choose_band(entry, chosen)
    response = redirect(url_for("respond.welcome", questionnaire_id=chosen), 303)
    if chosen != questionnaire_id:
        state.clear_progress(response)
    return response


@bp.post("/q/<uuid:questionnaire_id>/start")
@limiter.limit(abuse.page_rate_limit, key_func=abuse.client_key, exempt_when=abuse.only_moving)
@public
def start(questionnaire_id: uuid.UUID) -> ResponseReturnValue:
    entry, survey = _answering(questionnaire_id)
    if _choosing(survey, entry) and not entry.band_chosen:
        return redirect(_to("respond.welcome", survey), 303)  # the age band comes first
    progress = state.read_progress(survey.shape)
    if request.form.get("nav") == "restart":
        progress = None
        if entry.token:
            delete_draft(_secret(), entry.token)
            db.session.commit()
    if progress is None and entry.channel == Channel.KIOSK:
        state.remember_kiosk_start(kiosks.start_stamp(questionnaire_id))
    carrying_on = progress is not None and bool(
        progress.answers or progress.texts or progress.role or progress.extras
    )
    progress = progress or Progress.new(questionnaire_id)
    first = progress.first_incomplete_page(survey.shape)
    if first is None and carrying_on:
        # Every question answered before: Carry on goes where they left off, checking.
        return _to_check(survey, entry, progress)
    target = first or survey.shape.last_page
    if entry.channel == Channel.KIOSK and _swapping():
        return _move_to(survey, entry, target, progress)  # replaces the kiosk's one entry
    return _redirect_with(_page_url(survey, target), survey, progress)


# -- answering ------------------------------------------------------------------------------------


def _common(survey: Survey) -> dict[str, Any]:
    return {
        "survey": survey,
        "shape": survey.shape,
        "organisation": survey.organisation,
        "easy": survey.shape.easy_read,
        "read_aloud": survey.shape.read_aloud,
        "dont_know": DONT_KNOW,
        "max_chars": FREE_TEXT_MAX,
    }


def _summary(survey: Survey, page: Page, errors: dict[str, str]) -> list[tuple[str, str]]:
    """(link target or "", text) for the error summary, in page order."""
    if not errors:
        return []
    labels: dict[str, str] = {}
    for item in page.items:
        labels[item.field] = (
            ""
            if survey.shape.one_question_per_page
            else _("Question %(number)s: ", number=item.number)
        )
    for box in page.boxes:
        labels[box.field] = ""
    labels["role"] = ""
    rows = []
    for field, message in errors.items():
        if field.startswith("_"):
            rows.append(("", message))
        else:
            rows.append((field, labels.get(field, "") + message))
    return rows


def _render_page(
    survey: Survey,
    entry: SessionEntry,
    page: Page,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    progress: Progress | None = None,
    change: bool | None = None,
) -> Response:
    shape = survey.shape
    if change is None:
        change = _changing()
    kiosk_mode = entry.channel == Channel.KIOSK
    stamp = (
        abuse.page_stamp(shape.questionnaire_id, page.number)
        if entry.channel == Channel.OPEN_LINK
        else None
    )
    # A kiosk keeps nothing readable on the device: its own script (kiosk.js) works offline.
    offline = None if kiosk_mode else offline_form(survey, entry, progress)
    kept = not (values or errors or kiosk_mode) and shape.frozen
    # As first shown, the page is the same for everyone but for this request's own values:
    # kept once with holes where they go (fragments.kept_page).
    fill: dict[str, str] = {}
    if kept and stamp:
        fill["stamp"], stamp = stamp, fragments.hole("stamp")
    if kept and offline and offline["grant"]:
        fill["grant"], fill["sid"] = offline["grant"], offline["sid"]
        offline = {**offline, "grant": fragments.hole("grant"), "sid": fragments.hole("sid")}

    def context() -> dict[str, Any]:
        title = _(
            "%(unit)s %(number)s of %(last)s: %(heading)s",
            unit=_(shape.unit),
            number=page.number,
            last=shape.last_page,
            heading=page_heading(page, shape),
        )
        form = {
            # The last page too: its Continue goes to the check page, which sends.
            "action": _page_url(survey, page.number),
            "change": change,
            "can_save": entry.channel == Channel.EMAIL,
            "stamp": stamp,
            "honeypot": abuse.HONEYPOT_FIELD,
            "stamp_field": abuse.STAMP_FIELD,
            "kiosk": kiosk_mode,
            "offline": offline,
        }
        return {
            **_common(survey),
            "title": (_("Error: ") if errors else "") + title,
            "page": page,
            "values": values,
            "errors": errors,
            "summary": _summary(survey, page, errors),
            "form": form,
        }

    if not kept:
        return render_page("respond/page.html", block=BLOCK, status=status, **context())
    key = (page.number, change, entry.channel, survey.organisation, tuple(fill))
    return fragments.kept_page(shape, key, "respond/page.html", BLOCK, context, fill, status)


@bp.route("/q/<uuid:questionnaire_id>/page/<int:number>", methods=["GET", "POST"])
@limiter.limit(
    abuse.page_rate_limit,
    key_func=abuse.client_key,
    methods=["POST"],
    exempt_when=lambda: abuse.only_moving() or kiosks.is_kiosk(),
)
@public
def page(questionnaire_id: uuid.UUID, number: int) -> ResponseReturnValue:
    return _page(questionnaire_id, number, final=False)


@bp.post("/q/<uuid:questionnaire_id>/send")
@limiter.limit(abuse.send_rate_limit, key_func=abuse.client_key, exempt_when=kiosks.is_kiosk)
@limiter.limit(kiosks.send_rate_limit, key_func=kiosks.limit_key, exempt_when=kiosks.not_kiosk)
@public
def send(questionnaire_id: uuid.UUID) -> ResponseReturnValue:
    # A last page shown before the check page existed posts its answers here: still taken.
    # (Without a single answer on it, sending it is what the check page's Send does.)
    checked = request.form.get("check") == "1"
    if checked or (not _answers_sent() and request.form.get("nav", "send") == "send"):
        return _send_checked(questionnaire_id)
    return _page(questionnaire_id, None, final=True)


def _answers_sent() -> bool:
    return any(name.startswith(("a-", "ft-")) or name == "role" for name in request.form)


@bp.get("/q/<uuid:questionnaire_id>/check")
@public
def check(questionnaire_id: uuid.UUID) -> ResponseReturnValue:
    """Every answer so far, each with a Change link to its page; Send is here."""
    entry, survey = _answering(questionnaire_id)
    progress = state.read_progress(survey.shape)
    if progress is None:
        return redirect(_to("respond.welcome", survey), 303)
    return _render_check(survey, entry, progress)


def _send_checked(questionnaire_id: uuid.UUID) -> Response:
    entry, survey = _answering(questionnaire_id)
    progress = state.read_progress(survey.shape)
    if progress is None:  # nothing kept on this device (cleared, or another browser's page)
        return redirect(_to("respond.welcome", survey), 303)
    if request.form.get("nav", "send") != "send" or set(request.form) - _CHECK_FIELDS:
        # The check page sends no answers: those come from the pages, so nothing is taken.
        return _render_check(
            survey,
            entry,
            progress,
            errors={"_form": _("Nothing was sent. Please use the buttons on this page.")},
            status=422,
        )
    if entry.channel == Channel.KIOSK and kiosks.too_quick(
        state.kiosk_start(), survey.shape.questionnaire_id, len(survey.shape.items)
    ):
        return _render_check(survey, entry, progress, errors=_too_quick(), status=422)
    return _submit(survey, entry, progress)


def _too_quick() -> dict[str, str]:
    return {
        "_quick": _("That was very quick. Please check your answers, then press the button again.")
    }


def _check_url(survey: Survey) -> str:
    return _to("respond.check", survey)


def _render_check(
    survey: Survey,
    entry: SessionEntry,
    progress: Progress | None,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    kiosk_mode = entry.channel == Channel.KIOSK
    offline = None if kiosk_mode else offline_form(survey, entry, progress)
    context = check_context(survey, progress, kiosk=kiosk_mode, offline=offline)
    if errors:
        context["title"] = _("Error: ") + context["title"]
        context["summary"] = [("", message) for message in errors.values()]
    row_html = context["row_html"]
    if errors or kiosk_mode or row_html is None:
        return render_page("respond/check.html", block=BLOCK, status=status, **context)
    # The page around the rows is the same for everyone who has (or has not) answered every
    # question: kept once with a hole for each page's rows (fragments.kept_page), which the
    # kept rows fill in with this person's answers.
    rows: tuple[CheckGroup, ...] = context["rows"]
    fill = {
        f"rows{group.page.number}": Markup(
            "".join("\n" + row_html(row, group.page.number) for row in group.rows)
        )
        for group in rows
    }
    missing = any(group.unanswered for group in rows)
    if offline and offline["grant"]:
        fill["grant"], fill["sid"] = offline["grant"], offline["sid"]
        offline = {**offline, "grant": fragments.hole("grant"), "sid": fragments.hole("sid")}

    def frame() -> dict[str, Any]:
        return {
            **context,
            "rows": check_rows(survey.shape, None),  # the frame holds no one's answers
            "form": {**context["form"], "offline": offline},
            "row_html": None,
            "group_html": lambda group: Markup(fragments.hole(f"rows{group.page.number}")),
            "missing_shown": missing,
        }

    key = ("check", missing, entry.channel, survey.organisation, tuple(fill))
    return fragments.kept_page(
        survey.shape, key, "respond/check.html", BLOCK, frame, fill, status, in_gzip=False
    )


def check_context(
    survey: Survey,
    progress: Progress | None,
    *,
    kiosk: bool,
    offline: dict[str, Any] | None,
    frame: bool = False,
) -> dict[str, Any]:
    """What the check page shows; with `progress` None, the blank copy kept to check offline
    (every row unanswered, with each scale's words for the device's script to fill in); with
    `frame`, a kiosk kit's: no rows, and one to copy (the tablet holds the blank pages)."""
    shape = survey.shape
    form = {"action": _to("respond.send", survey), "kiosk": kiosk, "offline": offline}

    def change(number: int) -> str:
        return _page_url(survey, number, change=True)

    live = progress is not None and not frame
    return {
        "frame": frame,
        "slot": Markup("<span data-q></span>"),
        **_common(survey),
        "title": _("You are nearly done") if shape.easy_read else _("Check your answers"),
        "rows": check_rows(shape, progress),
        "scales": scales_of(shape) if progress is None and not frame else None,
        "change": change,
        "form": form,
        "row_html": check_row_renderer(shape, form, change) if live else None,
        "group_html": None,
        "missing_shown": None,
        "summary": [],
    }


def _page(questionnaire_id: uuid.UUID, number: int | None, *, final: bool) -> Response:
    entry, survey = _answering(questionnaire_id)
    shape = survey.shape
    page = shape.page(shape.last_page if number is None else number)
    if page is None:
        abort(404)
    progress = state.read_progress(shape)
    if request.method == "GET":
        if progress is None:
            return redirect(_to("respond.welcome", survey), 303)
        first = progress.first_incomplete_page(shape)
        if first is not None and page.number > first:
            return redirect(_page_url(survey, first, change=_changing()), 303)
        return _render_page(
            survey, entry, page, values=values_for(page, progress), errors={}, progress=progress
        )
    return _post(survey, entry, page, progress or Progress.new(questionnaire_id), final)


def _post(
    survey: Survey, entry: SessionEntry, page: Page, progress: Progress, final: bool
) -> Response:
    """One page's answers. `final`: an old last page's form, sent to the send address."""
    shape = survey.shape
    try:
        got = read_page(shape, page, request.form)
    except TamperedForm as exc:
        return problem(
            422 if isinstance(exc, NotAsked) else 400,  # a question kept from another group
            N_("Your answers could not be saved"),
            _("%(problem)s Nothing was saved.", problem=_(str(exc))),
            N_("Please go back, reload the page and try again."),
            survey,
        )
    last = page.number == shape.last_page
    nav = request.form.get("nav") or ("send" if final else "next")
    # "send" from the last page: a page shown before the check page existed (still accepted).
    allowed = (
        {"back", "next"}
        | ({"send"} if last else set())
        | ({"save"} if entry.channel == Channel.EMAIL else set())
    )
    if nav not in allowed:
        return problem(
            400, N_("That did not work"), N_("Please use the buttons on the page."), "", survey
        )

    if entry.channel == Channel.OPEN_LINK:
        blocked = _open_link_checks(shape, page, got, nav)
        if blocked:
            if "_hp" not in blocked:
                progress.merge(page, got)
            return _rerender(survey, entry, page, progress, got, blocked)

    before, before_own = dict(progress.texts), dict(progress.extras)
    progress.merge(page, got)
    if not state.fits(state.encode_progress(shape, progress)):
        progress.texts, progress.extras = before, before_own
        changed = [b for b in page.boxes if got.texts.get(b.key, "") != before.get(b.key, "")]
        fields = [box.field for box in changed or page.boxes[:1]]
        # The round's own questions' words count too (issue 20).
        fields += [
            q.text_field for q in page.questions if q.has_text and got.shown.get(q.text_field)
        ]
        for name in fields:
            got.errors[name] = _(
                "We cannot keep this much writing on your device between pages. Please "
                "shorten your comments on this page."
            )
        no_room = {k: _(v) for k, v in _NO_ROOM.items()}
        return _rerender(survey, entry, page, progress, got, {} if fields else no_room)
    if got.too_long and nav in {"back", "save"}:
        # Going back or saving never drops what someone wrote without saying so.
        too_long = {b.field: got.errors[b.field] for b in page.boxes if b.key in got.too_long}
        got.errors = too_long
        return _rerender(survey, entry, page, progress, got, {})

    change = _changing()
    if nav == "back":
        if change:
            return _to_check(survey, entry, progress)
        if page.number > 1:
            return _move_to(survey, entry, page.number - 1, progress)
        return _redirect_with(_to("respond.welcome", survey), survey, progress)
    if nav == "save":
        assert entry.token is not None
        save_draft(_secret(), entry.token, shape, progress)
        db.session.commit()
        return _redirect_with(_to("respond.saved", survey), survey, progress)
    if got.errors:
        return _rerender(survey, entry, page, progress, got, {})
    if nav == "next":
        if change or last:
            return _to_check(survey, entry, progress)
        return _move_to(survey, entry, page.number + 1, progress)
    if entry.channel == Channel.KIOSK and kiosks.too_quick(
        state.kiosk_start(), shape.questionnaire_id, len(shape.items)
    ):
        return _rerender(survey, entry, page, progress, got, _too_quick())
    return _submit(survey, entry, progress)


def _swapping() -> bool:
    """HTMX is swapping the survey block in place (not a boosted link, which wants a page)."""
    return bool(htmx) and not htmx.boosted


def _move_to(survey: Survey, entry: SessionEntry, number: int, progress: Progress) -> Response:
    """On to page `number` once a page's answers are taken.

    Without JavaScript: 303 to the page (POST, redirect, GET). With HTMX: one request per
    section: this POST answers with the page's block itself, and `HX-Push-Url` puts the page's
    address in the address bar, so Back and a reload show the section on screen (the history
    cache is off, so htmx reloads that address rather than keeping a snapshot).
    """
    if not _swapping():
        return _redirect_with(_page_url(survey, number), survey, progress)
    shape = survey.shape
    first = progress.first_incomplete_page(shape)
    if first is not None and number > first:
        number = first  # as the GET would redirect: pages cannot be skipped
    page = shape.page(number)
    assert page is not None
    response = _render_page(
        survey,
        entry,
        page,
        values=values_for(page, progress),
        errors={},
        progress=progress,
        change=False,
    )
    return _swapped(survey, entry, response, _page_url(survey, number), progress)


def _to_check(survey: Survey, entry: SessionEntry, progress: Progress) -> Response:
    """On to the check page once the last page's (or a changed page's) answers are taken."""
    if not _swapping():
        return _redirect_with(_check_url(survey), survey, progress)
    return _swapped(
        survey, entry, _render_check(survey, entry, progress), _check_url(survey), progress
    )


def _swapped(
    survey: Survey, entry: SessionEntry, response: Response, address: str, progress: Progress
) -> Response:
    # A kiosk replaces its one history entry: Back never walks into an earlier person's pages.
    kiosk_mode = entry.channel == Channel.KIOSK
    response.headers["HX-Replace-Url" if kiosk_mode else "HX-Push-Url"] = address
    state.write_progress(
        response, state.encode_progress(survey.shape, progress), survey.closes_on, today()
    )
    return response


def _open_link_checks(shape: Shape, page: Page, got: PageInput, nav: str) -> dict[str, str]:
    form = request.form
    if abuse.honeypot_filled(form.get(abuse.HONEYPOT_FIELD, "")):
        return {
            "_hp": _(
                "Please leave the box marked “Leave this box empty” empty, then press the "
                "button again."
            )
        }
    if nav != "back" and abuse.too_quick(
        form.get(abuse.STAMP_FIELD, ""), shape.questionnaire_id, page.number, page.question_count
    ):
        return {
            "_quick": _(
                "You moved on very quickly. Please check your answers on this page, then "
                "press the button again."
            )
        }
    return {}


def _rerender(
    survey: Survey,
    entry: SessionEntry,
    page: Page,
    progress: Progress,
    got: PageInput,
    extra: dict[str, str],
) -> Response:
    response = _render_page(
        survey,
        entry,
        page,
        values=got.shown,
        errors={**extra, **got.errors},
        status=422,
        progress=progress,
    )
    encoded = state.encode_progress(survey.shape, progress)
    if state.fits(encoded):
        state.write_progress(response, encoded, survey.closes_on, today())
    return response


def _submit(survey: Survey, entry: SessionEntry, progress: Progress) -> Response:
    result = submit(
        survey,
        progress,
        channel=entry.channel,
        token=entry.token,
        secret=_secret(),
        on=today(),
    )
    if result.thanked and entry.channel == Channel.KIOSK:
        # The next person starts from the welcome page, with nothing of this one kept.
        db.session.commit()
        state.forget_kiosk_start()
        if entry.choose_band:
            # A shared children's link: the next child chooses their own band, from the start.
            home = url_for("respond.kiosk_home", sent="1")
            response = redirect(home, 303)
            if _swapping():
                response = Response(status=204, headers={"HX-Redirect": home})
        elif _swapping():
            response = _welcome(survey, entry, None, sent=True)
            response.headers["HX-Replace-Url"] = _to("respond.welcome", survey)
        else:
            response = redirect(_to("respond.welcome", survey, sent="1"), 303)
        state.clear_progress(response)
        return response
    if result.thanked:
        db.session.commit()
        state.mark_done(entry)
        response = redirect(_to("respond.thanks", survey), 303)
        state.clear_progress(response)
        if entry.channel == Channel.OPEN_LINK:
            response.set_cookie(
                abuse.DONE_COOKIE,
                abuse.with_answered(
                    request.cookies.get(abuse.DONE_COOKIE), survey.shape.questionnaire_id
                ),
                max_age=abuse.DONE_MAX_AGE,
                httponly=True,
                secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
                samesite="Lax",
            )
        return response
    db.session.rollback()
    if result.outcome == Outcome.INCOMPLETE:
        assert result.incomplete_page is not None
        page = survey.shape.page(result.incomplete_page)
        assert page is not None
        errors = errors_for_progress(survey.shape, page, progress)
        return _render_page(
            survey,
            entry,
            page,
            change=request.form.get("check") == "1",  # sent from the check page: back there
            values=values_for(page, progress),
            errors={
                "_incomplete": _(
                    "Some questions have not been answered yet. Please answer them, then carry on."
                ),
                **errors,
            },
            status=422,
        )
    if result.outcome in {Outcome.CLOSED, Outcome.NOT_OPEN}:
        on = today()
        refusal = _open_refusal(survey) or window_refusal(
            survey.window(on), survey.opens_on, survey.closes_on, survey.grace_until(on)
        )
        if refusal is None:  # the round changed between reading it and sending
            refusal = Refusal(
                410, N_("This survey has closed"), N_("It cannot take any more answers."), ""
            )
        return refused(refusal, survey)
    state.forget_entry()
    response = refused(_invitation_refusal(result.outcome), survey)
    state.clear_progress(response)
    return response


def _invitation_refusal(outcome: Outcome) -> Refusal:
    if outcome == Outcome.INVITATION_USED:
        return Refusal(
            409,
            N_("Your answers were not sent this time"),
            N_(
                "Answers have already been sent using this invitation link (perhaps on another "
                "device), and each invitation can be used once. Nothing more was saved."
            ),
            N_("Thank you for taking part."),
        )
    if outcome == Outcome.INVITATION_OPTED_OUT:
        return Refusal(
            410,
            N_("This invitation has been switched off"),
            N_("You asked not to hear from us about this survey, so these answers were not sent."),
        )
    return Refusal(
        404,
        N_("This invitation no longer works"),
        N_("We could not find your invitation, so these answers were not sent."),
    )


# -- after answering ------------------------------------------------------------------------------


@bp.get("/q/<uuid:questionnaire_id>/saved")
@public
def saved(questionnaire_id: uuid.UUID) -> ResponseReturnValue:
    _entry, survey = _answering(questionnaire_id)
    return render_page(
        "respond/saved.html", block=BLOCK, **_common(survey), title=_("Your answers are saved")
    )


@bp.post("/q/<uuid:questionnaire_id>/forget")
@public
def forget(questionnaire_id: uuid.UUID) -> ResponseReturnValue:
    """Remove this survey's answers and link from a shared device (a saved draft stays)."""
    state.forget_entry()
    response = redirect(url_for("respond.forgotten"), 303)
    state.clear_progress(response)
    return response


@bp.get("/forgotten")
@public
def forgotten() -> ResponseReturnValue:
    return render_page(
        "respond/forgotten.html",
        block=BLOCK,
        title=_("Removed from this device"),
        organisation="",
    )


@bp.get("/q/<uuid:questionnaire_id>/thanks")
@public
def thanks(questionnaire_id: uuid.UUID) -> ResponseReturnValue:
    entry = _entry(questionnaire_id)
    if not entry.done:
        return redirect(url_for("respond.welcome", questionnaire_id=questionnaire_id), 303)
    survey = _survey(questionnaire_id)

    def context() -> dict[str, Any]:
        return {**_common(survey), "title": _("Thank you: your answers have been sent")}

    if not survey.shape.frozen:
        return render_page("respond/thanks.html", block=BLOCK, **context())
    key = ("thanks", *_told(survey))
    return fragments.kept_page(survey.shape, key, "respond/thanks.html", BLOCK, context, {})


def _told(survey: Survey) -> tuple[Any, ...]:
    """The round's facts a welcome or thank-you page tells (they can change after launch)."""
    return (
        survey.organisation,
        survey.status,
        survey.closes_on,
        survey.threshold,
        survey.results_shared_on,
        survey.retain_until,
        survey.retention_days,
        survey.grace_days,
        survey.languages,
    )


# -- coordinator preview --------------------------------------------------------------------------


@bp.get("/rounds/<uuid:round_id>/preview/<audience>")
def preview(round_id: uuid.UUID, audience: str) -> ResponseReturnValue:
    """Each page exactly as respondents see it, in a phone-width frame; answering is off."""
    rnd = get_owned_or_404(FeedbackRound, round_id)
    questionnaires = list(
        db.session.execute(
            select(Questionnaire)
            .where(Questionnaire.round_id == rnd.id)
            .order_by(Questionnaire.audience)
        ).scalars()
    )
    row = next((q for q in questionnaires if q.audience == audience), None)
    if row is None:
        abort(404, "This round has no questionnaire for that audience.")
    org = db.session.get(Organisation, rnd.organisation_id)
    survey = survey_from(
        build_shape(row, rnd), rnd, org.name if org else "", org.retention_days if org else 30
    )
    return render_page(
        "respond/preview.html",
        **_common(survey),
        rnd=rnd,
        audiences=[(q.audience, audience_label(rnd, q.audience)) for q in questionnaires],
        title=f"Preview: {survey.shape.audience_label}",
        too_long_minutes=TOO_LONG_MINUTES,
    )


# -- "you said, we did" ---------------------------------------------------------------------------


def _published_notice(questionnaire_id: uuid.UUID) -> tuple[FeedbackRound, RoundNotice]:
    found = round_notices.published_for_questionnaire(questionnaire_id)
    if found is None:
        abort(404)
    return found


@bp.get("/q/<uuid:questionnaire_id>/you-said-we-did")
@public
def you_said(questionnaire_id: uuid.UUID) -> ResponseReturnValue:
    """What the organisation heard and will do, once published after the round closed; the
    final figures of groups of at least k only, and no comments."""
    rnd, notice = _published_notice(questionnaire_id)
    return render_page(
        "respond/you_said.html",
        block=BLOCK,
        title=f"You said, we did: {rnd.name}",
        organisation=organisation_name(rnd.organisation_id),
        rnd=rnd,
        notice=notice,
        findings=round_notices.findings(rnd, notice),
        questionnaire_id=questionnaire_id,
    )


@bp.get("/q/<uuid:questionnaire_id>/you-said-we-did.pdf")
@public
def you_said_pdf(questionnaire_id: uuid.UUID) -> ResponseReturnValue:
    rnd, notice = _published_notice(questionnaire_id)
    out = io.BytesIO()
    write_you_said_pdf(rnd, notice, out)
    return document(out.getvalue(), PDF_MIME, download_name(rnd.name, "you-said-we-did", "pdf"))


# The offline routes and kiosk pairing and entry (issue 18) share this blueprint and its error
# pages.
from app.respond import kiosk_views  # noqa: E402
from app.respond import offline_views as _offline_views  # noqa: E402, F401

__all__ = ["bp", "kiosk_views"]
