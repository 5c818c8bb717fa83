"""Self-assessments: create one, name its team, and decide who may do what (issue 8).

Ratings, judgements, evidence, imports and actions live in the other modules of this
package; they all take the `Access` computed here, so the permission rules are written once.
Services flush; the view or CLI command commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Assessment,
    Membership,
    Organisation,
    Role,
    TeamMember,
    TeamRole,
    User,
)
from app.services.frameworks import UnknownFramework, get_framework
from frameworks import Framework, builtin_frameworks
from frameworks.schema import Thread
from surveys.selection import SelectionError, expand_tokens, in_framework_order

TITLE_MAX = 200
SCOPE_TEXT_MAX = 2000

# CSIT "A structured improvement programme", Stage 1: the scoping template's terms.
SCOPE_FIELDS: tuple[tuple[str, str, str], ...] = (
    (
        "organisation",
        "The organisation",
        "What organisation, partnership or functions are we improving?",
    ),
    ("partners", "Partners", "Internal and external partners whose views and work affect it."),
    ("services", "The services", "What the organisation delivers."),
    ("customers", "Customers", "Who the services are for."),
    ("outcomes", "Outcomes", "The outcomes the organisation and its partners are working towards."),
)

TEAM_ROLE_LABELS: dict[TeamRole, str] = {
    TeamRole.FACILITATOR: "Facilitator",
    TeamRole.CRITICAL_FRIEND: "Critical friend",
    TeamRole.SCRIBE: "Scribe",
    TeamRole.MEMBER: "Member",
}

# Red-thread topics for tagging areas for improvement when a CSIT framework has none of its own.
CSIT_THREADS_FRAMEWORK = "csit-red-threads"


class AssessmentError(ValueError):
    """Input someone must fix; `errors` maps a form field to a plain message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotAllowed(PermissionError):
    """The user's role does not allow this; the message says why in plain words (shown on 403)."""


# ---------------------------------------------------------------------------------------------
# Who may do what


@dataclass(frozen=True)
class Access:
    """One user's rights on one assessment, from their organisation role and team role."""

    role: Role | None  # organisation role
    member: TeamMember | None  # None when not on the team

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def on_team(self) -> bool:
        # Someone made a viewer after joining keeps nothing but read access.
        return self.member is not None and self.role in (Role.COORDINATOR, Role.SAT_MEMBER)

    @property
    def can_view(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.VIEWER) or self.on_team

    @property
    def can_rate(self) -> bool:
        return self.on_team

    @property
    def can_facilitate(self) -> bool:
        return self.on_team and self.member is not None and self.member.role == TeamRole.FACILITATOR

    @property
    def can_record(self) -> bool:
        """Record agreed ratings, strengths and areas for improvement: facilitator or scribe."""
        return (
            self.on_team
            and self.member is not None
            and self.member.role in (TeamRole.FACILITATOR, TeamRole.SCRIBE)
        )

    @property
    def can_contribute(self) -> bool:
        """Add evidence, import results, keep the improvement actions."""
        return self.on_team or self.is_coordinator

    @property
    def can_manage(self) -> bool:
        """Change the title, scope and team."""
        return self.is_coordinator

    def require(self, allowed: bool, message: str) -> None:
        if not allowed:
            raise NotAllowed(message)

    @property
    def sees_names(self) -> bool:
        """Whose rating is whose: the team and coordinators; viewers see counts only."""
        return self.on_team or self.is_coordinator


def access_for(assessment: Assessment, user_id: uuid.UUID, role: Role | None) -> Access:
    member = next((m for m in assessment.members if m.user_id == user_id), None)
    return Access(role=role, member=member)


def visible_assessments(
    org: Organisation, user_id: uuid.UUID, role: Role | None
) -> list[Assessment]:
    """Coordinators and viewers see all of the organisation's; SAT members only their own."""
    query = select(Assessment).where(Assessment.organisation_id == org.id)
    if role not in (Role.COORDINATOR, Role.VIEWER):
        query = query.join(TeamMember).where(TeamMember.user_id == user_id)
    return list(db.session.execute(query.order_by(Assessment.created_at.desc())).scalars())


# ---------------------------------------------------------------------------------------------
# Creating and changing an assessment


@dataclass
class AssessmentSettings:
    title: str
    framework_id: str
    choices: list[str] = field(default_factory=list)  # selection tokens, e.g. "section:2"
    scope: dict[str, str] = field(default_factory=dict)
    team: dict[uuid.UUID, TeamRole] = field(default_factory=dict)


def team_candidates(org: Organisation) -> list[tuple[User, Role]]:
    """Users who can sit on a team: the organisation's coordinators and SAT members."""
    rows = db.session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organisation_id == org.id,
            Membership.role.in_([Role.COORDINATOR, Role.SAT_MEMBER]),
            Membership.active.is_(True),
            User.active.is_(True),
        )
        .order_by(User.name, User.email)
    ).all()
    return [(user, role) for user, role in rows]


def _clean_title(title: str, errors: dict[str, str]) -> str:
    title = " ".join(title.split())
    if not title:
        errors["title"] = "Enter a title for the assessment."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"The title must be {TITLE_MAX} characters or fewer."
    return title


def _clean_scope(scope: dict[str, str], errors: dict[str, str]) -> dict[str, str]:
    cleaned = {}
    for key, label, _hint in SCOPE_FIELDS:
        text = (scope.get(key) or "").strip()
        if len(text) > SCOPE_TEXT_MAX:
            errors[f"scope-{key}"] = f"{label}: use {SCOPE_TEXT_MAX} characters or fewer."
        cleaned[key] = text
    return cleaned


def _check_team(org: Organisation, team: dict[uuid.UUID, TeamRole], errors: dict[str, str]) -> None:
    allowed = {user.id for user, _ in team_candidates(org)}
    outsiders = [uid for uid in team if uid not in allowed]
    if outsiders:
        errors["team"] = (
            "Only this organisation's coordinators and SAT members can be on the team "
            "(viewers read assessments but do not rate)."
        )
    elif not team:
        errors["team"] = "Choose the people on the Self-Assessment Team."
    elif TeamRole.FACILITATOR not in team.values():
        errors["team"] = (
            "Choose a facilitator: the person who guides the consensus discussion and opens it."
        )


def create_assessment(org: Organisation, settings: AssessmentSettings) -> Assessment:
    """Validate everything, then add the assessment and its team; AssessmentError lists each
    field to fix and nothing is written."""
    errors: dict[str, str] = {}
    title = _clean_title(settings.title, errors)
    scope = _clean_scope(settings.scope, errors)
    framework: Framework | None = None
    indicator_ids: list[str] = []
    try:
        framework = get_framework(org.id, settings.framework_id)
    except UnknownFramework:
        errors["framework_id"] = f"There is no framework called {settings.framework_id!r}."
    if framework is not None:
        try:
            indicator_ids = expand_tokens(framework, settings.choices)
        except SelectionError as exc:
            errors["choices"] = str(exc)
        else:
            if not indicator_ids:
                errors["choices"] = (
                    "Choose what to assess: the whole framework, a section, a red thread "
                    "or some indicators."
                )
    _check_team(org, settings.team, errors)
    if errors:
        raise AssessmentError(errors)
    assert framework is not None
    assessment = Assessment(
        organisation_id=org.id,
        title=title,
        framework_id=framework.id,
        indicator_ids=indicator_ids,
        scope=scope,
        discussion_open=False,
        capacity_statement="",
        capacity_confidence="",
        review={},
    )
    db.session.add(assessment)
    for user_id, role in settings.team.items():
        assessment.members.append(TeamMember(user_id=user_id, role=role, submitted=False))
    db.session.flush()
    return assessment


def update_settings(
    assessment: Assessment,
    org: Organisation,
    title: str,
    scope: dict[str, str],
    team: dict[uuid.UUID, TeamRole],
) -> None:
    """Change title, scope and team. The ratings of someone who leaves stay stored but stop
    counting; if they are added again they find them, and submit again."""
    errors: dict[str, str] = {}
    clean_title = _clean_title(title, errors)
    clean_scope = _clean_scope(scope, errors)
    _check_team(org, team, errors)
    if errors:
        raise AssessmentError(errors)
    assessment.title = clean_title
    assessment.scope = clean_scope
    current = {m.user_id: m for m in assessment.members}
    for user_id, member in current.items():
        if user_id not in team:
            assessment.members.remove(member)
    for user_id, role in team.items():
        if user_id in current:
            current[user_id].role = role
        else:
            assessment.members.append(TeamMember(user_id=user_id, role=role, submitted=False))
    db.session.flush()


# ---------------------------------------------------------------------------------------------
# Reading an assessment


def framework_of(assessment: Assessment) -> Framework:
    return get_framework(assessment.organisation_id, assessment.framework_id)


def assessment_sections(assessment: Assessment, framework: Framework) -> list[tuple[str, str]]:
    """(section id, title) for the sections holding the assessment's indicators, in order."""
    wanted = {framework.indicator(i).section for i in assessment.indicator_ids}
    return [(s.id, s.title) for s in framework.sections if s.id in wanted]


def indicators_in_section(
    assessment: Assessment, framework: Framework, section_id: str
) -> list[str]:
    ids = [i for i in assessment.indicator_ids if framework.indicator(i).section == section_id]
    return in_framework_order(framework, ids)


def tag_threads(framework: Framework) -> list[Thread]:
    """Red-thread topics for tagging areas for improvement: the framework's own threads, or for
    CSIT frameworks without any, those of the CSIT red-threads benchmark."""
    if framework.threads:
        return list(framework.threads)
    if framework.id.startswith("csit-"):
        other = builtin_frameworks().get(CSIT_THREADS_FRAMEWORK)
        if other is not None:
            return list(other.threads)
    return []


def member_names(assessment: Assessment) -> dict[uuid.UUID, str]:
    ids = [m.user_id for m in assessment.members]
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name, User.email).where(User.id.in_(ids)))
    return {uid: (name or email) for uid, name, email in rows}


def user_names(user_ids: set[uuid.UUID | None]) -> dict[uuid.UUID | None, str]:
    """Display names (name, else email) for "added by" / "changed by" columns; a user deleted
    since (id set to NULL) is simply absent, and callers show "a former user"."""
    ids = [u for u in user_ids if u is not None]
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name, User.email).where(User.id.in_(ids)))
    return {uid: (name or email) for uid, name, email in rows}


def team_roster(assessment: Assessment) -> list[tuple[TeamMember, str]]:
    """Team members with their display names, facilitator first."""
    names = member_names(assessment)
    order = list(TeamRole)
    return sorted(
        ((m, names.get(m.user_id, "Former user")) for m in assessment.members),
        key=lambda pair: (order.index(pair[0].role), pair[1].lower()),
    )
