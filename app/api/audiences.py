"""A round's own audiences (issue 22): add one to a draft, with its statements per indicator.

The same service as the Audiences page (app/services/round_audiences.py) and the same checks;
a refusal changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.api.auth import ApiCall
from app.api.blueprint import bp
from app.api.problems import ApiProblem
from app.api.registry import operation
from app.api.rounds import Id, Input, RoundOut, load_round, round_out
from app.api.schemas import Text
from app.models import ApiPermission
from app.services import round_audiences as service
from surveys import audiences as rules

Statement = Annotated[Text, Field(min_length=1, max_length=rules.STATEMENT_MAX)]


class OwnAudienceIn(Input):
    name: Annotated[Text, Field(min_length=1, max_length=rules.NAME_MAX)]
    plural: Annotated[Text, Field(max_length=rules.PLURAL_MAX)] = ""
    scale: Literal["agree4", "progress5"] = "agree4"
    email: bool = True
    open_link: bool = True
    resembles: Id | None = None  # start from this audience's item bank
    # Statements per chosen indicator, replacing those copied from `resembles`.
    statements: (
        Annotated[
            dict[Id, Annotated[list[Statement], Field(max_length=rules.STATEMENTS_PER_INDICATOR)]],
            Field(max_length=500),
        ]
        | None
    ) = None


@operation(
    bp,
    "POST",
    "/rounds/<uuid:round_id>/audiences",
    name="add_own_audience",
    summary="Add an audience of the round's own to a draft round",
    tag="Rounds",
    scope=ApiPermission.MANAGE_ROUNDS,
    body=OwnAudienceIn,
    response=RoundOut,
    status=201,
    errors=(409,),
    description="As on the Audiences page: a name no other audience of the round has (ignoring "
    "case), an adult scale, email and/or open link, and statements per chosen indicator "
    "(copied from `resembles`, or given). 409 after launch.",
)
def add(call: ApiCall, body: OwnAudienceIn, round_id: uuid.UUID) -> BaseModel:
    rnd = load_round(call, round_id)
    if not rnd.is_draft:
        raise ApiProblem(409, "This round has been launched, so its audiences cannot change.")
    try:
        made = service.add_audience(
            rnd,
            name=body.name,
            plural=body.plural,
            scale=body.scale,
            email=body.email,
            open_link=body.open_link,
            resembles=body.resembles,
        )
        if body.statements is not None:
            unknown = sorted(set(body.statements) - set(rnd.indicator_ids))
            if unknown:
                raise rules.AudienceError(
                    {"statements": "Not indicators of this round: " + ", ".join(unknown)}
                )
            lines = {k: "\n".join(v) for k, v in body.statements.items()}
            service.set_statements(rnd, made.id, {i: lines.get(i, "") for i in rnd.indicator_ids})
    except rules.AudienceError as exc:
        raise ApiProblem(422, "The audience is not valid.", errors=exc.errors) from None
    call.details["audience"] = made.id
    return round_out(rnd)


@operation(
    bp,
    "DELETE",
    "/rounds/<uuid:round_id>/audiences/<audience>",
    name="remove_own_audience",
    summary="Remove an audience of the round's own from a draft round",
    tag="Rounds",
    scope=ApiPermission.MANAGE_ROUNDS,
    response=RoundOut,
    errors=(409,),
    description="With its questionnaire and its contacts. 404 for an audience the round does "
    "not define itself; 409 after launch.",
)
def remove(call: ApiCall, _body: None, round_id: uuid.UUID, audience: str) -> BaseModel:
    rnd = load_round(call, round_id)
    if service.find(rnd, audience) is None:
        raise ApiProblem(404, "This round has no audience of its own with that id.")
    if not rnd.is_draft:
        raise ApiProblem(409, "This round has been launched, so its audiences cannot change.")
    service.remove_audience(rnd, audience)
    call.details["audience"] = audience
    return round_out(rnd)
