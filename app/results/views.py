"""Results per indicator (issue 7): overview, indicator pages, disparities, red threads,
round-versus-round comparison, hiding comments and closing a round.

Every figure comes from `app.services.results.round_results`, which has already applied the
round's anonymity threshold; templates only print what it gives them.
"""

from __future__ import annotations

import contextlib
import io
import uuid
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.exports.download import document, download_name
from app.extensions import db, htmx
from app.i18n import LANGUAGES
from app.models import CommentPrompt, FeedbackRound, Role, RoundStatus
from app.rendering import render_page
from app.services import audit, round_notices, you_said_email
from app.services import results as service
from app.services.documents.committee_report import write_committee_docx, write_committee_pdf
from app.services.documents.report_docx import DOCX_MIME
from app.services.documents.report_pdf import PDF_MIME
from app.services.results import Cell, Column, IndicatorResult, ItemResult, RoundResults
from app.services.results.languages import language_mix
from app.tenancy import current_org, current_role, get_owned_or_404
from frameworks import Framework
from surveys.charts import diverging_bar
from surveys.scales import SCALES, get_scale
from surveys.statistics import Disparity, Distribution, whole_percent

bp = Blueprint("results", __name__, url_prefix="/results")

PROMPTS = {
    CommentPrompt.WORKS_WELL: "What works well?",
    CommentPrompt.COULD_BE_BETTER: "What could be better?",
}


def _round(round_id: uuid.UUID) -> FeedbackRound:
    return get_owned_or_404(FeedbackRound, round_id)


def _coordinators_only() -> None:
    """403 for other roles, checked after the object is found (another organisation's: 404)."""
    if current_role() != Role.COORDINATOR:
        abort(403)


def _draft_page(rnd: FeedbackRound) -> ResponseReturnValue:
    return render_page("results/draft.html", block="content", rnd=rnd)


def _context(rnd: FeedbackRound, results: RoundResults, **extra: Any) -> dict[str, Any]:
    return {
        "rnd": rnd,
        "results": results,
        "framework": service.framework_of(rnd),
        "is_coordinator": current_role() == Role.COORDINATOR,
        "k": results.threshold,
        **extra,
    }


@bp.get("/")
def index() -> ResponseReturnValue:
    org = current_org()
    rounds = service.rounds_with_results(org.id)
    frameworks = {r.framework_id: service.framework_of(r) for r in rounds}
    return render_page(
        "results/index.html",
        block="content",
        rounds=rounds,
        totals=service.total_respondents_shown(rounds),
        framework_titles={
            key: (fw.short_title or fw.title) if fw else key for key, fw in frameworks.items()
        },
    )


@bp.get("/<uuid:round_id>")
def overview(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _round(round_id)
    if rnd.status == RoundStatus.DRAFT:
        return _draft_page(rnd)
    results = service.round_results(rnd)
    mix = language_mix(rnd.id, rnd.languages or [], results.audiences, results.threshold)
    own = (
        service.own_texts(
            rnd, results.own_questions, include_hidden=current_role() == Role.COORDINATOR
        )
        if results.own_questions
        else {}
    )
    return render_page(
        "results/round.html",
        block="content",
        **_context(
            rnd,
            results,
            language_mix=mix,
            languages=LANGUAGES,
            own_texts=own,
            own_labels={a.audience: a.label for a in results.audiences},
        ),
    )


@bp.get("/<uuid:round_id>/indicators/<indicator_id>")
def indicator(round_id: uuid.UUID, indicator_id: str) -> ResponseReturnValue:
    rnd = _round(round_id)
    if rnd.status == RoundStatus.DRAFT:
        return _draft_page(rnd)
    results = service.round_results(rnd)
    try:
        result = results.indicator(indicator_id)
    except KeyError:
        abort(404, f"This round did not ask about an indicator called {indicator_id!r}.")
    return render_page(
        "results/indicator.html",
        block="content",
        **_context(rnd, results, **_indicator_context(rnd, results, result.indicator_id)),
    )


def _indicator_context(
    rnd: FeedbackRound, results: RoundResults, indicator_id: str
) -> dict[str, Any]:
    result = results.indicator(indicator_id)
    charts = {}
    for item in results.items_for(indicator_id):
        if item.distribution is None:
            continue
        distribution = Distribution(get_scale(item.scale_id), item.distribution)
        interval = distribution.interval()
        charts[item.item_id] = diverging_bar(distribution, interval)
    framework: Framework | None = service.framework_of(rnd)
    section_title = result.section_id
    if framework is not None and result.section_id:
        with contextlib.suppress(KeyError):
            section_title = framework.section(result.section_id).title
    comments = (
        service.visible_comments(
            rnd,
            section_id=result.section_id,
            include_hidden=current_role() == Role.COORDINATOR,
        )
        if result.section_id
        else []
    )
    copy_all = []
    for block in _blocks(results, result):
        copy_all.append(
            block.cell.evidence
            if block.cell.shown
            else f"{block.column.label}: {block.cell.evidence}"
        )
        copy_all += [item.cell.evidence for item in block.items if item.cell.shown]
    blocks = _blocks(results, result)
    shares = {
        item.item_id: {
            code: f"{whole_percent(100 * count / item.cell.base)}%"
            for code, count in item.distribution.items()
        }
        for item in results.items_for(indicator_id)
        if item.distribution is not None and item.cell.base
    }
    labels = {a.audience: a.label for a in results.audiences}
    return {
        "result": result,
        "blocks": blocks,
        "scales": SCALES,
        "shares": shares,
        "gaps": [gap_view(d, labels) for d in result.disparities],
        "charts": charts,
        "comments": comments,
        "prompts": PROMPTS,
        "section_title": section_title,
        "copy_all": "\n".join(copy_all),
        # The round's own questions bound to this indicator: beside its figures, not in them.
        "own_questions": [q for q in results.own_questions if q.indicator_id == indicator_id],
    }


@dataclass(frozen=True, slots=True)
class Block:
    """One group's part of an indicator page: its column, pooled cell and items."""

    column: Column
    cell: Cell
    items: list[ItemResult]


def _blocks(results: RoundResults, result: IndicatorResult) -> list[Block]:
    blocks = []
    for column in results.columns:
        cell = result.cells.get(column.key)
        if cell is None:
            continue
        items = [
            item
            for item in results.items_for(result.indicator_id, column.audience)
            if SCALES[item.scale_id].pooled_group == column.pooled_group
        ]
        blocks.append(Block(column, cell, items))
    return blocks


def gap_view(d: Disparity, labels: dict[str, str]) -> dict[str, str]:
    """A disparity in words: "24 percentage points", between which groups."""
    percents = dict(d.percents)

    def name(audiences: tuple[str, ...]) -> str:
        return " and ".join(
            f"{labels.get(a, a)} ({whole_percent(percents[a])}%)" for a in audiences
        )

    points = whole_percent(d.spread)
    return {
        "indicator": d.indicator,
        "group": d.pooled_group,
        "spread_text": f"{points} percentage point{'s' if points != 1 else ''}",
        "highest": name(d.highest),
        "lowest": name(d.lowest),
    }


@bp.post("/<uuid:round_id>/comments/<uuid:comment_id>/hide")
def hide_comment(round_id: uuid.UUID, comment_id: uuid.UUID) -> ResponseReturnValue:
    return _set_hidden(round_id, comment_id, hidden=True)


@bp.post("/<uuid:round_id>/comments/<uuid:comment_id>/show")
def show_comment(round_id: uuid.UUID, comment_id: uuid.UUID) -> ResponseReturnValue:
    return _set_hidden(round_id, comment_id, hidden=False)


@bp.post("/<uuid:round_id>/own-answers/<uuid:text_id>/hide")
def hide_own_text(round_id: uuid.UUID, text_id: uuid.UUID) -> ResponseReturnValue:
    return _set_own_hidden(round_id, text_id, hidden=True)


@bp.post("/<uuid:round_id>/own-answers/<uuid:text_id>/show")
def show_own_text(round_id: uuid.UUID, text_id: uuid.UUID) -> ResponseReturnValue:
    return _set_own_hidden(round_id, text_id, hidden=False)


def _set_own_hidden(
    round_id: uuid.UUID, text_id: uuid.UUID, *, hidden: bool
) -> ResponseReturnValue:
    """Hide the words of an answer to the round's own question, as a comment is hidden."""
    rnd = _round(round_id)
    _coordinators_only()
    if rnd.status == RoundStatus.DRAFT:
        abort(404)
    if not service.hide_own_text(rnd, text_id, hidden=hidden):
        abort(404, "That answer is not part of this round.")
    audit.record(  # no id or words: they belong to one response (DESIGN.md section 6)
        "comment.hidden" if hidden else "comment.shown",
        f"{'Hid' if hidden else 'Showed again'} an answer to one of the round's own questions",
        organisation_id=rnd.organisation_id,
        actor=current_user,
        round=rnd,
        object_type="comment",
        details={"own_question": True},
    )
    flash(HIDDEN_NOTICE[hidden], "success")
    return redirect(url_for("results.overview", round_id=rnd.id) + "#own-questions", 303)


HIDDEN_NOTICE = {
    True: "The comment is hidden. It no longer appears in any page or export.",
    False: "The comment is shown again.",
}


def _set_hidden(round_id: uuid.UUID, comment_id: uuid.UUID, *, hidden: bool) -> ResponseReturnValue:
    """Hide a comment, or show it again; back to its indicator page (HTMX: the block alone)."""
    rnd = _round(round_id)
    _coordinators_only()
    if rnd.status == RoundStatus.DRAFT:
        abort(404)
    comment = service.get_comment(rnd, comment_id)
    if comment is None:
        abort(404, "That comment is not part of this round.")
    back = request.form.get("indicator_id", "")
    service.hide_comment(rnd, comment_id, hidden=hidden)
    # No comment id or text: a comment belongs to one response (DESIGN.md section 6).
    audit.record(
        "comment.hidden" if hidden else "comment.shown",
        f"{'Hid' if hidden else 'Showed again'} a comment in section {comment.section_id}",
        organisation_id=rnd.organisation_id,
        actor=current_user,
        round=rnd,
        object_type="comment",
        details={"section": comment.section_id},
    )
    results = service.round_results(rnd)
    indicator_ids = {r.indicator_id for r in results.indicators}
    if back not in indicator_ids:
        back = next(
            (r.indicator_id for r in results.indicators if r.section_id == comment.section_id),
            "",
        )
    if htmx and back:
        context = _context(rnd, results, **_indicator_context(rnd, results, back))
        context["comment_notice"] = HIDDEN_NOTICE[hidden]
        return render_page("results/indicator.html", block="comments", **context)
    flash(HIDDEN_NOTICE[hidden], "success")
    if back:
        target = url_for("results.indicator", round_id=rnd.id, indicator_id=back)
        return redirect(target + "#comments", 303)
    return redirect(url_for("results.overview", round_id=rnd.id), 303)


@bp.get("/<uuid:round_id>/disparities")
def disparities(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _round(round_id)
    if rnd.status == RoundStatus.DRAFT:
        return _draft_page(rnd)
    results = service.round_results(rnd)
    labels = {a.audience: a.label for a in results.audiences}
    titles = {r.indicator_id: r.title for r in results.indicators}
    return render_page(
        "results/disparities.html",
        block="content",
        **_context(
            rnd, results, titles=titles, gaps=[gap_view(d, labels) for d in results.disparities]
        ),
    )


@dataclass(frozen=True, slots=True)
class ViewOption:
    value: str  # "thread:ID", "section:ID" or "linked:ID"
    label: str
    indicator_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OptionGroup:
    heading: str
    options: tuple[ViewOption, ...]


@bp.get("/<uuid:round_id>/red-thread")
def red_thread(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _round(round_id)
    if rnd.status == RoundStatus.DRAFT:
        return _draft_page(rnd)
    results = service.round_results(rnd)
    groups = _thread_options(service.framework_of(rnd), results)
    options = {o.value: o for g in groups for o in g.options}
    choice = request.args.get("view", "")
    error = None
    if not choice and options:
        choice = next(iter(options))
    chosen = options.get(choice)
    if choice and chosen is None:
        error = "Choose a red thread, a section or an indicator from the list."
    covered = {r.indicator_id: r for r in results.indicators}
    wanted = chosen.indicator_ids if chosen else ()
    return render_page(
        "results/red_thread.html",
        block="content",
        status=422 if error else 200,
        **_context(
            rnd,
            results,
            groups=groups,
            choice=choice,
            chosen=chosen,
            rows=[covered[i] for i in wanted if i in covered],
            missing=[i for i in wanted if i not in covered],
            error=error,
        ),
    )


def _thread_options(framework: Framework | None, results: RoundResults) -> list[OptionGroup]:
    """Ways to put indicators side by side: the framework's red threads, its sections, and each
    indicator with those it links to; only those touching an indicator the round asked about."""
    if framework is None:
        return []
    covered = {r.indicator_id for r in results.indicators}
    threads = tuple(
        ViewOption(f"thread:{t.id}", t.title, tuple(t.links))
        for t in framework.threads
        if covered & set(t.links)
    )
    sections = []
    for section in framework.sections:
        ids = tuple(i.id for i in framework.indicators_in(section.id))
        if covered & set(ids):
            sections.append(
                ViewOption(f"section:{section.id}", f"{section.id} {section.title}", ids)
            )
    linked = []
    for ind in framework.indicators:
        ids = (ind.id, *ind.links)
        if ind.id in covered and len(covered & set(ids)) > 1:
            linked.append(
                ViewOption(f"linked:{ind.id}", f"{ind.id} and its linked indicators", ids)
            )
    groups = [
        OptionGroup("Red threads", threads),
        OptionGroup("Sections", tuple(sections)),
        OptionGroup("Linked indicators", tuple(linked)),
    ]
    return [g for g in groups if g.options]


@bp.get("/<uuid:round_id>/compare")
def compare(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _round(round_id)
    if rnd.status == RoundStatus.DRAFT:
        return _draft_page(rnd)
    candidates = service.earlier_rounds(rnd)
    wanted = request.args.get("earlier", "")
    earlier = None
    error = None
    if wanted:
        earlier = next((c for c in candidates if str(c.id) == wanted), None)
        if earlier is None:
            error = "Choose one of the rounds in the list."
    elif candidates:
        before = [c for c in candidates if c.opens_on <= rnd.opens_on]
        earlier = (before or candidates)[0]
    comparison = service.compare_rounds(rnd, earlier) if earlier is not None else None
    results = comparison.current if comparison else service.round_results(rnd)
    return render_page(
        "results/compare.html",
        block="content",
        status=422 if error else 200,
        **_context(
            rnd,
            results,
            candidates=candidates,
            earlier=earlier,
            comparison=comparison,
            error=error,
        ),
    )


@bp.get("/<uuid:round_id>/report.pdf")
def report_pdf(round_id: uuid.UUID) -> ResponseReturnValue:
    """The committee results report, for any role of the organisation (viewers too)."""
    return _report(round_id, "pdf")


@bp.get("/<uuid:round_id>/report.docx")
def report_docx(round_id: uuid.UUID) -> ResponseReturnValue:
    return _report(round_id, "docx")


def _report(round_id: uuid.UUID, kind: str) -> ResponseReturnValue:
    rnd = _round(round_id)
    if rnd.status == RoundStatus.DRAFT:
        abort(409, "This round has not been launched yet, so there are no results to report.")
    out = io.BytesIO()
    if kind == "pdf":
        write_committee_pdf(rnd, out)
        mimetype = PDF_MIME
    else:
        write_committee_docx(rnd, out)
        mimetype = DOCX_MIME
    return document(out.getvalue(), mimetype, download_name(rnd.name, "committee-report", kind))


@bp.route("/<uuid:round_id>/you-said-we-did", methods=["GET", "POST"])
def you_said(round_id: uuid.UUID) -> ResponseReturnValue:
    """Write and publish the round's "you said, we did" (coordinators; others read it)."""
    rnd = _round(round_id)
    if rnd.status == RoundStatus.DRAFT:
        return _draft_page(rnd)
    notice = round_notices.get_notice(rnd)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "heard": notice.heard if notice else "",
        "doing": notice.doing if notice else "",
        "indicator_ids": list(notice.indicator_ids or []) if notice else [],
        "published": bool(notice and notice.published),
    }
    if request.method == "POST":
        _coordinators_only()
        form = request.form
        data = round_notices.NoticeInput(
            heard=form.get("heard", ""),
            doing=form.get("doing", ""),
            indicator_ids=[i for i in form.getlist("indicator_ids") if i],
            published=form.get("published") == "yes",
        )
        values = {
            "heard": data.heard,
            "doing": data.doing,
            "indicator_ids": data.indicator_ids,
            "published": data.published,
        }
        was_published = bool(notice and notice.published)
        try:
            notice = round_notices.save_notice(rnd, data)
        except round_notices.NoticeError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            if notice.published != was_published:
                state = "published" if notice.published else "withdrawn"
                audit.record(
                    f"notice.{state}",
                    f"“You said, we did” {state}",
                    organisation_id=rnd.organisation_id,
                    actor=current_user,
                    round=rnd,
                    object_type="round_notice",
                    object_id=notice.id,
                    details={"indicators": list(notice.indicator_ids or [])},
                )
            flash("Saved." + (" It is published for respondents." if notice.published else ""))
            return redirect(url_for("results.you_said", round_id=rnd.id), 303)
    results = service.round_results(rnd)
    framework = service.framework_of(rnd)
    labels = {a.audience: a.label for a in results.audiences}
    if framework is not None:
        labels.update(
            {q.audience: framework.audience_label(q.audience) for q in rnd.questionnaires}
        )
    return render_page(
        "results/you_said.html",
        block="content",
        status=422 if errors else 200,
        **_context(rnd, results, notice=notice, errors=errors, values=values, labels=labels),
        email_refusal=you_said_email.refusal(rnd, notice),
        email_count=you_said_email.recipient_count(rnd),
    )


@bp.route("/<uuid:round_id>/close", methods=["GET", "POST"])
def close(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = _round(round_id)
    _coordinators_only()
    error = None
    if request.method == "POST":
        try:
            service.close_round(rnd)
        except service.CloseError as exc:
            error = str(exc)
        else:
            from app.rounds.audit_trail import record

            record("round.closed", "Closed the round: its results are final.", rnd)
            flash("The round is closed. No more responses are accepted; results are final.")
            return redirect(url_for("results.overview", round_id=rnd.id), 303)
    return render_page(
        "results/close.html", block="content", status=422 if error else 200, rnd=rnd, error=error
    )


# The poster and the email of "you said, we did" add their routes to `bp`.
from app.results import you_said_views  # noqa: E402, F401
