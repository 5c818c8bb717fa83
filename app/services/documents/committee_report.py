"""The committee results report of a round (issue 19), as PDF and as Word.

For a committee or an elected members' briefing: who was asked and who answered, per indicator
each group's figure in words with its interval and the full distribution of every statement,
the largest gaps between groups, and the comments that may be shown.

Every figure comes from `app.services.results.round_results` and every comment from
`visible_comments`, the code path of the results pages: the same threshold, the same
complementary suppression, and for a live round the same release-behind figures. A cell the
service hides carries no numbers, only its notice, and that notice is what the report prints.
Hidden comments are left out; a group under k has no comment of its own shown, not even mixed.
"""

from __future__ import annotations

import contextlib
import random
from datetime import date
from typing import IO

from app.dates import long_date
from app.dates import today as service_day
from app.models import CommentPrompt, FeedbackRound
from app.services.documents.report_docx import write_docx
from app.services.documents.report_model import Bar, Report
from app.services.documents.report_pdf import write_pdf
from app.services.documents.self_evaluation import (
    ANONYMITY_METHOD,
    FIGURES_METHOD,
    organisation_name,
)
from app.services.results import (
    Cell,
    CommentGroup,
    RoundComparison,
    RoundResults,
    compare_rounds,
    earlier_rounds,
    framework_of,
    own_texts,
    round_results,
    visible_comments,
)
from surveys.scales import get_scale
from surveys.statistics import Disparity, whole_percent

PROMPTS = {
    CommentPrompt.WORKS_WELL: "What works well?",
    CommentPrompt.COULD_BE_BETTER: "What could be better?",
}
DISPARITIES_SHOWN = 10


def cell_text(cell: Cell) -> str:
    """A group's figure in words, or the notice the results service gave a hidden cell."""
    if not cell.shown:
        return cell.evidence
    if cell.percent is None:
        return f"Only Don't know answers ({cell.respondents} respondents)"
    return (
        f"{cell.word} {cell.percent_text} favourable ({cell.favourable} of {cell.base} answers "
        f"from {cell.people_text}; 95% CI {cell.interval_text}; Don't know {cell.dont_know})"
    )


def cell_bar(label: str, cell: Cell) -> Bar:
    if not cell.shown or cell.percent is None:
        return Bar(label, cell_text(cell))
    return Bar(
        label, cell_text(cell), cell.percent, cell.ci_low, cell.ci_high, cell.percent_text or ""
    )


def gap_words(d: Disparity, labels: dict[str, str]) -> str:
    percents = dict(d.percents)

    def name(audiences: tuple[str, ...]) -> str:
        return " and ".join(
            f"{labels.get(a, a)} ({whole_percent(percents[a])}%)" for a in audiences
        )

    points = whole_percent(d.spread)
    return (
        f"{points} percentage point{'s' if points != 1 else ''} between "
        f"{name(d.highest)} and {name(d.lowest)}"
    )


def build_committee_report(
    rnd: FeedbackRound, *, rng: random.Random | None = None, today: date | None = None
) -> tuple[Report, RoundResults]:
    """The report's content, and the results it shows (for tests: the very same object)."""
    results = round_results(rnd)
    rng = rng or random.SystemRandom()
    framework = framework_of(rnd)
    k = results.threshold
    org = organisation_name(rnd.organisation_id)
    status = (
        f"Closed {long_date(results.closed_at)}: results are final."
        if results.frozen and results.closed_at
        else "Live: figures as they stood one release ago; they change as responses arrive."
    )
    report = Report(
        title=f"{rnd.name}: results",
        subtitle=f"Committee results report{f' for {org}' if org else ''}",
        cover=[
            ("Organisation", org),
            ("Framework", results.framework_title),
            ("Open", f"{long_date(rnd.opens_on)} to {long_date(rnd.closes_on)}"),
            ("Status", status),
            ("Anonymity threshold", f"{k}: nothing is shown for a group of fewer than {k}"),
            ("Report written", long_date(today or service_day())),
        ],
        footer=f"{rnd.name}: results",
    )
    labels = {a.audience: a.label for a in results.audiences}

    report.heading(1, "Who was asked and who answered")
    rows = []
    for a in results.audiences:
        if a.suppressed or a.respondents is None:
            rows.append([a.label, str(a.invited), a.notice or "Not shown", "Not shown"])
            continue
        rate = (
            f"{a.response_rate_text} ({a.completed} of {a.invited})"
            if a.response_rate_text
            else "No email invitations"
        )
        rows.append([a.label, str(a.invited), str(a.respondents), rate])
    total = results.total_respondents
    rows.append(["All groups", "", "Not shown" if total is None else str(total), ""])
    report.table(
        "Responses by group",
        ["Group", "Invited by email", "Responses", "Email response rate"],
        rows,
    )

    report.heading(1, "Summary by indicator")
    report.table(
        "Percent favourable by indicator and group",
        ["Indicator", *(c.label for c in results.columns)],
        [
            [
                r.label,
                *(
                    (
                        r.cells[c.key].percent_text or "Don't know only"
                        if r.cells[c.key].shown
                        else r.cells[c.key].evidence
                    )
                    if c.key in r.cells
                    else "Not asked"
                    for c in results.columns
                ),
            ]
            for r in results.indicators
        ],
    )
    gaps = results.disparities[:DISPARITIES_SHOWN]
    report.heading(2, "The largest gaps between groups")
    if gaps:
        titles = {r.indicator_id: r.label for r in results.indicators}
        report.bullets(
            [f"{titles.get(d.indicator, d.indicator)}: {gap_words(d, labels)}" for d in gaps]
        )
    else:
        report.para("No indicator has two groups whose figures can be compared.", "note")

    comments = visible_comments(rnd, rng=rng)
    sections_done: set[str] = set()
    indicators = results.indicators
    for n, result in enumerate(indicators):
        section_title = result.section_id
        if framework is not None and result.section_id:
            with contextlib.suppress(KeyError):
                section_title = f"{result.section_id} {framework.section(result.section_id).title}"
        if result.section_id not in sections_done:
            report.heading(1, section_title)
            sections_done.add(result.section_id)
        report.heading(2, result.label)
        report.chart(
            f"Percent favourable by group, {result.indicator_id}",
            [
                cell_bar(c.label, result.cells[c.key])
                for c in results.columns
                if c.key in result.cells
            ],
        )
        for column in results.columns:
            cell = result.cells.get(column.key)
            if cell is None:
                continue
            report.heading(3, column.label, in_contents=False)
            report.para(cell.evidence if cell.shown else f"{column.label}: {cell.evidence}")
            items = [
                i
                for i in results.items_for(result.indicator_id, column.audience)
                if get_scale(i.scale_id).pooled_group == column.pooled_group
            ]
            if items:
                report.table(
                    f"{column.label}: each statement",
                    ["Statement", "Figure", "Answers"],
                    [
                        [i.statement, cell_text(i.cell), _distribution(i.scale_id, i.distribution)]
                        for i in items
                    ],
                )
        for d in result.disparities:
            report.para(f"Gap between groups: {gap_words(d, labels)}.", "note")
        last_of_section = (
            n + 1 == len(indicators) or indicators[n + 1].section_id != result.section_id
        )
        if last_of_section:
            _comments(report, [g for g in comments if g.section_id == result.section_id], k)

    _own_questions(report, rnd, results, labels, rng)
    _comparison(report, rnd, labels)

    report.heading(1, "Appendix: method")
    report.heading(2, "How the figures are worked out")
    report.para(FIGURES_METHOD)
    report.para(
        "The gap between groups is the spread in percentage points between the highest and the "
        "lowest group shown for an indicator; adults' and children's scales are compared apart."
    )
    report.heading(2, "Anonymity rules")
    report.para(ANONYMITY_METHOD)
    report.para(
        "Comments appear only for groups of at least k respondents, in random order; comments a "
        "coordinator hid are left out. While a round is live, each group's answers are shown as "
        "they stood one release earlier."
    )
    return report, results


def _own_questions(
    report: Report,
    rnd: FeedbackRound,
    results: RoundResults,
    labels: dict[str, str],
    rng: random.Random,
) -> None:
    """The round's own questions (issue 20): each as a table of suppressed counts, and the
    words people wrote as comments (groups of k or more, random order, hidden ones left out)."""
    if not results.own_questions:
        return
    k = results.threshold
    report.heading(1, "Your own questions")
    report.para(
        "Questions of the round's own, asked of every group. They are not part of percent "
        f"favourable. Any count of fewer than {k} people is hidden, and so is any count that "
        "would let a hidden one be worked out.",
        "note",
    )
    words = own_texts(rnd, results.own_questions, rng)
    for question in results.own_questions:
        report.heading(2, question.text)
        where = (
            f"shown beside indicator {question.indicator_id}"
            if question.indicator_id
            else "about the round as a whole"
        )
        report.para(f"{question.kind_label}, {where}.", "note")
        if question.rows:
            report.table(
                question.text,
                ["Answer", *(c.label for c in question.cells)],
                question.text_rows(k),
            )
        for group in words.get(question.question_id, []):
            if group.texts:
                report.heading(
                    3, f"What {labels.get(group.audience, group.audience)} wrote", in_contents=False
                )
                report.bullets([t.text for t in group.texts])


def _comparison(report: Report, rnd: FeedbackRound, labels: dict[str, str]) -> None:
    """The change since the earlier round the comparison page picks first, where one exists:
    the same statements, scale and audience only, with Newcombe's interval."""
    candidates = earlier_rounds(rnd)
    if not candidates:
        return
    before = [c for c in candidates if c.opens_on <= rnd.opens_on]
    earlier = (before or candidates)[0]
    comparison = compare_rounds(rnd, earlier)
    report.heading(1, f"Compared with “{earlier.name}”")
    report.para(
        "The same statements asked of the same group on the same scale in both rounds. A change "
        "is called significant only when its 95% interval (Newcombe) leaves out zero."
    )
    rows = []
    for item in comparison.items:
        if item.compared:
            change = f"{item.change_text} (95% CI {item.interval_text}); " + (
                "significant" if item.significant else "not significant"
            )
        else:
            change = item.reason
        rows.append(
            [
                f"{item.indicator_id}: {item.statement}",
                item.audience_label,
                cell_text(item.earlier),
                cell_text(item.current),
                change,
            ]
        )
    if rows:
        report.table(
            f"Change since {earlier.name}",
            ["Statement", "Group", "Then", "Now", "Change"],
            rows,
        )
    else:
        report.para("No statement was asked in the same words in both rounds.", "note")
    _own_comparison(report, comparison, earlier.name)


def _own_comparison(report: Report, comparison: RoundComparison, earlier_name: str) -> None:
    """The rounds' own questions asked in both, side by side as each round publishes them; a
    change only where both show the figure (`compare_own`)."""
    if not (comparison.own or comparison.own_only_current or comparison.own_only_earlier):
        return
    report.heading(2, "Your own questions in both rounds")
    report.para(
        "Questions of the rounds' own with the same type, words and options. Each round's "
        "figures are as its results show them; a change is worked out only where both rounds "
        "show the figure. Not part of percent favourable.",
        "note",
    )
    for pair in comparison.own:
        if not pair.rows:
            continue
        rows = []
        for row in pair.rows:
            change = (
                f"{row.change_text} (95% CI {row.interval_text}); "
                + ("significant" if row.significant else "not significant")
                if row.compared
                else row.reason
            )
            rows.append([row.audience_label, row.answer, row.earlier, row.current, change])
        report.table(pair.current.text, ["Group", "Answer", "Then", "Now", "Change"], rows)
    for title, listed in (
        ("Only in this round", comparison.own_only_current),
        (f"Only in “{earlier_name}”", comparison.own_only_earlier),
    ):
        if listed:
            report.para(f"{title}: " + "; ".join(f"“{q.text}”" for q in listed) + ".", "note")


def _distribution(scale_id: str, distribution: dict[str, int] | None) -> str:
    if distribution is None:
        return "Not shown"
    scale = get_scale(scale_id)
    return "; ".join(f"{scale.label(code)} {count}" for code, count in distribution.items())


def _comments(report: Report, groups: list[CommentGroup], k: int) -> None:
    if not groups:
        return
    report.heading(3, "Comments", in_contents=False)
    for group in groups:
        if group.suppressed:
            report.para(
                f"{group.label}: fewer than {k} responses, so no comments are shown.", "note"
            )
            continue
        if not group.comments:
            continue
        for prompt, heading in PROMPTS.items():
            texts = [c.text for c in group.by_prompt(prompt)]
            if texts:
                report.heading(4, f"{group.label}: {heading}", in_contents=False)
                report.bullets(texts)


def write_committee_pdf(
    rnd: FeedbackRound, out: IO[bytes], *, rng: random.Random | None = None
) -> tuple[Report, RoundResults]:
    report, results = build_committee_report(rnd, rng=rng)
    write_pdf(report, out)
    return report, results


def write_committee_docx(
    rnd: FeedbackRound, out: IO[bytes], *, rng: random.Random | None = None
) -> tuple[Report, RoundResults]:
    report, results = build_committee_report(rnd, rng=rng)
    write_docx(report, out)
    return report, results
