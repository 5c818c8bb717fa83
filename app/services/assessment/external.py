"""Existing feedback as evidence (issue 22): a survey run elsewhere, staged and confirmed.

An upload is read whole (`external_files`) and checked (surveys.external) before anything
is stored; a file with any error stores nothing. A good file becomes a pending
`ExternalImport` holding only what may be shown: a group under the assessment's threshold k
(or hidden to protect one) keeps its name and notice, never its counts. The team then
confirms each statement's indicator and each answer option's place; confirming writes one
immutable "stakeholders' views" evidence item per indicator, with the provenance (file name,
SHA-256, who uploaded and confirmed, when, the mapping) frozen in its payload, and the import
becomes unchangeable too.

Focus groups and discussions are in `discussions`; the kinds and labels that mark both as
external everywhere are here.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from app.dates import short_date
from app.dates import today as service_day
from app.extensions import db
from app.models import (
    Assessment,
    EvidenceItem,
    EvidenceSourceType,
    ExternalImport,
    User,
)
from app.models.base import utcnow
from app.services import audit
from app.services.assessment.assessments import Access, AssessmentError
from app.services.assessment.external_files import FileRefused, read_file, refused
from frameworks import Framework
from surveys import external as ext
from surveys.evidence import hidden_figure
from surveys.statistics import whole_percent
from surveys.suppression import MIN_THRESHOLD

SURVEY_KIND = "external_survey"
DISCUSSION_KIND = "discussion"
EXTERNAL_KINDS = (SURVEY_KIND, DISCUSSION_KIND)
PAYLOAD_FORMAT = 1

LEAVE_OUT = "leave-out"

CONTRIBUTORS_ONLY = (
    "Only the Self-Assessment Team and coordinators can bring in existing feedback. "
    "Viewers can read it."
)


def threshold_of(assessment: Assessment) -> int:
    """The assessment's own k, else the organisation's (never below 3)."""
    k = assessment.threshold or int(current_app.config["ANONYMITY_THRESHOLD"])
    return max(k, MIN_THRESHOLD)


MAX_THRESHOLD = 100
THRESHOLD_SETTERS_ONLY = "Only the facilitator or a coordinator can change the threshold."


def set_threshold(assessment: Assessment, access: Access, value: str, user_id: uuid.UUID) -> int:
    """Give the assessment its own k for evidence from elsewhere; blank returns it to the
    organisation's. Imports already made keep the k they were made with."""
    access.require(access.can_manage or access.can_facilitate, THRESHOLD_SETTERS_ONLY)
    text = value.strip()
    before = threshold_of(assessment)
    if not text:
        assessment.threshold = None
    else:
        try:
            k = int(text)
        except ValueError:
            raise AssessmentError(
                {"threshold": "Enter the threshold as a whole number, such as 5."}
            ) from None
        if not MIN_THRESHOLD <= k <= MAX_THRESHOLD:
            raise AssessmentError(
                {"threshold": f"The threshold must be between {MIN_THRESHOLD} and {MAX_THRESHOLD}."}
            )
        assessment.threshold = k
    db.session.flush()
    after = threshold_of(assessment)
    audit.record(
        "assessment.threshold_changed",
        f"Set the threshold of {assessment.title} for evidence from elsewhere to {after}",
        organisation_id=assessment.organisation_id,
        actor=db.session.get(User, user_id),
        object_type="assessment",
        object_id=assessment.id,
        details={"before": before, "after": after},
    )
    return after


def is_external(item: EvidenceItem) -> bool:
    return bool(item.payload) and (item.payload or {}).get("kind") in EXTERNAL_KINDS


def counts_for_triangulation(item: EvidenceItem) -> bool:
    """A discussion with fewer than k people is recorded but is not stakeholders' views."""
    payload = item.payload or {}
    return not (payload.get("kind") == DISCUSSION_KIND and not payload.get("counted"))


def external_label(item: EvidenceItem) -> str:
    """How every page, report and workbook marks an item brought in from elsewhere."""
    payload = item.payload or {}
    if payload.get("kind") == SURVEY_KIND:
        return "External survey (not a Chorus round)"
    if payload.get("kind") == DISCUSSION_KIND:
        if payload.get("counted"):
            return "Focus group or discussion"
        return (
            f"Focus group or discussion of fewer than {payload.get('threshold')} people: "
            "recorded, not counted as stakeholders' views"
        )
    return ""


# ---------------------------------------------------------------------------------------------
# Staging: the checked file, with the threshold applied, waiting for the team's confirmation


def _indicator_words(assessment: Assessment, framework: Framework) -> list[ext.IndicatorWords]:
    return [
        ext.IndicatorWords(
            i, framework.indicator(i).title, tuple(t.title for t in framework.indicator(i).themes)
        )
        for i in assessment.indicator_ids
    ]


def _group_data(figures: ext.GroupFigures) -> dict[str, Any]:
    out: dict[str, Any] = {"group": figures.group, "status": figures.status}
    if figures.shown:
        out.update(
            answered=figures.answered,
            favourable=figures.favourable,
            valid=figures.valid,
            dont_know=figures.dont_know,
            options=[list(o) for o in figures.options],
        )
    return out


def _figures_back(data: Mapping[str, Any]) -> ext.GroupFigures:
    return ext.GroupFigures(
        data["group"],
        data["status"],
        answered=data.get("answered"),
        favourable=data.get("favourable"),
        valid=data.get("valid"),
        dont_know=data.get("dont_know"),
        options=tuple((str(label), int(count)) for label, count in data.get("options", [])),
    )


def _duplicate(assessment: Assessment, digest: str) -> ExternalImport | None:
    return db.session.execute(
        select(ExternalImport).where(
            ExternalImport.assessment_id == assessment.id, ExternalImport.sha256 == digest
        )
    ).scalar_one_or_none()


def stage_import(
    assessment: Assessment,
    framework: Framework,
    access: Access,
    file_name: str,
    data: bytes,
    user_id: uuid.UUID,
) -> ExternalImport:
    """Check the file and keep it pending; FileRefused (nothing stored) when anything is wrong."""
    access.require(access.can_contribute, CONTRIBUTORS_ONLY)
    name = (Path(file_name or "").name or "upload").strip()[:255]
    digest = hashlib.sha256(data).hexdigest()
    held = _duplicate(assessment, digest)
    if held is not None:
        state = "imported" if held.confirmed else "uploaded and is waiting for confirmation"
        raise FileRefused(
            f"This file (SHA-256 {digest[:12]}…) was already {state} as “{held.file_name}” on "
            f"{short_date(held.created_at)}. Nothing was imported twice."
        )
    survey = read_file(name, data)
    problems = ext.check_indicators(
        survey, assessment.indicator_ids, [i.id for i in framework.indicators]
    )
    if problems:
        raise refused(problems)
    k = threshold_of(assessment)
    words = _indicator_words(assessment, framework)
    statements = []
    for text in survey.statements:
        rows = survey.rows_of(text)
        figures = ext.statement_figures(rows, k)
        from_file = next((r.indicator for r in rows if r.indicator), "")
        statements.append(
            {
                "text": text,
                "rows": [r.line for r in rows],
                "suggested": from_file or ext.suggest_indicator(text, words),
                "from_file": bool(from_file),
                "total_group": figures.total_group,
                "groups": [_group_data(g) for g in figures.groups],
            }
        )
    record = ExternalImport(
        assessment_id=assessment.id,
        file_name=name,
        sha256=digest,
        uploaded_by_id=user_id,
        confirmed=False,
        data={
            "format": PAYLOAD_FORMAT,
            "survey": survey.survey,
            "start_date": survey.start_date.isoformat() if survey.start_date else None,
            "end_date": survey.end_date.isoformat() if survey.end_date else None,
            "method": survey.method,
            "form": survey.form,
            "options": list(survey.options),
            "suggested_places": {o: ext.suggest_place(o) for o in survey.options},
            "threshold": k,
            "statements": statements,
        },
    )
    db.session.add(record)
    db.session.flush()
    return record


def get_import(assessment: Assessment, import_id: uuid.UUID) -> ExternalImport | None:
    return db.session.execute(
        select(ExternalImport).where(
            ExternalImport.id == import_id, ExternalImport.assessment_id == assessment.id
        )
    ).scalar_one_or_none()


def imports_of(assessment: Assessment) -> list[ExternalImport]:
    return list(
        db.session.execute(
            select(ExternalImport)
            .where(ExternalImport.assessment_id == assessment.id)
            .order_by(ExternalImport.created_at.desc(), ExternalImport.id)
        ).scalars()
    )


PENDING_DAYS = 7


def expire_pending_imports(now: datetime | None = None) -> int:
    """Remove uploads left unconfirmed for PENDING_DAYS (the retention job): a file the team
    never confirmed is not evidence, so its staged figures are not kept. Audited per
    organisation as a count only. Returns how many were removed."""
    cutoff = (now or utcnow()) - timedelta(days=PENDING_DAYS)
    rows = db.session.execute(
        select(ExternalImport.id, Assessment.organisation_id)
        .join(Assessment, Assessment.id == ExternalImport.assessment_id)
        .where(ExternalImport.confirmed.is_(False), ExternalImport.created_at < cutoff)
    ).all()
    if not rows:
        return 0
    db.session.execute(
        delete(ExternalImport)
        .where(ExternalImport.id.in_([r[0] for r in rows]))
        .execution_options(synchronize_session="fetch")
    )
    per_org = Counter(org_id for _, org_id in rows)
    for org_id, count in sorted(per_org.items(), key=lambda pair: str(pair[0])):
        audit.record(
            "retention.external_uploads_expired",
            f"Removed {count} uploaded survey file{'s' if count != 1 else ''} from elsewhere "
            f"left unconfirmed for more than {PENDING_DAYS} days",
            organisation_id=org_id,
            actor=None,
            object_type="organisation",
            object_id=org_id,
            details={"uploads_removed": count, "after_days": PENDING_DAYS},
        )
    db.session.flush()
    return len(rows)


def discard_import(record: ExternalImport, access: Access) -> None:
    access.require(access.can_contribute, CONTRIBUTORS_ONLY)
    if record.confirmed:
        raise AssessmentError({"import": "A confirmed import is evidence and cannot be removed."})
    db.session.delete(record)
    db.session.flush()


# ---------------------------------------------------------------------------------------------
# Confirming: the mapping, the scale, and the evidence items


@dataclass(frozen=True)
class Choices:
    """What the team chose on the confirmation page: per statement (by position) an indicator
    id or LEAVE_OUT; per answer option (by position) a place."""

    indicators: Mapping[int, str]
    places: Mapping[int, str]


def check_choices(
    record: ExternalImport, assessment: Assessment, framework: Framework, choices: Choices
) -> tuple[dict[int, str], dict[str, str]]:
    """The mapping and the places, or AssessmentError keyed by form field."""
    data = record.data
    errors: dict[str, str] = {}
    known = {i.id for i in framework.indicators}
    mapping: dict[int, str] = {}
    for n, statement in enumerate(data["statements"]):
        chosen = (choices.indicators.get(n) or "").strip()
        field = f"indicator-{n}"
        short = statement["text"][:80]
        if not chosen:
            errors[field] = f"Choose an indicator for “{short}”, or leave it out."
        elif chosen == LEAVE_OUT:
            continue
        elif chosen not in known:
            errors[field] = (
                f"“{chosen[:40]}” is not an indicator of this assessment's framework "
                f"(statement “{short}”, row {statement['rows'][0]})."
            )
        elif chosen not in assessment.indicator_ids:
            errors[field] = (
                f"{chosen} is not one of this assessment's indicators (statement “{short}”)."
            )
        else:
            mapping[n] = chosen
    if not errors and not mapping:
        errors["indicator-0"] = "Map at least one statement to an indicator."
    places: dict[str, str] = {}
    options = data["options"]
    if data["form"] == "options":
        given = {label: (choices.places.get(n) or "") for n, label in enumerate(options)}
        problems = ext.check_scale(options, given)
        for n, label in enumerate(options):
            if label in problems:
                errors[f"place-{n}"] = problems[label]
        places = given
    if record.confirmed:
        errors["import"] = "This file has already been imported; its evidence is in the log."
    if data["threshold"] != threshold_of(assessment):
        errors["import"] = (
            f"The assessment's threshold changed from {data['threshold']} to "
            f"{threshold_of(assessment)} after this file was uploaded. Discard it and upload "
            "it again, so the new threshold is applied."
        )
    if errors:
        raise AssessmentError(errors)
    return mapping, places


def _scale_statement(data: Mapping[str, Any], places: Mapping[str, str]) -> str:
    if data["form"] == "summary":
        return "The file gave favourable and valid counts (answers other than Don't know)."
    return "Answer options mapped as " + ext.scale_words(data["options"], places)


def _cell(
    group: Mapping[str, Any], statement: str, places: Mapping[str, str], survey: str, k: int
) -> dict[str, Any]:
    figures = _figures_back(group)
    out: dict[str, Any] = {"group": figures.group, "status": figures.status}
    if figures.status in ("suppressed", "withheld"):
        out["evidence"] = hidden_figure(figures.status == "suppressed", k, "responses")
        return out
    if figures.status == "empty":
        out["evidence"] = "No answers"
        return out
    result = ext.group_result(figures, places)
    out.update(
        answered=result.answered,
        favourable=result.favourable,
        base=result.valid,
        dont_know=result.dont_know,
        percent=result.percent,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        word=result.word,
        evidence=ext.sentence(statement, figures.group, result, survey),
        dont_know_text=f"{result.dont_know} answered Don't know" if result.dont_know else None,
    )
    if result.percent is not None and result.ci_low is not None and result.ci_high is not None:
        out["figure_text"] = (
            f"{result.word} {whole_percent(result.percent)}% "
            f"({result.favourable} of {result.valid})"
        )
        out["ci_text"] = f"{whole_percent(result.ci_low)}-{whole_percent(result.ci_high)}%"
    else:
        out["figure_text"], out["ci_text"] = "No answers other than Don't know", ""
    return out


def _dates_text(data: Mapping[str, Any]) -> str:
    start, end = data.get("start_date"), data.get("end_date")
    if start and end:
        return f"{short_date(start)} to {short_date(end)}"
    return short_date(start or end) if (start or end) else "dates not given"


def describe(payload: Mapping[str, Any]) -> str:
    src = payload["source"]
    lines = [
        f"External survey “{src['survey']}” ({src['method']}; {_dates_text(src)}), imported "
        f"from {src['file_name']}: not a Chorus round. Groups that fewer than "
        f"{payload['threshold']} people answered were kept out. Figures per statement, not "
        "pooled."
    ]
    for statement in payload["statements"]:
        for cell in statement["cells"]:
            if cell["status"] == "shown":
                lines.append(cell["evidence"])
            else:
                lines.append(f"{cell['group']} (“{statement['text'][:80]}”): {cell['evidence']}.")
    return "\n".join(lines)


def confirm_import(
    record: ExternalImport,
    assessment: Assessment,
    framework: Framework,
    access: Access,
    choices: Choices,
    user_id: uuid.UUID,
    user_name: str,
) -> list[EvidenceItem]:
    """Write the evidence, one immutable item per mapped indicator; the import becomes fixed."""
    access.require(access.can_contribute, CONTRIBUTORS_ONLY)
    mapping, places = check_choices(record, assessment, framework, choices)
    data = record.data
    k = int(data["threshold"])
    uploader = db.session.get(User, record.uploaded_by_id) if record.uploaded_by_id else None
    when = utcnow()
    source = {
        "import_id": str(record.id),
        "survey": data["survey"],
        "start_date": data.get("start_date"),
        "end_date": data.get("end_date"),
        "method": data["method"],
        "file_name": record.file_name,
        "sha256": record.sha256,
        "uploaded_by": (uploader.name or uploader.email) if uploader else "",
        "uploaded_at": record.created_at.isoformat(),
    }
    scale_text = _scale_statement(data, places)
    added: list[EvidenceItem] = []
    for indicator_id in [i for i in assessment.indicator_ids if i in mapping.values()]:
        statements = []
        for n, statement in enumerate(data["statements"]):
            if mapping.get(n) != indicator_id:
                continue
            statements.append(
                {
                    "text": statement["text"],
                    "rows": statement["rows"],
                    "cells": [
                        _cell(g, statement["text"], places, data["survey"], k)
                        for g in statement["groups"]
                    ],
                }
            )
        payload = {
            "kind": SURVEY_KIND,
            "format": PAYLOAD_FORMAT,
            "external": True,
            "indicator": {"id": indicator_id, "title": framework.indicator(indicator_id).title},
            "source": source,
            "threshold": k,
            "scale": {"form": data["form"], "places": places, "words": scale_text},
            "interval": "Wilson 95% per statement on its valid count; not pooled",
            "statements": statements,
            "mapping": {data["statements"][n]["text"]: ind for n, ind in mapping.items()},
            "imported_on": service_day().isoformat(),
            "imported_at": when.isoformat(),
            "imported_by": user_name,
        }
        end = data.get("end_date") or data.get("start_date")
        item = EvidenceItem(
            assessment_id=assessment.id,
            indicator_id=indicator_id,
            source_type=EvidenceSourceType.STAKEHOLDER_VIEWS,
            description=describe(payload),
            evidence_date=date.fromisoformat(end) if end else None,
            location=f"External survey “{data['survey']}”, file {record.file_name}"[:300],
            added_by_id=user_id,
            payload=payload,
        )
        db.session.add(item)
        added.append(item)
    record.data = {
        **data,
        "mapping": {str(n): ind for n, ind in mapping.items()},
        "places": places,
    }
    record.confirmed = True
    record.confirmed_by_id = user_id
    record.confirmed_at = when
    db.session.flush()
    audit.record(
        "assessment.external_imported",
        f"Imported the external survey {data['survey']} ({record.file_name}) into "
        f"{assessment.title} ({len(added)} indicator{'s' if len(added) != 1 else ''})",
        organisation_id=assessment.organisation_id,
        actor=db.session.get(User, user_id),
        object_type="assessment",
        object_id=assessment.id,
        details={
            "file_name": record.file_name,
            "sha256": record.sha256,
            "indicators": sorted(set(mapping.values())),
            "statements": len(data["statements"]),
            "left_out": len(data["statements"]) - len(mapping),
        },
    )
    return added
