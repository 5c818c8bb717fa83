"""Existing feedback as evidence (issue 22): a survey run elsewhere imported from CSV or Excel,
its mapping confirmed, stored immutable with provenance, shown as external; focus groups;
and every bad file refused by row and column with nothing stored."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from statsmodels.stats.proportion import proportion_confint

from app.extensions import db
from app.models import AuditEntry, EvidenceItem, EvidenceSourceType, ExternalImport
from app.models.assessment import ImmutableEvidence
from app.services.assessment import external, external_files
from tests.app.assessment.conftest import FAY, VIC
from tests.app.assessment.helpers import text
from tests.support import csrf_token

HEADER = [
    "Statement",
    "Group",
    "count: Strongly agree",
    "count: Agree",
    "count: Disagree",
    "count: Strongly disagree",
    "count: Don't know",
    "Answered",
    "Survey",
    "Start date",
    "End date",
    "Method",
]
META = ["Staff survey 2026", "2026-03-01", "2026-03-31", "Online questionnaire to all staff"]
# statement -> group -> (sa, a, d, sd, dk); "Support staff" (3) is under k = 5.
RESULTS: dict[str, dict[str, tuple[int, ...]]] = {
    "Staff share information with partner organisations in good time.": {
        "Teaching staff": (10, 18, 6, 2, 3),
        "Support staff": (1, 1, 1, 0, 0),
        "Health visitors": (4, 2, 1, 0, 0),
    },
    "Children feel safe and respected.": {
        "Teaching staff": (20, 15, 2, 0, 1),
        "Health visitors": (3, 3, 0, 0, 1),
    },
}
EXPECTED = {
    "Staff share information with partner organisations in good time.": "5.1",
    "Children feel safe and respected.": "2.1",
}


def survey_rows(results: dict[str, dict[str, tuple[int, ...]]] = RESULTS) -> list[list[Any]]:
    body: list[list[Any]] = [HEADER]
    for statement, groups in results.items():
        for group, counts in groups.items():
            body.append([statement, group, *counts, sum(counts), *META])
    return body


def as_csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def as_xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def url(assessment_id: uuid.UUID, tail: str = "") -> str:
    return f"/assessments/{assessment_id}{tail}"


def upload(client: FlaskClient, assessment_id: uuid.UUID, data: bytes, name: str) -> Any:
    return client.post(
        url(assessment_id, "/external"),
        data={"file": (io.BytesIO(data), name), "csrf_token": csrf_token(client, "/")},
        content_type="multipart/form-data",
    )


def selected(page: str, name: str) -> str:
    block = re.search(rf'<select id="{name}" name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert block, name
    found = re.search(r'<option value="([^"]*)" selected>', block.group(1))
    return found.group(1) if found else ""


def confirm_form(page: str) -> dict[str, str]:
    names = re.findall(r'<select id="((?:indicator|place)-\d+)"', page)
    return {name: selected(page, name) for name in names}


def stored(app: Flask, assessment_id: uuid.UUID) -> tuple[int, list[EvidenceItem]]:
    with app.app_context():
        imports = db.session.execute(
            select(func.count())
            .select_from(ExternalImport)
            .where(ExternalImport.assessment_id == assessment_id)
        ).scalar_one()
        items = list(
            db.session.execute(
                select(EvidenceItem).where(EvidenceItem.assessment_id == assessment_id)
            ).scalars()
        )
        for item in items:
            db.session.expunge(item)
        return imports, items


def import_file(
    client: FlaskClient, assessment_id: uuid.UUID, data: bytes, name: str = "staff.csv"
) -> Any:
    """Upload, accept every suggestion, confirm."""
    response = upload(client, assessment_id, data, name)
    assert response.status_code == 303, text(response)
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    form = confirm_form(text(page))
    return client.post(
        response.headers["Location"], data={**form, "csrf_token": csrf_token(client, "/")}
    )


@pytest.fixture
def k(app: Flask) -> int:
    return int(app.config["ANONYMITY_THRESHOLD"])


def test_import_is_checked_mapped_and_stored_as_external_evidence_with_provenance(
    app: Flask, assessment_id: uuid.UUID, as_user: Any, k: int
) -> None:
    client = as_user(FAY)
    data = as_csv(survey_rows())
    response = upload(client, assessment_id, data, "staff survey.csv")
    assert response.status_code == 303
    page = text(client.get(response.headers["Location"]))
    form = confirm_form(page)
    # suggestions by words: each statement to its indicator; the scale's options placed
    assert [form["indicator-0"], form["indicator-1"]] == list(EXPECTED.values())
    assert [form[f"place-{n}"] for n in range(5)] == [
        "favourable",
        "favourable",
        "unfavourable",
        "unfavourable",
        "dont_know",
    ]
    assert f"Support staff (fewer than {k}: kept out)" in page
    assert "(3 answered)" not in page  # no count of the small group, even before confirming
    done = client.post(
        response.headers["Location"], data={**form, "csrf_token": csrf_token(client, "/")}
    )
    assert done.status_code == 303 and done.headers["Location"].endswith("/evidence")

    count, items = stored(app, assessment_id)
    assert count == 1
    surveys = {i.indicator_id: i for i in items if external.is_external(i)}
    assert set(surveys) == {"2.1", "5.1"}
    for indicator, item in surveys.items():
        payload = item.payload or {}
        assert item.source_type == EvidenceSourceType.STAKEHOLDER_VIEWS
        assert payload["kind"] == "external_survey" and payload["external"] is True
        src = payload["source"]
        assert src["file_name"] == "staff survey.csv"
        assert src["sha256"] == hashlib.sha256(data).hexdigest()
        assert src["survey"] == "Staff survey 2026" and src["method"].startswith("Online")
        assert payload["imported_by"] and payload["imported_at"]
        assert payload["threshold"] == k
        assert "“Strongly agree”, “Agree”" in payload["scale"]["words"]
        (statement,) = payload["statements"]
        assert EXPECTED[statement["text"]] == indicator
        assert payload["mapping"] == EXPECTED  # the whole mapping, on every item
        # every figure equals an independent recomputation from the file
        for cell in statement["cells"]:
            sa, a, d, sd, dk = RESULTS[statement["text"]][cell["group"]]
            if sa + a + d + sd + dk < k:
                assert cell["status"] == "suppressed"
                assert cell["evidence"] == f"Fewer than {k} responses"
                assert not {"favourable", "base", "percent", "answered"} & set(cell)
                continue
            valid, favourable = sa + a + d + sd, sa + a
            low, high = proportion_confint(favourable, valid, alpha=0.05, method="wilson")
            assert cell["favourable"] == favourable and cell["base"] == valid
            assert cell["dont_know"] == dk
            assert cell["percent"] == pytest.approx(100 * favourable / valid)
            assert cell["ci_low"] == pytest.approx(100 * low)
            assert cell["ci_high"] == pytest.approx(100 * high)
            assert "in the external survey “Staff survey 2026”" in cell["evidence"]

    with app.app_context():
        entry = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "assessment.external_imported")
        ).scalar_one()
        assert entry.details["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry.details["indicators"] == ["2.1", "5.1"]

    log = text(client.get(url(assessment_id, "/evidence")))
    assert "External survey, not a Chorus round" in log
    indicator_page = text(client.get(url(assessment_id, "/indicators/5.1")))
    assert "From elsewhere: Staff survey 2026" in indicator_page
    assert f"Fewer than {k} responses" in indicator_page
    # counts for triangulation like a round's import: stakeholders' views
    with app.app_context():
        from app.models import Assessment
        from app.services.assessment.evidence import triangulations

        tri = triangulations(db.session.get(Assessment, assessment_id))
        assert "stakeholder_views" in tri["5.1"].sources
        assert "stakeholder_views" not in tri["2.2"].sources


def test_imported_evidence_and_its_file_record_cannot_be_changed(
    app: Flask, assessment_id: uuid.UUID, as_user: Any
) -> None:
    client = as_user(FAY)
    assert import_file(client, assessment_id, as_csv(survey_rows())).status_code == 303
    _, items = stored(app, assessment_id)
    item = next(i for i in items if external.is_external(i))
    assert client.get(url(assessment_id, f"/evidence/{item.id}/edit")).status_code == 403
    with app.app_context():
        record = db.session.execute(select(ExternalImport)).scalar_one()
        record.file_name = "other.csv"
        with pytest.raises(ImmutableEvidence):
            db.session.flush()
        db.session.rollback()
        record = db.session.execute(select(ExternalImport)).scalar_one()
        record.confirmed = False  # un-confirming is a change too
        record.data = {}
        with pytest.raises(ImmutableEvidence):
            db.session.flush()
        db.session.rollback()
        record = db.session.execute(select(ExternalImport)).scalar_one()
        db.session.delete(record)
        with pytest.raises(ImmutableEvidence):
            db.session.flush()
        db.session.rollback()


def test_the_downloaded_excel_template_imports_as_it_is(
    app: Flask, assessment_id: uuid.UUID, as_user: Any
) -> None:
    client = as_user(FAY)
    sheet = client.get(url(assessment_id, "/external/template.xlsx"))
    assert sheet.status_code == 200
    book = load_workbook(io.BytesIO(sheet.data))
    assert [c.value for c in book["Results"][1]][:2] == ["Statement", "Group"]
    flat = client.get(url(assessment_id, "/external/template.csv"))
    assert flat.data.decode("utf-8-sig").startswith("Statement,Group,count: Strongly agree")
    response = upload(client, assessment_id, sheet.data, "template.xlsx")
    assert response.status_code == 303
    page = text(client.get(response.headers["Location"]))
    form = confirm_form(page)
    form["indicator-0"] = "2.1"
    done = client.post(
        response.headers["Location"], data={**form, "csrf_token": csrf_token(client, "/")}
    )
    assert done.status_code == 303
    _, items = stored(app, assessment_id)
    assert [i.indicator_id for i in items if external.is_external(i)] == ["2.1"]


def _with(rows: list[list[Any]], row: int, column: str, value: Any) -> list[list[Any]]:
    copy = [list(r) for r in rows]
    if column not in copy[0]:
        for r in copy:
            r.append("")
        copy[0][-1] = column
    copy[row - 1][copy[0].index(column)] = value
    return copy


BAD_FILES = {
    "unknown column": (_with(survey_rows(), 1, "Colour", "Colour"), 1, "Colour", "unknown column"),
    "do not add up": (_with(survey_rows(), 3, "Answered", 99), 3, "Answered", "do not add up"),
    "negative": (_with(survey_rows(), 2, "count: Agree", -1), 2, "count: Agree", "negative"),
    "not a number": (
        _with(survey_rows(), 4, "count: Disagree", "many"),
        4,
        "count: Disagree",
        "not a number",
    ),
    "outside the framework": (
        _with(survey_rows(), 2, "Indicator", "9.9"),
        2,
        "Indicator",
        "not an indicator of this assessment's framework",
    ),
}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_refused_by_row_and_column_and_nothing_is_stored(
    app: Flask, assessment_id: uuid.UUID, as_user: Any, case: str, kind: str
) -> None:
    rows, row, column, words = BAD_FILES[case]
    data = as_csv(rows) if kind == "csv" else as_xlsx(rows)
    response = upload(as_user(FAY), assessment_id, data, f"bad.{kind}")
    assert response.status_code == 422
    page = text(response)
    assert "Nothing was imported" in page
    assert re.search(
        rf"<td class=\"num\">{row}</td><td>{re.escape(column)}</td><td>[^<]*{re.escape(words)}",
        page,
    ), page[page.find("Problems in the file") :][:2000]
    assert stored(app, assessment_id) == (0, [])


def test_the_same_file_twice_is_refused_by_its_checksum(
    app: Flask, assessment_id: uuid.UUID, as_user: Any
) -> None:
    client = as_user(FAY)
    data = as_csv(survey_rows())
    assert import_file(client, assessment_id, data).status_code == 303
    before = stored(app, assessment_id)
    again = upload(client, assessment_id, data, "renamed.csv")
    assert again.status_code == 422
    assert "already imported" in text(again) and "SHA-256" in text(again)
    assert len(stored(app, assessment_id)[1]) == len(before[1])


def test_an_unmappable_scale_or_an_indicator_outside_the_framework_is_refused_at_confirm(
    app: Flask, assessment_id: uuid.UUID, as_user: Any
) -> None:
    client = as_user(FAY)
    response = upload(client, assessment_id, as_csv(survey_rows()), "staff.csv")
    where = response.headers["Location"]
    form = confirm_form(text(client.get(where)))
    every_favourable = {**form, **{f"place-{n}": "favourable" for n in range(4)}}
    refused = client.post(where, data={**every_favourable, "csrf_token": csrf_token(client, "/")})
    assert refused.status_code == 422
    assert "The scale cannot be mapped" in text(refused)
    unplaced = {**form, "place-2": ""}
    refused = client.post(where, data={**unplaced, "csrf_token": csrf_token(client, "/")})
    assert refused.status_code == 422 and "“Disagree”" in text(refused)
    outside = {**form, "indicator-0": "9.9"}
    refused = client.post(where, data={**outside, "csrf_token": csrf_token(client, "/")})
    assert refused.status_code == 422
    assert "“9.9” is not an indicator of this assessment's framework" in text(refused)
    not_chosen = {**form, "indicator-1": "1.1"}  # in the framework, not in the assessment
    refused = client.post(where, data={**not_chosen, "csrf_token": csrf_token(client, "/")})
    assert refused.status_code == 422 and "not one of this assessment's indicators" in text(refused)
    count, items = stored(app, assessment_id)
    assert count == 1 and items == []  # still pending, nothing in the log
    with app.app_context():
        assert not db.session.execute(select(ExternalImport.confirmed)).scalar_one()


def test_a_zip_bomb_is_refused_by_the_workbook_bounds(
    app: Flask, assessment_id: uuid.UUID, as_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(external_files, "MAX_SHEET_ROWS", 4)
    response = upload(as_user(FAY), assessment_id, as_xlsx(survey_rows()), "big.xlsx")
    assert response.status_code == 422 and "too large" in text(response)
    monkeypatch.setattr(external_files, "MAX_SHEET_ROWS", 5_000)
    monkeypatch.setattr(external_files, "MAX_UNPACKED_BYTES", 1_000)
    response = upload(as_user(FAY), assessment_id, as_xlsx(survey_rows()), "big.xlsx")
    assert response.status_code == 422 and "too large" in text(response)
    assert stored(app, assessment_id) == (0, [])


def test_not_a_workbook_and_an_empty_file_are_refused(
    app: Flask, assessment_id: uuid.UUID, as_user: Any
) -> None:
    client = as_user(FAY)
    assert upload(client, assessment_id, b"PK\x03\x04junk", "x.xlsx").status_code == 422
    assert upload(client, assessment_id, b"", "x.csv").status_code == 422
    assert stored(app, assessment_id) == (0, [])


def test_viewers_cannot_import(app: Flask, assessment_id: uuid.UUID, as_user: Any) -> None:
    response = upload(as_user(VIC), assessment_id, as_csv(survey_rows()), "staff.csv")
    assert response.status_code == 403
    assert stored(app, assessment_id) == (0, [])


def _discussion(client: FlaskClient, assessment_id: uuid.UUID, people: list[str]) -> Any:
    data = {
        "indicator_id": "2.2",
        "held_on": "2026-02-10",
        "title": "Parents' evening",
        "key_points": "Parents want earlier notice of meetings.",
        "csrf_token": csrf_token(client, "/"),
    }
    for n, number in enumerate(people):
        data[f"group-{n}"] = f"Group {n}"
        data[f"people-{n}"] = number
    return client.post(url(assessment_id, "/discussions"), data=data)


def test_a_discussion_counts_as_stakeholders_views_only_from_k_people(
    app: Flask, assessment_id: uuid.UUID, as_user: Any, k: int
) -> None:
    from app.models import Assessment
    from app.services.assessment.evidence import triangulations

    client = as_user(FAY)
    assert _discussion(client, assessment_id, ["1", str(k - 2)]).status_code == 303
    with app.app_context():
        tri = triangulations(db.session.get(Assessment, assessment_id))["2.2"]
        assert tri.sources == () and tri.items == 0
    page = text(client.get(url(assessment_id, "/indicators/2.2")))
    assert f"Discussion of fewer than {k} people: not counted as stakeholders' views" in page
    assert _discussion(client, assessment_id, ["2", str(k - 2)]).status_code == 303
    with app.app_context():
        tri = triangulations(db.session.get(Assessment, assessment_id))["2.2"]
        assert tri.sources == ("stakeholder_views",)
    _, items = stored(app, assessment_id)
    payloads = sorted((i.payload or {}).get("people") for i in items)
    assert payloads == [k - 1, k]
    assert all((i.payload or {}).get("key_points") for i in items)


@pytest.mark.parametrize(
    ("numbers", "field", "words"),
    [(["x"], "people-0", "whole number"), (["0"], "people-0", "at least 1"), ([], "group-0", "")],
)
def test_a_bad_discussion_is_refused(
    app: Flask, assessment_id: uuid.UUID, as_user: Any, numbers: list[str], field: str, words: str
) -> None:
    response = _discussion(as_user(FAY), assessment_id, numbers)
    assert response.status_code == 422
    assert f'href="#{field}"' in response.get_data(as_text=True)
    assert words in text(response)
    assert stored(app, assessment_id) == (0, [])


def test_each_assessment_has_its_own_threshold_defaulting_to_the_organisations(
    app: Flask, assessment_id: uuid.UUID, as_user: Any, k: int
) -> None:
    from tests.app.assessment.conftest import MO

    client = as_user(FAY)
    page = text(client.get(url(assessment_id, "/external")))
    assert f"threshold is <strong>{k}</strong> (the organisation's)" in page
    bad = client.post(
        url(assessment_id, "/threshold"),
        data={"threshold": "2", "csrf_token": csrf_token(client, "/")},
    )
    assert bad.status_code == 422 and "between 3 and 100" in text(bad)
    member = as_user(MO)
    refused = member.post(
        url(assessment_id, "/threshold"),
        data={"threshold": "9", "csrf_token": csrf_token(member, "/")},
    )
    assert refused.status_code == 403
    # a pending upload made under the old k cannot be confirmed under the new one
    pending = upload(client, assessment_id, as_csv(survey_rows()), "staff.csv")
    where = pending.headers["Location"]
    form = confirm_form(text(client.get(where)))
    ok = client.post(
        url(assessment_id, "/threshold"),
        data={"threshold": "8", "csrf_token": csrf_token(client, "/")},
    )
    assert ok.status_code == 303
    stale = client.post(where, data={**form, "csrf_token": csrf_token(client, "/")})
    assert stale.status_code == 422 and "threshold changed" in text(stale)
    client.post(f"{where}/discard", data={"csrf_token": csrf_token(client, "/")})
    # under k = 8 the health visitors (7 answered) are kept out too
    assert import_file(client, assessment_id, as_csv(survey_rows())).status_code == 303
    _, items = stored(app, assessment_id)
    item = next(i for i in items if i.indicator_id == "5.1")
    cells = {c["group"]: c for c in (item.payload or {})["statements"][0]["cells"]}
    assert (item.payload or {})["threshold"] == 8
    assert cells["Health visitors"]["status"] in ("suppressed", "withheld")
    assert "favourable" not in cells["Health visitors"]
    assert cells["Teaching staff"]["status"] == "shown"
    with app.app_context():
        assert db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "assessment.threshold_changed")
        ).scalar_one()


def test_reports_and_workbook_mark_external_evidence(
    app: Flask, assessment_id: uuid.UUID, as_user: Any, k: int
) -> None:
    from tests.app.reports.readback import docx_document, docx_text, flat, pdf_text

    client = as_user(FAY)
    assert import_file(client, assessment_id, as_csv(survey_rows())).status_code == 303
    assert _discussion(client, assessment_id, [str(k)]).status_code == 303
    _, items = stored(app, assessment_id)
    item = next(i for i in items if i.indicator_id == "5.1" and external.is_external(i))
    shown = [c for c in (item.payload or {})["statements"][0]["cells"] if c["status"] == "shown"]
    files = {}
    for name, where in (
        ("pdf", url(assessment_id, "/report.pdf")),
        ("docx", url(assessment_id, "/report.docx")),
        ("xlsx", f"/exports/assessments/{assessment_id}.xlsx"),
    ):
        response = client.get(where)
        assert response.status_code == 200
        files[name] = response.data
        response.close()
    for body in (pdf_text(files["pdf"]), docx_text(docx_document(files["docx"]))):
        assert "Stakeholders' views from elsewhere (external)" in body
        assert flat("External survey “Staff survey 2026”, not a Chorus round") in body
        assert "Existing feedback from elsewhere" in body
        for cell in shown:
            assert flat(cell["evidence"]) in body
        assert flat("Support staff (“Staff share information") in body
        assert "Focus group or discussion" in body
        assert "Parents want earlier notice of meetings." in body
    book = load_workbook(io.BytesIO(files["xlsx"]))
    sheet = book["External evidence"]
    header_row = next(
        n for n, r in enumerate(sheet.iter_rows(values_only=True), 1) if r[0] == "Indicator"
    )
    rows = list(sheet.iter_rows(min_row=header_row + 1, values_only=True))
    assert {r[1] for r in rows} == {"External survey (not a Chorus round)"}
    support = [r for r in rows if r[6] == "Support staff"]
    assert support and all(r[7] == f"fewer than {k}" and r[8] is None for r in support)
    log = book["Evidence log"]
    marks = [r for r in log.iter_rows(values_only=True) if r and r[0] in ("2.1", "5.1", "2.2")]
    assert any("External survey (not a Chorus round)" in (r[7] or "") for r in marks)
    assert any((r[7] or "").startswith("Focus group or discussion") for r in marks)


def test_several_statements_for_one_indicator_are_shown_one_by_one_never_pooled(
    app: Flask, assessment_id: uuid.UUID, as_user: Any
) -> None:
    client = as_user(FAY)
    response = upload(client, assessment_id, as_csv(survey_rows()), "staff.csv")
    form = confirm_form(text(client.get(response.headers["Location"])))
    form.update({"indicator-0": "5.1", "indicator-1": "5.1"})
    done = client.post(
        response.headers["Location"], data={**form, "csrf_token": csrf_token(client, "/")}
    )
    assert done.status_code == 303
    _, items = stored(app, assessment_id)
    (item,) = [i for i in items if external.is_external(i)]
    payload = item.payload or {}
    assert [s["text"] for s in payload["statements"]] == list(RESULTS)
    assert not {"cells", "percent", "ci_low", "favourable"} & set(payload)  # no pooled figure
    assert "not pooled" in payload["interval"]
    page = text(client.get(url(assessment_id, "/indicators/5.1")))
    for statement in RESULTS:
        assert 'rowspan="' in page and statement in page
    assert "cannot be pooled into an indicator figure" in page


def test_a_statement_can_be_left_out_but_not_all_of_them(
    app: Flask, assessment_id: uuid.UUID, as_user: Any
) -> None:
    client = as_user(FAY)
    response = upload(client, assessment_id, as_csv(survey_rows()), "staff.csv")
    where = response.headers["Location"]
    form = confirm_form(text(client.get(where)))
    none = {**form, "indicator-0": external.LEAVE_OUT, "indicator-1": external.LEAVE_OUT}
    refused = client.post(where, data={**none, "csrf_token": csrf_token(client, "/")})
    assert refused.status_code == 422 and "Map at least one statement" in text(refused)
    one = {**form, "indicator-0": external.LEAVE_OUT}
    assert (
        client.post(where, data={**one, "csrf_token": csrf_token(client, "/")}).status_code == 303
    )
    _, items = stored(app, assessment_id)
    assert [i.indicator_id for i in items if external.is_external(i)] == ["2.1"]
