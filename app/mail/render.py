"""What an outbox message becomes at send time: plain text + HTML, with the link derived now.

The database never holds a usable link (DESIGN.md section 6.2): the token is derived from the
invitation id with SECRET_KEY while the email is built, and forgotten once it is sent.
No tracking pixels, no remote images, no per-recipient tracking parameters.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from email import policy
from email.utils import formataddr, parseaddr
from typing import Any

from flask import current_app
from flask_mail import Message
from markupsafe import Markup
from sqlalchemy import select

from app.dates import long_date
from app.extensions import db
from app.i18n import _, local_long_date, offered, speaking
from app.models import FeedbackRound, MessageKind, Organisation, Questionnaire
from app.services.frameworks import framework_of
from app.services.keys import secret_keys
from app.services.links import invitation_url, unsubscribe_url
from app.services.rounds import as_generated
from app.services.tokens import derive_token, live_token
from app.services.you_said_email import YouSaidMail, mail_content
from surveys.questionnaire import audience_phrase

# compat32 with CRLF line ends: flattens about twice as fast as Flask-Mail's policy.SMTP, and
# leaves a long unsubscribe URL on one header line where policy.SMTP would turn it into
# RFC 2047 encoded words that mail programs cannot use as a link.
WIRE_POLICY = policy.compat32.clone(linesep="\r\n")


class ChorusMessage(Message):
    def as_bytes(self) -> bytes:
        return self._message().as_bytes(policy=WIRE_POLICY)

    def as_string(self) -> str:
        return self._message().as_string(policy=WIRE_POLICY)


@dataclass(frozen=True)
class MailContext:
    """What every email to one audience of one round says, computed once per batch."""

    org_name: str
    round_name: str
    about: str
    audience_label: str
    audience_phrase: str
    minutes: int
    closes_on: date
    threshold: int
    # The coordinator's own opening paragraph(s), or None for Chorus's (issue 16).
    invitation_intro: str | None = None
    reminder_intro: str | None = None
    languages: tuple[str, ...] = ("en",)  # the round's, default first
    # A round's own audience's words in other languages (issue 22): code -> name, plural.
    own_words: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def phrase(self, code: str) -> str:
        """The audience in a sentence, in language `code` (the one being spoken)."""
        return str(self.own_words.get(code, {}).get("plural") or _(self.audience_phrase))


class ContextCache:
    """Round, organisation and questionnaire facts per (round, audience), for a worker's life.

    Questionnaires are frozen at launch, so the estimate cannot change; the round's dates can,
    so a cache lives for one batch.
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[uuid.UUID, str], MailContext] = {}
        self._you_said: dict[tuple[uuid.UUID, str], YouSaidMail | None] = {}

    def get(self, round_id: uuid.UUID, audience: str) -> MailContext:
        key = (round_id, audience)
        if key not in self._cache:
            self._cache[key] = build_context(round_id, audience)
        return self._cache[key]

    def _you_said_or_none(self, round_id: uuid.UUID, audience: str) -> YouSaidMail | None:
        key = (round_id, audience)
        if key not in self._you_said:
            try:
                self._you_said[key] = mail_content(round_id, audience)
            except LookupError:  # withdrawn since it was queued: not sent
                self._you_said[key] = None
        return self._you_said[key]

    def you_said_ready(self, message: Any) -> bool:
        """Whether a queued "you said, we did" email still has a published page to send."""
        return (
            message.round_id is not None
            and self._you_said_or_none(message.round_id, message.audience) is not None
        )

    def you_said(self, round_id: uuid.UUID, audience: str) -> YouSaidMail:
        found = self._you_said_or_none(round_id, audience)
        if found is None:
            raise LookupError("the page is not published")
        return found


def build_context(round_id: uuid.UUID, audience: str) -> MailContext:
    rnd = db.session.get(FeedbackRound, round_id)
    if rnd is None:
        raise LookupError("the round no longer exists")
    org = db.session.get(Organisation, rnd.organisation_id)
    org_name = org.name if org else "Your organisation"
    questionnaire = db.session.execute(
        select(Questionnaire).where(
            Questionnaire.round_id == round_id, Questionnaire.audience == audience
        )
    ).scalar_one_or_none()
    framework = framework_of(rnd)
    if framework is not None and questionnaire is not None:
        minutes = as_generated(questionnaire, framework).estimated_minutes
        label = framework.audience_label(audience)
        phrase = audience_phrase(framework, audience)
    else:
        minutes, label, phrase = 10, audience, audience
    scope = rnd.scope or {}
    about = (scope.get("services") or scope.get("organisation") or "").strip()
    return MailContext(
        org_name=org_name,
        round_name=rnd.name,
        about=about or f"the work of {org_name}",
        audience_label=label,
        audience_phrase=phrase,
        minutes=minutes,
        closes_on=rnd.closes_on,
        threshold=rnd.threshold,
        invitation_intro=rnd.invitation_intro,
        reminder_intro=rnd.reminder_intro,
        languages=offered(rnd.languages),
        own_words={
            code: dict(lang["audience"])
            for code, lang in (
                (questionnaire.translations if questionnaire else None) or {}
            ).items()
            if lang.get("audience")
        },
    )


def subject(kind: MessageKind, ctx: MailContext) -> str:
    """In the language being spoken (`speaking`)."""
    if kind == MessageKind.YOU_SAID:
        return _(
            "You said, we did: what %(organisation)s heard in “%(round)s”",
            organisation=ctx.org_name,
            round=ctx.round_name,
        )
    if kind == MessageKind.REMINDER:
        return _(
            "Reminder: %(organisation)s would like your views by %(date)s",
            organisation=ctx.org_name,
            date=local_long_date(ctx.closes_on),
        )
    return _(
        "%(organisation)s would like your views: %(round)s",
        organisation=ctx.org_name,
        round=ctx.round_name,
    )


def mail_languages(ctx: MailContext, preferred: str | None) -> tuple[str, ...]:
    """The languages an email is written in: Welsh then English wherever the round offers
    Welsh (Welsh Language Standards: bilingual, Welsh first); otherwise the contact's
    preferred language if the round offers it, else the round's default."""
    if "cy" in ctx.languages:
        return ("cy", "en")
    return (preferred if preferred in ctx.languages else ctx.languages[0],)


def template_vars(
    kind: MessageKind,
    ctx: MailContext,
    invitation_id: uuid.UUID,
    name: str,
    secret: str | Sequence[str],
    stored_hash: str | None = None,
) -> dict[str, object]:
    """`secret` is the key, or the keys newest first; with `stored_hash` the link is the one
    already sent (made under an older key, if the key has been rotated since)."""
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if stored_hash is None:
        token = derive_token(secrets[0], invitation_id)
    else:
        token = live_token(secrets, invitation_id, stored_hash)
    return {
        "kind": kind.value,
        "ctx": ctx,
        "name": name,
        "closes": long_date(ctx.closes_on),
        "link": invitation_url(token),
        "unsubscribe": unsubscribe_url(token),
    }


def email_sender(message: Message) -> str:
    return parseaddr(str(message.sender))[1]


def build_message(
    kind: MessageKind,
    ctx: MailContext,
    invitation_id: uuid.UUID,
    name: str,
    to_address: str,
    stored_hash: str | None = None,
    language: str | None = None,
    *,
    you_said: YouSaidMail | None = None,
) -> Message:
    """The Flask-Mail message for one invitation, reminder or "you said, we did" (with its
    content, `you_said`), in the contact's language (or bilingual: `mail_languages`)."""
    config = current_app.config
    values = template_vars(kind, ctx, invitation_id, name, secret_keys(), stored_hash)
    values["you_said"] = you_said
    env = current_app.jinja_env
    languages = mail_languages(ctx, language)
    bare = len(languages) > 1
    texts, htmls, subjects, tags = [], [], [], []
    for code in languages:
        with speaking(code) as spoken:
            tags.append(spoken.html_lang)
            # Rendered straight from the environment: no request, no context processors.
            extra = {
                "language": lambda spoken=spoken: spoken,
                "bare": bare,
                "closes": local_long_date(ctx.closes_on),
            }
            page = {**values, **extra}
            texts.append(env.get_template(f"mail/{kind.value}.txt").render(**page))
            htmls.append(Markup(env.get_template(f"mail/{kind.value}.html").render(**page)))
            subjects.append(subject(kind, ctx))
    text = "\n\n----------\n\n".join(texts)
    html = str(htmls[0])
    if bare:
        html = env.get_template("mail/_bilingual.html").render(
            parts=htmls, title=" / ".join(subjects)
        )
    _name, sender_address = parseaddr(config.get("MAIL_DEFAULT_SENDER") or "chorus@localhost")
    return ChorusMessage(
        subject=" / ".join(subjects),
        recipients=[to_address],
        body=text,
        html=html,
        sender=formataddr((f"{ctx.org_name} via Chorus", sender_address)),
        extra_headers={
            # RFC 2369 / 8058: mail programs show an "Unsubscribe" button that works in one step.
            "List-Unsubscribe": f"<{values['unsubscribe']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            # The languages of the message (RFC 3282), as the HTML parts' lang attributes say.
            "Content-Language": ", ".join(tags),
        },
    )


@dataclass(frozen=True)
class Preview:
    subject: str
    sender: str
    text: str
    html: str


PREVIEW_TOKEN = "your-own-link"  # an obvious placeholder: a preview never holds a real token


def preview(
    round_id: uuid.UUID, audience: str, kind: MessageKind = MessageKind.INVITATION
) -> Preview:
    """The email one audience will get, exactly as the worker builds it, with a placeholder link
    (no invitation, so no token is derived). A draft's wording is the wording at send time."""
    ctx = build_context(round_id, audience)
    values = {
        "kind": kind.value,
        "ctx": ctx,
        "name": "Alex Example",
        "closes": long_date(ctx.closes_on),
        "link": invitation_url(PREVIEW_TOKEN),
        "unsubscribe": unsubscribe_url(PREVIEW_TOKEN),
    }
    env = current_app.jinja_env
    _, sender_address = parseaddr(
        current_app.config.get("MAIL_DEFAULT_SENDER") or "chorus@localhost"
    )
    with speaking(ctx.languages[0]) as spoken:  # the round's default language
        page = {**values, "language": lambda: spoken, "bare": False}
        return Preview(
            subject=subject(kind, ctx),
            sender=formataddr((f"{ctx.org_name} via Chorus", sender_address)),
            text=env.get_template(f"mail/{kind.value}.txt").render(**page),
            html=env.get_template(f"mail/{kind.value}.html").render(**page),
        )
