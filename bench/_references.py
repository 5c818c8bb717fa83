"""The load bench's profile of one respondent, and its two bare references (bench/load.py).

- `profile_respondent`: one respondent walked through the app in this process against the
  bench's database, counting every SQL statement and pool checkout per request (a SQLAlchemy
  `before_cursor_execute` listener), and keeping every page as served, so the bare reference
  can serve the same bytes.
- `bare_sequence_app()`: the same request sequence and the same pages (captured above, in
  BARE_PAGES_FILE) with the least work a Flask app can do: look the page up, compress it as
  the app does (Brotli quality 4, or gzip 6), set a cookie the size of the answers' cookie.
- `bare_insert_app()`: one POST carrying every answer, inserted in one transaction (a
  response row and one row per answer) with SQLAlchemy Core on PostgreSQL.

Not a module `make bench` runs (the leading underscore keeps it out of `bench/[a-z]*.py`).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any

_FORM = re.compile(r'<form method="post" action="([^"]+)"')
_RADIO = re.compile(r'<input type="radio" id="[^"]+" name="([^"]+)" value="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
HX = {"HX-Request": "true"}
QUESTIONNAIRE = re.compile(r"/q/[0-9a-f-]{36}")  # a questionnaire's address, anywhere


@dataclass
class Profiled:
    """One respondent's requests: (method, path, status, statements, pool checkouts)."""

    htmx: bool
    requests: list[tuple[str, str, int, int, int]] = field(default_factory=list)
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)  # for the bare reference

    @property
    def statements(self) -> int:
        return sum(r[3] for r in self.requests)

    @property
    def checkouts(self) -> int:
        return sum(r[4] for r in self.requests)


@contextmanager
def counting(engine: Any) -> Iterator[list[int]]:
    """[statements, checkouts] sent through `engine` inside the block."""
    from sqlalchemy import event

    tally = [0, 0]

    def statement(*_args: Any) -> None:
        tally[0] += 1

    def checkout(*_args: Any) -> None:
        tally[1] += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine.pool, "checkout", checkout)
    try:
        yield tally
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine.pool, "checkout", checkout)


def profile_respondent(app: Any, entry: str, *, htmx: bool) -> Profiled:
    """Walk one respondent in-process (first visit after warm caches is what is counted)."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    client = app.test_client()
    out = Profiled(htmx)
    csrf = ""

    def call(method: str, path: str, key: str, **kwargs: Any) -> Any:
        nonlocal csrf
        with counting(engine) as tally:
            response = client.open(path, method=method, **kwargs)
        out.requests.append((method, path, response.status_code, tally[0], tally[1]))
        body = response.get_data(as_text=True)
        found = _CSRF.search(body)
        if found:
            csrf = found.group(1)
        generic = (
            "/r/TOKEN" if path.startswith(("/r/", "/o/")) else QUESTIONNAIRE.sub("/q/ID", path)
        )
        out.pages.setdefault(
            f"{method} {generic} {key}",
            {
                "status": response.status_code,
                "location": QUESTIONNAIRE.sub("/q/ID", response.headers.get("Location", "")),
                "push": QUESTIONNAIRE.sub("/q/ID", response.headers.get("HX-Push-Url", "")),
                "body": QUESTIONNAIRE.sub("/q/ID", body),
                "cookie_bytes": sum(len(c) for c in response.headers.getlist("Set-Cookie")),
            },
        )
        return response

    def form_of(html: str) -> tuple[str, dict[str, str]]:
        action = unescape(_FORM.findall(html)[-1])
        data = dict(_HIDDEN.findall(html))
        for name, value in _RADIO.findall(html):
            data.setdefault(name, value)
        return action, data

    first = call("GET", entry, "entry")
    welcome = call("GET", first.location, "page")
    html = welcome.get_data(as_text=True)
    start = next(unescape(a) for a in _FORM.findall(html) if a.endswith("/start"))
    moved = call("POST", start, "plain", data={"csrf_token": csrf, "nav": "start"})
    page = call("GET", moved.location, "page")
    html = page.get_data(as_text=True)
    while True:
        action, data = form_of(html)
        last = action.endswith("/send")
        data["nav"] = "send" if last else "next"
        if htmx:
            headers = {**HX, "X-CSRFToken": csrf}
            reply = call("POST", action, "htmx", data=data, headers=headers)
            if last:
                call("GET", reply.location, "htmx", headers=HX)
                return out
            assert reply.status_code == 200, reply.status_code
        else:
            reply = call("POST", action, "plain", data=data)
            assert reply.status_code == 303, reply.status_code
            shown = call("GET", reply.location, "page")
            if last:
                return out
            reply = shown
        html = reply.get_data(as_text=True)


# -- the bare references, run by gunicorn -------------------------------------------------------

BARE_PAGES_FILE = "BARE_PAGES_FILE"
BARE_ANSWERS = "BARE_ANSWERS"


def bare_sequence_app() -> Any:
    """The respondent's request sequence, served from memory, compressed as the app does."""
    import brotli
    from flask import Flask, Response, request

    pages: dict[str, dict[str, Any]] = json.loads(Path(os.environ[BARE_PAGES_FILE]).read_text())
    app = Flask("bare_sequence")
    qid = str(uuid.uuid4())  # any questionnaire id: the pages link to /q/ID

    def compressed(body: bytes) -> tuple[bytes, str | None]:
        accepted = request.headers.get("Accept-Encoding", "")
        if len(body) < 500:
            return body, None
        if "br" in accepted:
            return brotli.compress(body, quality=4), "br"
        if "gzip" in accepted:
            return gzip.compress(body, compresslevel=6), "gzip"
        return body, None

    @app.get("/health")
    def health() -> Response:
        return Response(b"ok", mimetype="text/plain")

    @app.route("/<path:path>", methods=["GET", "POST"])
    def any_page(path: str) -> Response:
        generic = QUESTIONNAIRE.sub("/q/ID", "/" + path)
        if generic.startswith(("/r/", "/o/")):
            generic = "/r/TOKEN"
        mode = "htmx" if request.headers.get("HX-Request") else "plain"
        if request.method == "GET" and mode == "plain":
            mode = "page"
        page = pages.get(f"{request.method} {generic} {mode}") or pages.get(
            f"{request.method} {generic} entry"
        )
        if page is None:
            return Response(b"not here", status=404)
        body, coding = compressed(page["body"].replace("/q/ID", f"/q/{qid}").encode())
        response = Response(body, status=page["status"], mimetype="text/html")
        if coding:
            response.headers["Content-Encoding"] = coding
            response.headers["Vary"] = "Accept-Encoding, HX-Request"
        if page["location"]:
            response.headers["Location"] = page["location"].replace("/q/ID", f"/q/{qid}")
        if page["push"]:
            response.headers["HX-Push-Url"] = page["push"].replace("/q/ID", f"/q/{qid}")
        if page["cookie_bytes"]:
            response.headers["Set-Cookie"] = "p=" + "x" * max(1, page["cookie_bytes"] - 2)
        return response

    return app


def bare_insert_app() -> Any:
    """One POST with every answer: a response row and one row per answer, one transaction."""
    from flask import Flask, Response, request
    from sqlalchemy import create_engine, text

    engine = create_engine(
        os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    )
    app = Flask("bare_insert")

    @app.get("/health")
    def health() -> Response:
        return Response(b"ok", mimetype="text/plain")

    @app.post("/submit")
    def submit() -> Response:
        answers = [(k, v) for k, v in request.form.items() if k.startswith("a")]
        rid = uuid.uuid4()
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO bare_response (id) VALUES (:id)"), {"id": rid})
            conn.execute(
                text("INSERT INTO bare_answer (response_id, item, value) VALUES (:r, :i, :v)"),
                [{"r": rid, "i": k, "v": v} for k, v in answers],
            )
        return Response(b"thank you", mimetype="text/html")

    return app


BARE_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS bare_response (id uuid PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS bare_answer (response_id uuid REFERENCES bare_response(id),"
    " item varchar(40), value varchar(40), PRIMARY KEY (response_id, item))",
)
