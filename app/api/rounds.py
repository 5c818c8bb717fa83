"""Rounds: list, create, read, change while a draft, add contacts, check, launch and close.

The same services as the pages (app/services/rounds.py, contacts.py, launch.py and
results/closing.py) with the same validation; a refusal changes nothing.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from typing import Annotated, Any, Literal, get_args, get_type_hints

from flask import current_app
from pydantic import BaseModel, ConfigDict, Field, create_model

from app.api.auth import ApiCall
from app.api.blueprint import bp
from app.api.problems import ApiProblem
from app.api.registry import operation
from app.api.schemas import ApiModel, Moment, Text
from app.dates import today
from app.invitations.common import audience_labels
from app.models import ApiPermission, FeedbackRound
from app.services import launch as launch_service
from app.services import lifecycle
from app.services import rounds as service
from app.services.contacts import (
    ContactFileError,
    add_contacts,
    check_entries,
    contact_counts,
    existing_emails,
)
from app.services.results import CloseError, close_round
from app.services.round_audiences import by_email, customs_of
from surveys.launch_checks import CODES
from surveys.questionnaire import CHILDREN_BANDS, LEGACY_CHILDREN_BANDS

Id = Annotated[str, Field(min_length=1, max_length=64)]
# The age bands (youngest first), or one legacy band alone, as rounds from before bands have.
ChildrenBand = Literal["under_8", "8_to_12", "13_plus", "under_12", "12_plus"]
assert set(CHILDREN_BANDS + LEGACY_CHILDREN_BANDS) == set(get_args(ChildrenBand))
ChildrenBands = Annotated[list[ChildrenBand], Field(min_length=1, max_length=3)]


def _every_band() -> list[ChildrenBand]:
    return ["under_8", "8_to_12", "13_plus"]


WarningCode = Literal[
    "audience_below_threshold",
    "opens_in_past",
    "opens_far_ahead",
    "children_by_email",
    "no_way_to_answer",
    "long_for_young_children",
]
assert set(CODES) == set(WarningCode.__args__)  # type: ignore[attr-defined]  # Literal's args


class Input(ApiModel):
    # JSON types as written: "5" is not a number and 1 is not true.
    model_config = ConfigDict(extra="forbid", strict=True)


class ScopeIn(Input):
    organisation: Annotated[Text, Field(max_length=service.SCOPE_MAX)] = ""
    partners: Annotated[Text, Field(max_length=service.SCOPE_MAX)] = ""
    services: Annotated[Text, Field(max_length=service.SCOPE_MAX)] = ""
    customers: Annotated[Text, Field(max_length=service.SCOPE_MAX)] = ""
    outcomes: Annotated[Text, Field(max_length=service.SCOPE_MAX)] = ""


class RoundCreate(Input):
    name: Annotated[Text, Field(max_length=service.NAME_MAX)]
    framework_id: Id
    indicator_ids: Annotated[list[Id], Field(max_length=500)]
    audiences: Annotated[list[Id], Field(max_length=50)]
    opens_on: date
    closes_on: date
    threshold: Annotated[int, Field(ge=service.MIN_THRESHOLD, le=service.MAX_THRESHOLD)] | None = (
        None
    )
    scope: ScopeIn = Field(default_factory=ScopeIn)
    children_bands: ChildrenBands = Field(default_factory=lambda: _every_band())
    free_text: bool = True
    role_question: bool = False


class RoundUpdate(Input):
    """Only the fields sent change; null or absent leaves a field as it is."""

    name: Annotated[Text, Field(max_length=service.NAME_MAX)] | None = None
    framework_id: Id | None = None
    indicator_ids: Annotated[list[Id], Field(max_length=500)] | None = None
    audiences: Annotated[list[Id], Field(max_length=50)] | None = None
    opens_on: date | None = None
    closes_on: date | None = None
    threshold: Annotated[int, Field(ge=service.MIN_THRESHOLD, le=service.MAX_THRESHOLD)] | None = (
        None
    )
    scope: ScopeIn | None = None
    children_bands: ChildrenBands | None = None
    free_text: bool | None = None
    role_question: bool | None = None


class QuestionnaireOut(ApiModel):
    audience: str
    questions: int
    frozen: bool


# A saved round always has its dates and threshold, though a form being filled in may not.
_ALWAYS_SET = {"opens_on": date, "closes_on": date, "threshold": int}

# The settings part of a round, field for field from RoundSettings (the page's edit form).
_SETTINGS_FIELDS: dict[str, Any] = {
    name: (_ALWAYS_SET.get(name, hint), ...)
    for name, hint in get_type_hints(service.RoundSettings).items()
}
RoundSettingsOut = create_model("RoundSettingsOut", __base__=ApiModel, **_SETTINGS_FIELDS)


class OwnAudienceOut(ApiModel):
    """An audience the round defines itself (issue 22); its id is also in `questionnaires`."""

    id: str
    name: str
    plural: str
    scale: Literal["agree4", "progress5"]
    email: bool
    open_link: bool
    resembles: str | None
    statements: dict[str, list[str]]  # by indicator id


class RoundOut(RoundSettingsOut):
    """The round's settings (as RoundSettings) and what has happened to it."""

    own_audiences: list[OwnAudienceOut]

    id: uuid.UUID
    status: Literal["draft", "live", "closed"]
    launched_at: Moment | None
    closed_at: Moment | None
    questionnaires: list[QuestionnaireOut]
    contacts: dict[str, int]  # email contacts per audience while a draft (invitations after)


class RoundList(ApiModel):
    rounds: list[RoundOut]


class ContactIn(Input):
    email: Annotated[Text, Field(min_length=1, max_length=320)]
    name: Annotated[Text, Field(max_length=200)] = ""


class ContactsIn(Input):
    audience: Id
    contacts: Annotated[list[ContactIn], Field(min_length=1, max_length=5000)]


class ContactsAdded(ApiModel):
    added: int
    skipped: int  # already contacts of the round
    contacts: dict[str, int]


class LaunchWarningOut(ApiModel):
    code: WarningCode
    audience: str | None
    message: str


class LaunchCheck(ApiModel):
    ready: bool
    problems: list[str]
    warnings: list[LaunchWarningOut]


class LaunchIn(Input):
    accept_warnings: Annotated[list[WarningCode], Field(max_length=len(CODES))] = Field(
        default_factory=list
    )


class CancelIn(Input):
    delete: bool = False  # delete the round instead of keeping it as a draft


class Cancelled(ApiModel):
    round: RoundOut | None  # null when deleted
    deleted: bool
    invitations_withdrawn: int  # queued, never sent
    contacts_restored: int  # the invitees, contacts of the draft again


class Launched(ApiModel):
    round: RoundOut
    invitations: int
    open_links: int
    accepted_warnings: list[WarningCode]


# -- helpers -------------------------------------------------------------------------------------


def load_round(call: ApiCall, round_id: uuid.UUID) -> FeedbackRound:
    """The token's organisation's round, else 404 (another organisation's looks like none)."""
    rnd = service.round_of(call.org_id, round_id)
    if rnd is None:
        raise ApiProblem(404, "There is no round with this id.")
    call.round, call.object_type, call.object_id = rnd, "round", str(rnd.id)
    return rnd


def round_out(rnd: FeedbackRound) -> RoundOut:
    return RoundOut.model_validate(
        {
            **dataclasses.asdict(service.RoundSettings.of(rnd)),
            "id": rnd.id,
            "status": rnd.status.value,
            "launched_at": rnd.launched_at,
            "closed_at": rnd.closed_at,
            "questionnaires": [
                QuestionnaireOut(audience=q.audience, questions=len(q.items), frozen=q.frozen)
                for q in rnd.questionnaires
            ],
            "contacts": contact_counts(rnd.id) if rnd.is_draft else {},
            "own_audiences": [
                OwnAudienceOut(
                    id=c.id,
                    name=c.name,
                    plural=c.plural,
                    scale=c.scale,
                    email=c.email,
                    open_link=c.open_link,
                    resembles=c.resembles,
                    statements={k: [s.text for s in v] for k, v in c.statements.items()},
                )
                for c in customs_of(rnd)
            ],
        }
    )


def _refused(exc: service.RoundError) -> ApiProblem:
    if isinstance(exc, service.RoundLocked) or set(exc.errors) == {"round"}:
        return ApiProblem(409, " ".join(exc.errors.values()))
    errors = {key.replace("scope_", "scope.", 1): message for key, message in exc.errors.items()}
    return ApiProblem(422, "The round's settings are not valid.", errors=errors)


def _settings(body: RoundCreate) -> service.RoundSettings:
    return service.RoundSettings(
        name=body.name,
        framework_id=body.framework_id,
        indicator_ids=list(dict.fromkeys(body.indicator_ids)),
        audiences=list(dict.fromkeys(body.audiences)),
        opens_on=body.opens_on,
        closes_on=body.closes_on,
        threshold=body.threshold,
        scope=body.scope.model_dump(),
        children_bands=list(dict.fromkeys(body.children_bands)),
        free_text=body.free_text,
        role_question=body.role_question,
    )


# -- operations ----------------------------------------------------------------------------------


@operation(
    bp,
    "GET",
    "/rounds",
    name="list_rounds",
    summary="List the organisation's rounds",
    tag="Rounds",
    scope=ApiPermission.READ_RESULTS,
    response=RoundList,
)
def list_rounds(call: ApiCall, _body: None) -> BaseModel:
    found = service.rounds_of(call.org_id)
    call.details["rounds"] = len(found)
    return RoundList(rounds=[round_out(r) for r in found])


@operation(
    bp,
    "POST",
    "/rounds",
    name="create_round",
    summary="Create a draft round",
    tag="Rounds",
    scope=ApiPermission.MANAGE_ROUNDS,
    body=RoundCreate,
    response=RoundOut,
    status=201,
    description="Questionnaires are generated from the framework's item bank, as on the "
    "New round page; the same checks apply (422 names each field).",
)
def create(call: ApiCall, body: RoundCreate) -> BaseModel:
    try:
        rnd = service.create_round(call.organisation, _settings(body))
    except service.RoundError as exc:
        raise _refused(exc) from None
    call.round, call.object_type, call.object_id = rnd, "round", str(rnd.id)
    return round_out(rnd)


@operation(
    bp,
    "GET",
    "/rounds/<uuid:round_id>",
    name="get_round",
    summary="Read a round's settings, dates, audiences and questionnaires",
    tag="Rounds",
    scope=ApiPermission.READ_RESULTS,
    response=RoundOut,
)
def read(call: ApiCall, _body: None, round_id: uuid.UUID) -> BaseModel:
    return round_out(load_round(call, round_id))


@operation(
    bp,
    "PATCH",
    "/rounds/<uuid:round_id>",
    name="update_round",
    summary="Change a draft round's settings, dates, audiences or indicators",
    tag="Rounds",
    scope=ApiPermission.MANAGE_ROUNDS,
    body=RoundUpdate,
    response=RoundOut,
    errors=(409,),
    description="Only while the round is a draft (409 after launch). Questionnaires are "
    "rebuilt when what is asked changes, keeping edits where they still apply.",
)
def update(call: ApiCall, body: RoundUpdate, round_id: uuid.UUID) -> BaseModel:
    rnd = load_round(call, round_id)
    settings = service.RoundSettings.of(rnd)
    for name in body.model_fields_set:
        value = getattr(body, name)
        if value is None:
            continue
        if name == "scope":
            value = value.model_dump()
        elif name in ("indicator_ids", "audiences", "children_bands"):
            value = list(dict.fromkeys(value))
        setattr(settings, name, value)
    try:
        service.update_round(rnd, call.organisation, settings)
    except service.RoundError as exc:
        raise _refused(exc) from None
    return round_out(rnd)


@operation(
    bp,
    "POST",
    "/rounds/<uuid:round_id>/contacts",
    name="add_contacts",
    summary="Add email contacts to one audience of a draft round",
    tag="Rounds",
    scope=ApiPermission.MANAGE_ROUNDS,
    body=ContactsIn,
    response=ContactsAdded,
    errors=(409,),
    description="Each address is checked as in an uploaded file; if any is refused nothing is "
    "added and each refusal is listed (field `contacts.N`, from 1).",
)
def contacts(call: ApiCall, body: ContactsIn, round_id: uuid.UUID) -> BaseModel:
    rnd = load_round(call, round_id)
    if not rnd.is_draft:
        raise ApiProblem(409, "This round has been launched, so its contacts cannot change.")
    audiences = [q.audience for q in rnd.questionnaires]
    if body.audience not in audiences:
        raise ApiProblem(
            422,
            "The request body is not valid.",
            errors={"audience": "This round has no questionnaire for that audience."},
        )
    if not by_email(rnd, body.audience):
        raise ApiProblem(
            422,
            "The request body is not valid.",
            errors={"audience": "This audience is asked by open link only, not by email."},
        )
    existing = existing_emails(rnd, audience_labels(rnd))
    try:
        checked = check_entries([(c.email, c.name) for c in body.contacts], existing)
    except ContactFileError as exc:
        raise ApiProblem(422, str(exc)) from None
    if not checked.ok:
        errors = {f"contacts.{e.row}": e.message for e in checked.errors}
        raise ApiProblem(422, "Some contacts were refused; none were added.", errors=errors)
    added, skipped = add_contacts(rnd, body.audience, checked.valid)
    call.details.update({"audience": body.audience, "added": added})
    return ContactsAdded(added=added, skipped=skipped, contacts=contact_counts(rnd.id))


def _plan(rnd: FeedbackRound) -> launch_service.LaunchPlan:
    """The launch page's plan: its problems, and its warnings (`checks`) under the same rules."""
    return launch_service.plan_launch(rnd, audience_labels(rnd), today())


def _codes(plan: launch_service.LaunchPlan) -> list[str]:
    """The distinct warning codes, in the order of CODES (a code accepts all its warnings)."""
    present = {w.code for w in plan.checks}
    return [code for code in CODES if code in present]


@operation(
    bp,
    "GET",
    "/rounds/<uuid:round_id>/launch-check",
    name="check_launch",
    summary="What stops a launch, and the warnings a launch must accept",
    tag="Rounds",
    scope=ApiPermission.MANAGE_ROUNDS,
    response=LaunchCheck,
)
def check(call: ApiCall, _body: None, round_id: uuid.UUID) -> BaseModel:
    plan = _plan(load_round(call, round_id))
    return LaunchCheck(
        ready=plan.ready,
        problems=plan.problems,
        warnings=[
            LaunchWarningOut.model_validate(
                {"code": w.code, "audience": w.audience, "message": w.message}
            )
            for w in plan.checks
        ],
    )


@operation(
    bp,
    "POST",
    "/rounds/<uuid:round_id>/launch",
    name="launch_round",
    summary="Launch a draft round",
    tag="Rounds",
    scope=ApiPermission.MANAGE_ROUNDS,
    body=LaunchIn,
    response=Launched,
    errors=(409,),
    description="Freezes the questionnaires, turns contacts into invitations (sent from the "
    "opening day) and makes an open link per audience. Refused with 409 and `problems` when "
    "the round cannot be launched, or with `warnings` (the codes) when a warning is not named "
    "in `accept_warnings`.",
)
def launch(call: ApiCall, body: LaunchIn, round_id: uuid.UUID) -> BaseModel:
    rnd = load_round(call, round_id)
    plan = _plan(rnd)
    if not plan.ready:
        raise ApiProblem(409, "This round cannot be launched.", problems=plan.problems)
    codes = _codes(plan)
    missing = [code for code in codes if code not in body.accept_warnings]
    if missing:
        raise ApiProblem(
            409,
            "Launching needs these warnings accepted: " + ", ".join(missing) + ".",
            warnings=missing,
        )
    try:
        result = launch_service.launch(
            rnd, secret=current_app.config["SECRET_KEY"], labels=audience_labels(rnd), today=today()
        )
    except launch_service.LaunchRefused as exc:
        raise ApiProblem(409, "This round cannot be launched.", problems=exc.problems) from None
    except service.RoundError as exc:
        raise ApiProblem(409, " ".join(exc.errors.values())) from None
    call.details.update({"invitations": result.invitations, "accepted_warnings": codes})
    return Launched.model_validate(
        {
            "round": round_out(rnd),
            "invitations": result.invitations,
            "open_links": result.open_links,
            "accepted_warnings": codes,
        }
    )


@operation(
    bp,
    "POST",
    "/rounds/<uuid:round_id>/close",
    name="close_round",
    summary="Close a live round: no more responses; its results become final",
    tag="Rounds",
    scope=ApiPermission.MANAGE_ROUNDS,
    response=RoundOut,
    errors=(409,),
)
def close(call: ApiCall, _body: None, round_id: uuid.UUID) -> BaseModel:
    rnd = load_round(call, round_id)
    try:
        close_round(rnd)
    except CloseError as exc:
        raise ApiProblem(409, str(exc)) from None
    return round_out(rnd)


@operation(
    bp,
    "POST",
    "/rounds/<uuid:round_id>/cancel",
    name="cancel_round",
    summary="Cancel a Scheduled round: nothing is sent; it becomes a draft again or is deleted",
    tag="Rounds",
    scope=ApiPermission.MANAGE_ROUNDS,
    body=CancelIn,
    response=Cancelled,
    errors=(409,),
    description="As on the round's Cancel page: only a launched round that has not opened yet "
    "(409 otherwise). Its queued invitations are withdrawn and its invitees become contacts "
    "again, or with `delete: true` the round is deleted.",
)
def cancel(call: ApiCall, body: CancelIn, round_id: uuid.UUID) -> BaseModel:
    rnd = load_round(call, round_id)
    withdrawn = lifecycle.invitation_count(rnd.id)
    try:
        restored = lifecycle.cancel_round(rnd, today(), delete_round=body.delete)
    except service.RoundError as exc:
        raise ApiProblem(409, " ".join(exc.errors.values())) from None
    call.details.update({"invitations_withdrawn": withdrawn, "deleted": body.delete})
    return Cancelled(
        round=None if body.delete else round_out(rnd),
        deleted=body.delete,
        invitations_withdrawn=withdrawn,
        contacts_restored=restored,
    )
