"""The differencing attack (DESIGN.md 6.6, issue 14), made the way an insider would make it.

A round with four audiences (k = 3) is answered one person at a time through the real
respondent pages: email invitations for staff, parents and partners, an open link for parents
and community, with comments and role answers. After every submission, and after every
release step (`app.services.mix.release_waiting`, as the mail worker runs it), the test reads
every staff view of the round: every page and HTMX fragment of the round (walked from
app.url_map, as coordinator and as viewer), the dashboard and reminders, the CSVs, every
workbook sheet (read back with openpyxl), the CLI's output. Then it closes the round and reads
everything once more.

Between two consecutive snapshots, a change in what respondents answered must be backed by at
least k more respondents in every audience it touches:

- the results' own respondent count per audience ("k of n people", from the JSON the CLI
  prints) moves by 0 or by at least k, never by 1 .. k-1, and never goes past what is released;
- an audience's figures (items and indicator cells) change only when its count moves by >= k;
- any other change to answer-derived content needs some audience's count to move by >= k;
- while the round is live, the released responses of each audience (the database's count, the
  ground truth of what is behind the views) move by 0 or at least k when answers change;
- a comment appears only when its audience's count moves by >= k;
- response counts are not answers: pages may show them moving one at a time, but only for
  audiences that have reached k (below k nothing may move, totals included).

To stay fast, the views that cannot show answers or counts (questionnaire editing, previews,
posters, QR codes, paper templates, deliveries), the viewer's copies and the HTMX blocks of the
pages are read at checkpoints (every 8 submissions, the last, the close) and compared between
checkpoints; every other view, as coordinator, and the fragments pages poll, after every step.

Deeper runs: DIFF_RESPONDENTS=n (default 8) respondents per audience, DIFF_FULL=1 every view
after every step, DIFF_SEED=n another order and other answers.
"""

from __future__ import annotations

import os
import random
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.invitations.common import audience_labels
from app.models import (
    FeedbackRound,
    Invitation,
    OpenLink,
    QuestionAnswer,
    QuestionText,
    Response,
    Role,
    TeamRole,
)
from app.services import abuse, kiosks, questions, round_audiences, translations
from app.services.accounts import find_user_by_email, get_or_create_organisation
from app.services.api_tokens import create_token
from app.services.contacts import ContactRow, add_contacts
from app.services.launch import launch
from app.services.mix import release_waiting
from app.services.responding import clear_shape_cache, today
from app.services.results import round_results
from app.services.rounds import RoundSettings, create_round
from app.services.tokens import derive_token
from surveys.statistics import whole_percent
from tests.app.anonymity import snapshots
from tests.app.anonymity.snapshots import Snapshot, Viewers
from tests.app.assessment.helpers import make_assessment
from tests.app.respond.helpers import Browser, hidden_fields, page_fields
from tests.support import csrf_token, login

K = 3
PER_AUDIENCE = int(os.environ.get("DIFF_RESPONDENTS", "8"))
SEED = int(os.environ.get("DIFF_SEED", "14"))
FULL = os.environ.get("DIFF_FULL") == "1"  # every view after every step, not only at checkpoints
CHECKPOINT_EVERY = 8
LANGUAGE_CHOICES = ("en", "en", "cy", "ar")
ORG = "Org A"
OWN = "c-elected-members"
# audience -> channels its people use, in turn
CHANNELS = {
    "staff": ("email",),
    "parents": ("email", "open_link", "kiosk"),  # a shared tablet at an event (issue 18)
    "partners": ("email",),
    "community": ("open_link",),
    # An audience the round defines itself (issue 22), asked by email and open link alike.
    OWN: ("email", "open_link"),
}
PARENTS_ONLY = "Is the parents' room useful?"
OWN_QUESTIONS = (
    questions.QuestionInput(kind="yes_no", text="Did you see our poster?"),
    questions.QuestionInput(
        kind="one_choice", text="How did you hear of us?", options="Email\nPoster", other=True
    ),
    questions.QuestionInput(
        kind="several_choices", text="Which do you use?", options="Library\nPool\nPark"
    ),
    questions.QuestionInput(
        kind="number", text="How many visits?", minimum="0", maximum="9", bins="0-2, 3-5, 6-9"
    ),
    questions.QuestionInput(kind="free_text", text="One thing to change?"),
    # Asked of parents only (by email, open link and kiosk): no other audience may ever show a
    # figure for it, and its figures move only as parents' count does.
    questions.QuestionInput(kind="yes_no", text=PARENTS_ONLY, audiences=("parents",)),
)
_CHECKBOX = re.compile(r'<input type="checkbox" id="[^"]+" name="([^"]+)" value="([^"]+)"')
_NUMBER = re.compile(r'inputmode="numeric" id="(q-[^"]+)" name="q-[^"]+"')
_OTHER = re.compile(r'<input type="text" id="(q-[^"]+-text)" name="q-[^"]+-text"')
WORDS = ("clear", "letters", "kind", "slow", "replies", "helpful", "meetings", "late", "friendly")


@pytest.fixture(autouse=True)
def _fresh_shape_cache() -> Iterator[None]:
    clear_shape_cache()
    yield
    clear_shape_cache()


@pytest.fixture
def patient(monkeypatch: pytest.MonkeyPatch, app: Flask) -> Iterator[None]:
    """Open-link and kiosk respondents who take their time: every page looks a minute old,
    and the kiosk's minimum time per questionnaire is met."""
    real = abuse._now
    monkeypatch.setattr(abuse, "_now", lambda: real() + 60)
    app.config["KIOSK_MIN_SECONDS_PER_QUESTION"] = 0
    yield
    app.config.pop("KIOSK_MIN_SECONDS_PER_QUESTION", None)


@pytest.fixture
def unthrottled_api(monkeypatch: pytest.MonkeyPatch, app: Flask) -> None:
    """The attacker reads every API view after every step: hundreds of calls a minute, far past
    the per-token limit, which is not what this test is about (tests/app/api/test_auth.py is)."""
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "1000000 per minute")


# -- the round ---------------------------------------------------------------------------------


@dataclass
class Setup:
    round_id: uuid.UUID
    tokens: dict[str, list[str]]  # audience -> email tokens, in invitation order
    codes: dict[str, str]  # audience -> open link code
    kiosk_cookie: str  # the parents' kiosk: one tablet, one person after another
    invited: dict[str, int]
    indicator_ids: list[str]


def _launch(app: Flask) -> Setup:
    with app.app_context():
        org = get_or_create_organisation(ORG)
        rnd = create_round(
            org,
            RoundSettings(
                name="Differencing round",
                framework_id="hmie-children-services",
                indicator_ids=["2.1", "5.3"],
                audiences=[a for a in CHANNELS if a != OWN],
                opens_on=today() - timedelta(days=1),
                closes_on=today() + timedelta(days=30),
                threshold=K,
                free_text=True,
                role_question=True,
                # Respondents answer in several languages: the final results' language mix
                # is one more view the differencing checks (issue 17).
                languages=["en", "cy", "ar"],
            ),
        )
        made = round_audiences.add_audience(
            rnd,
            name="Elected members",
            plural="",
            scale="agree4",
            email=True,
            open_link=True,
            resembles="parents",
        )
        assert made.id == OWN
        for audience, channels in CHANNELS.items():
            if "email" in channels:
                rows = [
                    ContactRow(n, f"{audience}{n}@people.example", f"{audience} {n}")
                    for n in range(2, 2 + PER_AUDIENCE + 2)  # two who never answer
                ]
                add_contacts(rnd, audience, rows)
        for own in OWN_QUESTIONS:  # the round's own questions (issue 20): every kind of cell
            questions.add_question(rnd, own)
        every = translations.parts(rnd, audience_labels(rnd))  # launch needs them complete
        translations.store(
            rnd,
            {
                (p.audience, p.kind, p.key, c): f"[{c}] {p.english}"
                for p in every
                for c in ("cy", "ar")
            },
        )
        launch(rnd, secret=app.config["SECRET_KEY"], labels=audience_labels(rnd), today=today())
        db.session.commit()
        links = db.session.execute(select(OpenLink).where(OpenLink.round_id == rnd.id)).scalars()
        codes = {link.audience: link.code for link in links if link.active}
        assert {a for a, c in CHANNELS.items() if "open_link" in c} <= set(codes), codes
        invitations = db.session.execute(
            select(Invitation).where(Invitation.round_id == rnd.id).order_by(Invitation.email)
        ).scalars()
        tokens: dict[str, list[str]] = {}
        for invitation in invitations:
            tokens.setdefault(invitation.audience, []).append(
                derive_token(app.config["SECRET_KEY"], invitation.id)
            )
        link = db.session.execute(
            select(OpenLink).where(OpenLink.round_id == rnd.id, OpenLink.audience == "parents")
        ).scalar_one()
        coordinator = find_user_by_email("coord@a.example")
        assert coordinator is not None
        kiosk, code = kiosks.create(rnd, link, "Event tablet", coordinator)
        kiosk, device = kiosks.pair(code, today())
        db.session.commit()
        return Setup(
            rnd.id,
            tokens,
            codes,
            kiosks.device_cookie(kiosk, device),
            {a: len(t) for a, t in tokens.items()},
            list(rnd.indicator_ids),
        )


def _answer_one(
    app: Flask,
    url: str,
    rng: random.Random,
    audience: str,
    n: int,
    ip: str,
    tablet: FlaskClient | None = None,
) -> None:
    """One person answers the whole questionnaire on their own phone (or the event's shared
    tablet), through the real pages."""
    client = tablet or app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    phone = Browser(client)
    phone.enter(f"{url}?lang={rng.choice(LANGUAGE_CHOICES)}")
    phone.start()
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    for _ in range(100):
        fields = page_fields(phone.html)
        data: dict[str, str] = {
            k: v for k, v in hidden_fields(phone.html).items() if k != "csrf_token"
        }
        for name, options in fields["radios"].items():
            data[name] = rng.choice(options)
        form: dict[str, object] = {}
        boxes: dict[str, list[str]] = {}
        for name, value in _CHECKBOX.findall(phone.html):  # several choices: any of them
            boxes.setdefault(name, [])
            if rng.random() < 0.5:
                boxes[name].append(value)
        form.update(boxes)
        for name in _NUMBER.findall(phone.html):
            if rng.random() < 0.8:
                data[name] = str(rng.randint(0, 9))
        for name in _OTHER.findall(phone.html):  # words only beside "Other", as the page asks
            if data.get(name.removesuffix("-text")) == "other":
                data[name] = f"[{snapshots.marker(audience, n, next(letters))}] other"
        for name in fields["texts"]:
            if rng.random() < 0.6:
                words = " ".join(rng.choice(WORDS) for _ in range(4))
                data[name] = f"[{snapshots.marker(audience, n, next(letters))}] {words}"
        sending = "/send" in phone.form_action()
        data["nav"] = "send" if sending else "next"
        response = phone.post(phone.form_action(), {**data, **form})
        assert response.status_code == 303, (
            f"{audience} respondent {n}: {response.status_code} on {phone.form_action()}:\n"
            + phone.text[:800]
        )
        phone.follow(response)
        if sending:
            return
    raise AssertionError("the questionnaire never ended")


# -- the mix ---------------------------------------------------------------------------------


def _release(app: Flask, round_id: uuid.UUID) -> None:
    """The release step as the mail worker runs it (audiences with at least k waiting)."""
    with app.app_context():
        release_waiting(round_id)


# -- ground truth ------------------------------------------------------------------------------


def _released(app: Flask, round_id: uuid.UUID) -> Counter[str]:
    """Released responses per audience: what the response tables hold."""
    with app.app_context():
        rows = db.session.execute(
            select(Response.audience, func.count())
            .where(Response.round_id == round_id)
            .group_by(Response.audience)
        ).all()
        return Counter({audience: n for audience, n in rows})


@dataclass
class State:
    label: str
    snapshot: Snapshot
    released: Counter[str]
    submitted: Counter[str]  # per audience
    by_channel: Counter[tuple[str, str]]  # (audience, channel)
    step_audience: str | None = None  # who just submitted (one person), if a submission
    live: bool = True


@dataclass
class Findings:
    problems: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, text: str) -> None:
        self.problems.setdefault(kind, []).append(text)

    def report(self) -> str:
        lines = []
        for kind, items in self.problems.items():
            lines.append(f"== {kind}: {len(items)} time(s); first ones:")
            lines += [f"  - {text}" for text in items[:4]]
        return "\n".join(lines)


def _sample(blocks: list[str], n: int = 3) -> str:
    return "; ".join(repr(b[:140]) for b in blocks[:n]) + (" ..." if len(blocks) > n else "")


def _count_moves(before: State, after: State, invited: dict[str, int]) -> set[tuple[str, str]]:
    """Numbers that may change by one person answering: received counts, totals, rates, those
    still to remind, as (old, new) strings in the forms pages print them."""
    pairs: set[tuple[int | float, int | float]] = set()

    def pair(old: float, new: float) -> None:
        pairs.add((old, new))

    for audience in set(before.submitted) | set(after.submitted):
        pair(before.submitted[audience], after.submitted[audience])
        for channel in ("email", "open_link"):
            b, a = before.by_channel[(audience, channel)], after.by_channel[(audience, channel)]
            pair(b, a)
            if channel == "email" and invited.get(audience):
                pair(invited[audience] - b, invited[audience] - a)
                pair(100 * b / invited[audience], 100 * a / invited[audience])
                pair(b / invited[audience], a / invited[audience])  # workbooks keep fractions
    pair(sum(before.submitted.values()), sum(after.submitted.values()))
    for channel in ("email", "open_link"):
        b = sum(v for (_, c), v in before.by_channel.items() if c == channel)
        a = sum(v for (_, c), v in after.by_channel.items() if c == channel)
        pair(b, a)
        if channel == "email":
            total = sum(invited.values())
            pair(total - b, total - a)
            pair(100 * b / total, 100 * a / total)
            pair(b / total, a / total)
    out: set[tuple[str, str]] = set()
    for old, new in pairs:
        if old == new:
            continue
        for form in (
            lambda x: str(int(x)) if float(x).is_integer() else str(x),
            lambda x: str(whole_percent(x)),
            lambda x: f"{x:.1f}",
            lambda x: f"{x:,}" if isinstance(x, int) else str(x),
        ):
            out.add((form(old), form(new)))
    return out


def _compare(before: State, after: State, invited: dict[str, int], findings: Findings) -> None:
    step = f"{before.label} -> {after.label}"
    old, new = before.snapshot, after.snapshot
    shown_old, shown_new = old.shown_respondents(), new.shown_respondents()
    delta_shown = {
        a: shown_new.get(a, 0) - shown_old.get(a, 0) for a in set(shown_old) | set(shown_new)
    }
    delta_released = {
        a: after.released[a] - before.released[a]
        for a in set(before.released) | set(after.released)
    }
    moves = _count_moves(before, after, invited)
    mover = after.step_audience

    # An audience's first answer may turn "no responses" into "fewer than k": that someone in
    # it answered is a count, not an answer. From the second up to k-1 nothing may move.
    first_answer = mover is not None and after.submitted[mover] == 1
    answer_changes: list[str] = []
    for name in sorted(set(old.views) & set(new.views)):
        gone, added = snapshots.changed_blocks(old.views[name], new.views[name])
        if not gone and not added:
            continue
        if first_answer:
            continue
        if mover is not None and after.submitted[mover] < K:
            # Someone in a group still under k answered: nothing at all may move, counts included.
            findings.add(
                "a view changed when one person in a group under k answered",
                f"{step}: {mover} now {after.submitted[mover]} (< k={K}); {name}: "
                f"gone {_sample(gone)} / new {_sample(added)}",
            )
            continue
        if snapshots.is_count_view(name):
            continue  # response counts of audiences at or above k may move one at a time
        gone, added = snapshots.unexplained(gone, added, moves)
        if gone or added:
            answer_changes.append(f"{name}: gone {_sample(gone)} / new {_sample(added)}")

    for audience, delta in sorted(delta_shown.items()):
        if 0 < abs(delta) < K:
            findings.add(
                "results of an audience changed by fewer than k respondents",
                f"{step}: {audience} results now built on {shown_new.get(audience, 0)} "
                f"respondents, was {shown_old.get(audience, 0)} ({delta:+d}, k={K})",
            )
        if shown_new.get(audience, 0) > after.released[audience]:
            findings.add(
                "results count more respondents than are released",
                f"{step}: {audience} shows {shown_new[audience]}, "
                f"released {after.released[audience]}",
            )

    figures_old, figures_new = old.audience_figures(), new.audience_figures()
    for audience in sorted(set(figures_old) | set(figures_new)):
        nothing_shown = not shown_old.get(audience) and not shown_new.get(audience)
        if first_answer and audience == mover and nothing_shown:
            continue  # "no responses" became "fewer than k"
        if (
            figures_old.get(audience) != figures_new.get(audience)
            and abs(delta_shown.get(audience, 0)) < K
        ):
            findings.add(
                "an audience's figures changed without k more respondents behind them",
                f"{step}: {audience} figures changed; its respondents moved "
                f"{delta_shown.get(audience, 0):+d} (shown {shown_old.get(audience, 0)} -> "
                f"{shown_new.get(audience, 0)}); released {delta_released.get(audience, 0):+d}",
            )

    markers_new = new.markers() - old.markers()
    by_audience: dict[str, list[str]] = {}
    for mark in markers_new:
        by_audience.setdefault(snapshots.MARKER.match(mark).group(1), []).append(mark)  # type: ignore[union-attr]
    for audience, marks in sorted(by_audience.items()):
        if delta_shown.get(audience, 0) < K:
            findings.add(
                "comments appeared without k more respondents in their audience",
                f"{step}: {audience}: {sorted(marks)} appeared; its respondents moved "
                f"{delta_shown.get(audience, 0):+d}",
            )

    if not answer_changes:
        return
    # Backed: some audience's results, or its released responses, moved by at least k.
    if not any(d >= K for d in delta_shown.values()) and not any(
        d >= K for d in delta_released.values()
    ):
        findings.add(
            "answer-derived content changed with no audience gaining k respondents",
            f"{step}: respondents shown moved {delta_shown or '(no results JSON)'}; "
            f"{len(answer_changes)} view(s) changed, e.g. " + " || ".join(answer_changes[:3]),
        )
    if after.live:
        # An audience reaching k shows k people at once: that is backed by k.
        uneven = {
            a: d for a, d in delta_released.items() if 0 < d < K and delta_shown.get(a, 0) < K
        }
        if uneven:
            findings.add(
                "answers changed while fewer than k responses were released in an audience",
                f"{step}: released {uneven}; e.g. " + " || ".join(answer_changes[:2]),
            )


def _compare_checkpoints(before: State, after: State, skip: set[str], findings: Findings) -> None:
    """Views read only at checkpoints (viewer, HTMX blocks, answer-free pages), between two
    checkpoints: answer-free views do not change while live; in the rest, anything but a number
    changes only when some audience moved by at least k (numbers were checked step by step in
    the coordinator's copies of the same pages)."""
    step = f"{before.label} => {after.label} (checkpoints)"
    old, new = before.snapshot, after.snapshot
    shown_old, shown_new = old.shown_respondents(), new.shown_respondents()
    moved = {a: shown_new.get(a, 0) - shown_old.get(a, 0) for a in shown_new}
    released = {a: after.released[a] - before.released[a] for a in after.released}
    for name in sorted((set(old.views) & set(new.views)) - skip):
        gone, added = snapshots.changed_blocks(old.views[name], new.views[name])
        if not gone and not added:
            continue
        if name in new.answer_free:
            if after.live:
                findings.add(
                    "a view that should show no answers or counts changed",
                    f"{step}: {name}: gone {_sample(gone)} / new {_sample(added)}",
                )
            continue
        if snapshots.is_count_view(name):
            continue
        gone, added = snapshots.unexplained(gone, added, snapshots.ANY_NUMBERS)
        if (
            (gone or added)
            and not any(d >= K for d in moved.values())
            and not any(d >= K for d in released.values())
        ):
            findings.add(
                "answer-derived content changed with no audience gaining k respondents",
                f"{step}: respondents shown moved {moved}; {name}: gone {_sample(gone)} / "
                f"new {_sample(added)}",
            )


# -- the attack --------------------------------------------------------------------------------


def _api_token(app: Flask) -> str:
    """A token that reads results: the API's figures join every snapshot."""
    with app.app_context():
        org = get_or_create_organisation(ORG)
        user = find_user_by_email("coord@a.example")
        assert user is not None
        made = create_token(org.id, user, "Dashboard", ["read_results"], 30)
        db.session.commit()
        return made.secret


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def test_no_view_of_a_round_can_be_differenced(
    app: Flask, make_user: Callable[..., object], patient: None, unthrottled_api: None
) -> None:
    make_user("coord@a.example", ORG, Role.COORDINATOR)
    make_user("viewer@a.example", ORG, Role.VIEWER)
    setup = _launch(app)
    assessment_id = make_assessment(app, {"coord@a.example": TeamRole.FACILITATOR})
    viewers = Viewers(
        app=app,
        round_id=setup.round_id,
        coordinator=_signed_in(app, "coord@a.example"),
        viewer=_signed_in(app, "viewer@a.example"),
        indicator_ids=setup.indicator_ids,
        audiences=list(CHANNELS),
        org_name=ORG,
        extra_paths=[f"/assessments/{assessment_id}/import"],
        api_token=_api_token(app),
    )
    rng = random.Random(SEED)
    tablet = app.test_client()
    tablet.set_cookie(kiosks.DEVICE_COOKIE, setup.kiosk_cookie)

    # Everyone who will answer, in a shuffled order: (audience, channel, n).
    people = []
    for audience, channels in CHANNELS.items():
        for n in range(PER_AUDIENCE):
            people.append((audience, channels[n % len(channels)], n))
    rng.shuffle(people)

    submitted: Counter[str] = Counter()
    by_channel: Counter[tuple[str, str]] = Counter()
    used_tokens: Counter[str] = Counter()
    findings = Findings()

    def state(label: str, mover: str | None = None, live: bool = True, full: bool = True) -> State:
        return State(
            label,
            snapshots.take(viewers, full=FULL or full),
            _released(app, setup.round_id),
            Counter(submitted),
            Counter(by_channel),
            mover,
            live,
        )

    last_full = previous = state("before anyone answers")
    # The API's reads are in the set, and answer (a 401 would compare equal to itself forever).
    api_views = {
        name: blocks for name, blocks in previous.snapshot.views.items() if " /api/v1/" in name
    }
    for path in ("results", "response-rates"):
        name = f"GET /api/v1/rounds/{setup.round_id}/{path} as coordinator"
        assert name in api_views and not any(b.startswith("status ") for b in api_views[name])

    def step(current: State) -> None:
        nonlocal previous, last_full
        _compare(previous, current, setup.invited, findings)
        if current.snapshot.full and not FULL:
            _compare_checkpoints(last_full, current, set(previous.snapshot.views), findings)
        if current.snapshot.full:
            last_full = current
        previous = current

    for number, (audience, channel, n) in enumerate(people, start=1):
        if channel == "email":
            url = f"/r/{setup.tokens[audience][used_tokens[audience]]}"
            used_tokens[audience] += 1
        elif channel == "kiosk":
            url = "/kiosk"
        else:
            url = f"/o/{setup.codes[audience]}"
        _answer_one(
            app,
            url,
            rng,
            audience,
            n,
            f"10.14.{number // 200}.{number % 200 + 1}",
            tablet if channel == "kiosk" else None,
        )
        submitted[audience] += 1
        by_channel[(audience, channel)] += 1
        checkpoint = number % CHECKPOINT_EVERY == 0 or number == len(people)
        step(state(f"#{number} ({audience} {n} by {channel})", audience, full=checkpoint))
        _release(app, setup.round_id)
        if _released(app, setup.round_id) != previous.released:
            step(state(f"release after #{number}", full=checkpoint))

    # The close: the last live view against the final results.
    close = viewers.coordinator.post(
        f"/results/{setup.round_id}/close",
        data={"csrf_token": csrf_token(viewers.coordinator, f"/results/{setup.round_id}/close")},
    )
    assert close.status_code == 303, close.get_data(as_text=True)[:500]
    step(state("closed", live=False))
    _release(app, setup.round_id)  # the close released everything already: nothing moves
    step(state("release after close", live=False))
    current = previous

    # Nothing is lost: the final results stand on everyone, in every audience of at least k.
    final = current.snapshot.shown_respondents()
    for audience, n in submitted.items():
        if n >= K and final.get(audience) != n:
            findings.add(
                "final results do not include everyone",
                f"{audience}: {n} answered, final results built on {final.get(audience)}",
            )

    # The round's own questions were answered and are in the views being compared (issue 20).
    with app.app_context():
        chosen = db.session.execute(
            select(QuestionAnswer.value).where(QuestionAnswer.round_id == setup.round_id)
        ).scalars()
        assert {"o1", "o2", "o3"} & set(chosen), "no several-choices answer was released"
        assert db.session.execute(select(func.count()).select_from(QuestionText)).scalar_one()
    results_page = f"GET /results/{setup.round_id} as coordinator"
    shown = " ".join(current.snapshot.views[results_page])
    assert "Percent yes (of yes and no)" in shown and "Which do you use?" in shown

    # The question asked of parents only was answered by parents only, and shows parents only.
    with app.app_context():
        rnd = db.session.get(FeedbackRound, setup.round_id)
        assert rnd is not None
        (parents_only,) = [q for q in questions.questions_of(rnd.id) if q.text == PARENTS_ONLY]
        answered_by = set(
            db.session.execute(
                select(Response.audience)
                .join(QuestionAnswer, QuestionAnswer.response_id == Response.id)
                .where(QuestionAnswer.question_id == parents_only.id)
            ).scalars()
        )
        assert answered_by == {"parents"}
        found = [q for q in round_results(rnd).own_questions if q.text == PARENTS_ONLY]
        assert [c.audience for q in found for c in q.cells] == ["parents"]

    assert not findings.problems, (
        f"Differencing attack on a round with k={K}, {PER_AUDIENCE} respondents in each of "
        f"{len(CHANNELS)} audiences, {len(current.snapshot.views)} views per snapshot "
        ":\n" + findings.report()
    )
