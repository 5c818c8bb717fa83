"""The assessment workbook: a Self-Assessment Team's ratings, evidence and actions in Excel.

Sheets: About, Indicators (agreed rating, the members' spread, triangulation, flags),
Charts (native charts of the agreed levels and the imported stakeholder figures), Strengths
and improvements, Evidence log, Stakeholder evidence (the imported round figures, exactly as
frozen at import), Own questions and Own answers (the rounds' own questions imported beside an
indicator, as frozen), Blind spots, Actions.

Everything is read through the assessment journey's services with the reader's `Access`, so
the workbook shows what that person may see on the pages: members' ratings only once they are
visible to them, names only to those who see names. Imported stakeholder figures come from the
frozen payloads, which hold numbers only for groups that were shown (DESIGN.md 6.5).
"""

from __future__ import annotations

from datetime import date
from typing import IO, Any

from app.dates import long_date
from app.dates import today as service_day
from app.models import Assessment, JudgementScope
from app.services.assessment import external, imports
from app.services.assessment.actions import actions_of, overdue
from app.services.assessment.assessments import (
    SCOPE_FIELDS,
    TEAM_ROLE_LABELS,
    Access,
    assessment_sections,
    framework_of,
    indicators_in_section,
    tag_threads,
    team_roster,
    user_names,
)
from app.services.assessment.evidence import SOURCE_LABELS, evidence_for, triangulations
from app.services.assessment.external_flags import comparison_cells
from app.services.assessment.judgements import (
    CONFIDENCE_LEVELS,
    capacity_key,
    capacity_section,
    judgements_of,
)
from app.services.assessment.ratings import (
    ratings_visible,
    spreads,
    submission_progress,
    visible_ratings,
)
from app.services.documents.assessment_charts import write_assessment_charts
from app.services.documents.round_tables import proportion
from app.services.documents.workbook import (
    DATE,
    HEADER,
    NOTE,
    PERCENT,
    TITLE,
    WRAP,
    Column,
    TableSheet,
    new_sheet,
    new_workbook,
    text_cell,
    write_lines,
)
from frameworks import Framework
from frameworks.workbook.style import column_widths
from surveys.assessment import stakeholder_flags

ACTION_STATUS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "done": "Done",
    "dropped": "Dropped",
}


def _date(text: Any) -> date | None:
    try:
        return date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def rating_label(framework: Framework, code: str | None) -> str:
    return framework.rating_scale.display(code)


def write_assessment_workbook(
    assessment: Assessment, access: Access, out: IO[bytes], *, today: date | None = None
) -> None:
    """Write the workbook as `access` may see the assessment. Raises UnknownFramework if the
    assessment's framework is no longer available."""
    framework = framework_of(assessment)
    wb = new_workbook(write_only=True, title=f"Self-assessment: {assessment.title}")
    _about(new_sheet(wb, "About", landscape=False), assessment, framework, today or service_day())
    _indicators(wb, assessment, access, framework)
    write_assessment_charts(wb, assessment, framework)
    _judgements(wb, assessment, framework)
    _evidence(wb, assessment, access, framework)
    _stakeholders(wb, assessment, framework)
    _own_questions(wb, assessment)
    _external(wb, assessment)
    _blind_spots(wb, assessment, framework)
    _actions(wb, assessment, framework)
    wb.save(out)


# -- About -------------------------------------------------------------------------------------


def _about(ws: Any, assessment: Assessment, framework: Framework, today: date) -> None:
    column_widths(ws, (30, 90))
    submitted, members = submission_progress(assessment)
    rows: list[Any] = [
        [text_cell(ws, f"Self-assessment: {assessment.title}", TITLE)],
        [text_cell(ws, f"Exported from Chorus on {long_date(today)}.", NOTE)],
        [],
        ["Framework", framework.title],
        ["Indicators", len(assessment.indicator_ids)],
        ["Individual ratings submitted", f"{submitted} of {members} team members"],
        ["Consensus discussion", "open" if assessment.discussion_open else "not open yet"],
        [],
        [text_cell(ws, "Scope", TITLE)],
    ]
    rows += [[label, (assessment.scope or {}).get(key, "")] for key, label, _ in SCOPE_FIELDS]
    rows += [[], [text_cell(ws, "Self-Assessment Team", TITLE)]]
    rows += [[name, TEAM_ROLE_LABELS.get(m.role, m.role)] for m, name in team_roster(assessment)]
    rows += [[], [text_cell(ws, f"Rating scale: {framework.rating_scale.title}", TITLE)]]
    rows += [
        [level.code, f"{level.label}{': ' + level.descriptor if level.descriptor else ''}"]
        for level in framework.rating_scale.levels
    ]
    section = capacity_section(framework)
    review = assessment.review or {}
    if section is not None and (assessment.capacity_statement or assessment.capacity_confidence):
        rows += [[], [text_cell(ws, section.title, TITLE)]]
        rows.append(["Statement", assessment.capacity_statement])
        rows.append(["Confidence", CONFIDENCE_LEVELS.get(assessment.capacity_confidence, "")])
        for n, component in enumerate(section.components, start=1):
            text = review.get(capacity_key(n), "")
            level = CONFIDENCE_LEVELS.get(review.get(f"{capacity_key(n)}-confidence", ""), "")
            if text or level:
                rows.append([component, f"{text}{f' ({level})' if level else ''}"])
    answered = [q for q in framework.review_questions if review.get(q.id)]
    if answered:
        rows += [[], [text_cell(ws, "Review", TITLE)]]
        rows += [[q.question, review[q.id]] for q in answered]
    for row in rows:
        if len(row) == 2 and isinstance(row[0], str):
            row = [text_cell(ws, row[0], HEADER), *row[1:]]
            if isinstance(row[1], str):
                row[1] = text_cell(ws, row[1], WRAP)
        write_lines(ws, [row])


# -- Indicators, judgements ----------------------------------------------------------------------


def _indicators(wb: Any, assessment: Assessment, access: Access, framework: Framework) -> None:
    levels = framework.rating_scale.levels
    visible = ratings_visible(assessment, access)
    spread = (
        {
            s.indicator_id: s
            for s in spreads(assessment, framework, visible_ratings(assessment, access))
        }
        if visible
        else {}
    )
    judgements = judgements_of(assessment)
    triangulated = triangulations(assessment)
    latest = imports.latest_stakeholder_views(assessment)
    compared = comparison_cells(assessment, latest)
    sheet = TableSheet(
        wb,
        "Indicators",
        [
            Column("Section", 26, WRAP),
            Column("Indicator", 11),
            Column("Indicator title", 36, WRAP),
            Column("Agreed rating", 18),
            Column("Members' ratings", 10),
            *(Column(f"Rated {level.code}", 9) for level in levels),
            Column("Spread", 24, WRAP),
            Column("Evidence items", 10),
            Column("Kinds of source", 30, WRAP),
            Column("Triangulation", 30, WRAP),
            Column("Stakeholder flags", 50, WRAP),
        ],
        table="Indicators",
        preamble=[
            "Indicators: the agreed rating, the team's spread and the evidence behind it",
            "The members' ratings appear once they are visible to you on the pages."
            if not visible
            else "How many members gave each rating (from their individual ratings).",
        ],
    )
    for section_id, section_title in assessment_sections(assessment, framework):
        for ind in indicators_in_section(assessment, framework, section_id):
            judgement = judgements.get((JudgementScope.INDICATOR, ind))
            agreed = judgement.agreed_rating if judgement else None
            flags = stakeholder_flags(framework.rating_scale, agreed, compared[ind])
            tri = triangulated[ind]
            own = spread.get(ind)
            if own is None:
                members: list[Any] = ["not visible yet"] + [None] * len(levels) + [None]
            else:
                members = [own.raters, *(own.count(lv.code) for lv in levels), own.words]
            sheet.append(
                [
                    section_title,
                    ind,
                    framework.indicator(ind).title,
                    rating_label(framework, agreed) or "not agreed yet",
                    *members,
                    tri.items,
                    ", ".join(SOURCE_LABELS.get(s, s) for s in tri.sources),
                    tri.words,
                    " ".join(flag.words for flag in flags) or None,
                ]
            )
    sheet.close()


def _judgements(wb: Any, assessment: Assessment, framework: Framework) -> None:
    judgements = judgements_of(assessment)
    threads = {t.id: t.title for t in tag_threads(framework)}
    sheet = TableSheet(
        wb,
        "Strengths and improvements",
        [
            Column("Level", 10),
            Column("Id", 11),
            Column("Title", 34, WRAP),
            Column("Agreed rating", 18),
            Column("Strengths", 60, WRAP),
            Column("Areas for improvement", 60, WRAP),
            Column("Red threads", 30, WRAP),
        ],
        table="Judgements",
        preamble=["Strengths and areas for improvement, as the team agreed them"],
    )
    for section_id, section_title in assessment_sections(assessment, framework):
        section = judgements.get((JudgementScope.SECTION, section_id))
        if section and (section.strengths or section.areas_for_improvement):
            sheet.append(
                [
                    "Section",
                    section_id,
                    section_title,
                    None,
                    section.strengths or None,
                    section.areas_for_improvement or None,
                    ", ".join(threads.get(t, t) for t in section.thread_tags or []) or None,
                ]
            )
        for ind in indicators_in_section(assessment, framework, section_id):
            judgement = judgements.get((JudgementScope.INDICATOR, ind))
            if judgement is None:
                continue
            sheet.append(
                [
                    "Indicator",
                    ind,
                    framework.indicator(ind).title,
                    rating_label(framework, judgement.agreed_rating) or None,
                    judgement.strengths or None,
                    judgement.areas_for_improvement or None,
                    ", ".join(threads.get(t, t) for t in judgement.thread_tags or []) or None,
                ]
            )
    sheet.close()


# -- Evidence ------------------------------------------------------------------------------------


def _evidence(wb: Any, assessment: Assessment, access: Access, framework: Framework) -> None:
    items = evidence_for(assessment)
    names = user_names({i.added_by_id for i in items}) if access.sees_names else {}
    titles = {i: framework.indicator(i).title for i in assessment.indicator_ids}
    columns = [
        Column("Indicator", 11),
        Column("Indicator title", 30, WRAP),
        Column("Source", 26),
        Column("Description", 70, WRAP),
        Column("Date", 12, DATE),
        Column("Where to find it", 30, WRAP),
        Column("Imported from a round", 12),
        Column("Where it comes from", 30, WRAP),
    ]
    if access.sees_names:
        columns.append(Column("Added by", 20))
    sheet = TableSheet(
        wb,
        "Evidence log",
        columns,
        table="Evidence",
        preamble=[
            "Evidence log",
            "HMIE's four sources: performance data, documentation, stakeholders' views and "
            "direct observation. Three or more kinds of source behind an indicator triangulate "
            "it.",
        ],
    )
    order = {ind: n for n, ind in enumerate(assessment.indicator_ids)}
    for item in sorted(items, key=lambda i: order.get(i.indicator_id, len(order))):
        row = [
            item.indicator_id,
            titles.get(item.indicator_id, ""),
            SOURCE_LABELS.get(item.source_type.value, item.source_type.value),
            item.description,
            item.evidence_date,
            item.location or None,
            "yes" if (item.payload or {}).get("kind") == imports.PAYLOAD_KIND else "no",
            external.external_label(item)
            or ("Chorus round" if item.payload is not None else "Typed by the team"),
        ]
        if access.sees_names:
            row.append(names.get(item.added_by_id, "") if item.added_by_id else "")
        sheet.append(row)
    sheet.close()


def _stakeholders(wb: Any, assessment: Assessment, framework: Framework) -> None:
    sheet = TableSheet(
        wb,
        "Stakeholder evidence",
        [
            Column("Indicator", 11),
            Column("Round", 24),
            Column("Round closed", 12, DATE),
            Column("About", 11),
            Column("Audience", 22),
            Column("Statement", 40, WRAP),
            Column("Respondents", 12),
            Column("% favourable", 12, PERCENT),
            Column("95% CI low", 10, PERCENT),
            Column("95% CI high", 10, PERCENT),
            Column("Quantity word", 14),
            Column("What stakeholders report", 70, WRAP),
        ],
        table="Stakeholders",
        preamble=[
            "Stakeholder evidence imported from feedback rounds",
            "The figures as they were when imported; groups under the round's threshold were "
            "never imported with figures.",
        ],
    )
    imported = [
        i
        for i in evidence_for(assessment)
        if i.payload and i.payload.get("kind") == imports.PAYLOAD_KIND
    ]
    order = {ind: n for n, ind in enumerate(assessment.indicator_ids)}
    for item in sorted(imported, key=lambda i: order.get(i.indicator_id, len(order))):
        payload = item.payload or {}
        rnd = payload.get("round", {})
        k = payload.get("threshold")
        rows = [("Indicator", None, c) for c in payload.get("cells", [])]
        rows += [("Statement", c.get("statement"), c) for c in payload.get("items", [])]
        for about, statement, cell in rows:
            shown = cell.get("status") == "shown" and not cell.get("suppressed")
            hidden = f"fewer than {k}" if cell.get("status") == "suppressed" else "not shown"
            sheet.append(
                [
                    item.indicator_id,
                    rnd.get("name"),
                    _date(rnd.get("closed_on")),
                    about,
                    cell.get("label"),
                    statement,
                    cell.get("respondents") if shown else hidden,
                    proportion(cell.get("percent")) if shown else hidden,
                    proportion(cell.get("ci_low")) if shown else None,
                    proportion(cell.get("ci_high")) if shown else None,
                    cell.get("word") if shown else None,
                    cell.get("evidence"),
                ]
            )
    sheet.close()


def _round_imports(assessment: Assessment) -> list[Any]:
    order = {ind: n for n, ind in enumerate(assessment.indicator_ids)}
    imported = [
        i
        for i in evidence_for(assessment)
        if i.payload and i.payload.get("kind") == imports.PAYLOAD_KIND
    ]
    return sorted(imported, key=lambda i: order.get(i.indicator_id, len(order)))


def _own_questions(wb: Any, assessment: Assessment) -> None:
    """The rounds' own questions imported beside an indicator: every figure as frozen (a hidden
    one says why and holds no number), then the words, only for groups that showed them."""
    imported = [i for i in _round_imports(assessment) if (i.payload or {}).get("own_questions")]
    if not imported:
        return
    sheet = TableSheet(
        wb,
        "Own questions",
        [
            Column("Indicator", 11),
            Column("Round", 24),
            Column("Round closed", 12, DATE),
            Column("Question", 40, WRAP),
            Column("Type", 22),
            Column("Audience", 22),
            Column("Answer", 26, WRAP),
            Column("Count", 10),
            Column("%", 10, PERCENT),
            Column("95% CI low", 10, PERCENT),
            Column("95% CI high", 10, PERCENT),
            Column("Note", 34, WRAP),
        ],
        table="OwnQuestions",
        preamble=[
            "The round's own questions, imported beside an indicator",
            "Questions a coordinator added to a round: not part of percent favourable. The "
            "figures as they were when imported; hidden counts were never imported.",
        ],
    )
    for item in imported:
        payload = item.payload or {}
        rnd = payload.get("round", {})
        for question in payload.get("own_questions", []):
            for row in question.get("figures", []):
                median = row.get("answer_code") == "median"  # a number, in the Count column
                count = row.get("percent") if median else row.get("count")
                sheet.append(
                    [
                        item.indicator_id,
                        rnd.get("name"),
                        _date(rnd.get("closed_on")),
                        question.get("text"),
                        question.get("kind_label"),
                        row.get("label"),
                        row.get("answer"),
                        count if count is not None else row.get("hidden") or None,
                        None if median else proportion(row.get("percent")),
                        proportion(row.get("ci_low")),
                        proportion(row.get("ci_high")),
                        row.get("hidden") or None,
                    ]
                )
    sheet.close()
    sheet = TableSheet(
        wb,
        "Own answers",
        [
            Column("Indicator", 11),
            Column("Round", 24),
            Column("Question", 40, WRAP),
            Column("Audience", 22),
            Column("What they wrote", 90, WRAP),
        ],
        table="OwnAnswers",
        preamble=[
            "The round's own questions: what people wrote, as imported",
            "Only groups of at least the round's threshold; words a coordinator hid are left out.",
        ],
    )
    for item in imported:
        payload = item.payload or {}
        for question in payload.get("own_questions", []):
            for group in question.get("words", []):
                texts = [group.get("notice")] if group.get("suppressed") else group.get("texts", [])
                for words in texts:
                    sheet.append(
                        [
                            item.indicator_id,
                            payload.get("round", {}).get("name"),
                            question.get("text"),
                            group.get("label"),
                            words,
                        ]
                    )
    sheet.close()


def _external(wb: Any, assessment: Assessment) -> None:
    """Stakeholders' views from surveys run elsewhere: per statement and group, marked as
    external, with provenance; hidden groups keep their notice and no figure."""
    sheet = TableSheet(
        wb,
        "External evidence",
        [
            Column("Indicator", 11),
            Column("Source", 26),
            Column("Survey", 24),
            Column("How it was run", 24, WRAP),
            Column("File (SHA-256)", 30, WRAP),
            Column("Statement", 40, WRAP),
            Column("Group", 22),
            Column("Answered", 10),
            Column("% favourable", 12, PERCENT),
            Column("95% CI low", 10, PERCENT),
            Column("95% CI high", 10, PERCENT),
            Column("Quantity word", 14),
            Column("What stakeholders report", 70, WRAP),
        ],
        table="External",
        preamble=[
            "Stakeholders' views from surveys run elsewhere (external: not Chorus rounds)",
            "Counted by whoever ran the survey. Wilson 95% interval per statement on its valid "
            "answers, never pooled; groups under the assessment's threshold were kept out.",
        ],
    )
    order = {ind: n for n, ind in enumerate(assessment.indicator_ids)}
    items = [
        i for i in evidence_for(assessment) if (i.payload or {}).get("kind") == external.SURVEY_KIND
    ]
    for item in sorted(items, key=lambda i: order.get(i.indicator_id, len(order))):
        payload = item.payload or {}
        src = payload.get("source", {})
        k = payload.get("threshold")
        for statement in payload.get("statements", []):
            for cell in statement.get("cells", []):
                shown = cell.get("status") == "shown" and cell.get("percent") is not None
                hidden = f"fewer than {k}" if cell.get("status") == "suppressed" else "not shown"
                sheet.append(
                    [
                        item.indicator_id,
                        external.external_label(item),
                        src.get("survey"),
                        src.get("method"),
                        f"{src.get('file_name')} ({src.get('sha256')})",
                        statement.get("text"),
                        cell.get("group"),
                        cell.get("answered") if shown else hidden,
                        proportion(cell.get("percent")) if shown else None,
                        proportion(cell.get("ci_low")) if shown else None,
                        proportion(cell.get("ci_high")) if shown else None,
                        cell.get("word") if shown else None,
                        cell.get("evidence"),
                    ]
                )
    sheet.close()


def _blind_spots(wb: Any, assessment: Assessment, framework: Framework) -> None:
    judgements = judgements_of(assessment)
    latest = imports.latest_stakeholder_views(assessment)
    compared = comparison_cells(assessment, latest)
    sheet = TableSheet(
        wb,
        "Blind spots",
        [
            Column("Indicator", 11),
            Column("Indicator title", 30, WRAP),
            Column("Agreed rating", 18),
            Column("Audience", 22),
            Column("Flag", 24),
            Column("Why", 70, WRAP),
            Column("95% CI low", 10, PERCENT),
            Column("95% CI high", 10, PERCENT),
            Column("Round", 24),
        ],
        table="BlindSpots",
        preamble=[
            "Blind spots and hidden strengths: where the agreed rating and stakeholders differ",
            "Blind spot: rated good or better while the stakeholders' 95% interval is wholly "
            "below 50% favourable. Hidden strength: rated adequate or below while it is wholly "
            "at or above 75%. Groups under the threshold are never compared.",
        ],
    )
    for ind in assessment.indicator_ids:
        judgement = judgements.get((JudgementScope.INDICATOR, ind))
        item = latest.get(ind)
        if judgement is None:
            continue
        flags = stakeholder_flags(framework.rating_scale, judgement.agreed_rating, compared[ind])
        for flag in flags:
            sheet.append(
                [
                    ind,
                    framework.indicator(ind).title,
                    rating_label(framework, judgement.agreed_rating),
                    flag.label,
                    flag.title,
                    flag.explanation[:1].upper() + flag.explanation[1:],
                    flag.ci_low,
                    flag.ci_high,
                    "External survey, not a Chorus round"
                    if flag.external
                    else (item.payload or {}).get("round", {}).get("name")
                    if item is not None
                    else None,
                ]
            )
    sheet.close()


def _actions(wb: Any, assessment: Assessment, framework: Framework) -> None:
    sheet = TableSheet(
        wb,
        "Actions",
        [
            Column("Action", 40, WRAP),
            Column("Status", 12),
            Column("Owner", 20),
            Column("Due", 12, DATE),
            Column("Overdue", 9),
            Column("Indicators", 16),
            Column("Area for improvement", 60, WRAP),
        ],
        table="Actions",
        preamble=["Improvement actions"],
    )
    for action in actions_of(assessment):
        sheet.append(
            [
                action.title,
                ACTION_STATUS.get(action.status.value, action.status.value),
                action.owner or None,
                action.due_on,
                "yes" if overdue(action) else "no",
                ", ".join(action.indicator_ids or []) or None,
                action.area_for_improvement or None,
            ]
        )
    sheet.close()
