"""Friendly error pages; an HTMX request gets the message block alone."""

from __future__ import annotations

import logging
from contextlib import suppress

from flask import Flask, Response, current_app, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from werkzeug.exceptions import HTTPException, MethodNotAllowed, ServiceUnavailable

from app.extensions import db
from app.rendering import render_page

log = logging.getLogger("chorus.errors")
RETRY_AFTER_SECONDS = 5

MESSAGES = {
    400: ("Something was wrong with that request", "Please go back and try again."),
    403: ("You cannot do that", "Your role does not allow this. Ask a coordinator if you need it."),
    404: ("Page not found", "Check the address, or go back to the start."),
    405: ("That did not work", "Please go back and use the buttons on the page."),
    413: ("That was too large", "Please send something smaller."),
    422: ("Please check your answers", "Some of what you entered needs changing."),
    429: ("Too many attempts", "Please wait a minute and try again."),
    500: ("Sorry, something went wrong", "It was not your fault. Please try again in a moment."),
    503: (
        "Sorry, that did not go through",
        "We lost touch with our database for a moment, so nothing was changed. Please go back "
        "and try again in a minute.",
    ),
}


def _page(status: int, detail: str | None = None) -> Response:
    title, advice = MESSAGES.get(status, MESSAGES[400] if status < 500 else MESSAGES[500])
    return render_page(
        "errors/error.html",
        block="content",
        status=status,
        title=title,
        advice=detail or advice,
        status_code=status,
    )


def init_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Response:
        return _page(
            400,
            "The form had expired or was sent from elsewhere, so nothing was "
            "changed. Go back, reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        from app.api import is_api_request
        from app.api.problems import from_http

        if is_api_request():  # an unknown API address or method: problem details, not a page
            return from_http(error)
        # abort(404, "Specific words") shows those words; werkzeug's defaults are replaced.
        custom = error.description != type(error).description
        detail = error.description if custom else None
        response = _page(error.code or 500, detail)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError) -> Response:
        """Another driver error is a 503 only if it says the connection is gone (SQLite's
        "closed database" is a ProgrammingError); anything else is a bug: the 500 page."""
        if not error.connection_invalidated:
            raise error
        return database_unavailable(error)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DisconnectionError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error: SQLAlchemyError) -> Response:
        """The database dropped or refused us mid-request: a 503 that says try again.

        The transaction is rolled back (the database discards it anyway when a connection
        dies), so nothing half-done is kept. Sent through the HTTP error handlers, so each
        journey words it its own way (the respondent pages say their answers are kept).
        """
        with suppress(SQLAlchemyError):
            db.session.rollback()
        # Never the URL (an invitation link holds a token) nor str(error) (it carries the
        # statement's parameters: answers, addresses).
        orig = getattr(error, "orig", None)
        log.warning(
            "Database unavailable during %s: %s",
            request.endpoint,
            type(orig or error).__name__,
        )
        response = current_app.make_response(
            current_app.handle_http_exception(ServiceUnavailable())
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
