"""The JSON API under /api/v1 (issue 21), described by the OpenAPI document it serves.

- `registry`: `@operation`, declared once beside each view: route, models, scope, errors;
- `openapi`: the OpenAPI 3.1 document and the HTML documentation, both from the registry;
- `auth`: bearer tokens (`app.services.api_tokens`); `problems`: RFC 9457 errors;
- `frameworks`, `rounds` (with `audiences`, a round's own), `questionnaires`, `results`,
  `assessments`: one module per resource group;
- `pages`: the coordinators' page that makes and revokes tokens.

Views call the same services as the pages, one unit of work per request (app/database.py):
a 4xx answer rolls everything back, so a refused call changes nothing.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from app.api import (  # noqa: F401  (register operations)
    assessments,
    audiences,
    frameworks,
    questionnaires,
    results,
    rounds,
)
from app.api.blueprint import bp
from app.api.openapi import PREFIX, docs_context, document
from app.api.problems import ApiProblem, from_http
from app.extensions import csrf, limiter
from app.rendering import render_page
from app.tenancy import public


@bp.errorhandler(ApiProblem)
def _problem(error: ApiProblem) -> Response:
    return error.response()


@bp.errorhandler(HTTPException)
def _http(error: HTTPException) -> Response:
    return from_http(error)


@bp.get("/openapi.json")
@limiter.exempt
@public
def openapi_json() -> ResponseReturnValue:
    return document()


@bp.get("/docs")
@limiter.exempt
@public
def docs() -> ResponseReturnValue:
    return render_page("api/docs.html", **docs_context())


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def init_api(app: Flask) -> None:
    from app.api.pages import bp as pages_bp

    csrf.exempt(bp)  # bearer tokens, never cookies: nothing for a forged form to ride on
    app.register_blueprint(bp)
    app.register_blueprint(pages_bp)
