"""Audiences a round defines itself (issue 22): the Audiences page, its refusals, and launch."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.invitations.common import audience_labels
from app.models import Contact, FeedbackRound, ItemOrigin, OpenLink, RoundStatus
from app.services import launch as launch_service
from app.services import round_audiences
from frameworks.loader import get_builtin
from tests.app.rounds.helpers import dump
from tests.support import csrf_token

ELECTED = "c-elected-members"


def _url(round_id: uuid.UUID, tail: str = "") -> str:
    return f"/rounds/{round_id}/audiences{tail}"


def _add(client: FlaskClient, round_id: uuid.UUID, **overrides: Any) -> Any:
    data: dict[str, Any] = {
        "csrf_token": csrf_token(client, "/"),
        "name": "Elected members",
        "plural": "",
        "scale": "agree4",
        "channels": ["email", "open_link"],
        "resembles": "community",
    }
    data.update(overrides)
    return client.post(_url(round_id), data={k: v for k, v in data.items() if v is not None})


def _round(app: Flask, round_id: uuid.UUID) -> FeedbackRound:
    db.session.expire_all()
    rnd = db.session.get(FeedbackRound, round_id)
    assert rnd is not None
    return rnd


@pytest.fixture
def draft(make_round: Callable[..., uuid.UUID]) -> uuid.UUID:
    today = date.today()
    return make_round(
        indicator_ids=["4.1", "9.1"],
        audiences=["parents", "staff"],
        opens_on=today,
        closes_on=today + timedelta(days=20),
    )


def test_adding_an_audience_gives_it_a_questionnaire_from_the_bank_it_resembles(
    app: Flask, client: FlaskClient, coordinator: Any, draft: uuid.UUID
) -> None:
    page = client.get(_url(draft))
    assert page.status_code == 200
    assert "Add an audience" in page.get_data(as_text=True)
    response = _add(client, draft)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    fw = get_builtin("hmie-children-services")
    with app.app_context():
        rnd = _round(app, draft)
        assert rnd.audiences[-1] == ELECTED
        (q,) = [q for q in rnd.questionnaires if q.audience == ELECTED]
        bank = [
            s.statement for i in ("4.1", "9.1") for s in fw.indicator(i).items.get("community", [])
        ]
        assert bank, "the test needs community statements for the chosen indicators"
        assert [i.statement for i in sorted(q.items, key=lambda i: i.position)] == bank
        assert {i.scale_id for i in q.items} == {"agree4"}
        assert audience_labels(rnd)[ELECTED] == "Elected members"
    shown = client.get(_url(draft)).get_data(as_text=True)
    assert "Most elected members" in shown


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"name": "  "}, "name", "Enter a name"),
        ({"name": "STAFF"}, "name", "already has an audience called"),
        ({"name": "Parents and carers"}, "name", "already has an audience called"),
        ({"channels": None}, "channels", "by email, by open link, or both"),
        ({"scale": "faces3"}, "scale", "Choose the scale"),
        ({"resembles": "martians"}, "resembles", "Choose one of the audiences"),
        ({"name": "x" * 61}, "name", "60 characters or fewer"),
        ({"plural": "staff"}, "plural", "already called"),
    ],
)
def test_bad_definitions_are_refused_with_422_and_nothing_stored(
    app: Flask,
    client: FlaskClient,
    coordinator: Any,
    draft: uuid.UUID,
    overrides: dict[str, Any],
    field: str,
    words: str,
) -> None:
    before = dump(app, draft)
    response = _add(client, draft, **overrides)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in html and f'href="#{field}"' in html
    assert words in html
    assert dump(app, draft) == before
    with app.app_context():
        assert _round(app, draft).custom_audiences == []


def test_a_second_audience_of_the_same_name_in_another_case_is_refused(
    app: Flask, client: FlaskClient, coordinator: Any, draft: uuid.UUID
) -> None:
    assert _add(client, draft).status_code == 303
    response = _add(client, draft, name="ELECTED MEMBERS", plural="councillors")
    assert response.status_code == 422
    with app.app_context():
        assert len(_round(app, draft).custom_audiences) == 1


def test_statements_kept_edited_and_written_new(
    app: Flask, client: FlaskClient, coordinator: Any, draft: uuid.UUID
) -> None:
    assert _add(client, draft, resembles="community").status_code == 303
    fw = get_builtin("hmie-children-services")
    first = fw.indicator("4.1").items["community"][0].statement
    text = f"{first}\nI am told how decisions about services are made.\n\n"
    response = client.post(
        _url(draft, f"/{ELECTED}/statements"),
        data={
            "csrf_token": csrf_token(client, "/"),
            "statements-4.1": text,
            "statements-9.1": "",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    with app.app_context():
        (q,) = [q for q in _round(app, draft).questionnaires if q.audience == ELECTED]
        items = sorted(q.items, key=lambda i: i.position)
        assert [(i.indicator_id, i.statement) for i in items] == [
            ("4.1", first),
            ("4.1", "I am told how decisions about services are made."),
        ]
        second_bank = len(fw.indicator("4.1").items["community"]) > 1
        assert items[0].origin == ItemOrigin.BANK
        assert items[1].origin == (ItemOrigin.EDITED if second_bank else ItemOrigin.CUSTOM)


def test_a_statement_too_long_is_refused_and_nothing_changes(
    app: Flask, client: FlaskClient, coordinator: Any, draft: uuid.UUID
) -> None:
    assert _add(client, draft).status_code == 303
    before = dump(app, draft)
    response = client.post(
        _url(draft, f"/{ELECTED}/statements"),
        data={"csrf_token": csrf_token(client, "/"), "statements-4.1": "I " + "a" * 300},
    )
    assert response.status_code == 422
    assert f'href="#{ELECTED}-statements-4.1"' in response.get_data(as_text=True)
    assert dump(app, draft) == before


def test_a_viewer_cannot_add_an_audience(
    app: Flask, client: FlaskClient, make_user: Any, draft: uuid.UUID
) -> None:
    from app.models import Role
    from tests.support import login

    login(client, make_user("viewer@a.example", "Org A", Role.VIEWER).email)
    assert client.get(_url(draft)).status_code == 403
    assert _add(client, draft).status_code == 403


def _plan(app: Flask, round_id: uuid.UUID) -> launch_service.LaunchPlan:
    rnd = _round(app, round_id)
    return launch_service.plan_launch(rnd, audience_labels(rnd), date.today())


def test_launch_refuses_a_clashing_name_and_an_audience_without_statements(
    app: Flask, client: FlaskClient, coordinator: Any, draft: uuid.UUID
) -> None:
    assert _add(client, draft).status_code == 303
    assert _add(client, draft, name="Board members", resembles="").status_code == 303
    with app.app_context():
        plan = _plan(app, draft)
        (problem,) = [p for p in plan.problems if "Board members" in p]
        assert "no statements for any chosen indicator" in problem
        assert not any("Elected members" in p for p in plan.problems)
        rnd = _round(app, draft)
        # A name can come to clash later (here: written straight into the round, as a
        # copied round or an edited framework would): launch still refuses it.
        rows = [dict(c) for c in rnd.custom_audiences]
        rows[0]["name"] = "board MEMBERS"
        rnd.custom_audiences = rows
        db.session.commit()
        plan = _plan(app, draft)
        assert any("same name as another audience" in p for p in plan.problems)
        with pytest.raises(launch_service.LaunchRefused):
            launch_service.launch(
                _round(app, draft), secret="x" * 32, labels=audience_labels(rnd), today=date.today()
            )
        db.session.rollback()
        assert _round(app, draft).status == RoundStatus.DRAFT


def test_channels_decide_contacts_and_open_links(
    app: Flask, client: FlaskClient, coordinator: Any, draft: uuid.UUID
) -> None:
    assert _add(client, draft, channels="open_link").status_code == 303
    assert _add(client, draft, name="Board members", channels="email").status_code == 303
    board = "c-board-members"
    contacts = client.get(f"/rounds/{draft}/contacts").get_data(as_text=True)
    assert "Board members" in contacts
    pasted = client.post(
        f"/rounds/{draft}/contacts/paste",
        data={
            "csrf_token": csrf_token(client, "/"),
            "audience": ELECTED,
            "addresses": "a@b.example",
        },
    )
    assert pasted.status_code == 422  # open link only: not a choice for contacts
    with app.app_context():
        rnd = _round(app, draft)
        assert round_audiences.by_email(rnd, board) and not round_audiences.by_open_link(rnd, board)
        db.session.add(Contact(round_id=draft, audience=ELECTED, email="x@y.example"))
        db.session.commit()
        assert any("open link only" in p for p in _plan(app, draft).problems)
        db.session.execute(db.delete(Contact))
        db.session.add(Contact(round_id=draft, audience=board, email="m@y.example"))
        db.session.commit()
        rnd = _round(app, draft)
        launch_service.launch(rnd, secret="x" * 32, labels=audience_labels(rnd), today=date.today())
        db.session.commit()
        links = set(db.session.execute(db.select(OpenLink.audience)).scalars())
        assert ELECTED in links and board not in links and "parents" in links


def test_a_framework_audience_is_asked_like_any_other_and_its_name_then_clashes(
    app: Flask, client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]
) -> None:
    """HMIE declares elected members (Part 3.6): a round that asks them gets their own item
    bank; a round's own "Elected members" beside them would mix two groups up, so is refused."""
    round_id = make_round(indicator_ids=["8.2", "9.2"], audiences=["staff", "elected_members"])
    fw = get_builtin("hmie-children-services")
    with app.app_context():
        rnd = _round(app, round_id)
        (q,) = [q for q in rnd.questionnaires if q.audience == "elected_members"]
        expected = [
            s.statement for i in ("8.2", "9.2") for s in fw.indicator(i).items["elected_members"]
        ]
        assert [i.statement for i in sorted(q.items, key=lambda i: i.position)] == expected
        assert audience_labels(rnd)["elected_members"] == "Elected members"
    response = _add(client, round_id, name="elected members")
    assert response.status_code == 422
    assert "already has an audience called" in response.get_data(as_text=True)
    # Not asked in this round, the framework's audience does not stand in the way.
    other = make_round(indicator_ids=["8.2"], audiences=["staff"])
    assert (
        _add(client, other, name="Elected members", resembles="elected_members").status_code == 303
    )
    with app.app_context():
        (q,) = [q for q in _round(app, other).questionnaires if q.audience == ELECTED]
        assert [i.statement for i in q.items] == [
            s.statement for s in fw.indicator("8.2").items["elected_members"]
        ]


def test_the_name_and_statements_are_translated_like_the_rest_of_the_questionnaire(
    app: Flask, client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]
) -> None:
    from app.services import translations

    today = date.today()
    round_id = make_round(
        indicator_ids=["4.1"],
        audiences=["community"],
        languages=["en", "cy"],
        opens_on=today,
        closes_on=today + timedelta(days=20),
    )
    assert _add(client, round_id, channels="open_link").status_code == 303
    with app.app_context():
        rnd = _round(app, round_id)
        parts = [p for p in translations.parts(rnd, audience_labels(rnd)) if p.audience == ELECTED]
        assert [(p.kind, p.key, p.english) for p in parts[:2]] == [
            (translations.AUDIENCE, "name", "Elected members"),
            (translations.AUDIENCE, "plural", "elected members"),
        ]
        assert {p.kind for p in parts} >= {translations.ITEM}
        plan = _plan(app, round_id)
        (problem,) = [p for p in plan.problems if "Welsh" in p]
        assert "Elected members, name" in problem
        every = translations.parts(rnd, audience_labels(rnd))
        welsh = {(p.audience, p.kind, p.key, "cy"): f"[cy] {p.english}" for p in every}
        welsh[(ELECTED, translations.AUDIENCE, "name", "cy")] = "Aelodau etholedig"
        translations.store(rnd, welsh)
        db.session.commit()
        rnd = _round(app, round_id)
        launch_service.launch(rnd, secret="x" * 32, labels=audience_labels(rnd), today=today)
        db.session.commit()
        code = db.session.execute(
            db.select(OpenLink.code).where(OpenLink.audience == ELECTED)
        ).scalar_one()
    phone = app.test_client()
    first = phone.get(f"/o/{code}")
    assert first.status_code in (302, 303)
    page = phone.get(first.headers["Location"] + "?lang=cy").get_data(as_text=True)
    assert "Aelodau etholedig" in page
    english = phone.get(first.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Elected members survey" in english


def test_changing_the_rounds_settings_keeps_its_own_audiences(
    app: Flask, client: FlaskClient, coordinator: Any, draft: uuid.UUID
) -> None:
    from app.services.accounts import get_or_create_organisation
    from app.services.rounds import RoundSettings, copy_round, update_round

    assert _add(client, draft, resembles="community").status_code == 303
    client.post(
        _url(draft, f"/{ELECTED}/statements"),
        data={"csrf_token": csrf_token(client, "/"), "statements-4.1": "I see parks kept tidy."},
    )
    assert client.get(f"/rounds/{draft}/edit").status_code == 200
    with app.app_context():
        rnd = _round(app, draft)
        org = get_or_create_organisation("Org A")
        settings = RoundSettings.of(rnd)
        assert ELECTED not in settings.audiences  # managed on the Audiences page
        settings.name = "Renamed"
        settings.indicator_ids = [*settings.indicator_ids, "5.3"]
        update_round(rnd, org, settings)
        db.session.commit()
        rnd = _round(app, draft)
        assert rnd.audiences[-1] == ELECTED
        (q,) = [q for q in rnd.questionnaires if q.audience == ELECTED]
        words = sorted(i.statement for i in q.items)
        community_9_1 = get_builtin("hmie-children-services").indicator("9.1").items["community"]
        assert words == sorted(["I see parks kept tidy.", *(s.statement for s in community_9_1)])
        copy = copy_round(rnd, org)
        db.session.commit()
        assert copy.custom_audiences == rnd.custom_audiences
        assert ELECTED in copy.audiences
        assert any(q.audience == ELECTED for q in copy.questionnaires)


def test_the_item_bank_review_rules_advise_on_statements_written_for_the_round(
    app: Flask, client: FlaskClient, coordinator: Any, draft: uuid.UUID
) -> None:
    assert _add(client, draft, resembles="community").status_code == 303
    response = client.post(
        _url(draft, f"/{ELECTED}/statements"),
        data={
            "csrf_token": csrf_token(client, "/"),
            "statements-4.1": "The council listens.\nServices have reduced crime in my area.",
            "statements-9.1": "I see our aims written down.",
        },
    )
    assert response.status_code == 303  # advice, not a refusal
    page = client.get(_url(draft)).get_data(as_text=True)
    assert "Worth a second look" in page
    assert "“The council listens.”: not in the first person" in page
    assert "asks the respondent to judge a cause" in page
    assert (
        "I see our aims written down." not in page.split("Worth a second look")[1].split("</ul>")[0]
    )


def test_translations_survive_new_statements_but_not_new_words(
    app: Flask, client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]
) -> None:
    from app.services import translations

    round_id = make_round(indicator_ids=["4.1"], audiences=["community"], languages=["en", "cy"])
    assert _add(client, round_id).status_code == 303
    with app.app_context():
        rnd = _round(app, round_id)
        every = translations.parts(rnd, audience_labels(rnd))
        translations.store(
            rnd, {(p.audience, p.kind, p.key, "cy"): f"[cy] {p.english}" for p in every}
        )
        db.session.commit()
        (q,) = [q for q in rnd.questionnaires if q.audience == ELECTED]
        first, *_others = [i.statement for i in sorted(q.items, key=lambda i: i.position)]
    text = "\n".join([first, "I see new play parks."])
    client.post(
        _url(round_id, f"/{ELECTED}/statements"),
        data={"csrf_token": csrf_token(client, "/"), "statements-4.1": text},
    )
    with app.app_context():
        rnd = _round(app, round_id)
        gaps = [(p.kind, p.english) for p in translations.missing(rnd, audience_labels(rnd))["cy"]]
        assert gaps == [("item", "I see new play parks.")]
    form = {
        "csrf_token": csrf_token(client, "/"),
        "name": "Councillors",
        "plural": "",
        "scale": "agree4",
        "channels": ["email", "open_link"],
    }
    assert client.post(_url(round_id, f"/{ELECTED}"), data=form).status_code == 303
    with app.app_context():
        rnd = _round(app, round_id)
        gaps = {(p.kind, p.key) for p in translations.missing(rnd, audience_labels(rnd))["cy"]}
        assert {("audience", "name"), ("audience", "plural")} <= gaps


def test_an_email_only_audience_without_contacts_is_a_warning_to_tick(
    app: Flask, client: FlaskClient, coordinator: Any, draft: uuid.UUID
) -> None:
    assert _add(client, draft, channels="email").status_code == 303
    with app.app_context():
        plan = _plan(app, draft)
    (check,) = [w for w in plan.checks if w.audience == ELECTED]
    assert check.code == "no_way_to_answer"
    assert "asked by email only" in check.message
    assert not any("Elected members" in w for w in plan.warnings)  # no open link to mention


def test_a_round_may_ask_its_own_audiences_only(
    app: Flask, client: FlaskClient, coordinator: Any, draft: uuid.UUID
) -> None:
    """Elected members alone: the built-in audiences may all be unticked once the round's own
    audience has statements, but not before."""
    from app.services.accounts import get_or_create_organisation
    from app.services.rounds import RoundError, RoundSettings, update_round

    assert _add(client, draft, resembles="").status_code == 303  # no statements yet
    with app.app_context():
        rnd = _round(app, draft)
        settings = RoundSettings.of(rnd)
        settings.audiences = []
        with pytest.raises(RoundError) as refused:
            update_round(rnd, get_or_create_organisation("Org A"), settings)
        assert "Choose at least one audience" in refused.value.errors["audiences"]
        db.session.rollback()
    client.post(
        _url(draft, f"/{ELECTED}/statements"),
        data={"csrf_token": csrf_token(client, "/"), "statements-4.1": "I see parks kept tidy."},
    )
    with app.app_context():
        rnd = _round(app, draft)
        settings = RoundSettings.of(rnd)
        settings.audiences = []
        update_round(rnd, get_or_create_organisation("Org A"), settings)
        db.session.commit()
        rnd = _round(app, draft)
        assert rnd.audiences == [ELECTED]
        assert [q.audience for q in rnd.questionnaires] == [ELECTED]


def test_an_audience_like_the_public_is_held_to_reading_age_eleven(
    app: Flask, client: FlaskClient, coordinator: Any, draft: uuid.UUID
) -> None:
    assert _add(client, draft, resembles="community").status_code == 303
    hard = "I appreciate comprehensive multidisciplinary consultation arrangements."
    client.post(
        _url(draft, f"/{ELECTED}/statements"),
        data={"csrf_token": csrf_token(client, "/"), "statements-4.1": hard, "statements-9.1": ""},
    )
    page = client.get(_url(draft)).get_data(as_text=True)
    assert "use plainer words" in page
    assert "These statements read at age" in page and ELECTED + " statements" not in page
    # The same words for an audience like staff are not held to it.
    assert _add(client, draft, name="Board members", resembles="staff").status_code == 303
    client.post(
        _url(draft, "/c-board-members/statements"),
        data={"csrf_token": csrf_token(client, "/"), "statements-4.1": hard, "statements-9.1": ""},
    )
    with app.app_context():
        found = round_audiences.advice(_round(app, draft))
    assert "reading-age" in {f.rule for f in found[ELECTED]}
    assert "reading-age" not in {f.rule for f in found.get("c-board-members", [])}
