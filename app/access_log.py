"""Gunicorn's access log without the respondent: `logger_class` in gunicorn.conf.py.

A custom `access_log_format` is one format for every path, so it cannot drop the client address
and user agent for respondent paths only. This logger builds the atoms as gunicorn does, then,
for a respondent path (DESIGN.md 6.2), keeps only what says nothing about the person: time,
method, path with tokens redacted, status, size and duration. The address, user agent,
referer, query string, every request and response header and the WSGI environ all read "-",
whatever format is set. Tokens are redacted from every line, respondent or not.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from app.security import install_log_redaction, is_respondent_path, redact

# Atoms that describe the request, not the person; everything else is dropped.
_KEPT = frozenset("ltsmHbBTDMLp")


class RespondentSafeLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        install_log_redaction()  # the same token filter on gunicorn.error and gunicorn.access

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        path = environ.get("PATH_INFO") or ""
        method, protocol = environ.get("REQUEST_METHOD", "-"), environ.get("SERVER_PROTOCOL", "-")
        if not is_respondent_path(path):
            atoms["r"], atoms["U"] = redact(str(atoms["r"])), redact(path)
            return atoms
        safe = {key: atoms[key] for key in _KEPT if key in atoms}
        safe.update(
            {
                "h": "-",
                "u": "-",
                "a": "-",
                "f": "-",
                "q": "",
                "U": redact(path),
                "r": f"{method} {redact(path)} {protocol}",
            }
        )
        return safe
