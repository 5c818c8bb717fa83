"""The round workbook: everything the results pages show, as an Excel file people can filter.

Sheets: About, Indicators, Disparities, Items (one per scale in use), Charts, Evidence, Comments,
and a Responses sheet per audience the results show. Every figure comes from
`app.services.results.round_results` and every comment from `visible_comments`, so the workbook
holds exactly what the pages hold and no group under the threshold appears anywhere.

Written in openpyxl's write-only mode (rows stream to temporary files, lxml serialises them), so
a round of 25,000 responses exports in bounded memory.
"""

from __future__ import annotations

import random
from datetime import date
from typing import IO, Any

from app.dates import long_date
from app.dates import today as service_day
from app.models import FeedbackRound, RoundStatus
from app.services.documents.own_question_sheets import write_own_questions
from app.services.documents.round_charts import write_charts
from app.services.documents.round_responses import write_responses
from app.services.documents.round_tables import (
    INDICATOR_COLUMNS,
    Names,
    column_labels,
    indicator_rows,
    item_columns,
    item_row,
    lower_first,
)
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
    sheet_name,
    styled,
    text_cell,
    write_lines,
)
from app.services.results import (
    CellStatus,
    RoundResults,
    framework_of,
    round_results,
    visible_comments,
)
from frameworks.workbook.style import column_widths
from surveys.evidence import hidden_figure
from surveys.questionnaire import FREE_TEXT_PROMPTS
from surveys.scales import SCALES, get_scale
from surveys.statistics import whole_percent

SCALE_SHEET_SUFFIX = {"agree4": "agree", "faces3": "faces", "progress5": "a to e"}


def write_round_workbook(
    rnd: FeedbackRound,
    out: IO[bytes],
    *,
    rng: random.Random | None = None,
    today: date | None = None,
) -> RoundResults:
    """Write the workbook for a live or closed round to `out`; return the results it shows.

    Raises `app.services.results.ResultsUnavailable` for a draft. `rng` orders comments and
    response rows (the operating system's randomness unless a test passes a seeded one).
    """
    results = round_results(rnd)
    rng = rng or random.SystemRandom()
    names = Names(framework_of(rnd))
    wb = new_workbook(write_only=True, title=f"Feedback results: {rnd.name}")
    taken: list[str] = []

    def claim(name: str) -> str:
        chosen = sheet_name(name, taken)
        taken.append(chosen)
        return chosen

    _about(new_sheet(wb, claim("About")), rnd, results, today or service_day())
    _indicators(wb, claim("Indicators"), results, names)
    _disparities(wb, claim("Disparities"), results)
    _items(wb, results, names, claim)
    write_charts(wb, results)
    taken.append("Charts")
    _evidence(wb, claim("Evidence"), results)
    _comments(wb, claim("Comments"), rnd, results, names, rng)
    write_own_questions(wb, claim, rnd, results, rng)
    write_responses(wb, rnd, results, rng, taken)
    wb.save(out)
    return results


# -- About -------------------------------------------------------------------------------------


def _about(ws: Any, rnd: FeedbackRound, results: RoundResults, today: date) -> None:
    k = results.threshold
    column_widths(ws, (30, 12, 14, 12, 14, 12, 13, 40))
    ws.append([text_cell(ws, f"Results: {rnd.name}", TITLE)])
    ws.append([text_cell(ws, f"Exported from Chorus on {long_date(today)}.", NOTE)])
    ws.append([])
    status = (
        "Closed: these results are final."
        if rnd.status == RoundStatus.CLOSED
        else "Open: figures may change until the round closes."
    )
    details: list[tuple[str, Any]] = [
        ("Round", rnd.name),
        ("Framework", results.framework_title),
        ("Status", status),
        ("Opens", rnd.opens_on),
        ("Closes", rnd.closes_on),
    ]
    if rnd.closed_at:
        details.append(("Closed on", rnd.closed_at.date()))
    details.append(("Anonymity threshold", f"{k} respondents"))
    details.append(
        (
            "Respondents",
            results.total_respondents
            if results.total_respondents is not None
            else "not shown (protects a smaller group)",
        )
    )
    for field in ("organisation", "partners", "services", "customers", "outcomes"):
        value = (rnd.scope or {}).get(field, "")
        if value:
            details.append((f"Scope: {field}", value))
    for label, value in details:
        cell = styled(ws, value, DATE) if isinstance(value, date) else value
        ws.append(
            [text_cell(ws, label, HEADER), text_cell(ws, cell) if isinstance(cell, str) else cell]
        )
    ws.append([])
    ws.append([text_cell(ws, "Audiences", TITLE)])
    headers = [
        "Audience",
        "Invited by email",
        "Completed (email)",
        "Response rate",
        "Open link responses",
        "Paper responses",
        "Kiosk responses",
        "Respondents",
        "Note",
    ]
    ws.append([text_cell(ws, h, HEADER) for h in headers])
    for summary in results.audiences:
        hidden = (
            lower_first(hidden_figure(True, k))
            if summary.status == CellStatus.SUPPRESSED
            else "not shown"
        )

        def figure(value: int | None, hidden: str = hidden) -> Any:
            return value if value is not None else hidden

        rate = summary.response_rate
        ws.append(
            [
                text_cell(ws, summary.label),
                summary.invited,
                figure(summary.completed),
                styled(ws, rate / 100, PERCENT)
                if rate is not None
                else (figure(None) if summary.invited else None),  # none invited: no rate
                figure(summary.open_link_responses),
                figure(summary.paper_responses),
                figure(summary.kiosk_responses),
                figure(summary.respondents),
                text_cell(ws, summary.notice, NOTE) if summary.notice else None,
            ]
        )
    ws.append([])
    ws.append([text_cell(ws, "How the figures are worked out", TITLE)])
    write_lines(ws, [[None, text_cell(ws, line, WRAP)] for line in _method_notes(k)])
    ws.append([])
    ws.append([text_cell(ws, "Answer scales", TITLE)])
    ws.append([text_cell(ws, h, HEADER) for h in ("Scale", "Code", "Answer", "Favourable")])
    used = {item.scale_id for item in results.items}
    for scale_id in (s for s in SCALES if s in used):
        scale = get_scale(scale_id)
        for option in scale.options:
            ws.append(
                [
                    text_cell(ws, scale.title),
                    text_cell(ws, option.code),
                    text_cell(ws, option.label),
                    "yes" if option.favourable else "no",
                ]
            )


def _method_notes(k: int) -> list[str]:
    return [
        "Percent favourable: the favourable answers (Strongly agree and Agree; the happy face; "
        "levels d and e) divided by every answer except Don't know. Don't know answers are "
        "counted beside it, never inside it.",
        "Interval for a single statement: the Wilson score 95% confidence interval, as each "
        "person gives it one answer.",
        "Interval for an indicator: its percentage adds up the answers to several statements, "
        "but the same people gave them, and one person's answers tend to go together, so they "
        "are not as many independent pieces of evidence as their count suggests. The interval "
        "therefore counts people, not answers: from how far each person's own share of "
        "favourable answers lies from the overall share, it works out how many independent "
        "answers the answers are worth (the effective sample size) and uses the Wilson score "
        "interval for that many. The percentage itself is unchanged. Where everyone answered "
        "only one statement this is the ordinary Wilson interval; where every person has the "
        "same share (all favourable, none, or each the same), the count of answers is used. "
        "'People answering' is how many people gave those answers (other than Don't know).",
        "Quantity words (Education Scotland), decided on the unrounded percentage: 100% all; "
        "over 90% almost all; 75% to 90% most; 50% to under 75% the majority; 15% to under 50% "
        "less than half; above 0% to under 15% few; 0% none.",
        "Indicators pool the answers to all their statements for an audience; the Items sheets "
        "show every statement with its full distribution. Children's faces are reported apart "
        "from adult scales and never pooled with them.",
        f"Anonymity: no figure, chart, comment or response is shown for a group of fewer than "
        f"{k} respondents; such cells read 'fewer than {k}'. Where a hidden figure could be "
        "worked out from totals or other cells, another group is hidden too ('not shown').",
        f"Comments are shown only for groups of {k} or more, in random order, and never split "
        "by a smaller group. Comments hidden by a coordinator are left out.",
        "Responses sheets: anonymised answers, one row per response in random order, only for "
        "audiences whose figures are shown, without ids, dates or channels.",
    ]


# -- Indicators, disparities, items ----------------------------------------------------------------


def _indicators(wb: Any, name: str, results: RoundResults, names: Names) -> None:
    k = results.threshold
    sheet = TableSheet(
        wb,
        name,
        INDICATOR_COLUMNS,
        table="Indicators",
        preamble=[
            "Indicators: percent favourable per audience",
            f"Groups of fewer than {k} respondents read 'fewer than {k}'. "
            "Percentages are of answers excluding Don't know.",
        ],
    )
    for row in indicator_rows(results, names):
        sheet.append(row)
    sheet.close()


def _disparities(wb: Any, name: str, results: RoundResults) -> None:
    labels = {a.audience: a.label for a in results.audiences}
    sheet = TableSheet(
        wb,
        name,
        [
            Column("Indicator", 11),
            Column("Indicator title", 40, WRAP),
            Column("Scale group", 12),
            Column("Gap (percentage points)", 14),
            Column("Highest", 26, WRAP),
            Column("Lowest", 26, WRAP),
            Column("Audiences compared", 50, WRAP),
        ],
        table="Disparities",
        preamble=[
            "Disparities: the gap between audiences on each indicator, largest first",
            "Only audiences whose figures are shown are compared.",
        ],
    )
    titles = {i.indicator_id: i.title for i in results.indicators}
    for spread in results.disparities:
        sheet.append(
            [
                spread.indicator,
                titles.get(spread.indicator, ""),
                spread.pooled_group,
                whole_percent(spread.spread),
                ", ".join(labels.get(a, a) for a in spread.highest),
                ", ".join(labels.get(a, a) for a in spread.lowest),
                "; ".join(f"{labels.get(a, a)} {whole_percent(p)}%" for a, p in spread.percents),
            ]
        )
    sheet.close()


def _items(wb: Any, results: RoundResults, names: Names, claim: Any) -> None:
    scales = [s for s in SCALES if any(item.scale_id == s for item in results.items)]
    labels = {a.audience: a.label for a in results.audiences}
    k = results.threshold
    for scale_id in scales:
        title = (
            "Items" if len(scales) == 1 else f"Items ({SCALE_SHEET_SUFFIX.get(scale_id, scale_id)})"
        )
        sheet = TableSheet(
            wb,
            claim(title),
            item_columns(scale_id),
            table=f"Items_{scale_id}",
            preamble=[
                f"Items: the full distribution of answers ({get_scale(scale_id).title})",
                f"Each statement's answers per audience. Statements answered by fewer than {k} "
                f"people read 'fewer than {k}'.",
            ],
        )
        for item in results.items:
            if item.scale_id == scale_id:
                sheet.append(item_row(item, labels.get(item.audience, item.audience), k, names))
        sheet.close()


# -- Evidence and comments -------------------------------------------------------------------------


def _evidence(wb: Any, name: str, results: RoundResults) -> None:
    labels = column_labels(results)
    audience_labels = {a.audience: a.label for a in results.audiences}
    sheet = TableSheet(
        wb,
        name,
        [
            Column("Indicator", 11),
            Column("Indicator title", 30, WRAP),
            Column("Audience", 22),
            Column("About", 12),
            Column("Statement", 40, WRAP),
            Column("What stakeholders report", 70, WRAP),
            Column("Don't know", 22),
        ],
        table="Evidence",
        preamble=[
            "What stakeholders report",
            "Sentences to use beside the Self-Assessment Team's ratings, per indicator and per "
            "statement.",
        ],
    )
    for indicator in results.indicators:
        for key, cell in indicator.cells.items():
            sheet.append(
                [
                    indicator.indicator_id,
                    indicator.title,
                    labels.get(key, key),
                    "Indicator",
                    None,
                    cell.evidence,
                    cell.dont_know_text,
                ]
            )
        for item in results.items_for(indicator.indicator_id):
            sheet.append(
                [
                    indicator.indicator_id,
                    indicator.title,
                    audience_labels.get(item.audience, item.audience),
                    f"Q{item.position}",
                    item.statement,
                    item.cell.evidence,
                    item.cell.dont_know_text,
                ]
            )
    sheet.close()


def _comments(
    wb: Any,
    name: str,
    rnd: FeedbackRound,
    results: RoundResults,
    names: Names,
    rng: random.Random,
) -> None:
    k = results.threshold
    prompts = {p.code: p.prompt for p in FREE_TEXT_PROMPTS}
    sheet = TableSheet(
        wb,
        name,
        [
            Column("Section", 30, WRAP),
            Column("Group", 24),
            Column("Question", 22),
            Column("Comment", 90, WRAP),
        ],
        table="Comments",
        preamble=[
            "Comments",
            f"Only groups of {k} or more people, in random order. Comments a coordinator hid "
            "are left out.",
        ],
    )
    for group in visible_comments(rnd, rng=rng):
        for comment in group.comments:
            sheet.append(
                [
                    names.section(group.section_id),
                    group.label,
                    prompts.get(comment.prompt.value, comment.prompt.value),
                    comment.text,
                ]
            )
    sheet.close()
