"""The route registry: each operation is declared once, next to its view.

`@operation(...)` names the method and path, the pydantic models of the request and response
bodies, the permission needed, a summary and the error statuses it can answer with. From that
one declaration come the Flask route, the checks every call goes through (token, scope, body,
rate limit, audit) and the operation's part of the OpenAPI document (`app.api.openapi`), so the
schema is never written twice.

A view takes the call (`ApiCall`), the parsed body (or None) and the path arguments, and
returns an instance of its response model (or raises `ApiProblem`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, current_app, json, request
from pydantic import BaseModel, ValidationError

from app.api.auth import ApiCall, authenticate, rate_key
from app.api.problems import ApiProblem, from_validation
from app.extensions import db, limiter
from app.models import ApiPermission
from app.services import audit
from app.services.api_tokens import mark_used
from app.tenancy import public

MAX_BODY_BYTES = 1024 * 1024

View = Callable[..., BaseModel]


@dataclass(frozen=True)
class Operation:
    name: str  # the operationId; the audit action is "api.<name>"
    method: str
    rule: str  # Flask's rule under /api/v1, e.g. "/rounds/<uuid:round_id>"
    summary: str
    tag: str
    scope: ApiPermission
    response: type[BaseModel]
    body: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    description: str = ""
    path_docs: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The OpenAPI path: "/rounds/{round_id}"."""
        return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", self.rule)

    @property
    def path_params(self) -> list[tuple[str, str]]:
        """(name, converter) of each path argument."""
        return [
            (name, converter or "string")
            for converter, name in re.findall(r"<(?:([a-z]+):)?([a-z_]+)>", self.rule)
        ]

    @property
    def statuses(self) -> list[int]:
        """Every error status the operation can answer with."""
        found = {401, 403, 429, *self.errors}
        if self.body is not None:
            found |= {400, 415, 422}
        if self.path_params:
            found.add(404)
        return sorted(found)


OPERATIONS: list[Operation] = []


def api_rate_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


def operation(
    bp: Blueprint,
    method: str,
    rule: str,
    *,
    name: str,
    summary: str,
    tag: str,
    scope: ApiPermission,
    response: type[BaseModel],
    body: type[BaseModel] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    description: str = "",
) -> Callable[[View], View]:
    op = Operation(
        name=name,
        method=method,
        rule=rule,
        summary=summary,
        tag=tag,
        scope=scope,
        response=response,
        body=body,
        status=status,
        errors=errors,
        description=description,
    )
    OPERATIONS.append(op)

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def endpoint(**path_args: Any) -> Any:
            call = authenticate(op.scope)
            parsed = _parse_body(op.body) if op.body is not None else None
            result = view(call, parsed, **path_args)
            _record(op, call)
            if op.method == "GET":
                # A GET's unit of work is rolled back; its audit entry and last use are kept.
                db.session.commit()
            return current_app.response_class(
                json.dumps(result.model_dump(mode="json")),
                status=op.status,
                mimetype="application/json",
            )

        # public: no session sign-in, the bearer token is checked instead.
        limited = limiter.limit(api_rate_limit, key_func=rate_key)(public(endpoint))
        bp.add_url_rule(rule, endpoint=name, view_func=limited, methods=[method])
        return view

    return decorator


def _parse_body(model: type[BaseModel]) -> BaseModel:
    if request.mimetype != "application/json":
        raise ApiProblem(415, "Send the body as JSON with Content-Type: application/json.")
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY_BYTES:
        raise ApiProblem(413, "The body is larger than 1 MB.")
    try:
        json.loads(raw)
    except ValueError:
        raise ApiProblem(400, "The body is not valid JSON.") from None
    try:
        # From the JSON text, so strict models still read dates and ids from JSON strings.
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise from_validation(exc) from None


def _record(op: Operation, call: ApiCall) -> None:
    """One audit entry per successful call: counts only (what the view noted), never a person."""
    details: dict[str, Any] = {"api_token_name": call.token.name, **call.details}
    audit.record(
        f"api.{op.name}",
        f"{op.summary} (API token “{call.token.name}”)",
        organisation_id=call.token.organisation_id,
        actor=call.creator,
        round=call.round,
        object_type=call.object_type,
        object_id=call.object_id,
        details=details,
    )
    mark_used(call.token)
