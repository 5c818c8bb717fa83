"""Simulated phone respondents over real HTTP, standard library only.

Shared by bench/load.py and tests/faults. Each `Phone` is one person's browser without
JavaScript: its own keep-alive connection and cookie jar, following 303s by hand, posting the
forms it is shown (CSRF token, page stamp and the empty honeypot box included) and answering
every question at random. Given several ports, it sends each request to one of them at random,
as a load balancer without sticky sessions would. It knows the submission id of its answers
by reading the signed progress cookie the server gave it (with the server's SECRET_KEY), so a
test or the load bench can check that every response it saw accepted is in the database
exactly once.

Not a module `make bench` runs (the leading underscore keeps it out of `bench/[a-z]*.py`).
"""

from __future__ import annotations

import gzip
import http.client
import random
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import unescape
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlencode, urlsplit

import brotli
from itsdangerous import BadSignature, URLSafeSerializer

# What Chromium asks for (bench/load.py); tests/faults leave it off (plain bodies).
ACCEPT_ENCODING = "gzip, deflate, br"
PROGRESS_COOKIE = "chorus_progress"  # app/respond/state.py
PROGRESS_SALT = "chorus-progress"  # app/respond/state.py _serializer()

_FORM = re.compile(r'<form method="post" action="([^"]+)"')
_RADIO = re.compile(r'<input type="radio" id="[^"]+" name="([^"]+)" value="([^"]+)"')
_TEXTAREA = re.compile(r'<textarea id="[^"]+" name="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
_HONEYPOT = re.compile(r'<input id="([^"]+)" name="([^"]+)" type="text" tabindex="-1"')
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
_RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)

COMMENTS = (
    "Staff listen and explain things clearly.",
    "It would help to hear back sooner after meetings.",
    "The new drop-in sessions have made a real difference.",
)


@dataclass(frozen=True)
class Hit:
    """One HTTP request as the phone saw it."""

    step: str  # enter, welcome, start, page, answer, send, thanks
    status: int  # 0: no answer (connection error or timeout)
    seconds: float
    started: float  # time.monotonic() when sent
    size: int = 0  # body bytes as sent (compressed if it was)
    port: int = 0  # which server answered


@dataclass
class Reply:
    status: int
    location: str  # path of a redirect, "" otherwise
    text: str
    headers: dict[str, str]

    @property
    def heading(self) -> str:
        match = _H1.search(self.text)
        return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""


class Unexpected(Exception):
    """The server answered something a respondent should not have seen here."""

    def __init__(self, step: str, reply: Reply | None, detail: str = ""):
        status = reply.status if reply else 0
        super().__init__(f"{step}: {status} {detail or (reply.heading if reply else '')}".strip())
        self.step = step
        self.reply = reply


@dataclass
class Outcome:
    """How one respondent's visit ended."""

    entry: str  # "invitation" or "open_link"
    accepted: bool
    submission_id: uuid.UUID | None = None
    error: str = ""
    hits: list[Hit] = field(default_factory=list)


class Phone:
    """One respondent's browser: keep-alive connection, cookie jar, forms followed by hand.

    With `htmx`, it is a browser running the page's JavaScript: after the first full page,
    each section's form goes as an HTMX request (HX-Request and X-CSRFToken headers) and the
    answer is the next section's block, one request a section; redirects (the send) are
    followed with the same headers, as XMLHttpRequest does. `accept_encoding` asks for
    compression as a browser does; bodies are decoded to read them.
    """

    def __init__(
        self,
        host: str,
        port: int | Sequence[int],
        *,
        secret: str,
        timeout: float = 30.0,
        rng: random.Random | None = None,
        comment_chance: float = 0.2,
        htmx: bool = False,
        accept_encoding: str = "",
    ) -> None:
        self.host = host
        self.ports = [port] if isinstance(port, int) else list(port)
        self.secret = secret
        self.timeout = timeout
        self.rng = rng or random.Random()
        self.comment_chance = comment_chance
        self.htmx = htmx
        self.accept_encoding = accept_encoding
        self.csrf = ""
        self.cookies: dict[str, str] = {}
        self.hits: list[Hit] = []
        self.reconnects = 0
        self.path = ""  # the page on screen
        self.page: Reply | None = None
        self._conns: dict[int, http.client.HTTPConnection] = {}
        self._answers: dict[str, str] | None = None  # the last page's answers, kept for a retry

    def __enter__(self) -> Phone:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- HTTP ------------------------------------------------------------------------------------

    def close(self, port: int | None = None) -> None:
        for p in [port] if port is not None else list(self._conns):
            conn = self._conns.pop(p, None)
            if conn is not None:
                conn.close()

    def request(
        self,
        step: str,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        extra: dict[str, str] | None = None,
    ) -> Reply:
        body = urlencode(form).encode() if form is not None else None
        port = self.ports[0] if len(self.ports) == 1 else self.rng.choice(self.ports)
        headers = {"Host": f"{self.host}:{port}", "User-Agent": "chorus-phone/1", **(extra or {})}
        if self.accept_encoding:
            headers["Accept-Encoding"] = self.accept_encoding
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.monotonic()
        for attempt in (1, 2):
            conn = self._conns.get(port)
            reused = conn is not None
            if conn is None:
                conn = self._conns[port] = http.client.HTTPConnection(
                    self.host, port, timeout=self.timeout
                )
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except _RETRYABLE:
                # The server closed an idle keep-alive connection before reading the request:
                # like a browser, send it again once on a fresh connection.
                self.close(port)
                if reused and attempt == 1:
                    self.reconnects += 1
                    continue
                self.hits.append(Hit(step, 0, time.monotonic() - started, started))
                raise
            except OSError:
                self.close(port)
                self.hits.append(Hit(step, 0, time.monotonic() - started, started))
                raise
            break
        seconds = time.monotonic() - started
        if response.will_close:
            self.close(port)
        self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        location = response.headers.get("Location", "")
        size = len(data)
        coding = response.headers.get("Content-Encoding", "")
        if coding == "br":
            data = brotli.decompress(data)
        elif coding == "gzip":
            data = gzip.decompress(data)
        reply = Reply(
            response.status,
            urlsplit(location).path if location else "",
            data.decode("utf-8", "replace"),
            {k.lower(): v for k, v in response.headers.items()},
        )
        self.hits.append(Hit(step, response.status, seconds, started, size, port))
        return reply

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            jar = SimpleCookie()
            try:
                jar.load(header)
            except CookieError:
                continue
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, step: str, path: str) -> Reply:
        return self.request(step, "GET", path)

    def post(self, step: str, path: str, form: dict[str, str]) -> Reply:
        return self.request(step, "POST", path, form)

    # -- the journey -----------------------------------------------------------------------------

    def expect(self, step: str, reply: Reply, status: int, path_part: str = "") -> Reply:
        if reply.status != status or (path_part and path_part not in reply.location):
            raise Unexpected(step, reply, f"wanted {status} {path_part}".strip())
        return reply

    def show(self, step: str, path: str) -> Reply:
        reply = self.expect(step, self.get(step, path), 200)
        self.path, self.page = path, reply
        self._remember_csrf(reply)
        return reply

    def _remember_csrf(self, reply: Reply) -> None:
        found = _CSRF.search(reply.text)
        if found:
            self.csrf = found.group(1)

    def _hx(self) -> dict[str, str]:
        return {"HX-Request": "true", "X-CSRFToken": self.csrf}

    def _swap(self, step: str, reply: Reply) -> Reply:
        """An HTMX answer: the block is now on screen, at the address it pushed."""
        pushed = reply.headers.get("hx-push-url", "")
        if reply.status != 200 or not pushed.startswith("/"):
            raise Unexpected(step, reply, "wanted 200 with HX-Push-Url")
        self.path, self.page = pushed, reply
        return reply

    def enter(self, entry_path: str) -> Reply:
        """Open an invitation (/r/<token>) or open link (/o/<code>): on to the welcome page."""
        first = self.expect("enter", self.get("enter", entry_path), 303, "/q/")
        return self.show("welcome", first.location)

    def start(self) -> Reply:
        form = self._hidden()
        action = self._action("/start")
        moved = self.expect("start", self.post("start", action, {**form, "nav": "start"}), 303)
        return self.show("page", moved.location)

    @property
    def on_last_page(self) -> bool:
        """On the check page (after the last page): its form is the one that sends."""
        return self._action().endswith("/send")

    def answer_page(self) -> Reply:
        """Answer the page on screen and press Continue; shows the next page (after the last
        one, the check page)."""
        action = self._action()
        form = {**self._fill(), "nav": "next"}
        if self.htmx:
            return self._swap("answer", self.request("answer", "POST", action, form, self._hx()))
        moved = self.expect("answer", self.post("answer", action, form), 303, "/q/")
        return self.show("page", moved.location)

    def answer_until_last_page(self) -> None:
        """Answer every page, on to the check page."""
        while not self.on_last_page:
            self.answer_page()

    def send(self, *, same_answers: bool = False) -> Reply:
        """Press "Send my answers" on the check page; the reply is not judged here."""
        answers = self._answers if same_answers and self._answers else self._fill()
        form = {**answers, "nav": "send"}
        if self.htmx:
            return self.request("send", "POST", self._action(), form, self._hx())
        return self.post("send", self._action(), form)

    def reload(self) -> Reply:
        """Show the page on screen again (what Back does on a no-store page)."""
        return self.show("page", self.path)

    def thanked(self, reply: Reply) -> bool:
        if reply.status != 303 or not reply.location.endswith("/thanks"):
            return False
        if self.htmx:  # XMLHttpRequest follows the redirect, HTMX headers and all
            thanks = self.request("thanks", "GET", reply.location, None, self._hx())
            self.expect("thanks", thanks, 200)
            self.path, self.page = reply.location, thanks
            return True
        self.show("thanks", reply.location)
        return True

    def submission_id(self) -> uuid.UUID | None:
        """The id the server will store these answers under, from the signed progress cookie."""
        raw = self.cookies.get(PROGRESS_COOKIE)
        if not raw:
            return None
        try:
            payload = URLSafeSerializer(self.secret, salt=PROGRESS_SALT).loads(raw)
        except BadSignature:
            return None
        return uuid.UUID(hex=payload["s"])

    def respond(self, entry_path: str) -> Outcome:
        """The whole visit: enter, start, answer every page, send, see the thank-you page."""
        kind = "invitation" if entry_path.startswith("/r/") else "open_link"
        outcome = Outcome(kind, accepted=False, hits=self.hits)
        try:
            self.enter(entry_path)
            self.start()
            self.answer_until_last_page()
            outcome.submission_id = self.submission_id()
            reply = self.send()
            if not self.thanked(reply):
                raise Unexpected("send", reply, "no thank-you page")
            outcome.accepted = True
        except Unexpected as exc:
            outcome.error = str(exc)
        except (OSError, http.client.HTTPException) as exc:
            outcome.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.close()
        return outcome

    # -- forms -----------------------------------------------------------------------------------

    def _text(self) -> str:
        assert self.page is not None, "no page on screen"
        return self.page.text

    def _action(self, ending: str = "") -> str:
        actions = [unescape(a) for a in _FORM.findall(self._text())]
        if ending:
            actions = [a for a in actions if a.endswith(ending)]
        else:
            actions = [a for a in actions if "/page/" in a or a.endswith("/send")]
        if not actions:
            raise Unexpected("form", self.page, f"no form{' ending ' + ending if ending else ''}")
        return actions[-1]

    def _hidden(self) -> dict[str, str]:
        return {name: unescape(value) for name, value in _HIDDEN.findall(self._text())}

    def _fill(self) -> dict[str, str]:
        text = self._text()
        form = self._hidden()
        for _, name in _HONEYPOT.findall(text):
            form[name] = ""  # people leave the hidden box empty
        groups: dict[str, list[str]] = {}
        for name, value in _RADIO.findall(text):
            groups.setdefault(name, []).append(value)
        for name, values in groups.items():
            form[name] = self.rng.choice(values)
        for name in _TEXTAREA.findall(text):
            wrote = self.rng.random() < self.comment_chance
            form[name] = self.rng.choice(COMMENTS) if wrote else ""
        self._answers = form
        return form
