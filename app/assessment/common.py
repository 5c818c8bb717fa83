"""What every assessment page needs: load with the tenancy and team rules, and plain errors."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask import abort
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.models import Assessment
from app.rendering import render_page
from app.services.assessment.assessments import Access, NotAllowed, access_for, framework_of
from app.services.frameworks import UnknownFramework
from app.tenancy import current_role, get_owned_or_404, parse_uuid_or_404
from frameworks import Framework


@dataclass(frozen=True)
class Loaded:
    assessment: Assessment
    access: Access
    framework: Framework

    def ctx(self, **extra: Any) -> dict[str, Any]:
        """Template context every assessment page shares."""
        return {
            "assessment": self.assessment,
            "access": self.access,
            "framework": self.framework,
            "scale": self.framework.rating_scale,
            **extra,
        }


def load(assessment_id: str | uuid.UUID) -> Loaded:
    """The assessment if this user may read it: 404 for another organisation's, and for a SAT
    member who is not on its team (they see only their own assessments)."""
    assessment = get_owned_or_404(Assessment, assessment_id)
    access = access_for(assessment, current_user.id, current_role())
    if not access.can_view:
        abort(404)
    try:
        framework = framework_of(assessment)
    except UnknownFramework:
        abort(404, "This assessment's framework is no longer available to your organisation.")
    return Loaded(assessment, access, framework)


def indicator_or_404(loaded: Loaded, ind: str) -> str:
    if ind not in loaded.assessment.indicator_ids:
        abort(404, f"{ind} is not one of the indicators in this assessment.")
    return ind


def object_id(value: str | uuid.UUID) -> uuid.UUID:
    return parse_uuid_or_404(value)


# Two people saving the same thing at the same instant: the database keeps one, the other is told.
SAVED_AT_ONCE = (
    "Someone else saved this at the same moment, so nothing of yours was saved. "
    "Check the page as it is now and try again."
)


def not_allowed(exc: NotAllowed) -> ResponseReturnValue:
    """403 with the service's own reason, on the friendly error page; nothing was changed."""
    return render_page(
        "errors/error.html",
        block="content",
        status=403,
        title="You cannot do that",
        advice=f"{exc} Nothing was changed.",
        status_code=403,
    )


def form_list(form: Any, name: str) -> list[str]:
    return [v for v in form.getlist(name) if v]


def scale_label(framework: Framework, code: str | None) -> str:
    return framework.rating_scale.display(code)
