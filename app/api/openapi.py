"""The OpenAPI 3.1 document, built from the registry and the pydantic models, and its HTML page.

Models' JSON Schemas go into `components.schemas` (request bodies as validated, responses as
serialised); each operation's path, parameters, security, body and responses come from its
`@operation` declaration. Built once per process: the code does not change while it runs.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from apispec import APISpec
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from app.api.problems import MEDIA_TYPE, TITLES, Problem
from app.api.registry import OPERATIONS, Operation

TITLE = "Chorus API"
VERSION = "1.0.0"
PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"

DESCRIPTION = (
    "Read frameworks, rounds, response rates, results and assessments; create and run rounds. "
    "Authenticate with `Authorization: Bearer <token>` (a coordinator makes tokens in Chorus, "
    "under Settings, API tokens). Every figure is anonymised as on Chorus's own pages: a group "
    "of fewer than the round's threshold of respondents, or a figure that would give one away, "
    'is an explicit `{"suppressed": true, "reason": ...}`, never a missing value. Errors are '
    "RFC 9457 problem details (application/problem+json). No operation lists individual "
    "responses or who has answered."
)

PARAM_SCHEMAS = {
    "uuid": {"type": "string", "format": "uuid"},
    "string": {"type": "string", "minLength": 1, "maxLength": 64},
}


def _models() -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    found: list[tuple[type[BaseModel], JsonSchemaMode]] = [(Problem, "serialization")]
    for op in OPERATIONS:
        if op.body is not None:
            found.append((op.body, "validation"))
        found.append((op.response, "serialization"))
    unique: list[tuple[type[BaseModel], JsonSchemaMode]] = []
    for pair in found:
        if pair not in unique:
            unique.append(pair)
    return unique


@functools.cache
def document() -> dict[str, Any]:
    models = _models()
    refs, top = models_json_schema(models, ref_template=REF)
    spec = APISpec(
        title=TITLE,
        version=VERSION,
        openapi_version="3.1.0",
        info={"description": DESCRIPTION},
        servers=[{"url": PREFIX}],
    )
    for name, schema in top.get("$defs", {}).items():
        spec.components.schema(name, schema)
    spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "An API token."}
    )
    problem_ref = refs[(Problem, "serialization")]
    by_path: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        by_path.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs, problem_ref)
    for path, operations in by_path.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _operation(
    op: Operation,
    refs: dict[Any, Any],
    problem_ref: dict[str, Any],
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        str(op.status): {
            "description": "Success",
            "content": {"application/json": {"schema": refs[(op.response, "serialization")]}},
        }
    }
    for status in op.statuses:
        responses[str(status)] = {
            "description": TITLES.get(status, "Error"),
            "content": {MEDIA_TYPE: {"schema": problem_ref}},
        }
    spec: dict[str, Any] = {
        "operationId": op.name,
        "summary": op.summary,
        "tags": [op.tag],
        "security": [{"bearerAuth": []}],
        "x-permission": op.scope.value,
        "responses": responses,
    }
    if op.description:
        spec["description"] = op.description
    params = [
        {"name": name, "in": "path", "required": True, "schema": PARAM_SCHEMAS[converter]}
        for name, converter in op.path_params
    ]
    if params:
        spec["parameters"] = params
    if op.body is not None:
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    return spec


def docs_context() -> dict[str, Any]:
    """What the HTML documentation page shows: every operation, its parameters and schemas."""
    doc = document()
    schemas = doc["components"]["schemas"]
    operations = []
    for path, methods in doc["paths"].items():
        for method, spec in methods.items():
            body = spec.get("requestBody", {}).get("content", {}).get("application/json")
            ok = next(iter(spec["responses"].items()))
            operations.append(
                {
                    "id": spec["operationId"],
                    "method": method.upper(),
                    "path": PREFIX + path,
                    "summary": spec["summary"],
                    "description": spec.get("description", ""),
                    "permission": spec["x-permission"],
                    "parameters": spec.get("parameters", []),
                    "body": _ref_name(body["schema"]) if body else None,
                    "success": ok[0],
                    "response": _ref_name(ok[1]["content"]["application/json"]["schema"]),
                    "errors": [(code, r["description"]) for code, r in spec["responses"].items()][
                        1:
                    ],
                }
            )
    return {
        "title": TITLE,
        "version": VERSION,
        "description": DESCRIPTION,
        "operations": operations,
        "schemas": {name: json.dumps(schema, indent=2) for name, schema in schemas.items()},
    }


def _ref_name(schema: dict[str, Any]) -> str:
    return str(schema.get("$ref", "")).rsplit("/", 1)[-1]
