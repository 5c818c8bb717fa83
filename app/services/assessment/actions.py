"""Improvement actions: what the team will do about its areas for improvement."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.dates import today as service_day
from app.extensions import db
from app.models import ActionStatus, Assessment, ImprovementAction
from app.services.assessment.assessments import Access, AssessmentError

TITLE_MAX = 200
OWNER_MAX = 200
AREA_MAX = 5000

STATUS_LABELS: dict[str, str] = {
    ActionStatus.NOT_STARTED.value: "Not started",
    ActionStatus.IN_PROGRESS.value: "In progress",
    ActionStatus.DONE.value: "Done",
    ActionStatus.DROPPED.value: "Dropped",
}

CONTRIBUTORS_ONLY = (
    "Only the Self-Assessment Team and coordinators can change improvement actions. "
    "Viewers can read them."
)


@dataclass
class ActionInput:
    title: str
    owner: str = ""
    due_on: str = ""  # ISO date, optional
    status: str = ActionStatus.NOT_STARTED.value
    indicator_ids: list[str] = field(default_factory=list)
    area_for_improvement: str = ""


def _clean(
    assessment: Assessment, data: ActionInput
) -> tuple[str, str, date | None, ActionStatus, list[str], str]:
    errors: dict[str, str] = {}
    title = " ".join(data.title.split())
    if not title:
        errors["title"] = "Say what the action is."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title to {TITLE_MAX} characters or fewer."
    owner = " ".join(data.owner.split())
    if len(owner) > OWNER_MAX:
        errors["owner"] = f"Keep the owner to {OWNER_MAX} characters or fewer."
    due: date | None = None
    if data.due_on.strip():
        try:
            due = date.fromisoformat(data.due_on.strip())
        except ValueError:
            errors["due_on"] = "Enter the due date as a real date, for example 2025-09-30."
    try:
        status = ActionStatus(data.status)
    except ValueError:
        status = ActionStatus.NOT_STARTED
        errors["status"] = "Choose a status: not started, in progress, done or dropped."
    unknown = [i for i in data.indicator_ids if i not in assessment.indicator_ids]
    if unknown:
        errors["indicator_ids"] = "Not indicators of this assessment: " + ", ".join(unknown)
    indicators = [i for i in assessment.indicator_ids if i in set(data.indicator_ids)]
    area = data.area_for_improvement.strip()
    if len(area) > AREA_MAX:
        errors["area_for_improvement"] = f"Keep this to {AREA_MAX} characters or fewer."
    if errors:
        raise AssessmentError(errors)
    return title, owner, due, status, indicators, area


def add_action(assessment: Assessment, access: Access, data: ActionInput) -> ImprovementAction:
    access.require(access.can_contribute, CONTRIBUTORS_ONLY)
    title, owner, due, status, indicators, area = _clean(assessment, data)
    action = ImprovementAction(
        assessment_id=assessment.id,
        title=title,
        owner=owner,
        due_on=due,
        status=status,
        indicator_ids=indicators,
        area_for_improvement=area,
    )
    db.session.add(action)
    db.session.flush()
    return action


def update_action(
    assessment: Assessment, action: ImprovementAction, access: Access, data: ActionInput
) -> None:
    access.require(access.can_contribute, CONTRIBUTORS_ONLY)
    title, owner, due, status, indicators, area = _clean(assessment, data)
    action.title, action.owner, action.due_on, action.status = title, owner, due, status
    action.indicator_ids, action.area_for_improvement = indicators, area
    db.session.flush()


def delete_action(action: ImprovementAction, access: Access) -> None:
    access.require(access.can_contribute, CONTRIBUTORS_ONLY)
    db.session.delete(action)
    db.session.flush()


def get_action(assessment: Assessment, action_id: uuid.UUID) -> ImprovementAction | None:
    return db.session.execute(
        select(ImprovementAction).where(
            ImprovementAction.id == action_id, ImprovementAction.assessment_id == assessment.id
        )
    ).scalar_one_or_none()


def actions_of(assessment: Assessment) -> list[ImprovementAction]:
    """Open actions first, each group by due date (undated last), then title."""
    rows = db.session.execute(
        select(ImprovementAction).where(ImprovementAction.assessment_id == assessment.id)
    ).scalars()
    closed = {ActionStatus.DONE, ActionStatus.DROPPED}
    return sorted(
        rows,
        key=lambda a: (a.status in closed, a.due_on is None, a.due_on or date.max, a.title),
    )


def overdue(action: ImprovementAction, today: date | None = None) -> bool:
    today = today or service_day()
    return (
        action.due_on is not None
        and action.due_on < today
        and action.status in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)
    )
