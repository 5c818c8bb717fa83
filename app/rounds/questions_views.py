"""The round's own questions (issue 20): add, edit and remove them before launch.

One page lists them with the form to add one; editing one opens the same form filled in.
A spec with mistakes (no audience ticked among them) is shown again with a 422 and an error
summary, nothing stored.
"""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from app.extensions import db, htmx
from app.models import FeedbackRound, Role, RoundQuestion
from app.rendering import render_page
from app.rounds.audit_trail import record
from app.rounds.views import bp
from app.services import questions
from app.services.frameworks import framework_of
from app.services.responding.shape import audience_label
from app.services.rounds import RoundError, RoundLocked
from app.tenancy import current_role, get_owned_or_404
from frameworks.schema import EASY_READ_MAX_WORDS
from surveys import question_types as qt


def _coordinator() -> None:
    if current_role() != Role.COORDINATOR:
        abort(403)


def _question(rnd: FeedbackRound, question_id: uuid.UUID) -> RoundQuestion:
    question = db.session.get(RoundQuestion, question_id)
    if question is None or question.round_id != rnd.id:
        abort(404, "That question is not in this round.")
    return question


def _indicators(rnd: FeedbackRound) -> list[tuple[str, str]]:
    framework = framework_of(rnd)
    titles = {} if framework is None else {i.id: i.title for i in framework.indicators}
    return [(i, f"{i} {titles.get(i, '')}".strip()) for i in rnd.indicator_ids]


def _page(
    rnd: FeedbackRound,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    given: questions.QuestionInput | None = None,
    editing: RoundQuestion | None = None,
) -> ResponseReturnValue:
    listed = questions.questions_of(rnd.id)
    labels = {group: audience_label(rnd, group) for group in rnd.groups}
    easy = [q.audience for q in rnd.questionnaires if q.easy_read or q.one_question_per_page]
    return render_page(
        "rounds/questions.html",
        block="content",
        status=status,
        rnd=rnd,
        questions=[
            (q, questions.spec_of(q), [labels[a] for a in questions.asked_of(rnd, q)])
            for q in listed
        ],
        audiences=list(labels.items()),
        listed_marker=questions.AUDIENCES_LISTED,
        kinds=list(qt.KIND_LABELS.items()),
        indicators=_indicators(rnd),
        errors=errors or {},
        form=given or questions.QuestionInput(kind=qt.Kind.YES_NO.value),
        editing=editing,
        editable=rnd.is_draft and current_role() == Role.COORDINATOR,
        easy_read=bool(easy),  # children under 12 or easy-read adults read these too
        easy_words=EASY_READ_MAX_WORDS,
    )


def _back(rnd: FeedbackRound, anchor: str = "") -> ResponseReturnValue:
    url = url_for("rounds.questions_page", round_id=rnd.id)
    return redirect(f"{url}#{anchor}" if anchor else url, 303)


def _locked(rnd: FeedbackRound) -> ResponseReturnValue:
    db.session.rollback()
    return _page(rnd, status=409, errors=RoundLocked().errors)


@bp.get("/<uuid:round_id>/questions")
def questions_page(round_id: uuid.UUID) -> ResponseReturnValue:
    return _page(get_owned_or_404(FeedbackRound, round_id))


@bp.post("/<uuid:round_id>/questions")
def add_question(round_id: uuid.UUID) -> ResponseReturnValue:
    rnd = get_owned_or_404(FeedbackRound, round_id)
    _coordinator()
    given = questions.QuestionInput.of(request.form)
    try:
        added = questions.add_question(rnd, given)
    except RoundLocked:
        return _locked(rnd)
    except RoundError as exc:
        db.session.rollback()
        return _page(rnd, status=422, errors=exc.errors, given=given)
    record("round.question_added", f"Added the question “{added.text}”", rnd, kind=added.kind)
    if not htmx:
        flash(f"Added the question “{added.text}”.", "success")
    return _back(rnd, f"question-{added.id}")


@bp.route("/<uuid:round_id>/questions/<uuid:question_id>/edit", methods=["GET", "POST"])
def edit_question(round_id: uuid.UUID, question_id: uuid.UUID) -> ResponseReturnValue:
    rnd = get_owned_or_404(FeedbackRound, round_id)
    question = _question(rnd, question_id)
    _coordinator()
    if request.method == "GET":
        if not rnd.is_draft:
            return _locked(rnd)
        given = questions.QuestionInput.from_question(question)
        return _page(rnd, given=given, editing=question)
    given = questions.QuestionInput.of(request.form)
    try:
        questions.update_question(rnd, question, given)
    except RoundLocked:
        return _locked(rnd)
    except RoundError as exc:
        db.session.rollback()
        return _page(rnd, status=422, errors=exc.errors, given=given, editing=question)
    record("round.question_edited", f"Edited the question “{question.text}”", rnd)
    flash(f"Saved the question “{question.text}”.", "success")
    return _back(rnd, f"question-{question.id}")


@bp.post("/<uuid:round_id>/questions/<uuid:question_id>/remove")
def remove_question(round_id: uuid.UUID, question_id: uuid.UUID) -> ResponseReturnValue:
    rnd = get_owned_or_404(FeedbackRound, round_id)
    question = _question(rnd, question_id)
    _coordinator()
    text = question.text
    try:
        questions.remove_question(rnd, question)
    except RoundLocked:
        return _locked(rnd)
    record("round.question_removed", f"Removed the question “{text}”", rnd)
    flash(f"Removed the question “{text}”.", "success")
    return _back(rnd)
