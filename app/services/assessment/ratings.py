"""Individual ratings: each member rates alone; nobody sees others' ratings too early.

The rule (CSIT method, issue 8): a member's ratings are private until they submit them. A member
who has submitted sees the submitted ratings of the others; once the facilitator opens the
discussion, everyone who may read the assessment sees every member's ratings. Individual ratings
close at submission or when the discussion opens, so what the team compares was given alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import Assessment, MemberRating
from app.services.assessment.assessments import Access, AssessmentError
from frameworks import Framework
from surveys.assessment import RatingSpread, disagreements_first, rating_spread

NOTE_MAX = 2000

VIEWER_CANNOT_RATE = (
    "Only members of this assessment's Self-Assessment Team can rate indicators. "
    "Viewers can read the assessment but not change it."
)


def rating_closed_reason(assessment: Assessment, access: Access) -> str | None:
    """Why this user cannot change their individual ratings now, or None if they can."""
    if not access.can_rate:
        return VIEWER_CANNOT_RATE
    assert access.member is not None
    if access.member.submitted:
        return "You have submitted your ratings, so they are final."
    if assessment.discussion_open:
        return (
            "The facilitator has opened the discussion, so individual ratings are closed: "
            "the team now agrees its ratings together."
        )
    return None


def my_ratings(assessment: Assessment, user_id: uuid.UUID) -> dict[str, MemberRating]:
    rows = db.session.execute(
        select(MemberRating).where(
            MemberRating.assessment_id == assessment.id, MemberRating.user_id == user_id
        )
    ).scalars()
    return {r.indicator_id: r for r in rows}


def save_ratings(
    assessment: Assessment,
    framework: Framework,
    access: Access,
    values: Mapping[str, str],
    notes: Mapping[str, str] | None = None,
) -> int:
    """Save this member's ratings for some indicators (blank clears one). All or nothing:
    AssessmentError names every bad field and nothing is written. Returns how many changed."""
    closed = rating_closed_reason(assessment, access)
    if closed == VIEWER_CANNOT_RATE:
        access.require(False, VIEWER_CANNOT_RATE)
    if closed:
        raise AssessmentError({"ratings": closed})
    assert access.member is not None
    notes = notes or {}
    codes = [level.code for level in framework.rating_scale.levels]
    in_assessment = set(assessment.indicator_ids)
    errors: dict[str, str] = {}
    for indicator_id in sorted(set(values) | set(notes)):
        if indicator_id not in in_assessment:
            errors[f"rating-{indicator_id}"] = (
                f"{indicator_id} is not one of the indicators in this assessment, so it "
                "cannot be rated here."
            )
    for indicator_id, value in values.items():
        if indicator_id in in_assessment and value and value not in codes:
            errors[f"rating-{indicator_id}"] = (
                f"{indicator_id}: {value!r} is not on the {framework.rating_scale.title} "
                f"scale. Choose one of: {', '.join(codes)}."
            )
    for indicator_id, note in notes.items():
        if note.strip() and indicator_id in in_assessment and not values.get(indicator_id):
            errors[f"rating-{indicator_id}"] = (
                f"{indicator_id}: choose a rating to go with your note, or clear the note."
            )
        elif len(note) > NOTE_MAX:
            errors[f"note-{indicator_id}"] = (
                f"{indicator_id}: keep the note to {NOTE_MAX} characters or fewer."
            )
    if errors:
        raise AssessmentError(errors)

    existing = my_ratings(assessment, access.member.user_id)
    changed = 0
    for indicator_id, value in values.items():
        note = (notes.get(indicator_id) or "").strip()
        row = existing.get(indicator_id)
        if not value:
            if row is not None:
                db.session.delete(row)
                changed += 1
            continue
        if row is None:
            db.session.add(
                MemberRating(
                    assessment_id=assessment.id,
                    indicator_id=indicator_id,
                    user_id=access.member.user_id,
                    value=value,
                    note=note,
                )
            )
            changed += 1
        elif (row.value, row.note) != (value, note):
            row.value, row.note = value, note
            changed += 1
    db.session.flush()
    return changed


def unrated(assessment: Assessment, user_id: uuid.UUID) -> list[str]:
    mine = my_ratings(assessment, user_id)
    return [i for i in assessment.indicator_ids if i not in mine]


def submit_ratings(assessment: Assessment, access: Access) -> None:
    """Make this member's ratings final and let them see the others' submitted ratings."""
    closed = rating_closed_reason(assessment, access)
    if closed == VIEWER_CANNOT_RATE:
        access.require(False, VIEWER_CANNOT_RATE)
    if closed:
        raise AssessmentError({"ratings": closed})
    assert access.member is not None
    missing = unrated(assessment, access.member.user_id)
    if missing:
        shown = ", ".join(missing[:6]) + (" and others" if len(missing) > 6 else "")
        raise AssessmentError(
            {
                "ratings": f"Rate every indicator before you submit: {len(missing)} still "
                f"to rate ({shown})."
            }
        )
    access.member.submitted = True
    db.session.flush()


def open_discussion(assessment: Assessment, access: Access) -> None:
    access.require(
        access.can_facilitate, "Only the facilitator can open the team's discussion of ratings."
    )
    if assessment.discussion_open:
        raise AssessmentError({"discussion": "The discussion is already open."})
    assessment.discussion_open = True
    db.session.flush()


def submission_progress(assessment: Assessment) -> tuple[int, int]:
    """(members who have submitted, members)."""
    return sum(1 for m in assessment.members if m.submitted), len(assessment.members)


# ---------------------------------------------------------------------------------------------
# Seeing the team's ratings


def ratings_visible(assessment: Assessment, access: Access) -> bool:
    if assessment.discussion_open:
        return access.can_view
    return access.on_team and access.member is not None and access.member.submitted


@dataclass(frozen=True)
class VisibleRating:
    user_id: uuid.UUID
    indicator_id: str
    value: str
    note: str


def visible_ratings(assessment: Assessment, access: Access) -> list[VisibleRating]:
    """The ratings this user may see: none before they submit (unless the discussion is open);
    then the submitted members' ratings; once open, every current member's ratings."""
    if not ratings_visible(assessment, access):
        return []
    members = {m.user_id for m in assessment.members if assessment.discussion_open or m.submitted}
    if not members:
        return []
    rows = db.session.execute(
        select(MemberRating).where(
            MemberRating.assessment_id == assessment.id,
            MemberRating.user_id.in_(members),
            MemberRating.indicator_id.in_(assessment.indicator_ids),
        )
    ).scalars()
    return [VisibleRating(r.user_id, r.indicator_id, r.value, r.note) for r in rows]


def spreads(
    assessment: Assessment, framework: Framework, ratings: list[VisibleRating]
) -> list[RatingSpread]:
    """Each indicator's spread of the visible ratings, largest disagreement first."""
    by_indicator: dict[str, list[str]] = {i: [] for i in assessment.indicator_ids}
    codes = {level.code for level in framework.rating_scale.levels}
    for rating in ratings:
        # Values were checked on save; a custom framework re-imported with another scale could
        # still leave old codes behind, and those cannot be placed on the new scale.
        if rating.indicator_id in by_indicator and rating.value in codes:
            by_indicator[rating.indicator_id].append(rating.value)
    found = [
        rating_spread(framework.rating_scale, ind, values) for ind, values in by_indicator.items()
    ]
    return disagreements_first(found, [i.id for i in framework.indicators])
