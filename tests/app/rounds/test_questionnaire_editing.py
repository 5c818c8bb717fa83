"""Editing a draft questionnaire, with HTMX (only the block comes back) and without (full pages,
303 after a change). Every refusal changes nothing."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import ItemOrigin, QuestionItem
from tests.support import csrf_token

HX = {"HX-Request": "true"}


def _text(response: Any) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").strip()


@pytest.fixture
def draft(
    client: FlaskClient,
    coordinator: Any,
    make_round: Callable[..., uuid.UUID],
    snapshot: Callable[[uuid.UUID], dict[str, Any]],
) -> dict[str, Any]:
    """A draft round; its parents questionnaire's URL, first item ids and a CSRF token."""
    round_id = make_round()
    items = snapshot(round_id)["questionnaires"]["parents"][3]
    return {
        "id": round_id,
        "url": f"/rounds/{round_id}/questionnaires/parents",
        "items": [row[0] for row in items],
        "token": csrf_token(client, "/"),
    }


def _item(app: Flask, item_id: uuid.UUID) -> QuestionItem:
    with app.app_context():
        item = db.session.get(QuestionItem, item_id)
        assert item is not None
        db.session.expunge(item)
        return item


def test_questionnaire_page_lists_items_by_section_with_origin_labels(
    client: FlaskClient, draft: dict[str, Any]
) -> None:
    page = client.get(draft["url"])
    assert page.status_code == 200
    text = _text(page)
    assert "Questionnaire for Parents and carers" in text
    assert "Impact on users of services for children and young people" in text
    assert "from the item bank" in text
    assert re.search(r"\d+ questions in 1 section, about \d+ minutes", text)
    assert "Chorus's standard introduction" in text


def test_edit_with_htmx_returns_only_the_row_in_edit_mode(
    client: FlaskClient, draft: dict[str, Any]
) -> None:
    item_id = draft["items"][0]
    response = client.get(f"{draft['url']}/items/{item_id}/edit", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and "Introduction" not in html
    assert f'id="statement-{item_id}"' in html and "<textarea" in html
    assert f'hx-post="{draft["url"]}/items/{item_id}"' in html
    assert f'action="{draft["url"]}/items/{item_id}"' in html  # works without JavaScript too


def test_edit_without_htmx_shows_the_whole_page_with_that_row_open(
    client: FlaskClient, draft: dict[str, Any]
) -> None:
    item_id, other = draft["items"][:2]
    html = client.get(f"{draft['url']}/items/{item_id}/edit").get_data(as_text=True)
    assert "<html" in html and "Introduction" in html
    assert f'id="statement-{item_id}"' in html
    assert f'id="statement-{other}"' not in html  # only the chosen row is a form


def test_reword_with_htmx_returns_the_row_labelled_edited(
    app: Flask, client: FlaskClient, draft: dict[str, Any]
) -> None:
    item_id = draft["items"][0]
    original = _item(app, item_id).statement
    response = client.post(
        f"{draft['url']}/items/{item_id}",
        data={"csrf_token": draft["token"], "statement": "My child is safe here."},
        headers=HX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and "<textarea" not in html
    assert "My child is safe here." in html and "edited" in html and "Saved." in html
    assert f"Original: “{original}”" in html
    item = _item(app, item_id)
    assert (item.statement, item.origin, item.bank_statement) == (
        "My child is safe here.",
        ItemOrigin.EDITED,
        original,
    )


def test_reword_without_htmx_redirects_back_to_the_row(
    app: Flask, client: FlaskClient, draft: dict[str, Any]
) -> None:
    item_id = draft["items"][0]
    response = client.post(
        f"{draft['url']}/items/{item_id}",
        data={"csrf_token": draft["token"], "statement": "My child is safe here."},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{draft['url']}#item-{item_id}")
    page = _text(client.get(response.headers["Location"]))
    assert "Saved." in page and "My child is safe here." in page
    assert _item(app, item_id).origin == ItemOrigin.EDITED


def test_restore_the_original_wording(
    app: Flask, client: FlaskClient, draft: dict[str, Any]
) -> None:
    item_id = draft["items"][0]
    original = _item(app, item_id).statement
    url = f"{draft['url']}/items/{item_id}"
    client.post(url, data={"csrf_token": draft["token"], "statement": "Other words."})
    client.post(url, data={"csrf_token": draft["token"], "statement": "x", "restore": "1"})
    item = _item(app, item_id)
    assert (item.statement, item.origin) == (original, ItemOrigin.BANK)


@pytest.mark.parametrize(
    ("statement", "reason"),
    [("   ", "Enter the statement"), ("w" * 301, "300 characters or fewer (it has 301)")],
)
@pytest.mark.parametrize("with_htmx", [True, False])
def test_bad_wording_returns_the_row_with_the_error_at_422_and_changes_nothing(
    client: FlaskClient,
    draft: dict[str, Any],
    snapshot: Callable[[uuid.UUID], dict[str, Any]],
    statement: str,
    reason: str,
    with_htmx: bool,
) -> None:
    before = snapshot(draft["id"])
    item_id = draft["items"][0]
    response = client.post(
        f"{draft['url']}/items/{item_id}",
        data={"csrf_token": draft["token"], "statement": statement},
        headers=HX if with_htmx else {},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert reason in _text(response)
    assert f'id="statement-{item_id}"' in html  # the form is back, with what was typed
    if with_htmx:
        assert "<html" not in html
    else:
        assert "<html" in html and 'class="error-summary"' in html
        assert f'href="#statement-{item_id}"' in html
    assert snapshot(draft["id"]) == before


def test_move_down_with_and_without_htmx(
    app: Flask, client: FlaskClient, draft: dict[str, Any]
) -> None:
    first, second = draft["items"][:2]
    response = client.post(
        f"{draft['url']}/items/{first}/move",
        data={"csrf_token": draft["token"], "direction": "down"},
        headers=HX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.index(f'id="item-{second}"') < html.index(f'id="item-{first}"')
    assert "Moved" in html
    assert (_item(app, first).position, _item(app, second).position) == (2, 1)
    response = client.post(
        f"{draft['url']}/items/{first}/move",
        data={"csrf_token": draft["token"], "direction": "up"},
    )
    assert response.status_code == 303
    assert (_item(app, first).position, _item(app, second).position) == (1, 2)


def test_moving_the_first_item_up_says_so_and_changes_nothing(
    client: FlaskClient, draft: dict[str, Any], snapshot: Callable[[uuid.UUID], dict[str, Any]]
) -> None:
    before = snapshot(draft["id"])
    response = client.post(
        f"{draft['url']}/items/{draft['items'][0]}/move",
        data={"csrf_token": draft["token"], "direction": "up"},
        headers=HX,
    )
    assert "already the first question in its section" in _text(response)
    assert snapshot(draft["id"]) == before


def test_remove_with_htmx_returns_the_questionnaire_block(
    app: Flask, client: FlaskClient, draft: dict[str, Any]
) -> None:
    item_id = draft["items"][0]
    response = client.post(
        f"{draft['url']}/items/{item_id}/remove", data={"csrf_token": draft["token"]}, headers=HX
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "Removed" in html and f'id="item-{item_id}"' not in html
    with app.app_context():
        assert db.session.get(QuestionItem, item_id) is None


def test_add_a_custom_item_without_htmx(
    app: Flask, client: FlaskClient, draft: dict[str, Any]
) -> None:
    response = client.post(
        f"{draft['url']}/items/new",
        data={
            "csrf_token": draft["token"],
            "indicator_id": "2.2",
            "theme_id": "",
            "statement": "Staff phone me back the same day.",
        },
    )
    assert response.status_code == 303
    page = _text(client.get(response.headers["Location"]))
    assert "Staff phone me back the same day." in page and "added by you" in page


def test_add_with_htmx_and_bad_input_returns_the_block_with_errors(
    client: FlaskClient, draft: dict[str, Any], snapshot: Callable[[uuid.UUID], dict[str, Any]]
) -> None:
    before = snapshot(draft["id"])
    response = client.post(
        f"{draft['url']}/items/new",
        data={"csrf_token": draft["token"], "indicator_id": "9.9", "statement": ""},
        headers=HX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    text = _text(response)
    assert "Choose one of this round's indicators" in text
    assert "Enter the statement people will answer" in text
    assert 'href="#new_indicator_id"' in html and 'href="#new_statement"' in html
    assert snapshot(draft["id"]) == before


def test_add_with_htmx(app: Flask, client: FlaskClient, draft: dict[str, Any]) -> None:
    response = client.post(
        f"{draft['url']}/items/new",
        data={
            "csrf_token": draft["token"],
            "indicator_id": "2.1",
            "theme_id": "2.1-a",
            "statement": "My child looks forward to coming.",
        },
        headers=HX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "Added your question" in html and "added by you" in html


def test_change_and_restore_the_introduction(client: FlaskClient, draft: dict[str, Any]) -> None:
    form = client.get(f"{draft['url']}/intro", headers=HX)
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and "<html" not in html and 'name="intro"' in html
    saved = client.post(
        f"{draft['url']}/intro",
        data={"csrf_token": draft["token"], "intro": "Thank you for helping.\nIt is short."},
        headers=HX,
    )
    assert saved.status_code == 200
    assert "Thank you for helping." in _text(saved) and "Your own introduction" in _text(saved)
    bad = client.post(f"{draft['url']}/intro", data={"csrf_token": draft["token"], "intro": ""})
    assert bad.status_code == 422 and "Enter an introduction" in _text(bad)
    restored = client.post(
        f"{draft['url']}/intro",
        data={"csrf_token": draft["token"], "intro": "", "action": "restore"},
    )
    assert restored.status_code == 303
    page = _text(client.get(restored.headers["Location"]))
    assert "The standard introduction is back" in page and "Chorus's standard introduction" in page


def test_an_item_of_another_questionnaire_is_not_found(
    client: FlaskClient, draft: dict[str, Any], snapshot: Callable[[uuid.UUID], dict[str, Any]]
) -> None:
    staff_item = snapshot(draft["id"])["questionnaires"]["staff"][3][0][0]
    response = client.post(
        f"{draft['url']}/items/{staff_item}",
        data={"csrf_token": draft["token"], "statement": "Changed."},
    )
    assert response.status_code == 404
    assert client.get(f"/rounds/{draft['id']}/questionnaires/community").status_code == 404


@pytest.mark.parametrize("with_htmx", [True, False])
def test_every_edit_is_refused_after_launch_pointing_to_a_copy(
    client: FlaskClient,
    draft: dict[str, Any],
    launch: Callable[[uuid.UUID], None],
    snapshot: Callable[[uuid.UUID], dict[str, Any]],
    with_htmx: bool,
) -> None:
    launch(draft["id"])
    before = snapshot(draft["id"])
    item = f"{draft['url']}/items/{draft['items'][0]}"
    token = draft["token"]
    attempts = [
        ("get", f"{item}/edit", {}),
        ("post", item, {"csrf_token": token, "statement": "Changed."}),
        ("post", f"{item}/move", {"csrf_token": token, "direction": "down"}),
        ("post", f"{item}/remove", {"csrf_token": token}),
        (
            "post",
            f"{draft['url']}/items/new",
            {"csrf_token": token, "indicator_id": "2.1", "statement": "New."},
        ),
        ("get", f"{draft['url']}/intro", {}),
        ("post", f"{draft['url']}/intro", {"csrf_token": token, "intro": "Changed."}),
    ]
    for method, url, data in attempts:
        response = getattr(client, method)(url, data=data, headers=HX if with_htmx else {})
        expected = 422 if with_htmx else 409
        assert response.status_code == expected, (method, url, response.status_code)
        assert "Copy it into a new draft round to make changes" in _text(response), url
    assert snapshot(draft["id"]) == before
    page = _text(client.get(draft["url"]))
    assert "this questionnaire is frozen" in page and "Move up" not in page
