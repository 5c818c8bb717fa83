"""Errors as RFC 9457 problem details (application/problem+json).

Every refusal of the API is an `ApiProblem`; the blueprint's handlers turn it, werkzeug's
HTTP errors and pydantic's validation errors into one JSON shape. The unit of work rolls back
every 4xx answer, so nothing is changed on any error.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, json
from pydantic import BaseModel, ConfigDict, ValidationError
from werkzeug.exceptions import HTTPException

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://chorus.invalid/problems/"  # stable identifiers, not fetched

TITLES = {
    400: "Malformed request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict with the current state",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}
SLUGS = {
    400: "malformed-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "validation-failed",
    429: "rate-limited",
    500: "internal-error",
    503: "unavailable",
}


class FieldError(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    model_config = ConfigDict(extra="forbid")

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    warnings: list[str] | None = None  # launch: the warning codes not accepted
    problems: list[str] | None = None  # launch and close: what stops it


class ApiProblem(Exception):
    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.extra = extra

    def response(self) -> Response:
        return problem_response(
            self.status, self.detail, errors=self.errors, headers=self.headers, **self.extra
        )


def problem_response(
    status: int,
    detail: str,
    *,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + SLUGS.get(status, "error"),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [{"field": k, "message": v} for k, v in errors.items()]
    body.update({k: v for k, v in extra.items() if v is not None})
    response = current_app.response_class(
        json.dumps(body), status=status, mimetype=MEDIA_TYPE, headers=headers
    )
    return response


def from_validation(exc: ValidationError, where: str = "body") -> ApiProblem:
    """Pydantic's errors as per-field messages (the field path joined with dots)."""
    errors: dict[str, str] = {}
    for error in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(part) for part in error["loc"]) or where
        errors.setdefault(path, str(error["msg"]))
    return ApiProblem(422, f"The request {where} is not valid.", errors=errors)


def from_http(error: HTTPException) -> Response:
    status = error.code or 500
    custom = error.description != type(error).description
    detail = error.description if custom and error.description else TITLES.get(status, "Error")
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]  # 405 only
    if status == 429:
        detail = "Too many requests with this token. Wait a minute and try again."
    return problem_response(status, detail, headers=headers)
