"""The round workbook's sheets for the round's own questions (issue 20).

"Own questions": every figure, one row per question, audience and answer, already suppressed
by `app.services.results` (a hidden count says why). "Own answers": the words of free-text
answers and of "Other, please say", as comments: only groups of k or more, a fresh random order,
hidden ones left out. No per-respondent row carries an own question's answer: beside the
suppressed counts it would give them away.
"""

from __future__ import annotations

import random
from typing import Any

from app.models import FeedbackRound
from app.services.documents.round_tables import proportion
from app.services.documents.workbook import PERCENT, WRAP, Column, TableSheet
from app.services.results import RoundResults, own_texts


def write_own_questions(
    wb: Any, claim: Any, rnd: FeedbackRound, results: RoundResults, rng: random.Random
) -> None:
    if not results.own_questions:
        return
    k = results.threshold
    labels = {a.audience: a.label for a in results.audiences}
    sheet = TableSheet(
        wb,
        claim("Own questions"),
        [
            Column("Question", 40, WRAP),
            Column("Type", 22),
            Column("Beside indicator", 12),
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
            "Your own questions: every figure, per audience",
            f"Counts of fewer than {k} people are hidden, and so is any count that would let "
            "a hidden one be worked out. Several choices: % of the group choosing each "
            "option. Percent yes: of those answering yes or no. Median: 10 or more answers "
            "with every group shown. None of these counts towards percent favourable.",
        ],
    )
    for question in results.own_questions:
        for row in question.figure_rows(k):
            median = row.answer_code == "median"  # a number, in the Count column
            count = row.percent if median else row.count
            sheet.append(
                [
                    question.text,
                    question.kind_label,
                    question.indicator_id or "The round as a whole",
                    labels.get(row.audience, row.audience),
                    row.answer,
                    count if count is not None else row.hidden or None,
                    None if median else proportion(row.percent),
                    proportion(row.ci_low),
                    proportion(row.ci_high),
                    row.hidden or None,
                ]
            )
    sheet.close()
    words = own_texts(rnd, results.own_questions, rng)
    sheet = TableSheet(
        wb,
        claim("Own answers"),
        [
            Column("Question", 40, WRAP),
            Column("Audience", 22),
            Column("What they wrote", 90, WRAP),
        ],
        table="OwnAnswers",
        preamble=[
            "Your own questions: what people wrote",
            f"Only groups of {k} or more people, in random order; “Other” only where its count "
            "is shown. Words a coordinator hid are left out.",
        ],
    )
    for question in results.own_questions:
        for group in words.get(question.question_id, []):
            for text in group.texts:
                sheet.append([question.text, labels.get(group.audience, group.audience), text.text])
    sheet.close()
