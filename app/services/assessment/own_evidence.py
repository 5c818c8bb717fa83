"""The round's own questions bound to an indicator, frozen into its imported evidence (issue 20).

Each question travels exactly as the round's results page shows it: per audience and answer
the figure already suppressed by `app.services.results` (a hidden count keeps only why), and
the words of free text and "Other, please say" only for groups the results page shows them for
(k or more people, "Other" only where its count is shown, words a coordinator hid left out).
They sit beside the indicator's figures and never feed percent favourable or the SAT flags.
"""

from __future__ import annotations

import random
from dataclasses import asdict
from typing import Any

from app.models import FeedbackRound
from app.services.results import OwnQuestionResult, RoundResults, own_texts
from surveys import question_types as qt

LABEL = "The round's own question"
NOT_FAVOURABLE = "Not part of percent favourable."


def _words_notice(question: OwnQuestionResult, k: int) -> str:
    """What the results page says in place of a small group's words."""
    if question.kind != qt.Kind.FREE_TEXT:
        return (
            "Not shown: too few people in this group chose “Other”, or the count is hidden "
            "to protect a smaller group."
        )
    return f"Fewer than {k} responses: words from this group are not shown."


def _question_payload(
    question: OwnQuestionResult, words: list[Any], k: int, labels: dict[str, str]
) -> dict[str, Any]:
    figures = []
    for row in question.figure_rows(k):
        figure = asdict(row)
        figure["label"] = labels.get(row.audience, row.audience)
        figures.append(figure)
    groups = []
    if question.kind == qt.Kind.FREE_TEXT or question.spec.other:
        for group in words:
            groups.append(
                {
                    "audience": group.audience,
                    "label": labels.get(group.audience, group.audience),
                    "suppressed": bool(group.suppressed),
                    "notice": _words_notice(question, k) if group.suppressed else "",
                    "texts": [] if group.suppressed else [t.text for t in group.texts],
                    "hidden_count": 0 if group.suppressed else group.hidden_count,
                }
            )
    return {
        "question_id": str(question.question_id),
        "kind": question.kind.value,
        "kind_label": question.kind_label,
        "text": question.text,
        "options": [label for _, label in question.spec.choices]
        if question.kind in (qt.Kind.ONE_CHOICE, qt.Kind.SEVERAL_CHOICES)
        else [],
        "bins": [label for _, label in question.spec.bin_choices],
        "columns": [c.label for c in question.cells],
        "table": question.text_rows(k) if question.rows else [],
        "figures": figures,
        "words": groups,
    }


def own_question_payloads(
    rnd: FeedbackRound,
    results: RoundResults,
    indicator_id: str,
    rng: random.Random | None = None,
) -> list[dict[str, Any]]:
    """The frozen record of every own question of the round bound to `indicator_id`."""
    bound = [q for q in results.own_questions if q.indicator_id == indicator_id]
    if not bound:
        return []
    k = results.threshold
    labels = {a.audience: a.label for a in results.audiences}
    # The same reader as the results page: small groups, hidden words and "Other" rules apply.
    words = own_texts(rnd, results.own_questions, rng)
    return [_question_payload(q, words.get(q.question_id, []), k, labels) for q in bound]


def describe_lines(payload: dict[str, Any]) -> list[str]:
    """The evidence item's description lines for its own questions, in plain words."""
    lines = []
    for question in payload.get("own_questions", []):
        lines.append(
            f"{LABEL} ({question['kind_label']}; {NOT_FAVOURABLE.lower().rstrip('.')}): "
            f"“{question['text']}”"
        )
        columns = question.get("columns", []) if question.get("table") else []
        audiences = list(dict.fromkeys(f["audience"] for f in question.get("figures", [])))
        for n, column in enumerate(columns, start=1):
            cells = [(row[0], row[n]) for row in question.get("table", []) if len(row) > n]
            mine = [f for f in question["figures"] if f["audience"] == audiences[n - 1]]
            notices = {f["hidden"] for f in mine}
            if (
                mine
                and all(f["count"] is None and f["percent"] is None for f in mine)
                and (len(notices) == 1)
            ):  # the whole group is hidden: say so once
                lines.append(f"{column}: {next(iter(notices)).rstrip('.')}.")
            elif cells:
                lines.append(f"{column}: {'; '.join(f'{a}: {w}' for a, w in cells)}.")
        for group in question.get("words", []):
            if group["suppressed"]:
                lines.append(f"{group['label']} wrote: {group['notice']}")
            elif group["texts"]:
                quoted = "; ".join(f"“{t}”" for t in group["texts"])
                lines.append(f"{group['label']} wrote: {quoted}")
    return lines
