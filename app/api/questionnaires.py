"""A draft round's questionnaires: read them, and until launch reword, move, remove and add
items and change the introduction, as on the Questionnaire page.

The same service as the page (app/services/round_edits.py), so the same checks: one line of at
most 300 characters, no question asked twice, at least one question left, a custom question on
one of the round's indicators. After launch every change is refused with 409 (questionnaires
are frozen from launch, translations too).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.auth import ApiCall
from app.api.blueprint import bp
from app.api.problems import ApiProblem
from app.api.registry import operation
from app.api.rounds import Id, load_round
from app.api.schemas import ApiModel, Text
from app.models import ApiPermission, QuestionItem, Questionnaire
from app.services import round_edits
from app.services.frameworks import UnknownFramework, get_framework
from app.services.rounds import RoundError, RoundLocked, ordered_items, questionnaire_of
from frameworks import Framework

Statement = Annotated[Text, Field(max_length=round_edits.STATEMENT_MAX * 4)]
Intro = Annotated[Text, Field(max_length=round_edits.INTRO_MAX * 2)]


class Input(ApiModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ItemOut(ApiModel):
    id: uuid.UUID
    position: int
    section_id: str
    indicator_id: str
    theme_id: str | None
    statement: str
    scale_id: str
    origin: Literal["bank", "edited", "custom"]
    bank_statement: str | None  # the item bank's wording, before any edit


class QuestionnaireDetail(ApiModel):
    audience: str
    frozen: bool
    version: int  # goes up with every change
    intro: str
    items: list[ItemOut]


class QuestionnaireUpdate(Input):
    """`intro` sets the introduction; `restore_intro` brings back Chorus's standard one."""

    intro: Intro | None = None
    restore_intro: bool = False


class ItemUpdate(Input):
    """`statement` rewords the item (`restore` brings back the item bank's wording); `move`
    swaps it with its neighbour in its section."""

    statement: Statement | None = None
    restore: bool = False
    move: Literal["up", "down"] | None = None


class ItemCreate(Input):
    indicator_id: Id
    theme_id: Id | None = None
    statement: Statement


# -- helpers -------------------------------------------------------------------------------------


def _questionnaire(call: ApiCall, round_id: uuid.UUID, audience: str) -> Questionnaire:
    q = questionnaire_of(load_round(call, round_id), audience)
    if q is None:
        raise ApiProblem(404, "This round has no questionnaire for that audience.")
    call.object_type, call.object_id = "questionnaire", str(q.id)
    call.details["audience"] = q.audience
    return q


def _item(q: Questionnaire, item_id: uuid.UUID) -> QuestionItem:
    found = round_edits.find_item(q, item_id)
    if found is None:
        raise ApiProblem(404, "That question is not in this questionnaire.")
    return found


def _framework(call: ApiCall, framework_id: str) -> Framework:
    try:
        return get_framework(call.org_id, framework_id)
    except UnknownFramework:
        raise ApiProblem(
            409, f"The framework {framework_id!r} of this round is no longer available."
        ) from None


def _refused(exc: RoundError, prefix: str = "") -> ApiProblem:
    if isinstance(exc, RoundLocked):
        return ApiProblem(409, " ".join(exc.errors.values()))
    errors = {prefix + key: message for key, message in exc.errors.items()}
    return ApiProblem(422, "The questionnaire was not changed.", errors=errors)


def questionnaire_out(q: Questionnaire) -> QuestionnaireDetail:
    return QuestionnaireDetail(
        audience=q.audience,
        frozen=q.frozen,
        version=q.version or 1,
        intro=q.intro or "",
        items=[
            ItemOut(
                id=i.id,
                position=i.position,
                section_id=i.section_id,
                indicator_id=i.indicator_id,
                theme_id=i.theme_id,
                statement=i.statement,
                scale_id=i.scale_id,
                origin=i.origin.value,
                bank_statement=i.bank_statement,
            )
            for i in ordered_items(q)
        ],
    )


# -- operations ----------------------------------------------------------------------------------

QUESTIONNAIRE = "/rounds/<uuid:round_id>/questionnaires/<audience>"
ITEM = QUESTIONNAIRE + "/items/<uuid:item_id>"


@operation(
    bp,
    "GET",
    QUESTIONNAIRE,
    name="get_questionnaire",
    summary="Read one audience's questionnaire: its introduction and questions in order",
    tag="Questionnaires",
    scope=ApiPermission.READ_RESULTS,
    response=QuestionnaireDetail,
)
def read(call: ApiCall, _body: None, round_id: uuid.UUID, audience: str) -> BaseModel:
    return questionnaire_out(_questionnaire(call, round_id, audience))


@operation(
    bp,
    "PATCH",
    QUESTIONNAIRE,
    name="update_questionnaire",
    summary="Change a draft questionnaire's introduction",
    tag="Questionnaires",
    scope=ApiPermission.MANAGE_ROUNDS,
    body=QuestionnaireUpdate,
    response=QuestionnaireDetail,
    errors=(409,),
    description="Only before launch (409 after). Line breaks are kept; at most 2000 characters.",
)
def update(
    call: ApiCall, body: QuestionnaireUpdate, round_id: uuid.UUID, audience: str
) -> BaseModel:
    q = _questionnaire(call, round_id, audience)
    if body.restore_intro and body.intro is not None:
        raise ApiProblem(
            422,
            "The questionnaire was not changed.",
            errors={"intro": "Send either a new introduction or restore_intro, not both."},
        )
    try:
        if body.restore_intro:
            round_edits.restore_intro(q)
        elif body.intro is not None:
            round_edits.set_intro(q, body.intro)
        else:
            round_edits.ensure_editable(q)
    except RoundError as exc:
        raise _refused(exc) from None
    return questionnaire_out(q)


@operation(
    bp,
    "POST",
    QUESTIONNAIRE + "/items",
    name="add_item",
    summary="Add your own question to a draft questionnaire",
    tag="Questionnaires",
    scope=ApiPermission.MANAGE_ROUNDS,
    body=ItemCreate,
    response=QuestionnaireDetail,
    status=201,
    errors=(409,),
    description="At the end of its indicator's section, on the audience's scale. The indicator "
    "must be one of the round's, the theme (if any) one of the indicator's.",
)
def add(call: ApiCall, body: ItemCreate, round_id: uuid.UUID, audience: str) -> BaseModel:
    q = _questionnaire(call, round_id, audience)
    try:
        round_edits.ensure_editable(q)
        added = round_edits.add_custom_item(
            q,
            _framework(call, q.round.framework_id),
            body.indicator_id,
            body.theme_id,
            body.statement,
        )
    except RoundError as exc:
        raise _refused(exc) from None
    call.details["item"] = str(added.id)
    return questionnaire_out(q)


@operation(
    bp,
    "PATCH",
    ITEM,
    name="update_item",
    summary="Reword or move one question of a draft questionnaire",
    tag="Questionnaires",
    scope=ApiPermission.MANAGE_ROUNDS,
    body=ItemUpdate,
    response=QuestionnaireDetail,
    errors=(409,),
    description="A bank question reworded becomes `edited`; reworded back (or `restore`) it is "
    "a bank question again. Only before launch (409 after).",
)
def update_item(
    call: ApiCall, body: ItemUpdate, round_id: uuid.UUID, audience: str, item_id: uuid.UUID
) -> BaseModel:
    q = _questionnaire(call, round_id, audience)
    found = _item(q, item_id)
    call.details["item"] = str(found.id)
    text = body.statement
    if body.restore:
        if text is not None:
            raise ApiProblem(
                422,
                "The questionnaire was not changed.",
                errors={"statement": "Send either a new statement or restore, not both."},
            )
        if not found.bank_statement:
            raise ApiProblem(
                422,
                "The questionnaire was not changed.",
                errors={"restore": "This is your own question: it has no item bank wording."},
            )
        text = found.bank_statement
    try:
        round_edits.ensure_editable(q)
        if text is not None:
            round_edits.reword_item(found, text)
        if body.move is not None:
            round_edits.move_item(found, body.move)
    except RoundError as exc:
        raise _refused(exc) from None
    return questionnaire_out(q)


@operation(
    bp,
    "DELETE",
    ITEM,
    name="remove_item",
    summary="Remove one question from a draft questionnaire",
    tag="Questionnaires",
    scope=ApiPermission.MANAGE_ROUNDS,
    response=QuestionnaireDetail,
    errors=(409,),
    description="A questionnaire keeps at least one question (422); to stop asking an "
    "audience, remove it from the round's audiences. Only before launch (409 after).",
)
def remove(
    call: ApiCall, _body: None, round_id: uuid.UUID, audience: str, item_id: uuid.UUID
) -> BaseModel:
    q = _questionnaire(call, round_id, audience)
    found = _item(q, item_id)
    call.details["item"] = str(found.id)
    try:
        round_edits.remove_item(found)
    except RoundError as exc:
        raise _refused(exc) from None
    return questionnaire_out(q)
