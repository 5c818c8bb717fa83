"""Flask-Limiter, skipping its per-request bookkeeping when a request filter exempts the
request anyway (issue 15).

Flask-Limiter checks a request twice (its before-request hook and the route's decorator) and
on each pass resolves the route's limits and their exemption scopes before it asks the request
filters; on an exempt request (most of a respondent's: every page GET, a POST that only moves)
the answer is always "no limit". With no meta limits configured, the same answer is given here
without that work; any other request is checked exactly as before.

Respondents' answers also go without the X-RateLimit headers unless the request was refused
(see `current_limit`): the limits count exactly as before.
"""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter as _Limiter
from flask_limiter import RequestLimit

QUIET_BLUEPRINTS = frozenset({"respond"})  # no X-RateLimit headers unless refused


class Limiter(_Limiter):
    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        if not self._meta_limits and any(exempt() for exempt in self._request_filters):
            return
        super()._check_request_limit(callable_name, in_middleware)

    @property
    def current_limit(self) -> RequestLimit | None:
        """The limit Flask-Limiter writes its X-RateLimit headers from; none on a respondent's
        request that was not refused (a phone has no use for them, and the reset time costs a
        round trip to the limiter's storage on every entry and send). A refused request (429)
        still says when to try again."""
        found = _Limiter.current_limit.fget(self)  # type: ignore[attr-defined]
        if found is not None and not found.breached and request.blueprint in QUIET_BLUEPRINTS:
            return None
        return found
