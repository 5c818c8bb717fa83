"""Friendly error pages; an HTMX request gets the message block alone."""

from __future__ import annotations

from flask import Flask, Response
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.rendering import render_page

MESSAGES = {
    400: ("Something was wrong with that request", "Please go back and try again."),
    403: ("You cannot do that", "Your role does not allow this. Ask a coordinator if you need it."),
    404: ("Page not found", "Check the address, or go back to the start."),
    405: ("That did not work", "Please go back and use the buttons on the page."),
    413: ("That was too large", "Please send something smaller."),
    422: ("Please check your answers", "Some of what you entered needs changing."),
    429: ("Too many attempts", "Please wait a minute and try again."),
    500: ("Sorry, something went wrong", "It was not your fault. Please try again in a moment."),
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
        # abort(404, "Specific words") shows those words; werkzeug's defaults are replaced.
        custom = error.description != type(error).description
        detail = error.description if custom else None
        response = _page(error.code or 500, detail)
        if error.code == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response
