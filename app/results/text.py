"""The round overview as plain text, for `flask --app wsgi rounds results`.

Prints only what `round_results` lets any page show: the same threshold, the same notices.
"""

from __future__ import annotations

from app.services.results import Cell, RoundResults
from surveys.statistics import whole_percent


def _cell_text(cell: Cell | None) -> str:
    if cell is None:
        return "not asked"
    if not cell.shown:
        return cell.evidence
    if cell.percent is None:
        return f"only Don't know answers (n = {cell.respondents})"
    return (
        f"{cell.word} {cell.percent_text} "
        f"(n = {cell.respondents}; {cell.favourable} of {cell.base} answers favourable, "
        f"from {cell.people_text}; "
        f"95% CI {cell.interval_text}; Don't know {cell.dont_know})"
    )


def overview_text(results: RoundResults) -> str:
    lines = [f"{results.round_name} ({results.framework_title})"]
    if results.frozen:
        closed = f" on {results.closed_at.date().isoformat()}" if results.closed_at else ""
        lines.append(f"Closed{closed}: results are final.")
    else:
        lines.append("Live: figures change as responses arrive.")
    k = results.threshold
    lines.append(f"Anonymity threshold {k}: nothing is shown for a group of fewer than {k} people.")
    lines += ["", "Who answered"]
    width = max([len(a.label) for a in results.audiences] + [len("All groups")]) + 2
    for a in results.audiences:
        head = f"  {a.label:<{width}}invited {a.invited:<6}"
        if a.suppressed:
            lines.append(head + a.notice)
            continue
        channels = ", ".join(
            f"{name} {'not shown' if value is None else value}"
            for name, value in (
                ("email", a.completed),
                ("open link", a.open_link_responses),
                ("paper", a.paper_responses),
                ("kiosk", a.kiosk_responses),
            )
        )
        lines.append(head + f"responses {a.respondents} ({channels})")
    total = "not shown" if results.total_respondents is None else results.total_respondents
    lines.append(f"  {'All groups':<{width}}responses {total}")
    lines += ["", "What each group reports (percent favourable)"]
    for indicator in results.indicators:
        lines.append(f"{indicator.indicator_id} {indicator.title}")
        for column in results.columns:
            cell = indicator.cells.get(column.key)
            if cell is not None:
                lines.append(f"  {column.label:<{width}}{_cell_text(cell)}")
        for d in indicator.disparities:
            lines.append(f"  Gap between groups: {whole_percent(d.spread)} percentage points")
    return "\n".join(lines)
