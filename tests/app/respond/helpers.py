"""Helpers for the respondent tests: launched rounds, invitations, open links, and a browser.

Rounds are launched the way the invitations journey does it (status live, questionnaires frozen);
invitation rows store only sha256 of the derived token, exactly as at launch.
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import (
    FeedbackRound,
    Invitation,
    InvitationStatus,
    OpenLink,
    Questionnaire,
    RoundStatus,
)
from app.services.accounts import get_or_create_organisation
from app.services.responding import today
from app.services.rounds import RoundSettings, create_round, freeze
from app.services.tokens import derive_token, token_hash

HMIE = "hmie-children-services"
SECRET = "test-secret-key-not-for-production"

_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
_RADIO = re.compile(r'<input type="radio" id="[^"]+" name="([^"]+)" value="([^"]+)"')
_TEXTAREA = re.compile(r'<textarea id="([^"]+)" name="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


@dataclass
class Launched:
    round_id: uuid.UUID
    questionnaires: dict[str, uuid.UUID] = field(default_factory=dict)


def launch_round(
    app: Flask,
    org_name: str = "Org A",
    *,
    indicators: tuple[str, ...] = ("2.1", "5.1"),
    audiences: tuple[str, ...] = ("parents", "children"),
    opens_on: date | None = None,
    closes_on: date | None = None,
    free_text: bool = True,
    role_question: bool = True,
    status: RoundStatus = RoundStatus.LIVE,
    framework: str = HMIE,
    children_bands: tuple[str, ...] = ("under_12",),
) -> Launched:
    """Children are asked in a legacy round's one band (questionnaire "children") unless
    `children_bands` names age bands (a questionnaire each, "children_under_8", ...)."""
    with app.app_context():
        org = get_or_create_organisation(org_name)
        rnd = create_round(
            org,
            RoundSettings(
                name="Spring feedback",
                framework_id=framework,
                indicator_ids=list(indicators),
                audiences=list(audiences),
                opens_on=opens_on or today() - timedelta(days=1),
                closes_on=closes_on or today() + timedelta(days=30),
                free_text=free_text,
                role_question=role_question,
                children_bands=list(children_bands),
            ),
        )
        if status != RoundStatus.DRAFT:
            freeze(rnd)
            rnd.status = status
        db.session.commit()
        return Launched(rnd.id, {q.audience: q.id for q in rnd.questionnaires})


def invite(
    app: Flask, round_id: uuid.UUID, audience: str = "parents", email: str | None = None
) -> str:
    """A pending invitation; returns the token its email link carries."""
    with app.app_context():
        invitation_id = uuid.uuid4()
        token = derive_token(app.config["SECRET_KEY"], invitation_id)
        db.session.add(
            Invitation(
                id=invitation_id,
                round_id=round_id,
                audience=audience,
                email=email or f"{invitation_id.hex[:8]}@people.example",
                token_hash=token_hash(token),
            )
        )
        db.session.commit()
        return token


def add_open_link(
    app: Flask, round_id: uuid.UUID, audience: str = "parents", *, active: bool = True
) -> str:
    with app.app_context():
        code = uuid.uuid4().hex[:10]
        db.session.add(OpenLink(round_id=round_id, audience=audience, code=code, active=active))
        db.session.commit()
        return code


def set_round(app: Flask, round_id: uuid.UUID, **values: Any) -> None:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        for key, value in values.items():
            setattr(rnd, key, value)
        db.session.commit()


def invitation_status(app: Flask, token: str) -> InvitationStatus:
    with app.app_context():
        return db.session.execute(
            select(Invitation.status).where(Invitation.token_hash == token_hash(token))
        ).scalar_one()


def questionnaire_items(app: Flask, questionnaire_id: uuid.UUID) -> list[str]:
    with app.app_context():
        q = db.session.get(Questionnaire, questionnaire_id)
        assert q is not None
        return [str(i.id) for i in sorted(q.items, key=lambda i: i.position)]


def page_fields(html: str) -> dict[str, Any]:
    """The answerable fields on a page: radio groups (with their options) and comment boxes."""
    radios: dict[str, list[str]] = {}
    for name, value in _RADIO.findall(html):
        radios.setdefault(name, []).append(value)
    return {"radios": radios, "texts": [name for _, name in _TEXTAREA.findall(html)]}


def hidden_fields(html: str) -> dict[str, str]:
    return dict(_HIDDEN.findall(html))


class Browser:
    """A respondent's browser: follows the journey the way a phone without JavaScript does."""

    def __init__(self, client: FlaskClient):
        self.client = client
        self.html = ""
        self.pages: list[str] = []  # every page body seen, for leak checks
        self.locations: list[str] = []

    @property
    def text(self) -> str:
        """The last page with entities decoded, for checking wording."""
        return html.unescape(self.html)

    def _keep(self, response: TestResponse) -> TestResponse:
        if response.location:
            self.locations.append(response.location)
        if response.status_code not in (301, 302, 303) and (response.content_type or "").startswith(
            "text/html"
        ):
            self.html = response.get_data(as_text=True)
            self.pages.append(self.html)
        return response

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self._keep(self.client.get(url, **kwargs))

    def follow(self, response: TestResponse) -> TestResponse:
        assert response.status_code in (302, 303), (response.status_code, response.location)
        return self.get(response.location)

    def csrf(self) -> str:
        match = _CSRF.search(self.html)
        assert match, "no CSRF meta tag on the last page"
        return match.group(1)

    def post(self, url: str, data: dict[str, Any], **kwargs: Any) -> TestResponse:
        data = {"csrf_token": self.csrf(), **data}
        return self._keep(self.client.post(url, data=data, **kwargs))

    def form_action(self) -> str:
        actions = re.findall(r'<form method="post" action="([^"]+)"', self.html)
        assert actions, "no form on the last page"
        return actions[-1]

    def enter(self, url: str) -> TestResponse:
        """Open an invitation or open link and follow to the welcome page."""
        first = self.get(url)
        if first.status_code != 303:
            return first
        return self.follow(first)

    def start(self) -> TestResponse:
        response = self.post(self.form_action(), {"nav": "start"})
        return self.follow(response)

    def answer(self, choose: str | None = None, texts: dict[str, str] | None = None) -> dict:
        """Form data answering every question on the current page."""
        fields = page_fields(self.html)
        data: dict[str, str] = {}
        for name, options in fields["radios"].items():
            data[name] = choose if choose in options else options[0]
        for name in fields["texts"]:
            data[name] = (texts or {}).get(name, "")
        data.update({k: v for k, v in hidden_fields(self.html).items() if k != "csrf_token"})
        return data

    def submit_page(
        self, nav: str = "next", choose: str | None = None, **extra: str
    ) -> TestResponse:
        data = {**self.answer(choose), **extra, "nav": nav}
        return self.post(self.form_action(), data)

    def on_last_page(self) -> bool:
        match = re.search(r'<progress max="(\d+)" value="(\d+)"', self.html)
        return bool(match) and match.group(1) == match.group(2)

    def reach_last_page(self, choose: str | None = None) -> None:
        """Answer every page up to the last one, without going on to the check page."""
        for _ in range(200):
            if self.on_last_page():
                return
            response = self.submit_page("next", choose)
            assert response.status_code == 303, response.status_code
            self.follow(response)
        raise AssertionError("questionnaire never ended")

    def reach_check(self, choose: str | None = None) -> None:
        """Answer every page from the current one, then Continue to the check page."""
        self.reach_last_page(choose)
        response = self.submit_page("next", choose)
        assert response.status_code == 303 and response.location.endswith("/check"), response
        self.follow(response)

    def send_checked(self) -> TestResponse:
        """Press Send on the check page."""
        assert "/send" in self.form_action(), "not on the check page"
        data = {k: v for k, v in hidden_fields(self.html).items() if k != "csrf_token"}
        return self.post(self.form_action(), {**data, "nav": "send"})

    def complete(self, choose: str | None = None) -> TestResponse:
        """Answer every page from the current one, check, and send; returns the send's response."""
        self.reach_check(choose)
        response = self.send_checked()
        if response.status_code == 303:
            self.follow(response)
        return response

    def cookies(self) -> dict[str, str]:
        return {c.key: c.value for c in self.client._cookies.values()}

    def restore(self, cookies: dict[str, str]) -> None:
        """Put the browser's cookies back as they were (a double tap sends the old ones)."""
        for key in list(self.cookies()):
            self.client.delete_cookie(key)
        for key, value in cookies.items():
            self.client.set_cookie(key, value)
