"""The self-evaluation report of an assessment (issue 19), as PDF and as Word.

For inspectors and peer challengers: a cover, the agreed levels at a glance, then per indicator
HMIE's three questions (how are we doing, how do we know, what are we going to do now), the
capacity for improvement or the review questions, and an appendix on method.

Everything is read through the assessment services with the reader's `Access`, exactly as the
workbook and the pages do: the members' spread only when the reader may see it, and the
stakeholders' figures from the frozen imports (`imports.latest_stakeholder_views`), which hold
numbers only for groups the results service showed: a hidden group keeps its notice ("Fewer
than 5 responses" / "Not shown (protects a smaller group)") and nothing else.
"""

from __future__ import annotations

from datetime import date
from typing import IO, Any

from sqlalchemy import select

from app.dates import long_date
from app.dates import today as service_day
from app.extensions import db
from app.models import Assessment, EvidenceItem, JudgementScope, Organisation
from app.services.assessment import external, imports
from app.services.assessment.actions import actions_of
from app.services.assessment.assessments import (
    SCOPE_FIELDS,
    TEAM_ROLE_LABELS,
    Access,
    assessment_sections,
    framework_of,
    indicators_in_section,
    team_roster,
)
from app.services.assessment.evidence import SOURCE_LABELS, evidence_for, triangulations
from app.services.assessment.external_flags import comparison_cells
from app.services.assessment.judgements import (
    CONFIDENCE_LEVELS,
    capacity_key,
    capacity_section,
    judgements_of,
)
from app.services.assessment.ratings import ratings_visible, spreads, visible_ratings
from app.services.documents.assessment_workbook import ACTION_STATUS
from app.services.documents.report_docx import write_docx
from app.services.documents.report_model import Bar, Report
from app.services.documents.report_pdf import write_pdf
from frameworks import Framework
from surveys.assessment import stakeholder_flags
from surveys.statistics import whole_percent

QUESTIONS = ("How are we doing?", "How do we know?", "What are we going to do now?")

FIGURES_METHOD = (
    "Percent favourable is the share of answers that agree or strongly agree (for children, "
    "the happy face), out of the answers other than Don't know; Don't know answers are counted "
    "beside it. The interval is a 95% Wilson score interval; an indicator's figure pools its "
    "statements, answered by the same people, so its interval treats each person's answers "
    "together. Quantity words follow Education Scotland's bands: all (100%), almost all "
    "(over 90%), most (75-90%), majority (50-74%), less than half (15-49%), few (under 15%), "
    "none (0%)."
)
FLAGS_METHOD = (
    "A possible blind spot: the team rated the indicator good or better while a group's 95% "
    "interval lies wholly below 50% favourable. A possible hidden strength: the team rated it "
    "adequate or below while a group's interval lies wholly at or above 75%."
)
ANONYMITY_METHOD = (
    "No figure, chart or comment is shown for a group of fewer than k respondents (k is the "
    "round's threshold, never below 3): such a group reads “Fewer than k responses”. Where "
    "showing a group would let a smaller group's figure be worked out by subtraction, it reads "
    "“Not shown (protects a smaller group)”. Responses are never linked to invitations."
)
IMPORTED_METHOD = (
    "The figures imported here were frozen when the round closed, exactly as the results pages "
    "showed them."
)


def organisation_name(organisation_id: Any) -> str:
    name = db.session.execute(
        select(Organisation.name).where(Organisation.id == organisation_id)
    ).scalar_one_or_none()
    return name or ""


def _rating(framework: Framework, code: str | None) -> str:
    return framework.rating_scale.display(code) if code else "Not agreed yet"


def _bar(cell: dict[str, Any]) -> Bar:
    """A stakeholder group's figure from an imported cell: numbers only if it was shown."""
    shown = cell.get("status") == "shown" and not cell.get("suppressed")
    label = cell.get("label") or cell.get("audience", "")
    if not shown or cell.get("percent") is None:
        return Bar(label, cell.get("evidence") or "Not shown")
    percent = float(cell["percent"])
    low, high = cell.get("ci_low"), cell.get("ci_high")
    interval = (
        f"; 95% CI {whole_percent(low)}-{whole_percent(high)}%"
        if low is not None and high is not None
        else ""
    )
    text = (
        f"{cell.get('word') or ''} {whole_percent(percent)}% favourable "
        f"({cell.get('favourable')} of {cell.get('base')} answers{interval}; "
        f"{cell.get('respondents')} respondents)"
    ).strip()
    return Bar(label, text, percent, low, high, f"{whole_percent(percent)}%")


def build_self_evaluation(
    assessment: Assessment, access: Access, *, today: date | None = None
) -> Report:
    """The report's content as `access` may see the assessment."""
    framework = framework_of(assessment)
    day = today or service_day()
    org = organisation_name(assessment.organisation_id)
    roster = team_roster(assessment)
    scope = assessment.scope or {}
    cover = [("Organisation", org), ("Framework", framework.title)]
    cover += [(label, scope[key]) for key, label, _ in SCOPE_FIELDS if scope.get(key)]
    cover.append(
        (
            "Self-Assessment Team",
            "; ".join(f"{name} ({TEAM_ROLE_LABELS.get(m.role, m.role)})" for m, name in roster)
            if access.sees_names
            else f"{len(roster)} members",
        )
    )
    cover.append(("Assessment started", long_date(assessment.created_at.date())))
    cover.append(("Report written", long_date(day)))
    report = Report(
        title=assessment.title,
        subtitle=f"Self-evaluation of {org}" if org else "Self-evaluation",
        cover=cover,
        footer=f"{assessment.title}: self-evaluation",
    )

    judgements = judgements_of(assessment)
    triangulated = triangulations(assessment)
    latest = imports.latest_stakeholder_views(assessment)
    evidence = evidence_for(assessment)
    actions = actions_of(assessment)
    visible = ratings_visible(assessment, access)
    spread = (
        {
            s.indicator_id: s
            for s in spreads(assessment, framework, visible_ratings(assessment, access))
        }
        if visible
        else {}
    )

    def agreed(ind: str) -> str | None:
        j = judgements.get((JudgementScope.INDICATOR, ind))
        return j.agreed_rating if j else None

    compared = comparison_cells(assessment, latest)

    def flags(ind: str) -> list[Any]:
        return stakeholder_flags(framework.rating_scale, agreed(ind), compared.get(ind, []))

    sections = assessment_sections(assessment, framework)
    # -- summary
    report.heading(1, "Summary of agreed levels")
    report.para(
        f"The levels the Self-Assessment Team agreed on the scale “{framework.rating_scale.title}”"
        ", with how well each is evidenced and where stakeholders' views differ."
    )
    rows = []
    for section_id, _title in sections:
        for ind in indicators_in_section(assessment, framework, section_id):
            found = flags(ind)
            rows.append(
                [
                    ind,
                    framework.indicator(ind).title,
                    _rating(framework, agreed(ind)),
                    triangulated[ind].words,
                    "; ".join(f"{f.title} ({f.label})" for f in found) or "None",
                ]
            )
    report.table(
        "Agreed levels",
        ["Indicator", "Title", "Agreed level", "Evidence", "Stakeholder flags"],
        rows,
    )

    # -- per indicator
    for section_id, section_title in sections:
        report.heading(1, f"{section_id} {section_title}")
        section_judgement = judgements.get((JudgementScope.SECTION, section_id))
        for ind in indicators_in_section(assessment, framework, section_id):
            _indicator(
                report,
                framework,
                ind,
                judgements.get((JudgementScope.INDICATOR, ind)),
                spread.get(ind),
                visible,
                triangulated[ind],
                [e for e in evidence if e.indicator_id == ind],
                latest.get(ind),
                flags(ind),
                [a for a in actions if ind in (a.indicator_ids or [])],
            )
        if section_judgement and (
            section_judgement.strengths or section_judgement.areas_for_improvement
        ):
            report.heading(2, f"{section_title}: the team's overall view")
            if section_judgement.strengths:
                report.heading(3, "Strengths", in_contents=False)
                report.paras(section_judgement.strengths)
            if section_judgement.areas_for_improvement:
                report.heading(3, "Areas for improvement", in_contents=False)
                report.paras(section_judgement.areas_for_improvement)

    _capacity_and_review(report, assessment, framework)
    _actions_without_indicator(report, assessment, actions)
    _method(report, evidence)
    return report


def _indicator(
    report: Report,
    framework: Framework,
    ind: str,
    judgement: Any,
    spread: Any,
    visible: bool,
    tri: Any,
    items: list[EvidenceItem],
    stakeholders: EvidenceItem | None,
    found: list[Any],
    actions: list[Any],
) -> None:
    indicator = framework.indicator(ind)
    report.heading(2, f"{ind} {indicator.title}")
    report.para(indicator.summary, "lead")
    if indicator.themes:
        report.para("Themes: " + "; ".join(t.title for t in indicator.themes), "note")

    report.heading(3, QUESTIONS[0], in_contents=False)
    report.para(
        f"Agreed level: {_rating(framework, judgement.agreed_rating if judgement else None)}"
    )
    if spread is not None:
        report.para(f"Team members' own ratings: {spread.raters} ratings; {spread.words}.", "note")
    elif not visible:
        report.para("Team members' own ratings are not visible to you yet.", "note")

    report.heading(3, QUESTIONS[1], in_contents=False)
    report.heading(4, "Evidence log", in_contents=False)
    report.para(f"{tri.words}.")
    if items:
        by_source = sorted(items, key=lambda i: list(SOURCE_LABELS).index(i.source_type.value))
        report.table(
            f"Evidence for {ind}",
            ["Source", "Evidence", "Date", "Where to find it"],
            [
                [
                    SOURCE_LABELS.get(i.source_type.value, i.source_type.value)
                    + (f" ({external.external_label(i)})" if external.is_external(i) else ""),
                    i.description if i.payload is None else i.description.split("\n")[0],
                    long_date(i.evidence_date) if i.evidence_date else "",
                    i.location or "",
                ]
                for i in by_source
            ],
        )
    report.heading(4, "What stakeholders report", in_contents=False)
    if stakeholders is None or not stakeholders.payload:
        report.para("No stakeholders' views imported from a feedback round yet.", "note")
    else:
        payload = stakeholders.payload
        rnd = payload.get("round", {})
        report.para(
            f"From the round “{rnd.get('name', '')}” (closed {long_date(rnd.get('closed_on'))}; "
            f"nothing is shown for a group of fewer than {payload.get('threshold')}).",
            "note",
        )
        lines = []
        for cell in payload.get("cells", []):
            text = (cell.get("evidence") or "").strip()
            shown = cell.get("status") == "shown" and not cell.get("suppressed")
            lines.append(text if shown else f"{cell.get('label')}: {text.rstrip('.')}.")
        report.bullets(lines)
        report.chart(
            f"Percent favourable by group, {ind}",
            [_bar(c) for c in payload.get("cells", [])],
        )
        for flag in found:
            report.para(flag.words, "flag")
        if not found:
            report.para(
                "No blind spot or hidden strength: stakeholders' figures do not contradict "
                "the agreed level.",
                "note",
            )
        _own_questions(report, payload)

    _external_views(report, items)

    report.heading(3, QUESTIONS[2], in_contents=False)
    report.heading(4, "Strengths", in_contents=False)
    report.paras(judgement.strengths if judgement and judgement.strengths else "None recorded.")
    report.heading(4, "Areas for improvement", in_contents=False)
    report.paras(
        judgement.areas_for_improvement
        if judgement and judgement.areas_for_improvement
        else "None recorded."
    )
    report.heading(4, "Improvement actions", in_contents=False)
    if actions:
        report.table(f"Actions for {ind}", *_action_table(actions))
    else:
        report.para("No improvement actions linked to this indicator.", "note")


def _own_questions(report: Report, payload: dict[str, Any]) -> None:
    """The round's own questions imported beside the indicator, as frozen: each a table of the
    published figures (hidden ones say why) and the words of groups that showed them."""
    for question in payload.get("own_questions", []):
        report.heading(4, f"The round's own question: {question.get('text')}", in_contents=False)
        report.para(f"{question.get('kind_label')}. Not part of percent favourable.", "note")
        if question.get("table"):
            report.table(
                question.get("text", ""),
                ["Answer", *question.get("columns", [])],
                [list(row) for row in question["table"]],
            )
        for group in question.get("words", []):
            if group.get("suppressed"):
                report.para(f"{group.get('label')}: {group.get('notice')}", "note")
            elif group.get("texts"):
                report.para(f"What {group.get('label')} wrote:", "note")
                report.bullets(list(group["texts"]))


def _external_views(report: Report, items: list[EvidenceItem]) -> None:
    """Stakeholders' views brought in from elsewhere, marked as external (issue 22): a survey
    per statement (never pooled), a discussion with who took part and what was agreed."""
    surveys = [i for i in items if (i.payload or {}).get("kind") == external.SURVEY_KIND]
    talks = [i for i in items if (i.payload or {}).get("kind") == external.DISCUSSION_KIND]
    if not surveys and not talks:
        return
    report.heading(4, "Stakeholders' views from elsewhere (external)", in_contents=False)
    for item in surveys:
        payload = item.payload or {}
        src = payload.get("source", {})
        report.para(
            f"External survey “{src.get('survey')}”, not a Chorus round ({src.get('method')}; "
            f"{_span(src)}; file {src.get('file_name')}, SHA-256 {str(src.get('sha256'))[:16]}…). "
            f"{payload.get('scale', {}).get('words', '')} Groups that fewer than "
            f"{payload.get('threshold')} people answered are kept out. Each statement is shown "
            "on its own: counts from elsewhere cannot be pooled into an indicator figure.",
            "note",
        )
        lines = []
        for statement in payload.get("statements", []):
            for cell in statement.get("cells", []):
                text = cell.get("evidence") or ""
                lines.append(
                    text
                    if cell.get("status") == "shown"
                    else f"{cell.get('group')} (“{statement.get('text')}”): {text}."
                )
        report.bullets(lines)
    for item in talks:
        payload = item.payload or {}
        who = ", ".join(f"{g['group']} ({g['people']})" for g in payload.get("groups", []))
        report.para(
            f"{external.external_label(item)}, {long_date(payload.get('held_on'))}: "
            f"{payload.get('people')} people took part ({who}).",
            "note",
        )
        report.paras(payload.get("key_points", ""))


def _span(src: dict[str, Any]) -> str:
    start, end = src.get("start_date"), src.get("end_date")
    if start and end:
        return f"{long_date(start)} to {long_date(end)}"
    return long_date(start or end) if (start or end) else "dates not given"


def _action_table(actions: list[Any]) -> tuple[list[str], list[list[str]]]:
    return (
        ["Action", "Owner", "Due", "Status"],
        [
            [
                a.title,
                a.owner or "Not named",
                long_date(a.due_on) if a.due_on else "No date",
                ACTION_STATUS.get(a.status.value, a.status.value),
            ]
            for a in actions
        ],
    )


def _capacity_and_review(report: Report, assessment: Assessment, framework: Framework) -> None:
    section = capacity_section(framework)
    review = assessment.review or {}
    if section is not None and (assessment.capacity_statement or assessment.capacity_confidence):
        report.heading(1, section.title)
        report.paras(assessment.capacity_statement)
        if assessment.capacity_confidence:
            report.para(f"Confidence: {CONFIDENCE_LEVELS.get(assessment.capacity_confidence, '')}.")
        for n, component in enumerate(section.components, start=1):
            text = review.get(capacity_key(n), "")
            level = CONFIDENCE_LEVELS.get(review.get(f"{capacity_key(n)}-confidence", ""), "")
            if text or level:
                report.heading(2, component)
                report.paras(text)
                if level:
                    report.para(f"Confidence: {level}.", "note")
    answered = [q for q in framework.review_questions if review.get(q.id)]
    if answered:
        report.heading(1, "Review questions")
        for q in answered:
            report.heading(2, q.question)
            report.paras(review[q.id])


def _actions_without_indicator(report: Report, assessment: Assessment, actions: list[Any]) -> None:
    wanted = set(assessment.indicator_ids)
    loose = [a for a in actions if not wanted & set(a.indicator_ids or [])]
    if loose:
        report.heading(1, "Other improvement actions")
        report.table("Actions not linked to an indicator", *_action_table(loose))


def _method(report: Report, evidence: list[EvidenceItem]) -> None:
    report.heading(1, "Appendix: method")
    report.heading(2, "Feedback rounds")
    seen: dict[str, dict[str, Any]] = {}
    for item in evidence:
        if item.payload and item.payload.get("kind") == imports.PAYLOAD_KIND:
            seen.setdefault(item.payload["round"]["id"], item.payload)
    if not seen:
        report.para("No feedback round's results were imported into this assessment.")
    for payload in sorted(seen.values(), key=lambda p: p["round"]["closed_on"]):
        rnd = payload["round"]
        k = payload.get("threshold")
        report.heading(3, rnd["name"], in_contents=False)
        report.para(
            f"Open {long_date(rnd['opens_on'])} to {long_date(rnd['closed_on'])}; "
            f"threshold k = {k}."
        )
        rows = []
        for a in payload.get("audiences", []):
            if a.get("suppressed") or a.get("respondents") is None:
                rows.append(
                    [
                        a.get("label", ""),
                        str(a.get("invited", "")),
                        a.get("notice") or "Not shown",
                        "",
                    ]
                )
                continue
            completed, invited = a.get("completed"), a.get("invited")
            rate = (
                f"{whole_percent(100 * completed / invited)}% ({completed} of {invited} invited)"
                if completed is not None and invited
                else "No email invitations"
            )
            rows.append([a.get("label", ""), str(invited), str(a.get("respondents")), rate])
        report.table(
            f"Who answered: {rnd['name']}",
            ["Group", "Invited by email", "Responses", "Email response rate"],
            rows,
        )
    _external_method(report, evidence)
    report.heading(2, "How the figures are worked out")
    report.para(FIGURES_METHOD)
    report.para(FLAGS_METHOD)
    report.heading(2, "Anonymity rules")
    report.para(ANONYMITY_METHOD)
    report.para(IMPORTED_METHOD)
    report.para(
        "Evidence is triangulated when three or more of HMIE's four kinds of source stand "
        "behind it: performance data, relevant documentation, stakeholders' views and feedback, "
        "and direct observation of practice."
    )


def _external_method(report: Report, evidence: list[EvidenceItem]) -> None:
    seen: dict[str, dict[str, Any]] = {}
    for item in evidence:
        if (item.payload or {}).get("kind") == external.SURVEY_KIND:
            payload = item.payload or {}
            seen.setdefault(payload["source"]["import_id"], payload)
    report.heading(2, "Existing feedback from elsewhere")
    if not seen:
        report.para("No survey run outside Chorus was imported into this assessment.")
        return
    rows = []
    for payload in seen.values():
        src = payload["source"]
        mapped = payload.get("mapping", {})
        rows.append(
            [
                f"{src['survey']} (external)",
                src.get("method", ""),
                _span(src),
                f"{src['file_name']}, SHA-256 {src['sha256']}",
                f"{payload.get('imported_by', '')}, {long_date(payload.get('imported_on'))}",
                f"k = {payload.get('threshold')}; {len(mapped)} statements mapped",
            ]
        )
    report.table(
        "Surveys run elsewhere: where the figures come from",
        ["Survey", "How it was run", "Dates", "File", "Imported by", "Threshold and mapping"],
        rows,
    )
    report.para(
        "These figures were counted by whoever ran the survey, not by Chorus. Each statement's "
        "interval is a 95% Wilson score interval on its own valid answers; an indicator with "
        "several such statements shows them one by one, because aggregated counts cannot say "
        "which answers came from the same person.",
        "note",
    )


def write_self_evaluation_pdf(
    assessment: Assessment, access: Access, out: IO[bytes], *, today: date | None = None
) -> Report:
    report = build_self_evaluation(assessment, access, today=today)
    write_pdf(report, out)
    return report


def write_self_evaluation_docx(
    assessment: Assessment, access: Access, out: IO[bytes], *, today: date | None = None
) -> Report:
    report = build_self_evaluation(assessment, access, today=today)
    write_docx(report, out)
    return report
