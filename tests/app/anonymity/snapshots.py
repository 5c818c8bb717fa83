"""Snapshots of everything staff can see about one round, for the differencing attack test.

A snapshot maps a view's name ("GET /results/<id> as coordinator", "workbook [Staff]",
"cli rounds results --json") to the multiset of its content blocks: an HTML page's block-level
elements as visible text plus the attributes that carry figures (chart sizes, labels, values), a
CSV's rows, a workbook sheet's rows, a command's output lines. Multisets, because the order of
comments (and of per-person rows) is random by design and is not content.

Things that change legitimately without anyone answering are normalised away: CSRF tokens,
CSP nonces, clock times and "generated at" stamps.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

Blocks = Counter[str]

# Every respondent's comment starts with a marker the test can find in any view, however the
# view lays comments out: [mark-<audience>-<n>-<prompt letter>].
MARKER = re.compile(r"mark-([a-z_-]+)-(\d+)-[a-z]")  # a round's own audience: "c-elected-members"


def marker(audience: str, respondent: int, letter: str) -> str:
    return f"mark-{audience}-{respondent:02d}-{letter}"


# -- normalising -------------------------------------------------------------------------------

_VOLATILE = [
    # ISO date-times and clock times: "generated at", sent at, last refreshed.
    (
        re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?"),
        "<time>",
    ),
    (re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\s*([ap]m)?\b", re.I), "<time>"),
    (
        re.compile(r"(?i)(generated|updated|refreshed|exported|downloaded)( on| at)? [^|]*"),
        r"\1 <time>",
    ),
    # A document's "Report written: <day>": a run across midnight changes it, not the answers.
    (re.compile(r"(?i)\b(report written):? [^|]*"), r"\1 <day>"),
]


def normalise(text: str) -> str:
    text = " ".join(text.split())
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


# -- HTML --------------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "legend",
    "li",
    "main",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "svg",
    "label",
    "select",
    "textarea",
    "br",
}
# Rows are one block: a table row's cells belong together ("Staff | 67% | 2 of 3").
_INSIDE_ROW_OK = {"td", "th", "br"}
# Attributes that can carry figures: chart geometry, accessible labels, form values.
_KEPT_ATTRS = {
    "aria-label",
    "aria-valuenow",
    "title",
    "alt",
    "value",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "x2",
    "y1",
    "y2",
    "d",
    "points",
    "cx",
    "cy",
    "r",
    "data-value",
    "data-count",
    "data-percent",
    "selected",
    "checked",
    "href",
    "hx-get",
    "action",
}
_SKIPPED_CONTENT = {"script", "style"}


class _Blocker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.buffer: list[str] = []
        self.skip = 0
        self.row_depth = 0
        self.hx_gets: list[str] = []

    def flush(self) -> None:
        text = normalise(" ".join(self.buffer))
        if text:
            self.blocks.append(text)
        self.buffer = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in _SKIPPED_CONTENT:
            self.skip += 1
            return
        if tag == "meta" or (tag == "input" and values.get("name") in {"csrf_token", "t"}):
            return  # CSRF tokens and page time stamps change on every request
        if tag in _BLOCK_TAGS and not (self.row_depth and tag in _INSIDE_ROW_OK):
            self.flush()
        if tag == "tr":
            self.row_depth += 1
        if values.get("hx-get"):
            self.hx_gets.append(values["hx-get"] or "")
        kept = [f"[{k}={v}]" for k, v in attrs if k in _KEPT_ATTRS or k.startswith("data-")]
        if kept:
            self.buffer.append(" ".join(kept))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_CONTENT:
            self.skip = max(0, self.skip - 1)
            return
        if tag == "tr":
            self.row_depth = max(0, self.row_depth - 1)
        if tag in _BLOCK_TAGS and not (self.row_depth and tag in _INSIDE_ROW_OK):
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.buffer.append(data)


_FLASHES = re.compile(r'<div class="flashes".*?</div>', re.S)


def html_blocks(html: str) -> tuple[Blocks, list[str]]:
    """A page's content blocks, and the URLs its HTMX regions load (hx-get)."""
    parser = _Blocker()
    # A flash message ("The round is closed ...") shows once, on whichever page is read next.
    html = _FLASHES.sub("", html)
    parser.feed(html)
    parser.close()
    parser.flush()
    return Counter(parser.blocks), parser.hx_gets


def csv_blocks(text: str) -> Blocks:
    return Counter(
        normalise(" | ".join(row)) for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))
    )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return "<time>"  # dates and times written into a workbook: when it was made
    return str(value)


def _content(title: str, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A Responses sheet numbers its rows 1, 2, 3 in a fresh random order on every export: the
    number says nothing about anyone, so the row is compared without it."""
    if title.startswith("Responses") and row and isinstance(row[0], int):
        return row[1:]
    return row


def workbook_views(data: bytes, name: str) -> dict[str, Blocks]:
    """One view per sheet: its rows (every cell's value, read back by openpyxl)."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return {
            f"{name} [{sheet.title}]": Counter(
                normalise(" | ".join(_cell_text(v) for v in _content(sheet.title, row)))
                for row in sheet.iter_rows(values_only=True)
                if any(v is not None for v in row)
            )
            for sheet in book.worksheets
        }
    finally:
        book.close()


_PAGE_NUMBER = re.compile(r"^Page \d+ of \d+$|\.{5,} ?\d+$")


def pdf_blocks(data: bytes) -> Blocks:
    """A PDF report's text lines (pypdf); page numbers and the contents list's page references
    move when a page fills, which says nothing about anyone, so they are left out."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    lines = (line.strip() for page in reader.pages for line in page.extract_text().splitlines())
    return Counter(
        normalise(_PAGE_NUMBER.sub("", line))
        for line in lines
        if line and not _PAGE_NUMBER.match(line)
    )


def docx_blocks(data: bytes) -> Blocks:
    """A Word report's paragraphs, table rows and pictures' alt text (python-docx)."""
    import docx

    document = docx.Document(io.BytesIO(data))
    blocks: Blocks = Counter(normalise(p.text) for p in document.paragraphs if p.text.strip())
    for table in document.tables:
        blocks.update(normalise(" | ".join(c.text for c in row.cells)) for row in table.rows)
    # A chart's description is read aloud: its figures are as visible as any paragraph's.
    blocks.update(
        normalise(f"picture: {shape._inline.docPr.get('descr', '')}")
        for shape in document.inline_shapes
    )
    return blocks


def _flatten(value: Any, path: str = "") -> Iterator[str]:
    """JSON as path=value lines; list entries keyed by their id, so order is not content."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            key = index
            if isinstance(inner, dict):
                key = next(
                    (
                        inner[k]
                        for k in ("item_id", "indicator_id", "audience", "key", "id")
                        if k in inner
                    ),
                    index,
                )
            yield from _flatten(inner, f"{path}[{key}]")
    else:
        yield normalise(f"{path}={value}")


def json_blocks(data: Any) -> Blocks:
    return Counter(_flatten(data))


# -- taking a snapshot -------------------------------------------------------------------------

ROUTE_ARGUMENTS = {"round_id", "indicator_id", "audience"}
# Views that only ever say how many people answered (never what): their figures may move one
# person at a time once an audience has k, which the test allows for them.
COUNT_VIEWS = (
    "/responses",
    "/response-rates",
    "/reminders",
    "/invitations",
    "/rounds/outbox",
    "rounds list",
)
# Images carry no figures (QR codes of open links): compared by status only.
_IMAGE = re.compile(r"^image/")


@dataclass
class Snapshot:
    full: bool = True
    views: dict[str, Blocks] = field(default_factory=dict)
    results_json: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)  # views that raised instead of answering
    answer_free: set[str] = field(default_factory=set)  # names of views of ANSWER_FREE routes

    def markers(self) -> set[str]:
        """Comment markers visible anywhere."""
        found: set[str] = set()
        for blocks in self.views.values():
            for block in blocks:
                found.update(m.group(0) for m in MARKER.finditer(block))
        return found

    def shown_respondents(self) -> dict[str, int]:
        """Per audience, how many respondents the results say they are built on (0 if hidden)."""
        if not self.results_json:
            return {}
        return {
            a["audience"]: int(a.get("respondents") or 0)
            for a in self.results_json.get("audiences", [])
        }

    def audience_figures(self) -> dict[str, str]:
        """Per audience, a fingerprint of every figure the results hold about it."""
        if not self.results_json:
            return {}
        parts: dict[str, list[str]] = {}
        for item in self.results_json.get("items", []):
            parts.setdefault(item.get("audience", "?"), []).append(
                json.dumps(item, sort_keys=True, default=str)
            )
        for indicator in self.results_json.get("indicators", []):
            for key, cell in (indicator.get("cells") or {}).items():
                figures = json.dumps(cell, sort_keys=True, default=str)
                parts.setdefault(key, []).append(f"{indicator.get('indicator_id')}:{figures}")
        return {a: "\n".join(sorted(p)) for a, p in parts.items()}


@dataclass
class Viewers:
    """Who looks: browsers signed in as a coordinator and as a viewer, and the CLI."""

    app: Flask
    round_id: uuid.UUID
    coordinator: FlaskClient
    viewer: FlaskClient
    indicator_ids: list[str]
    audiences: list[str]
    org_name: str
    extra_paths: list[str] = field(default_factory=list)  # e.g. an assessment's import page
    api_token: str | None = None  # a read_results token: the API's GET routes join the set


# The round's audit trail lists staff actions, and reading the other views (the API, the
# exports) is itself an action it records, so it moves with every snapshot. What it says about
# respondents (reminder counts, never per person) is attacked by the whole-round test in
# tests/app/people/test_audit_anonymity.py instead.
STAFF_ACTIONS = {"audit.round_log", "audit.round_log_csv"}


def round_routes(app: Flask) -> list[Rule]:
    """Every GET route about one round: arguments among round_id, indicator_id, audience."""
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        if rule.endpoint in STAFF_ACTIONS:
            continue
        if "round_id" in rule.arguments and rule.arguments <= ROUTE_ARGUMENTS:
            rules.append(rule)
    return sorted(rules, key=lambda r: r.rule)


# Views that show no answers and no counts (questionnaire editing, previews, posters, QR codes,
# paper templates, contacts, deliveries): a fast run reads them only at checkpoints and requires
# them not to change while the round is live; DIFF_FULL=1 reads them after every step.
ANSWER_FREE = {
    "rounds.edit",
    "rounds.delete",
    "rounds.questionnaire",
    "rounds.intro",
    "respond.preview",
    "invitations.launch",
    "invitations.contacts",
    "invitations.open_links",
    "invitations.poster",
    "results.you_said_poster",
    "invitations.qr_png",
    "invitations.qr_svg",
    "invitations.people",
    "invitations.people_csv",
    "invitations.outbox",
    "exports.paper_page",
    "exports.paper_template",
    "assessment.import",
    "api.get_round",
    "api.check_launch",
}


def _urls(viewers: Viewers) -> list[tuple[str, str]]:
    """(url, endpoint) of every view to read."""
    app = viewers.app
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in round_routes(app):
        combos: list[dict[str, Any]] = [{"round_id": viewers.round_id}]
        if "indicator_id" in rule.arguments:
            combos = [{**c, "indicator_id": i} for c in combos for i in viewers.indicator_ids]
        if "audience" in rule.arguments:
            combos = [{**c, "audience": a} for c in combos for a in viewers.audiences]
        urls += [(adapter.build(rule.endpoint, values), rule.endpoint) for values in combos]
    for endpoint in ("main.home", "results.index", "rounds.index", "invitations.outbox"):
        urls.append((adapter.build(endpoint, {}), endpoint))
    return urls + [(path, "assessment.import") for path in viewers.extra_paths]


def _fetch(
    client: FlaskClient,
    url: str,
    name: str,
    out: Snapshot,
    htmx: bool,
    token: str | None = None,
) -> list[str] | None:
    """Read one view into `out`; for an HTML page, return the URLs its regions load."""
    headers = {"HX-Request": "true"} if htmx else {}
    if token and url.startswith("/api/"):
        headers["Authorization"] = f"Bearer {token}"  # the API reads with a token, not a session
    try:
        response = client.get(url, headers=headers)
    except Exception as exc:  # a view that fails shows nothing; other tests own that bug
        out.views[name] = Counter([f"raised {type(exc).__name__}"])
        out.errors.append(f"{name}: {type(exc).__name__}: {str(exc)[:120]}")
        return None
    try:
        body = response.get_data()
    finally:
        response.close()  # downloads are streamed from temporary files
    kind = (response.content_type or "").split(";")[0]
    status = f"status {response.status_code}"
    if response.status_code != 200:
        out.views[name] = Counter([status])
        return None
    if kind == "text/html":
        blocks, hx_gets = html_blocks(body.decode())
        out.views[name] = blocks
        return hx_gets
    if kind == "text/csv":
        out.views[name] = csv_blocks(body.decode("utf-8"))
    elif "spreadsheetml" in kind:
        out.views.update(workbook_views(body, name))
    elif kind == "application/json":
        out.views[name] = json_blocks(json.loads(body))
    elif kind == "application/pdf":
        out.views[name] = pdf_blocks(body)
    elif "wordprocessingml" in kind:
        out.views[name] = docx_blocks(body)
    elif _IMAGE.match(kind):
        out.views[name] = Counter([status, kind])
    else:
        out.views[name] = Counter(
            normalise(line) for line in body.decode(errors="replace").splitlines()
        )
    return None


def _cli(app: Flask, args: list[str]) -> str:
    result = app.test_cli_runner().invoke(args=args, catch_exceptions=False)
    return result.output


def take(viewers: Viewers, *, full: bool) -> Snapshot:
    """Everything staff can see about the round now (`full`), or every view that can show
    answers or counts, as coordinator, plus the fragments pages poll (not `full`)."""
    out = Snapshot(full=full)
    round_path = str(viewers.round_id)
    for url, endpoint in _urls(viewers):
        if endpoint in ANSWER_FREE and not full:
            continue
        # A PDF report lays out the same blocks as its Word twin (app/services/documents/
        # report_model.py), which is read every step; WeasyPrint is slow, so PDFs at checkpoints.
        if url.endswith(".pdf") and not full:
            continue
        before = set(out.views)
        token = viewers.api_token
        found = _fetch(
            viewers.coordinator, url, f"GET {url} as coordinator", out, htmx=False, token=token
        )
        if full:
            _fetch(viewers.viewer, url, f"GET {url} as viewer", out, htmx=False, token=token)
        if full and found is not None:
            _fetch(viewers.coordinator, url, f"GET {url} (HTMX) as coordinator", out, htmx=True)
        for fragment in found or []:  # regions HTMX loads on their own (the dashboard's poll)
            if round_path in fragment:
                _fetch(viewers.coordinator, fragment, f"GET {fragment} (HTMX poll)", out, htmx=True)
        if endpoint in ANSWER_FREE:
            out.answer_free |= set(out.views) - before
    rid = str(viewers.round_id)
    text = _cli(viewers.app, ["rounds", "results", rid])
    out.views["cli rounds results"] = Counter(normalise(x) for x in text.splitlines())
    raw = _cli(viewers.app, ["rounds", "results", rid, "--json"])
    try:
        out.results_json = json.loads(raw)
        out.views["cli rounds results --json"] = json_blocks(out.results_json)
    except json.JSONDecodeError:
        out.views["cli rounds results --json"] = Counter(normalise(x) for x in raw.splitlines())
    if not full:
        return out
    listing = _cli(viewers.app, ["rounds", "list", "--org", viewers.org_name])
    out.views["cli rounds list"] = Counter(normalise(x) for x in listing.splitlines())
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "export.xlsx"
        said = _cli(viewers.app, ["rounds", "export", rid, "--out", str(target)])
        out.views["cli rounds export (output)"] = Counter(
            normalise(x) for x in said.replace(folder, "<dir>").splitlines()
        )
        if target.exists():
            out.views.update(workbook_views(target.read_bytes(), "cli rounds export"))
    return out


# -- comparing ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _skeleton(block: str) -> tuple[str, list[str]]:
    return _NUMBER.sub("#", block), _NUMBER.findall(block)


def changed_blocks(before: Blocks, after: Blocks) -> tuple[list[str], list[str]]:
    """(blocks gone, blocks new), as multisets."""
    return sorted((before - after).elements()), sorted((after - before).elements())


class _AnyPair:
    def __contains__(self, pair: object) -> bool:
        return True


ANY_NUMBERS: Any = _AnyPair()  # for `unexplained`: every change of a number is explained


def unexplained(
    gone: Iterable[str], new: Iterable[str], moves: set[tuple[str, str]]
) -> tuple[list[str], list[str]]:
    """Drop block pairs that differ only by response counts moving (old, new) in `moves`."""
    gone, new = list(gone), list(new)
    left_new = list(new)
    left_gone = []
    for block in gone:
        skeleton, numbers = _skeleton(block)
        match = None
        for candidate in left_new:
            other_skeleton, other_numbers = _skeleton(candidate)
            if other_skeleton != skeleton or len(other_numbers) != len(numbers):
                continue
            pairs = [(a, b) for a, b in zip(numbers, other_numbers, strict=True) if a != b]
            if all(p in moves for p in pairs):
                match = candidate
                break
        if match is None:
            left_gone.append(block)
        else:
            left_new.remove(match)
    return left_gone, left_new


def is_count_view(name: str) -> bool:
    return any(part in name for part in COUNT_VIEWS)
