"""External surveys in SAT versus stakeholders (issue 22): blind spots and hidden strengths
from a survey run elsewhere, per statement and group at or above k, never pooled, marked as
external. The expected flags are computed here from the file's counts with statsmodels'
Wilson interval and DESIGN 7's rule, not read back from the product."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

from flask import Flask
from openpyxl import load_workbook
from statsmodels.stats.proportion import proportion_confint

from tests.app.assessment.conftest import FAY, MO
from tests.app.assessment.helpers import text
from tests.app.assessment.test_external import as_csv, import_file, survey_rows, url
from tests.app.reports.readback import docx_document, docx_text
from tests.support import csrf_token

# statement -> group -> (strongly agree, agree, disagree, strongly disagree, don't know)
RESULTS: dict[str, dict[str, tuple[int, ...]]] = {
    # -> 5.1, rated good (4): teaching staff 3 of 30 favourable is a blind spot.
    "Staff share information with partner organisations in good time.": {
        "Teaching staff": (1, 2, 15, 12, 2),
        "Health visitors": (4, 3, 1, 0, 0),
    },
    # -> 2.1, rated good (4): support staff (4 people, all unfavourable) would be a blind spot
    # were they shown, but they are under k and kept out; teaching staff are mixed.
    "Children feel safe and respected.": {
        "Teaching staff": (8, 7, 8, 7, 0),
        "Support staff": (0, 0, 2, 2, 0),
    },
    # Both -> 2.2, rated adequate (3): 14 of 15 on each statement is not a hidden strength
    # (Wilson lower bound 70%), but pooled, 28 of 30, would be (79%). Never pooled: no flag.
    "Families are treated as partners in their children's learning.": {
        "Teaching staff": (7, 7, 1, 0, 0),
    },
    "Parents are kept well informed about their children's progress.": {
        "Teaching staff": (7, 7, 1, 0, 0),
    },
}
MAPPING = ["5.1", "2.1", "2.2", "2.2"]
AGREED = {"5.1": "4", "2.1": "4", "2.2": "3"}


def expected_flags(k: int) -> dict[str, set[tuple[str, str]]]:
    """(signal, group) per indicator, from the counts alone."""
    out: dict[str, set[tuple[str, str]]] = {i: set() for i in AGREED}
    for groups, indicator in zip(RESULTS.values(), MAPPING, strict=True):
        good = int(AGREED[indicator]) >= 4
        for group, (sa, a, d, sd, dk) in groups.items():
            if sa + a + d + sd + dk < k:
                continue
            low, high = proportion_confint(sa + a, sa + a + d + sd, alpha=0.05, method="wilson")
            if good and high < 0.5:
                out[indicator].add(("blind_spot", group))
            if not good and low >= 0.75:
                out[indicator].add(("hidden_strength", group))
    return out


def _post(client: Any, path: str, data: dict[str, str]) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/")})


def _import_mapped(client: Any, assessment_id: uuid.UUID) -> None:
    from tests.app.assessment.test_external import confirm_form, upload

    response = upload(client, assessment_id, as_csv(survey_rows(RESULTS)), "staff.csv")
    assert response.status_code == 303, text(response)
    form = confirm_form(text(client.get(response.headers["Location"])))
    form.update({f"indicator-{n}": ind for n, ind in enumerate(MAPPING)})
    done = _post(client, response.headers["Location"], form)
    assert done.status_code == 303, text(done)


def _flags_in(section: str) -> set[tuple[str, str]]:
    found = set()
    for signal, body in re.findall(r'class="flag flag-(\w+)">(.*?)</li>', section, re.S):
        group = re.search(r"but (.+?) in the external survey", body)
        assert group, body
        assert "(external survey, not a Chorus round)" in body
        found.add((signal, group.group(1)))
    return found


def test_external_figures_raise_the_flags_the_counts_call_for(
    app: Flask, assessment_id: uuid.UUID, as_user: Any
) -> None:
    k = int(app.config["ANONYMITY_THRESHOLD"])
    fay = as_user(FAY)
    _import_mapped(fay, assessment_id)
    assert _post(fay, url(assessment_id, "/discussion"), {}).status_code == 303
    for indicator, rating in AGREED.items():
        response = _post(
            fay, url(assessment_id, f"/indicators/{indicator}"), {"agreed_rating": rating}
        )
        assert response.status_code == 303, text(response)

    expected = expected_flags(k)
    assert expected["5.1"] and not expected["2.1"] and not expected["2.2"]  # the data's point
    page = text(as_user(MO).get(url(assessment_id, "/stakeholders")))
    starts = {i: page.index(f">{i} ") for i in AGREED}
    order = sorted(starts, key=starts.get)  # type: ignore[arg-type]
    for n, indicator in enumerate(order):
        end = starts[order[n + 1]] if n + 1 < len(order) else len(page)
        section = page[starts[indicator] : end]
        # flags are lower-cased at the label's first letter in the sentence
        got = {(s, g[:1].upper() + g[1:]) for s, g in _flags_in(section)}
        assert got == expected[indicator], indicator
        assert "From elsewhere: Staff survey 2026" in section
    flagged = sum(1 for v in expected.values() if v)
    assert f"<strong>{flagged}</strong> indicator{'s' if flagged != 1 else ''} flagged" in page
    # the group under k appears only as kept out, never with a flag or a count
    flag_text = "".join(re.findall(r'class="flag flag-\w+">(.*?)</li>', page, re.S))
    assert "upport staff" not in flag_text

    indicator_page = text(as_user(MO).get(url(assessment_id, "/indicators/5.1")))
    assert _flags_in(indicator_page.split('id="stakeholders"')[0]) == {
        (s, g[:1].lower() + g[1:]) for s, g in expected["5.1"]
    }
    overview = text(as_user(MO).get(url(assessment_id)))
    assert "Possible blind spot (external survey, not a Chorus round)" in overview

    # the workbook's Blind spots sheet and the report carry the same flags, marked external
    response = fay.get(f"/exports/assessments/{assessment_id}.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["Blind spots"]
    response.close()
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] in AGREED]
    assert {(r[0], r[4]) for r in rows} == {
        (i, "Possible blind spot (external survey, not a Chorus round)")
        for i, found in expected.items()
        for _ in found
    }
    assert all(r[8] == "External survey, not a Chorus round" for r in rows)
    report = fay.get(url(assessment_id, "/report.docx"))
    assert report.status_code == 200
    body = docx_text(docx_document(report.data))
    report.close()
    assert "Possible blind spot (external survey, not a Chorus round)" in body


def test_no_external_flag_before_a_rating_is_agreed(
    app: Flask, assessment_id: uuid.UUID, as_user: Any
) -> None:
    fay = as_user(FAY)
    assert import_file(fay, assessment_id, as_csv(survey_rows(RESULTS))).status_code == 303
    page = text(as_user(MO).get(url(assessment_id, "/stakeholders")))
    assert 'class="flag flag-' not in page
    assert "<strong>0</strong> indicators flagged" in page
    assert "From elsewhere: Staff survey 2026" in page


def test_uploads_left_unconfirmed_expire_in_the_retention_job(
    app: Flask, assessment_id: uuid.UUID, as_user: Any
) -> None:
    """A file uploaded and never confirmed is removed after PENDING_DAYS by the retention job,
    audited as a count; a confirmed import, and a pending one still young, stay."""
    from datetime import timedelta

    from sqlalchemy import select

    from app.extensions import db
    from app.models import AuditEntry, ExternalImport
    from app.models.base import utcnow
    from app.services import retention
    from app.services.assessment.external import PENDING_DAYS
    from tests.app.assessment.test_external import upload

    fay = as_user(FAY)
    assert import_file(fay, assessment_id, as_csv(survey_rows(RESULTS))).status_code == 303
    rows = survey_rows(RESULTS)
    for n, name in enumerate(("old.csv", "young.csv")):
        for row in rows[1:]:
            row[8] = f"Survey {n}"  # another survey: another file and checksum
        assert upload(fay, assessment_id, as_csv(rows), name).status_code == 303
    page = text(fay.get(url(assessment_id, "/external")))
    assert f"Removed if not confirmed within {PENDING_DAYS} days" in page
    now = utcnow()
    with app.app_context():
        old = db.session.execute(
            select(ExternalImport).where(ExternalImport.file_name == "old.csv")
        ).scalar_one()
        old.created_at = now - timedelta(days=PENDING_DAYS, minutes=1)
        old_id = old.id
        young = db.session.execute(
            select(ExternalImport).where(ExternalImport.file_name == "young.csv")
        ).scalar_one()
        young.created_at = now - timedelta(days=PENDING_DAYS) + timedelta(minutes=1)
        db.session.commit()

        erased = retention.run(now=now)
        db.session.commit()
        assert erased.uploads == 1
        left = db.session.execute(select(ExternalImport.file_name, ExternalImport.confirmed)).all()
        assert sorted(left) == [("staff.csv", True), ("young.csv", False)]
        (entry,) = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "retention.external_uploads_expired")
        ).scalars()
        assert entry.details == {"uploads_removed": 1, "after_days": PENDING_DAYS}
        assert "old.csv" not in entry.summary
        assert retention.run(now=now).uploads == 0  # nothing twice
    assert fay.get(url(assessment_id, f"/external/{old_id}")).status_code == 404
