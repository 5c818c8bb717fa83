"""Engine set-up, the start-up check that names DATABASE_URL, and the unit of work.

The unit of work (DESIGN.md section 3: services flush, the view or CLI command commits once) is
written here once. Every request is one: `ChorusFlask.dispatch_request` commits what a writing
view flushed when it answered with a success or a redirect, and rolls everything back when it
answered 4xx (a 422 or 409 re-render changes nothing) or raised. CLI commands use
`unit_of_work()` (or `@transactional`). The transaction ends inside the request's error
handlers, so a connection that dies after the view ran is the friendly 503 page, not a bare 500
from the teardown.
"""

from __future__ import annotations

import functools
import logging
import select
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, ParamSpec, TypeVar

from flask import Flask, Response, request
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, OperationalError, SQLAlchemyError

from app.config import ConfigurationError
from app.extensions import db


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def closed_by_server(dbapi_connection: Any) -> bool:
    """Whether the server has ended an idle PostgreSQL connection, asked of the socket alone.

    A pooled connection is idle: the server sends it nothing until it is asked something, so
    anything to read means the server has closed it (a restart, a failover, an administrator's
    `pg_terminate_backend`: each sends its goodbye and closes). A connection the client knows
    is closed or broken counts too. A spurious "closed" costs one new connection.
    """
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    try:
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
    except Exception:  # psycopg's own error, or the OS's: no socket left to ask
        return True
    return bool(poller.poll(0))


def _check_on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    # Raising DisconnectionError here makes the pool replace the connection and check out
    # another (SQLAlchemy's pessimistic disconnect handling), as pool_pre_ping would.
    if closed_by_server(dbapi_connection):
        raise DisconnectionError("the server closed this pooled connection")


def configure_engine(app: Flask) -> Engine:
    engine = db.engine
    if engine.dialect.name == "sqlite" and not getattr(engine, "_chorus_pragmas", False):
        event.listen(engine, "connect", _sqlite_pragmas)
        engine._chorus_pragmas = True  # type: ignore[attr-defined]  # our own once-only marker
    # PostgreSQL: pool_pre_ping's check without its round trip (config.engine_options). Every
    # request that uses the database checks a connection out; a respondent's entry and send each
    # paid one more statement, and a wait for the server, for the ping (issue 15).
    postgres = engine.dialect.name == "postgresql"
    if postgres and not event.contains(engine, "checkout", _check_on_checkout):
        event.listen(engine, "checkout", _check_on_checkout)
    return engine


def check_connection(app: Flask) -> None:
    """Fail fast with one line if the database cannot be reached."""
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "connection failed"
        raise ConfigurationError(
            f"the database in DATABASE_URL cannot be reached ({reason})."
        ) from None


log = logging.getLogger("chorus.database")
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block wrote, once; roll it all back if the block raised."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def transactional(command: Callable[P, R]) -> Callable[P, R]:
    """A CLI command as one unit of work (a `click.ClickException` rolls back too)."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return command(*args, **kwargs)

    return run


class ChorusFlask(Flask):
    """Flask with one unit of work per request, ended where the error handlers still apply."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        # Flask asks, for every hook of every request, whether it is a coroutine function; the
        # answer for a function never changes, and a request runs about fifteen hooks.
        known = self._sync_checked.get(func)
        if known is None:
            known = super().ensure_sync(func)
            if len(self._sync_checked) < 1024:  # hooks and views: a fixed, small set
                self._sync_checked[func] = known
        return known

    @functools.cached_property
    def _sync_checked(self) -> dict[Callable[..., Any], Callable[..., Any]]:
        return {}

    def dispatch_request(self) -> Any:
        try:
            response = self.make_response(super().dispatch_request())
        except BaseException:
            db.session.rollback()
            raise
        end_request_transaction(response)
        return response


def end_request_transaction(response: Response) -> None:
    """Commit a writing request that succeeded (2xx, or a 303 after a POST); else roll back.

    A GET never writes, so its transaction is rolled back (cheaply: it read only). A request
    that never touched the database (most respondent pages: the questionnaire is cached) has
    nothing to end. A database error raised here goes to the handlers in app/errors.py like one
    raised in the view.
    """
    if not _session_used():
        return
    if request.method in WRITING_METHODS and response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()


def _session_used() -> bool:
    """Whether this request's session began a transaction or holds unflushed objects (looked
    up without creating a session: building one to end nothing costs more than the page)."""
    if not db.session.registry.has():
        return False
    session = db.session()
    return bool(session.in_transaction() or session.new or session.dirty or session.deleted)


def close_session_quietly(_error: BaseException | None = None) -> None:
    """Teardown: end whatever is left of the session without raising.

    The request's transaction has already ended; if something after it opened another and the
    connection died meanwhile, the database has discarded it, and there is no response left to
    change, so log the kind of error (never its text: it may carry parameters) and go on.
    """
    if not db.session.registry.has():
        return
    try:
        db.session.close()
    except SQLAlchemyError as exc:
        log.warning("Closing the database session failed: %s", type(exc).__name__)
        with suppress(SQLAlchemyError):
            db.session.close()
