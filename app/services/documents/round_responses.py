"""The Responses sheets: anonymised raw answers, one sheet per audience the results show.

What keeps them anonymous (DESIGN.md 6):
- only audiences whose figures the results show (k or more respondents);
- only items whose figures the results show for that audience (an item answered by fewer than
  k people is left out: its answers would be its distribution);
- no response id, channel, language or anything time-like; rows in a fresh random order
  (stored order could follow submission order);
- the role column only in the final results (round closed), and only when every role group,
  "no answer" included, has k or more people;
- no comments (they appear on their own sheet, in random order, never beside answers).

Answers are streamed in chunks of responses, so memory stays flat however big the round is.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import String, cast, select

from app.extensions import db
from app.models import Answer, FeedbackRound, Response, RoundStatus
from app.services.documents.workbook import (
    SHEET_NAME_MAX,
    Column,
    TableSheet,
    is_formula_like,
    sheet_name,
    unique_headers,
)
from app.services.mix import shown
from app.services.results import CellStatus, ItemResult, RoundResults
from surveys.scales import get_scale
from surveys.suppression import suppress_counts

CHUNK = 500  # responses per answers query
HEADER_STATEMENT_CHARS = 90


def responses_sheet_title(label: str) -> str:
    """ "Responses Staff"; "Resp. Children and young people" where the full word will not fit."""
    title = f"Responses {label}"
    return title if len(title) <= SHEET_NAME_MAX else f"Resp. {label}"


def role_split_allowed(roles: Sequence[str | None], k: int) -> bool:
    """True when every role group (no answer counts as one) has k or more people, or none."""
    counts = Counter(role or "" for role in roles)
    return not suppress_counts(dict(counts), k, with_total=True).hidden


def write_responses(
    wb: Any, rnd: FeedbackRound, results: RoundResults, rng: random.Random, taken: list[str]
) -> None:
    questionnaires = {q.audience: q for q in rnd.questionnaires}
    k = results.threshold
    cut = shown(rnd.id)  # the same responses the figures count (one release behind while live)
    for summary in results.audiences:
        if summary.status != CellStatus.SHOWN:
            continue
        items = sorted(
            (i for i in results.items if i.audience == summary.audience), key=lambda i: i.position
        )
        kept = [i for i in items if i.cell.status in (CellStatus.SHOWN, CellStatus.EMPTY)]
        left_out = [i for i in items if i not in kept]
        responses = list(
            db.session.execute(
                select(Response.id, Response.role).where(
                    Response.round_id == rnd.id,
                    Response.audience == summary.audience,
                    cut.where(Response.release_batch),
                )
            ).tuples()
        )
        rng.shuffle(responses)
        questionnaire = questionnaires.get(summary.audience)
        role_question = questionnaire.role_question if questionnaire else None
        # Breakdowns within an audience only in the final results (DESIGN 6.6): live, a role
        # column would change by fewer than k people in a role between two downloads.
        final = rnd.status == RoundStatus.CLOSED
        roles = (
            final
            and role_question is not None
            and any(role for _, role in responses)
            and role_split_allowed([role for _, role in responses], k)
        )
        role_labels = (
            {str(o["code"]): str(o["label"]) for o in role_question["options"]}
            if role_question
            else {}
        )
        notes = [
            "One row per response, in random order. Answers are the words on the "
            "questionnaire; a blank cell was not answered. There are no names, ids, dates "
            "or channels, and comments are on their own sheet."
        ]
        if left_out:
            codes = ", ".join(f"Q{i.position}" for i in left_out)
            notes.append(f"Left out: {codes} (fewer than {k} people answered).")
        if role_question and not final:
            notes.append(
                "The role question is left out while the round is open: answers by role "
                "appear only in the final results, once the round has closed."
            )
        elif role_question and not roles:
            notes.append(
                f"The role question is left out: at least one role group has fewer than {k} people."
            )
        name = sheet_name(responses_sheet_title(summary.label), taken)
        taken.append(name)
        headers = unique_headers(
            ["Response", *(["Role"] if roles else []), *(_item_header(i) for i in kept)]
        )
        sheet = TableSheet(
            wb,
            name,
            [Column(headers[0], 10), *(Column(h, 18) for h in headers[1:])],
            table=f"Responses_{summary.audience}",
            preamble=[f"Responses: {summary.label}", *notes],
        )
        _write_rows(sheet, responses, kept, role_labels if roles else None)
        sheet.close()


def _item_header(item: ItemResult) -> str:
    statement = " ".join(item.statement.split())
    if len(statement) > HEADER_STATEMENT_CHARS:
        statement = statement[: HEADER_STATEMENT_CHARS - 1].rstrip() + "…"
    return f"Q{item.position}. {statement}"


def _write_rows(
    sheet: TableSheet,
    responses: list[tuple[uuid.UUID, str | None]],
    items: list[ItemResult],
    role_labels: dict[str, str] | None,
) -> None:
    """Each chunk of responses is one indexed query; answers land straight in their cells."""
    column = _keyed({item.item_id: n for n, item in enumerate(items)})
    labels = [_labels(item.scale_id) for item in items]
    trusted = role_labels is None or not any(is_formula_like(v) for v in role_labels.values())
    lead = 1 if role_labels is None else 2
    number = 0
    for chunk in _chunks(responses, CHUNK):
        grid: list[list[Any]] = []
        for _response_id, role in chunk:
            number += 1
            row: list[Any] = [number]
            if role_labels is not None:
                row.append(role_labels.get(role or "", role or ""))
            grid.append(row + [None] * len(items))
        position = _keyed({response_id: n for n, (response_id, _) in enumerate(chunk)})
        for response_id, item_id, value in _answers([r for r, _ in chunk]):
            j = column.get(item_id)
            if j is not None:
                grid[position[response_id]][lead + j] = labels[j].get(value)
        for row in grid:
            if trusted:
                sheet.append_trusted(row)
            else:
                sheet.append(row)


def _keyed(index: dict[uuid.UUID, int]) -> dict[str, int]:
    """Look-ups by a uuid's text as the database returns it: hex (SQLite) or canonical (PG)."""
    keyed: dict[str, int] = {}
    for key, n in index.items():
        keyed[key.hex] = n
        keyed[str(key)] = n
    return keyed


def _labels(scale_id: str) -> dict[str, str]:
    return {option.code: option.label for option in get_scale(scale_id).options}


def _chunks(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


_ANSWER = Answer.__table__.c


def _answers(response_ids: list[uuid.UUID]) -> Iterator[tuple[str, str, str]]:
    """(response id, item id, value) as plain text: a Core query on the primary-key index,
    skipping the ORM and per-row uuid parsing (2,000,000 of them for a big round)."""
    statement = select(
        cast(_ANSWER.response_id, String), cast(_ANSWER.item_id, String), _ANSWER.value
    ).where(_ANSWER.response_id.in_(response_ids))
    yield from db.session.connection().execute(statement).tuples()
