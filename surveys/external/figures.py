"""The figures a survey from elsewhere may show: per statement, groups under k kept out (and
complementary suppression when a group is the total of the others), favourable of valid with
Wilson's interval on the statement's valid count, and the evidence sentence. Beside a total
group, a statement whose hidden groups the rules would give away shows none of its groups
(`surveys.pinning`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from surveys.external.rows import SurveyRow
from surveys.pinning import guarded_counts
from surveys.statistics import quantity_word, whole_percent, wilson_interval
from surveys.suppression import check_threshold

Status = Literal["shown", "suppressed", "withheld", "empty"]


@dataclass(frozen=True, slots=True)
class GroupFigures:
    group: str
    status: Status
    answered: int | None = None  # None unless shown
    favourable: int | None = None
    valid: int | None = None
    dont_know: int | None = None
    options: tuple[tuple[str, int], ...] = ()

    @property
    def shown(self) -> bool:
        return self.status == "shown"


@dataclass(frozen=True, slots=True)
class StatementFigures:
    statement: str
    groups: tuple[GroupFigures, ...]
    total_group: str | None = None  # the group found to be the sum of the others
    kept_out: tuple[str, ...] = field(default=())


def _favourable_valid(row: SurveyRow, places: Mapping[str, str]) -> tuple[int, int, int]:
    if row.favourable is not None and row.valid is not None:
        return row.favourable, row.valid, row.dont_know
    favourable = sum(c for label, c in row.options if places.get(label) == "favourable")
    dont_know = sum(c for label, c in row.options if places.get(label) == "dont_know")
    return favourable, row.answered - dont_know, dont_know


def _total_group(rows: Sequence[SurveyRow]) -> str | None:
    """A group whose every count is the sum of the other groups' (an "All" row), if any."""
    if len(rows) < 3:
        return None  # with two groups, "the sum of the other" would be a copy, not a total

    def vector(row: SurveyRow) -> tuple[int, ...]:
        if row.options:
            return tuple(c for _, c in row.options)
        return (row.favourable or 0, row.valid or 0, row.dont_know)

    for candidate in rows:
        others = [vector(r) for r in rows if r is not candidate]
        summed = tuple(sum(v[i] for v in others) for i in range(len(vector(candidate))))
        if summed == vector(candidate):
            return candidate.group
    return None


def statement_figures(rows: Sequence[SurveyRow], k: int) -> StatementFigures:
    """One statement's groups as they may be shown: under k kept out, complements withheld.

    Hidden groups keep no counts at all, so nothing stored from here can show them."""
    check_threshold(k)
    total = _total_group(rows)
    parts = {r.group: r.answered for r in rows if r.group != total}
    # Beside a total, a hidden group the rules would still give away (surveys.pinning) means
    # no group of the statement is shown but the total.
    table, _ = guarded_counts(parts, k, with_total=total is not None)
    hidden_total = total is not None and table.total_suppressed
    groups = []
    for row in rows:
        if row.group == total:
            hidden, small = hidden_total, row.answered < k
        else:
            hidden, small = row.group in table.hidden, row.group in table.primary
        if hidden:  # before "empty": a concealed statement hides its zeros too
            groups.append(GroupFigures(row.group, "suppressed" if small else "withheld"))
        elif row.answered == 0:
            groups.append(GroupFigures(row.group, "empty"))
        else:
            groups.append(
                GroupFigures(
                    row.group,
                    "shown",
                    answered=row.answered,
                    favourable=row.favourable,
                    valid=row.valid,
                    dont_know=row.dont_know,
                    options=row.options,
                )
            )
    kept = tuple(g.group for g in groups if g.status in ("suppressed", "withheld"))
    return StatementFigures(rows[0].statement, tuple(groups), total, kept)


@dataclass(frozen=True, slots=True)
class GroupResult:
    """A shown group's figure; percents unrounded (0..100), interval ends as percents."""

    favourable: int
    valid: int
    dont_know: int
    answered: int
    percent: float | None
    ci_low: float | None
    ci_high: float | None
    word: str | None


def group_result(figures: GroupFigures, places: Mapping[str, str]) -> GroupResult:
    """Favourable of valid with Wilson's interval on the statement's valid count."""
    if not figures.shown or figures.answered is None:
        raise ValueError("only a shown group has figures")
    row = SurveyRow(
        0,
        "",
        figures.group,
        figures.options,
        figures.favourable,
        figures.valid,
        figures.dont_know or 0,
        figures.answered,
    )
    favourable, valid, dont_know = _favourable_valid(row, places)
    interval = wilson_interval(favourable, valid)
    percent = 100 * favourable / valid if valid else None
    return GroupResult(
        favourable,
        valid,
        dont_know,
        figures.answered,
        percent,
        interval[0] * 100 if interval else None,
        interval[1] * 100 if interval else None,
        quantity_word(percent_fraction(favourable, valid)) if valid else None,
    )


def percent_fraction(favourable: int, valid: int) -> Fraction:
    """The exact percentage, so the band word never suffers rounding (9 of 10 is "most")."""
    return Fraction(100 * favourable, valid)


_LEADS = {
    "all": "all {}",
    "almost all": "almost all {}",
    "most": "most {}",
    "majority": "the majority of {}",
    "less than half": "less than half of {}",
    "few": "few {}",
    "none": "no {}",
}


def group_phrase(group: str) -> str:
    """'Teaching staff' reads 'teaching staff' inside a sentence; 'NHS staff' stays."""
    if len(group) > 1 and group[0].isupper() and group[1].islower():
        return group[0].lower() + group[1:]
    return group


def sentence(statement: str, group: str, result: GroupResult, survey: str) -> str:
    """'Most teaching staff (78%, 32 of 41; 95% CI 63-88%) respond favourably to "..." in
    the external survey “Staff survey 2026”.'"""
    clause = statement.strip().rstrip(".").strip()
    where = f" in the external survey “{survey}”"
    if result.percent is None or result.ci_low is None or result.ci_high is None:
        text = f"No answers from {group_phrase(group)} other than Don't know{where}."
        return text[:1].upper() + text[1:]
    lead = _LEADS[result.word or "none"].format(group_phrase(group))
    figures = (
        f"{whole_percent(result.percent)}%, {result.favourable} of {result.valid}; 95% CI "
        f"{whole_percent(result.ci_low)}-{whole_percent(result.ci_high)}%"
    )
    text = f'{lead} ({figures}) respond favourably to "{clause}"{where}.'
    return text[:1].upper() + text[1:]
