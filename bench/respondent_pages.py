"""Benchmark: what a phone receives on the respondent path, over real HTTP (issues 6, 15).

    python -m bench.respondent_pages

Builds its own launched round in a temporary SQLite database (staff answer exactly 40 items in
several sections, with free text and the role question: the heaviest adult pages), serves it
with gunicorn on a loopback port as in production (wsgi:app), and walks it as phones do, over
one raw keep-alive socket each, asking for compression as Chromium does (`Accept-Encoding:
gzip, deflate, br`) and counting every byte received (status line, headers and body as sent;
bench/_wire.py). Requests are counted too, and what a phone sends is reported beside.

- First visit: the invitation link (303 to the welcome page), the welcome page and every
  stylesheet and script it references (cold cache): everything needed to show and use it.
- Each further section, with JavaScript (HTMX): one POST answered with the next section.
- Each further section without JavaScript: the POST's 303 and the GET of the next page.
- The check page (issue 20), after the last section, each way; then Send from it. It is held
  to the further-section budgets.
- A returning visit: the page again on a phone that kept what it fetched. The page may
  reference only fingerprinted asset names, each served `immutable` for a year, so the phone
  makes no request for them (checked, not assumed); a plain asset name redirects to the
  current fingerprint.

- Offline (issue 18): after the first questionnaire page is shown, what answering without a
  signal costs: the offline scripts, the service worker and the pages it keeps (each page as
  first shown, no answers); the page's stylesheet and scripts are already held, immutable.

- Kiosk (issue 18): a tablet just paired opens /kiosk (303 to the welcome page) and fetches the
  page's stylesheets and scripts: its first page. Then, after it is shown, kiosk.js (loaded by
  respond.js on `load`) and what it fetches to work offline all day: the kit (every blank page
  and a pool of grants), the service worker and the welcome page again (the shell a reload
  with no signal is served).

Budgets (issue 15): first visit <= 30 KB; further section <= 6 KB with HTMX, <= 12 KB without;
(issue 18) offline, after the first page: <= 30 KB more; a kiosk's first page <= 30 KB and
what it fetches to work offline <= 30 KB more.
KB here is 1000 bytes. Ends with one line of JSON (DESIGN.md 11); exits 1 over a budget.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import shutil
import sys
import tempfile
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any

from bench._seed import exactly_items
from bench._servers import LOOPBACK, child_env, gunicorn
from bench._wire import WirePhone, WireReply

ITEMS = 40
FRAMEWORK = "hmie-children-services"
AUDIENCE = "staff"
BUDGET_FIRST_KB = 30.0
BUDGET_FURTHER_HTMX_KB = 6.0
BUDGET_FURTHER_PLAIN_KB = 12.0
BUDGET_OFFLINE_KB = 30.0
BUDGET_KIOSK_FIRST_KB = 30.0
BUDGET_KIOSK_OFFLINE_KB = 30.0
YEAR_SECONDS = 31536000
SECRET = "bench-respondent-pages-not-a-secret-" + "x" * 20
HX = {"HX-Request": "true"}

_ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"')
_FINGERPRINTED = re.compile(r"^/static/.+\.[0-9a-f]{12}\.[a-z0-9]+$")
_FORM = re.compile(r'<form method="post" action="([^"]+)"')
_RADIO = re.compile(r'<input type="radio" id="[^"]+" name="([^"]+)" value="([^"]+)"')
_TEXTAREA = re.compile(r'<textarea id="[^"]+" name="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
_OFFLINE = re.compile(r'data-offline-(pages|base|js|sw)="([^"]+)"')
_KIOSK = re.compile(r'data-kiosk-(offline|sw|js|pool)="([^"]+)"')


def kb(n: int) -> float:
    return round(n / 1000, 2)


def build(app: Any, invitations: int) -> tuple[list[str], str]:
    """A live round whose staff questionnaire has 40 items; returns invitation tokens and the
    pairing code of a kiosk on its open link."""
    import uuid

    from flask_migrate import upgrade

    from app.extensions import db
    from app.models import Invitation, RoundStatus
    from app.services.accounts import get_or_create_organisation
    from app.services.frameworks import get_framework
    from app.services.responding import today
    from app.services.rounds import RoundSettings, create_round, freeze
    from app.services.tokens import derive_token, token_hash

    with app.app_context():
        upgrade()
        org = get_or_create_organisation("Benchmark Council")
        framework = get_framework(org.id, FRAMEWORK)
        rnd = create_round(
            org,
            RoundSettings(
                name="Benchmark round",
                framework_id=FRAMEWORK,
                indicator_ids=[i.id for i in framework.indicators if i.items.get(AUDIENCE)],
                audiences=[AUDIENCE],
                opens_on=today() - timedelta(days=1),
                closes_on=today() + timedelta(days=30),
                free_text=True,
                role_question=True,
            ),
        )
        exactly_items(rnd, ITEMS)
        db.session.flush()
        freeze(rnd)
        rnd.status = RoundStatus.LIVE
        tokens = []
        for n in range(invitations):
            invitation_id = uuid.uuid4()
            token = derive_token(app.config["SECRET_KEY"], invitation_id)
            db.session.add(
                Invitation(
                    id=invitation_id,
                    round_id=rnd.id,
                    audience=AUDIENCE,
                    email=f"bench{n}@people.example",
                    token_hash=token_hash(token),
                )
            )
            tokens.append(token)
        from app.models import OpenLink
        from app.services import kiosks
        from app.services.accounts import create_user

        link = OpenLink(round_id=rnd.id, audience=AUDIENCE, code="BENCHKIOSK")
        db.session.add(link)
        db.session.flush()
        user = create_user("bench@council.example", SECRET, org.name, "coordinator")
        _kiosk, code = kiosks.create(rnd, link, "Bench tablet", user)
        db.session.commit()
        return tokens, code


# -- a phone's journey over the wire ------------------------------------------------------------


class Visit:
    """One phone answering the questionnaire, recording what each step cost on the wire."""

    def __init__(self, port: int, *, htmx: bool):
        self.phone = WirePhone(LOOPBACK, port)
        self.htmx = htmx
        self.html = ""
        self.csrf = ""
        self.steps: list[dict[str, Any]] = []

    def _step(self, name: str, replies: list[WireReply]) -> dict[str, Any]:
        step = {
            "name": name,
            "requests": len(replies),
            "received_bytes": sum(r.received for r in replies),
            "sent_bytes": sum(r.sent for r in replies),
            "statuses": [r.status for r in replies],
            "encodings": [r.headers.get("content-encoding", "") for r in replies],
        }
        self.steps.append(step)
        return step

    def _show(self, reply: WireReply) -> None:
        if reply.status >= 400:
            raise SystemExit(f"respondent_pages: {reply.status} from the server:\n{reply.text}")
        self.html = reply.text
        found = _CSRF.search(self.html)
        if found:
            self.csrf = found.group(1)

    def enter(self, token: str) -> tuple[WireReply, WireReply]:
        first = self.phone.get(f"/r/{token}")
        assert first.status == 303, first.status
        welcome = self.phone.get(first.location)
        self._show(welcome)
        return first, welcome

    def assets(self) -> list[str]:
        return [unescape(a) for a in _ASSET.findall(self.html)]

    def fetch_assets(self) -> list[WireReply]:
        return [self.phone.get(url) for url in self.assets()]

    def offline(self) -> list[WireReply]:
        """What the offline scripts fetch after the page is shown (static/js/offline.js and
        offline-sw.js): both scripts, the worker, and every page as first shown."""
        found = {k: unescape(v) for k, v in _OFFLINE.findall(self.html)}
        assert found.keys() == {"pages", "base", "js", "sw"}, found
        sw = self.phone.get(found["sw"])
        imported = [unescape(u) for u in re.findall(r'"(/static/[^"]+)"', sw.text)]
        urls = [*found["js"].split(" "), *(u for u in imported if u not in found["js"])]
        urls.append(f"{found['base']}/offline/pages")
        replies = [sw, *(self.phone.get(url) for url in urls)]
        assert all(r.status == 200 for r in replies), [r.status for r in replies]
        pages = json.loads(replies[-1].text)["pages"]
        assert len(pages) == int(found["pages"]), len(pages)
        return replies

    def start(self) -> list[WireReply]:
        action = next(a for a in _FORM.findall(self.html) if a.endswith("/start"))
        moved = self.phone.post(unescape(action), {"csrf_token": self.csrf, "nav": "start"})
        assert moved.status == 303, moved.status
        page = self.phone.get(moved.location)
        self._show(page)
        return [moved, page]

    def _answers(self) -> dict[str, str]:
        form = dict(_HIDDEN.findall(self.html))
        groups: dict[str, list[str]] = {}
        for name, value in _RADIO.findall(self.html):
            groups.setdefault(name, []).append(value)
        form.update({name: values[0] for name, values in groups.items()})
        for n, name in enumerate(_TEXTAREA.findall(self.html)):
            form[name] = "Staff meetings are a good place to raise ideas." if n == 0 else ""
        return form

    @property
    def on_last_page(self) -> bool:
        """On the check page (after the last section): its form is the one that sends."""
        return unescape(_FORM.findall(self.html)[-1]).endswith("/send")

    def answer(self) -> list[WireReply]:
        """Answer the page on screen and go on: the requests the next page costs."""
        action = unescape(_FORM.findall(self.html)[-1])
        nav = "send" if action.endswith("/send") else "next"
        form = {**self._answers(), "nav": nav}
        if self.htmx:
            headers = {**HX, "X-CSRFToken": self.csrf, "HX-Current-URL": action}
            reply = self.phone.post(action, form, headers)
            replies = [reply]
            if reply.status == 303:  # sending: XMLHttpRequest follows the redirect itself
                replies.append(self.phone.get(reply.location, headers=HX))
            assert replies[-1].status == 200, replies[-1].status
            if nav == "next":
                pushed = replies[-1].headers.get("hx-push-url", "")
                assert re.search(r"/page/\d+$|/check$", pushed), pushed
        else:
            reply = self.phone.post(action, form)
            assert reply.status == 303, reply.status
            replies = [reply, self.phone.get(reply.location)]
        self._show(replies[-1])
        return replies


def kiosk(port: int, code: str) -> dict[str, Any]:
    """A tablet paired with `code`: its first page (cold cache), then what kiosk.js fetches
    after it is shown to work offline (the kit with a full pool of grants, the worker and its
    imports, the welcome page kept as the shell)."""
    tablet = Visit(port, htmx=True)
    form = tablet.phone.get("/kiosk/pair")
    tablet._show(form)
    paired = tablet.phone.post("/kiosk/pair", {"csrf_token": tablet.csrf, "code": code})
    assert paired.status == 303, (paired.status, paired.text[:300])
    home = tablet.phone.get(paired.location)
    assert home.status == 303, home.status
    welcome = tablet.phone.get(home.location)
    tablet._show(welcome)
    assets = tablet.fetch_assets()
    assert any("/kiosk." in url for url in tablet.assets()), tablet.assets()  # its stylesheet
    first = tablet._step("kiosk first page", [home, welcome, *assets])
    found = {k: unescape(v) for k, v in _KIOSK.findall(tablet.html)}
    assert found.keys() == {"offline", "sw", "js", "pool"}, found
    script = tablet.phone.get(found["js"])  # respond.js loads it once the page is shown
    kit = tablet.phone.get(
        f"{found['offline']}?want={found['pool']}", {"Accept": "application/json"}
    )
    sw = tablet.phone.get(found["sw"])
    imported = [tablet.phone.get(u) for u in re.findall(r'"(/static/[^"]+)"', sw.text)]
    shell = tablet.phone.get(home.location.split("?")[0])
    replies = [script, kit, sw, *imported, shell]
    assert all(r.status == 200 for r in replies), [r.status for r in replies]
    got = json.loads(kit.text)
    assert len(got["grants"]) == int(found["pool"]), len(got["grants"])
    after = tablet._step("kiosk offline kit, after the first page", replies)
    sizes = {
        url: r.received for url, r in zip(tablet.assets(), assets, strict=False) if "kiosk" in url
    }
    sizes[found["js"]] = script.received
    tablet.phone.close()
    return {
        "first": first,
        "after": after,
        "kiosk_assets": sizes,
        "pages": len(got["pages"]),
        "grants": len(got["grants"]),
    }


def _sections(visit: Visit, flow: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every further section, then the check page (Continue after the last section), then
    Send from it: the section steps and the check page's step."""
    sections: list[dict[str, Any]] = []
    check: dict[str, Any] = {}
    while True:
        last = visit.on_last_page
        replies = visit.answer()
        name = "send" if last else "check page" if visit.on_last_page else "next section"
        step = visit._step(f"{name} ({flow})", replies)
        if last:
            return sections, check
        if name == "check page":
            check = step
        else:
            sections.append(step)


def walk(port: int, tokens: list[str]) -> dict[str, Any]:
    """First visit, both flows section by section, and a returning visit."""
    # The first visit, cold cache: the link, the welcome page and what it references.
    first = Visit(port, htmx=True)
    entry, welcome = first.enter(tokens[0])
    assets = first.fetch_assets()
    cold = first._step("first visit", [entry, welcome, *assets])
    first_section = first._step("first section (Start: 303 and page)", first.start())
    offline = first._step("offline, after the first page (issue 18)", first.offline())
    htmx_sections, htmx_check = _sections(first, "HTMX")
    htmx_send = first.steps[-1]

    plain = Visit(port, htmx=False)
    plain.enter(tokens[1])
    plain.fetch_assets()
    plain.start()
    plain_sections, plain_check = _sections(plain, "plain")
    plain_send = plain.steps[-1]

    # Returning: a phone that keeps what it fetched opens its link again.
    back = Visit(port, htmx=True)
    back.enter(tokens[2])
    cache: dict[str, WireReply] = {url: back.phone.get(url) for url in back.assets()}
    back.phone.close()
    again_entry, again = back.enter(tokens[2])
    referenced = back.assets()
    fingerprinted = all(_FINGERPRINTED.match(url) for url in referenced)
    immutable = all(
        "immutable" in r.headers.get("cache-control", "")
        and f"max-age={YEAR_SECONDS}" in r.headers.get("cache-control", "")
        for r in cache.values()
    )
    static_requests = sum(1 for url in referenced if url not in cache or not immutable)
    returning = back._step("returning visit", [again_entry, again])
    plain_name = back.phone.get("/static/css/respond.css")
    redirects = plain_name.status in (301, 302, 303, 307, 308) and bool(
        _FINGERPRINTED.match(plain_name.location)
    )
    for visit in (first, plain, back):
        visit.phone.close()
    return {
        "cold": cold,
        "first_section": first_section,
        "offline": offline,
        "htmx_sections": htmx_sections,
        "htmx_send": htmx_send,
        "htmx_check": htmx_check,
        "plain_check": plain_check,
        "plain_sections": plain_sections,
        "plain_send": plain_send,
        "returning": returning,
        "returning_static_requests": static_requests,
        "assets": [
            (url, r.received, r.headers.get("content-encoding", ""))
            for url, r in zip(first.assets(), assets, strict=False)
        ],
        "welcome_received": welcome.received,
        "fingerprinted": fingerprinted,
        "immutable": immutable,
        "plain_name_redirects": redirects,
        "steps": first.steps + plain.steps + back.steps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads (one worker)")
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.WARNING)

    from app import create_app
    from app.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="chorus-pages-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    try:
        app = create_app({"SECRET_KEY": SECRET, "DATABASE_URL": url, "MAIL_SERVER": ""})
        tokens, code = build(app, 3)
        with app.app_context():
            db.engine.dispose()
        env = child_env(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": SECRET,
                "MAIL_SERVER": "",
                "RESPOND_PAGE_RATE_LIMIT": "100000 per minute",
                "RESPOND_SEND_RATE_LIMIT": "100000 per minute",
            }
        )
        server = gunicorn("wsgi:app", env, tmp / "gunicorn.log", workers=1, threads=args.threads)
        server.start()
        try:
            seen = walk(server.port, tokens)
            tablet = kiosk(server.port, code)
        finally:
            server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    cold, first_section = seen["cold"], seen["first_section"]
    htmx_max = max(s["received_bytes"] for s in seen["htmx_sections"])
    plain_max = max(s["received_bytes"] for s in seen["plain_sections"])
    htmx_check, plain_check = seen["htmx_check"], seen["plain_check"]
    out = sys.stderr
    print(
        f"{platform.platform()}, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}; KB = 1000 bytes received, headers included",
        file=out,
    )
    print(f"{'step':<40} {'requests':>8} {'received KB':>12} {'sent KB':>8}", file=out)
    for step in seen["steps"]:
        print(
            f"{step['name']:<40} {step['requests']:>8} {kb(step['received_bytes']):>12.2f}"
            f" {kb(step['sent_bytes']):>8.2f}",
            file=out,
        )
    for asset, size, coding in seen["assets"]:
        print(f"  {asset} {kb(size):.2f} KB ({coding or 'identity'})", file=out)
    print(
        f"first visit {kb(cold['received_bytes'])} KB in {cold['requests']} requests (budget "
        f"{BUDGET_FIRST_KB}); further section with HTMX at most {kb(htmx_max)} KB in 1 request"
        f" (budget {BUDGET_FURTHER_HTMX_KB}), without at most {kb(plain_max)} KB in 2 (budget "
        f"{BUDGET_FURTHER_PLAIN_KB}); returning visit: {seen['returning_static_requests']} "
        f"static requests (fingerprinted {seen['fingerprinted']}, immutable {seen['immutable']},"
        f" plain name redirects {seen['plain_name_redirects']}); offline after the first page "
        f"{kb(seen['offline']['received_bytes'])} KB in {seen['offline']['requests']} requests "
        f"(budget {BUDGET_OFFLINE_KB}); the check page (all {ITEMS} answers) with HTMX "
        f"{kb(htmx_check['received_bytes'])} KB, without {kb(plain_check['received_bytes'])} KB"
        " (the further-section budgets)",
        file=out,
    )
    for asset, size in tablet["kiosk_assets"].items():
        print(f"  kiosk {asset} {kb(size):.2f} KB", file=out)
    for step in (tablet["first"], tablet["after"]):
        print(
            f"{step['name']:<40} {step['requests']:>8} {kb(step['received_bytes']):>12.2f}"
            f" {kb(step['sent_bytes']):>8.2f}",
            file=out,
        )
    print(
        f"kiosk first page {kb(tablet['first']['received_bytes'])} KB (budget "
        f"{BUDGET_KIOSK_FIRST_KB}); its offline kit ({tablet['pages']} pages, "
        f"{tablet['grants']} grants), worker and shell {kb(tablet['after']['received_bytes'])} "
        f"KB more (budget {BUDGET_KIOSK_OFFLINE_KB})",
        file=out,
    )
    within = (
        kb(cold["received_bytes"]) <= BUDGET_FIRST_KB
        and kb(htmx_max) <= BUDGET_FURTHER_HTMX_KB
        and kb(plain_max) <= BUDGET_FURTHER_PLAIN_KB
        and kb(htmx_check["received_bytes"]) <= BUDGET_FURTHER_HTMX_KB
        and htmx_check["requests"] == 1
        and kb(plain_check["received_bytes"]) <= BUDGET_FURTHER_PLAIN_KB
        and kb(seen["offline"]["received_bytes"]) <= BUDGET_OFFLINE_KB
        and kb(tablet["first"]["received_bytes"]) <= BUDGET_KIOSK_FIRST_KB
        and kb(tablet["after"]["received_bytes"]) <= BUDGET_KIOSK_OFFLINE_KB
        and all(s["requests"] == 1 for s in seen["htmx_sections"])
        and seen["returning_static_requests"] == 0
        and seen["fingerprinted"]
        and seen["immutable"]
        and seen["plain_name_redirects"]
    )
    figures = {
        "items_count": ITEMS,
        "sections_count": len(seen["htmx_sections"]) + 1,
        "first_visit_kb": kb(cold["received_bytes"]),
        "first_visit_requests_count": cold["requests"],
        "first_visit_welcome_html_kb": kb(seen["welcome_received"]),
        "first_section_kb": kb(first_section["received_bytes"]),
        "offline_after_first_page_kb": kb(seen["offline"]["received_bytes"]),
        "offline_after_first_page_requests_count": seen["offline"]["requests"],
        "kiosk_first_page_kb": kb(tablet["first"]["received_bytes"]),
        "kiosk_first_page_requests_count": tablet["first"]["requests"],
        "kiosk_js_kb": kb(sum(v for k, v in tablet["kiosk_assets"].items() if k.endswith(".js"))),
        "kiosk_offline_after_first_page_kb": kb(tablet["after"]["received_bytes"]),
        "kiosk_offline_grants_count": tablet["grants"],
        "further_section_htmx_max_kb": kb(htmx_max),
        "further_section_htmx_requests_count": max(s["requests"] for s in seen["htmx_sections"]),
        "further_section_plain_max_kb": kb(plain_max),
        "further_section_plain_requests_count": max(s["requests"] for s in seen["plain_sections"]),
        "check_page_htmx_kb": kb(htmx_check["received_bytes"]),
        "check_page_htmx_requests_count": htmx_check["requests"],
        "check_page_plain_kb": kb(plain_check["received_bytes"]),
        "check_page_plain_requests_count": plain_check["requests"],
        "send_htmx_kb": kb(seen["htmx_send"]["received_bytes"]),
        "send_plain_kb": kb(seen["plain_send"]["received_bytes"]),
        "further_section_htmx_sent_max_kb": kb(max(s["sent_bytes"] for s in seen["htmx_sections"])),
        "returning_visit_kb": kb(seen["returning"]["received_bytes"]),
        "returning_visit_static_requests_count": seen["returning_static_requests"],
        "assets_fingerprinted_bool": seen["fingerprinted"],
        "assets_immutable_bool": seen["immutable"],
        "plain_asset_name_redirects_bool": seen["plain_name_redirects"],
        "within_budgets_bool": within,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    limits = {
        "first_visit_budget_kb": BUDGET_FIRST_KB,
        "further_section_htmx_budget_kb": BUDGET_FURTHER_HTMX_KB,
        "further_section_plain_budget_kb": BUDGET_FURTHER_PLAIN_KB,
        "offline_after_first_page_budget_kb": BUDGET_OFFLINE_KB,
        "kiosk_first_page_budget_kb": BUDGET_KIOSK_FIRST_KB,
        "kiosk_offline_after_first_page_budget_kb": BUDGET_KIOSK_OFFLINE_KB,
        "returning_visit_static_requests_budget_count": 0,
    }
    print(json.dumps({"bench": "respondent_pages", "figures": figures, "limits": limits}))
    if not within:
        sys.exit(1)


if __name__ == "__main__":
    main()
