"""Focus groups and discussions as evidence (issue 22): a structured, immutable record (date,
who took part by group and number, the indicator, the key points agreed), counted as
stakeholders' views for triangulation only when at least k people took part."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.dates import short_date
from app.dates import today as service_day
from app.extensions import db
from app.models import Assessment, EvidenceItem, EvidenceSourceType, User
from app.services import audit
from app.services.assessment.assessments import Access, AssessmentError
from app.services.assessment.external import (
    CONTRIBUTORS_ONLY,
    DISCUSSION_KIND,
    PAYLOAD_FORMAT,
    threshold_of,
)


@dataclass
class DiscussionInput:
    indicator_id: str
    held_on: str  # ISO date
    groups: list[tuple[str, str]]  # (group, number of people) as typed
    key_points: str
    title: str = ""


MAX_POINTS = 5000


def record_discussion(
    assessment: Assessment,
    access: Access,
    data: DiscussionInput,
    user_id: uuid.UUID,
    user_name: str,
    today: date | None = None,
) -> EvidenceItem:
    access.require(access.can_contribute, CONTRIBUTORS_ONLY)
    errors: dict[str, str] = {}
    if data.indicator_id not in assessment.indicator_ids:
        errors["indicator_id"] = "Choose one of this assessment's indicators."
    held: date | None = None
    try:
        held = date.fromisoformat(data.held_on.strip())
    except ValueError:
        errors["held_on"] = "Enter the date of the discussion, for example 2026-03-31."
    else:
        if held > (today or service_day()):
            errors["held_on"] = "The date of the discussion cannot be in the future."
    groups: list[dict[str, Any]] = []
    for n, (group, number) in enumerate(data.groups):
        group, number = " ".join(group.split())[:200], number.strip()
        if not group and not number:
            continue
        if not group:
            errors[f"group-{n}"] = "Name the group these people came from."
            continue
        try:
            people = int(number)
        except ValueError:
            errors[f"people-{n}"] = f"Enter how many {group} took part, as a whole number."
            continue
        if people < 1:
            errors[f"people-{n}"] = f"The number of {group} who took part must be at least 1."
            continue
        groups.append({"group": group, "people": people})
    if not groups and not any(k.startswith(("group-", "people-")) for k in errors):
        errors["group-0"] = "Say who took part: at least one group and how many people."
    points = data.key_points.strip()
    if not points:
        errors["key_points"] = "Write the key points the group agreed."
    elif len(points) > MAX_POINTS:
        errors["key_points"] = f"Keep the key points to {MAX_POINTS} characters or fewer."
    title = " ".join(data.title.split())[:200]
    if errors:
        raise AssessmentError(errors)
    assert held is not None
    k = threshold_of(assessment)
    total = sum(g["people"] for g in groups)
    payload = {
        "kind": DISCUSSION_KIND,
        "format": PAYLOAD_FORMAT,
        "external": True,
        "title": title,
        "held_on": held.isoformat(),
        "groups": groups,
        "people": total,
        "threshold": k,
        "counted": total >= k,
        "key_points": points,
        "recorded_by": user_name,
        "recorded_on": service_day().isoformat(),
    }
    who = ", ".join(f"{g['group']} ({g['people']})" for g in groups)
    head = f"Focus group or discussion{f' “{title}”' if title else ''} on {short_date(held)}"
    counted = (
        "counted as stakeholders' views"
        if total >= k
        else f"fewer than {k} people, so not counted as stakeholders' views"
    )
    item = EvidenceItem(
        assessment_id=assessment.id,
        indicator_id=data.indicator_id,
        source_type=EvidenceSourceType.STAKEHOLDER_VIEWS,
        description=f"{head}: {total} people took part ({who}); {counted}.\n"
        f"Key points agreed:\n{points}",
        evidence_date=held,
        location="Notes of a focus group or discussion",
        added_by_id=user_id,
        payload=payload,
    )
    db.session.add(item)
    db.session.flush()
    audit.record(
        "assessment.discussion_recorded",
        f"Recorded a focus group or discussion for {data.indicator_id} in {assessment.title}",
        organisation_id=assessment.organisation_id,
        actor=db.session.get(User, user_id),
        object_type="assessment",
        object_id=assessment.id,
        details={"indicator": data.indicator_id, "people": total, "counted": total >= k},
    )
    return item
