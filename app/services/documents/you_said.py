"""'You said, we did' as a one- or two-page PDF (issue 19), the same words as the public page."""

from __future__ import annotations

from typing import IO

from app.dates import long_date
from app.models import FeedbackRound, RoundNotice
from app.services.documents.report_model import Report
from app.services.documents.report_pdf import write_pdf
from app.services.documents.self_evaluation import organisation_name
from app.services.round_notices import findings


def build_you_said(rnd: FeedbackRound, notice: RoundNotice) -> Report:
    org = organisation_name(rnd.organisation_id)
    report = Report(
        title=f"You said, we did: {rnd.name}",
        subtitle=f"What we heard from you, and what {org or 'we'} will do about it",
        cover=[
            ("Organisation", org),
            ("The round", f"{long_date(rnd.opens_on)} to {long_date(rnd.closes_on)}"),
            ("Published", long_date(notice.published_at)),
        ],
        footer=f"You said, we did: {rnd.name}",
    )
    report.heading(1, "What we heard")
    report.paras(notice.heard)
    found = findings(rnd, notice)
    if found:
        report.heading(2, "What the figures say")
        for finding in found:
            report.heading(3, finding.label, in_contents=False)
            report.bullets(list(finding.sentences))
        report.para(
            f"Figures are shown only for groups of at least {rnd.threshold} people, so that "
            "nobody's answers can be picked out.",
            "note",
        )
    report.heading(1, "What we will do")
    report.paras(notice.doing)
    return report


def write_you_said_pdf(rnd: FeedbackRound, notice: RoundNotice, out: IO[bytes]) -> Report:
    report = build_you_said(rnd, notice)
    write_pdf(report, out)
    return report
