"""Response rates and results: the pages' own figures, suppressed and lagging the same way.

Every figure comes from the services the pages use (`app.services.results.round_results`,
`app.services.invitations.response_rates` with `received_by_audience`), which have already
applied the round's threshold and show answers one release behind while a round is live
(DESIGN.md 6.5, 6.6). A figure the page hides is an explicit `Suppressed` here, with the
reason the page's words give ("fewer than k responses" for a group under k, "protects a
smaller group" for a figure hidden so that one cannot be worked out); never a missing key.
There is no operation that lists responses or says who has answered.
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel

from app.api.auth import ApiCall
from app.api.blueprint import bp
from app.api.problems import ApiProblem
from app.api.registry import operation
from app.api.rounds import load_round
from app.api.schemas import ApiModel, CountOrSuppressed, Suppressed, suppressed
from app.dates import today
from app.invitations.common import audience_labels
from app.models import ApiPermission, Channel, FeedbackRound, RoundStatus
from app.services import results as service
from app.services.invitations import received_by_audience, response_rates
from app.services.mix import shown
from app.services.results import Cell, CellStatus
from app.services.results.audiences import channel_split
from surveys.evidence import PROTECTS_SMALLER_GROUP

CHANNELS = (Channel.EMAIL.value, Channel.OPEN_LINK.value, Channel.PAPER.value, Channel.KIOSK.value)

# -- response rates ----------------------------------------------------------------------------


class Channels(ApiModel):
    email: CountOrSuppressed
    open_link: CountOrSuppressed
    paper: CountOrSuppressed
    kiosk: CountOrSuppressed


class AudienceRateOut(ApiModel):
    audience: str
    label: str
    invited: int  # invitations: not a figure about respondents, always shown
    delivered: int
    not_delivered: int
    opted_out: int
    answers_received: CountOrSuppressed
    by_channel: Channels
    email_response_rate: float | Suppressed | None  # percent of invited; null: nobody invited


class TotalsOut(ApiModel):
    invited: int
    delivered: int
    answers_received: CountOrSuppressed


class ResponseRates(ApiModel):
    round_id: uuid.UUID
    status: Literal["draft", "live", "closed"]
    threshold: int
    audiences: list[AudienceRateOut]
    total: TotalsOut


def _reason(notice: str, k: int) -> Suppressed:
    return suppressed(notice != PROTECTS_SMALLER_GROUP, k)


def _channel(value: int | None, small: bool, hidden: Suppressed | None, k: int) -> int | Suppressed:
    """A channel's count in an audience: hidden with the audience, or on its own when it is
    under k (`small`) or would give such a channel away."""
    if hidden is not None:
        return hidden
    return value if value is not None else suppressed(small, k)


def _rate(email: int | Suppressed, invited: int) -> float | Suppressed | None:
    """Answered by email as a percentage of those invited; null when nobody was invited."""
    if not invited:
        return None
    return email if isinstance(email, Suppressed) else 100 * email / invited


@operation(
    bp,
    "GET",
    "/rounds/<uuid:round_id>/response-rates",
    name="get_response_rates",
    summary="How many have answered, per audience and channel (as the Responses page)",
    tag="Results",
    scope=ApiPermission.READ_RESULTS,
    response=ResponseRates,
    description="Counts of people who have answered: an audience under the threshold, a "
    "channel that would give one away and a total that would give a small audience away are "
    "suppressed. Never who has answered.",
)
def rates(call: ApiCall, _body: None, round_id: uuid.UUID) -> BaseModel:
    rnd = load_round(call, round_id)
    k = rnd.threshold
    found = response_rates(rnd, audience_labels(rnd), today())
    received = received_by_audience(found, k)
    audiences = []
    for a in found.audiences:
        got = received.audiences[a.audience]
        hidden = None if got.shown else _reason(got.notice, k)
        channels = Channels(
            **{c: _channel(got.channels[c], c in got.small, hidden, k) for c in CHANNELS}
        )
        audiences.append(
            AudienceRateOut(
                audience=a.audience,
                label=a.label,
                invited=a.invited,
                delivered=a.delivered,
                not_delivered=a.failed,
                opted_out=a.opted_out,
                answers_received=hidden if hidden is not None else int(got.count or 0),
                by_channel=channels,
                email_response_rate=_rate(channels.email, a.invited),
            )
        )
    total = received.total if received.total is not None else _reason(received.total_notice, k)
    return ResponseRates(
        round_id=rnd.id,
        status=rnd.status.value,
        threshold=k,
        audiences=audiences,
        total=TotalsOut(
            invited=found.total.invited,
            delivered=found.total.delivered,
            answers_received=total,
        ),
    )


# -- results -----------------------------------------------------------------------------------


class Figures(ApiModel):
    """A group's figure for an item or an indicator. `status` "empty": nobody answered."""

    suppressed: Literal[False] = False
    status: Literal["shown", "empty"]
    respondents: int
    people: int  # people behind `base`
    base: int  # answers other than Don't know (the denominator)
    favourable: int
    dont_know: int
    percent_favourable: float | None  # unrounded, 0..100
    ci_low: float | None  # 95%, unrounded percent
    ci_high: float | None
    quantity_word: str | None
    evidence: str
    distribution: dict[str, int] | None = None  # items only: the full distribution


FiguresOrSuppressed = Figures | Suppressed


class ItemOut(ApiModel):
    item_id: uuid.UUID
    audience: str
    statement: str
    scale_id: str
    theme_id: str | None
    figures: FiguresOrSuppressed


class IndicatorCellOut(ApiModel):
    column: str  # the audience, or "audience/group" for an audience's second scale group
    audience: str
    scale_group: str
    figures: FiguresOrSuppressed


class IndicatorResults(ApiModel):
    indicator_id: str
    title: str
    section_id: str
    cells: list[IndicatorCellOut]  # one per audience asked about it
    items: list[ItemOut]


class AudienceResults(ApiModel):
    audience: str
    label: str
    status: Literal["shown", "suppressed", "empty"]
    invited: int
    respondents: CountOrSuppressed
    by_channel: Channels
    email_response_rate: float | Suppressed | None
    scales: list[str]


class OwnFigureOut(ApiModel):
    """One figure of one of the round's own questions (issue 20), already suppressed."""

    audience: str
    answer_code: str  # an option code, yes/no/dk, a bin "low..high", "none", or a headline
    answer: str
    count: CountOrSuppressed | None  # null for a headline (percent yes, median)
    percent: float | Suppressed | None  # unrounded; the median for "median"
    ci_low: float | None
    ci_high: float | None


class OwnQuestionOut(ApiModel):
    question_id: uuid.UUID
    kind: Literal["yes_no", "one_choice", "several_choices", "number", "free_text"]
    text: str
    indicator_id: str | None  # null: about the round as a whole
    asked_of: list[str]  # the audiences asked it: no other audience has a figure for it
    figures: list[OwnFigureOut]


class ResultsOut(ApiModel):
    round_id: uuid.UUID
    round_name: str
    framework_id: str
    status: Literal["live", "closed"]
    final: bool  # closed: these are the final results; live: one release behind
    threshold: int
    total_respondents: CountOrSuppressed
    audiences: list[AudienceResults]
    indicators: list[IndicatorResults]
    own_questions: list[OwnQuestionOut]  # never part of percent favourable


def _own_questions(found: service.RoundResults) -> list[OwnQuestionOut]:
    """The round's own questions: the same rows as the workbook, hidden ones explained."""
    k = found.threshold
    listed = []
    for question in found.own_questions:
        rows = []
        for row in question.figure_rows(k):
            headline = row.answer_code in ("percent_yes", "median")
            empty = row.hidden == "No responses"  # an audience nobody answered for
            hidden = _reason(row.hidden, k) if row.hidden and not empty else None
            count: int | Suppressed | None = row.count if row.count is not None else hidden
            percent: float | Suppressed | None = row.percent
            if empty:
                count = 0
            if headline:
                count, percent = None, hidden if hidden is not None else row.percent
            rows.append(
                OwnFigureOut(
                    audience=row.audience,
                    answer_code=row.answer_code,
                    answer=row.answer,
                    count=count,
                    percent=percent,
                    ci_low=row.ci_low,
                    ci_high=row.ci_high,
                )
            )
        listed.append(
            OwnQuestionOut(
                question_id=question.question_id,
                kind=question.kind.value,
                text=question.text,
                indicator_id=question.indicator_id,
                asked_of=list(question.asked_of),
                figures=rows,
            )
        )
    return listed


def _figures(
    cell: Cell, k: int, distribution: dict[str, int] | None = None
) -> Figures | Suppressed:
    if cell.status == CellStatus.SUPPRESSED:
        return suppressed(True, k)  # an audience under k, or an item fewer than k answered
    return Figures(
        status="empty" if cell.status == CellStatus.EMPTY else "shown",
        respondents=cell.respondents or 0,
        people=cell.people or 0,
        base=cell.base or 0,
        favourable=cell.favourable or 0,
        dont_know=cell.dont_know or 0,
        percent_favourable=cell.percent,
        ci_low=cell.ci_low,
        ci_high=cell.ci_high,
        quantity_word=cell.word,
        evidence=cell.evidence,
        distribution=distribution,
    )


def _audiences(rnd: FeedbackRound, results: service.RoundResults) -> list[AudienceResults]:
    k = results.threshold
    # The channel split's own decisions (the pages' own), for the reason a hidden channel gives.
    raw = service.respondent_counts(rnd.id, shown(rnd.id))
    found = []
    for a in results.audiences:
        hidden = suppressed(True, k) if a.suppressed else None
        split = channel_split(raw.get(a.audience, {}), k)
        values = {
            Channel.EMAIL.value: a.completed,
            Channel.OPEN_LINK.value: a.open_link_responses,
            Channel.PAPER.value: a.paper_responses,
            Channel.KIOSK.value: a.kiosk_responses,
        }
        channels = Channels(
            **{c: _channel(values[c], c in split.primary, hidden, k) for c in CHANNELS}
        )
        found.append(
            AudienceResults(
                audience=a.audience,
                label=a.label,
                status=a.status.value,
                invited=a.invited,
                respondents=hidden if hidden is not None else int(a.respondents or 0),
                by_channel=channels,
                email_response_rate=_rate(channels.email, a.invited),
                scales=list(a.scales),
            )
        )
    return found


@operation(
    bp,
    "GET",
    "/rounds/<uuid:round_id>/results",
    name="get_results",
    summary="A round's results per indicator and audience, with each item (as the pages)",
    tag="Results",
    scope=ApiPermission.READ_RESULTS,
    response=ResultsOut,
    errors=(409,),
    description="The figures of the round's results pages. While the round is live each "
    "audience's answers are shown as they stood one release earlier; a group under the "
    "threshold is suppressed, and so is any figure that would give one away. 409 for a draft.",
)
def results(call: ApiCall, _body: None, round_id: uuid.UUID) -> BaseModel:
    rnd = load_round(call, round_id)
    try:
        service.ensure_results(rnd)
    except service.ResultsUnavailable as exc:
        raise ApiProblem(409, str(exc)) from None
    found = service.round_results(rnd)
    k = found.threshold
    columns = {c.key: c for c in found.columns}
    if found.total_respondents is None:
        notice = service.total_respondents_shown([rnd])[rnd.id].notice
        total: int | Suppressed = _reason(notice, k)
    else:
        total = found.total_respondents
    indicators = [
        IndicatorResults(
            indicator_id=ind.indicator_id,
            title=ind.title,
            section_id=ind.section_id,
            cells=[
                IndicatorCellOut(
                    column=key,
                    audience=columns[key].audience if key in columns else key,
                    scale_group=columns[key].pooled_group if key in columns else "",
                    figures=_figures(cell, k),
                )
                for key, cell in ind.cells.items()
            ],
            items=[
                ItemOut(
                    item_id=item.item_id,
                    audience=item.audience,
                    statement=item.statement,
                    scale_id=item.scale_id,
                    theme_id=item.theme_id,
                    figures=_figures(item.cell, k, item.distribution),
                )
                for item in found.items_for(ind.indicator_id)
            ],
        )
        for ind in found.indicators
    ]
    return ResultsOut(
        round_id=rnd.id,
        round_name=found.round_name,
        framework_id=found.framework_id,
        status="closed" if rnd.status == RoundStatus.CLOSED else "live",
        final=found.frozen,
        threshold=k,
        total_respondents=total,
        audiences=_audiences(rnd, found),
        indicators=indicators,
        own_questions=_own_questions(found),
    )
