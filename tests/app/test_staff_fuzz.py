"""Staff forms never answer 5xx, and a refused request writes nothing.

Signed in as each role, arbitrary bodies go to every staff route in app.url_map that takes a
POST, and arbitrary query strings to every staff GET route: NUL and other control characters,
bytes that are not UTF-8, huge values, numbers, dates and ids where text belongs, fields missing
or repeated, HTMX or not, files of random bytes. Routes get real objects of the user's own
organisation from the tenancy factories (tests/app/factories_*.py), and every request carries a
valid CSRF token. A 4xx answer must leave every table's row count as it was.

A few examples per route keep `make test` quick; `FUZZ_EXAMPLES=200` runs deeper.
"""

from __future__ import annotations

import io
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.routing import Rule
from werkzeug.test import encode_multipart

from app.extensions import db, limiter
from app.models import Role
from tests.app.test_tenancy import OTHER_ORG_OBJECTS
from tests.support import csrf_token, dummy_url, login

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
ORG = "Org A"
APP_DIR = Path(__file__).resolve().parents[2] / "app"

# Routes left out, each for a reason.
SKIPPED = {"auth.logout": "signs the fuzzing user out, and reads nothing from the body"}


def _names_in_templates() -> list[str]:
    """Every form field name the templates use (dynamic ones up to their first `{`)."""
    found: set[str] = set()
    for path in (APP_DIR / "templates").rglob("*.html"):
        found.update(re.findall(r'name="([A-Za-z_][\w\-]*)', path.read_text(encoding="utf-8")))
    return sorted(found - {"csrf_token"})


def _names_in_queries() -> list[str]:
    found: set[str] = set()
    for path in APP_DIR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r'request\.(?:args|values)\.get\(\s*"([^"]+)"', text))
    return sorted(found)


FORM_NAMES = _names_in_templates()
QUERY_NAMES = _names_in_queries()
FILE_NAMES = ["file", "framework_file", "upload"]

_HUGE = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(["a", "é", "\x00", "x\n", "🙂", "<b>", "="]),
    st.sampled_from([301, 5_001, 30_000]),
)
_ODD = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\x1b[2J",
        "\ufeff",
        "\ud7ff",
        "-1",
        "0",
        "1",
        "2",
        "99999999999999999999999",
        "1e309",
        "NaN",
        "-0",
        "true",
        "yes",
        "on",
        "[]",
        "{}",
        "null",
        "2026-02-30",
        "2026-13-01",
        "0001-01-01",
        "9999-12-31",
        "26/03/2026",
        "parents",
        "staff",
        "children",
        "coordinator",
        "viewer",
        "hmie-children-services",
        "2.1",
        '=HYPERLINK("http://x")',
        "'; DROP TABLE users; --",
        "../../etc/passwd",
        str(uuid.UUID(int=0)),
        "not-a-uuid",
    ]
)
TEXT: st.SearchStrategy[str] = st.one_of(_ODD, st.text(max_size=30), _HUGE, st.uuids().map(str))
VALUE: st.SearchStrategy[str | bytes] = st.one_of(
    TEXT,
    TEXT,
    st.binary(max_size=20).map(lambda b: b + b"\xff\xfe"),  # not UTF-8
)


def _fields(names: list[str], ids: list[str]) -> st.SearchStrategy[list[tuple[str, str | bytes]]]:
    name = st.one_of(st.sampled_from(names), st.sampled_from(names), st.text(max_size=12))
    value = st.one_of(VALUE, st.sampled_from(ids)) if ids else VALUE
    pair = st.tuples(name, value)
    # Lists of pairs: names may repeat, and whatever is not drawn is missing.
    return st.lists(pair, max_size=8)


def _urlencoded(pairs: list[tuple[str, str | bytes]]) -> bytes:
    def raw(text: str | bytes) -> bytes:
        return text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")

    return "&".join(
        f"{quote_from_bytes(raw(k))}={quote_from_bytes(raw(v))}" for k, v in pairs
    ).encode()


def _row_counts() -> tuple[int, ...]:
    tables = db.metadata.sorted_tables
    counts = select(*(select(func.count()).select_from(t).scalar_subquery() for t in tables))
    return tuple(db.session.execute(counts).one())


def _staff_rules(app: Flask) -> list[Rule]:
    rules = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint == "static" or getattr(view, "chorus_public", False):
            continue
        if rule.endpoint not in SKIPPED:
            rules.append(rule)
    return sorted(rules, key=lambda r: r.rule)


def _url_values(app: Flask, rule: Rule) -> dict[str, Any]:
    """Real objects of the user's own organisation, made again if a request deleted them."""
    return {arg: OTHER_ORG_OBJECTS[arg](app, ORG) for arg in rule.arguments}


def _ids(app: Flask) -> list[str]:
    """Ids a form might name (a round, an item, a comment...), for values of the right shape."""
    found = []
    for factory in OTHER_ORG_OBJECTS.values():
        value = factory(app, ORG)
        if isinstance(value, str) and len(value) == 36:
            found.append(value)
    return found


SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _send(
    app: Flask,
    client: FlaskClient,
    method: str,
    url: str,
    token: str,
    pairs: list[tuple[str, str | bytes]],
    htmx: bool,
    upload: tuple[str, bytes] | None,
) -> None:
    headers = {"HX-Request": "true"} if htmx else {}
    with app.app_context():
        before = _row_counts()
    if method == "GET":
        query = _urlencoded(pairs).decode()
        response = client.get(f"{url}?{query}" if query else url, headers=headers)
    elif upload is not None:
        # Short values: werkzeug spools a multipart body over 500 KB to a temporary file that
        # the test client leaves open (a ResourceWarning); huge values go urlencoded instead.
        text_pairs = [
            (k[:1000], (v if isinstance(v, str) else v.decode("latin-1"))[:1000]) for k, v in pairs
        ]
        form = MultiDict([("csrf_token", token), *text_pairs])
        form.add(upload[0], FileStorage(stream=io.BytesIO(upload[1]), filename="x"))
        boundary, body = encode_multipart(form)
        response = client.post(
            url,
            data=body,
            headers=headers,
            content_type=f"multipart/form-data; boundary={boundary}",
        )
    else:
        body = _urlencoded([("csrf_token", token), *pairs])
        response = client.open(
            url,
            method=method,
            data=body,
            headers=headers,
            content_type="application/x-www-form-urlencoded",
        )
    status = response.status_code
    text = response.get_data()[:300].decode("utf-8", "replace")
    response.close()  # a download streams from a temporary file until it is closed
    assert status < 500, (method, url, pairs[:3], status, text)
    if 400 <= status < 500:
        with app.app_context():
            after = _row_counts()
        changed = [
            t.name
            for t, b, a in zip(db.metadata.sorted_tables, before, after, strict=True)
            if a != b
        ]
        assert not changed, (method, url, status, "wrote to", changed, pairs[:3])


def _fuzzer(
    app: Flask, client: FlaskClient, token: str, rule: Rule, method: str, ids: list[str]
) -> Callable[[], None]:
    names = QUERY_NAMES if method == "GET" else FORM_NAMES
    files = st.tuples(st.sampled_from(FILE_NAMES), st.binary(max_size=64))

    @SETTINGS
    @given(
        pairs=_fields(names, ids),
        htmx=st.booleans(),
        upload=st.none() if method == "GET" else st.one_of(st.none(), files),
    )
    def fuzz(pairs: list[tuple[str, str | bytes]], htmx: bool, upload: tuple[str, bytes] | None):
        limiter.reset()
        url = dummy_url(app, rule, **_url_values(app, rule))
        _send(app, client, method, url, token, pairs, htmx, upload)

    return fuzz  # type: ignore[no-any-return]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.SAT_MEMBER, Role.VIEWER])
def test_staff_routes_never_answer_5xx_and_refusals_write_nothing(
    app: Flask, make_user: Callable[..., Any], role: Role
) -> None:
    client = app.test_client()
    email = f"fuzz-{role.value}@a.example"
    make_user(email, ORG, role)
    login(client, email)
    token = csrf_token(client, "/")
    ids = _ids(app)
    checked = 0
    for rule in _staff_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            _fuzzer(app, client, token, rule, method, ids)()
            checked += 1
    assert checked > 90  # every staff route, GET and POST
