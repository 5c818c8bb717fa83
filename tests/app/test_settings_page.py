"""The Settings page gathers the coordinator's organisation-wide pages, so the menu stays short."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

from app.models import Role, User
from tests.support import login

MENU = re.compile(r'<nav aria-label="Main">(.*?)</nav>', re.S)


def _menu(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, path
    found = MENU.search(page.get_data(as_text=True))
    assert found
    return found.group(1)


def test_a_coordinators_menu_has_one_settings_entry_for_the_organisation_pages(
    client: FlaskClient, coordinator: User
) -> None:
    menu = _menu(client, "/rounds/")
    assert '<a href="/settings">Settings</a>' in menu
    for gone in ("Team", "Audit trail", "Privacy", "API tokens", "Single sign-on"):
        assert f">{gone}<" not in menu

    page = client.get("/settings").get_data(as_text=True)
    for path, title in (
        ("/team", "Team"),
        ("/audit", "Audit trail"),
        ("/privacy", "Privacy and retention"),
        ("/settings/sign-in", "Single sign-on"),
        ("/settings/api-tokens/", "API tokens"),
    ):
        assert f'<a href="{path}">{title}</a>' in page
        assert client.get(path).status_code == 200, path


def test_settings_is_the_current_entry_on_each_of_its_pages(
    client: FlaskClient, coordinator: User
) -> None:
    for path in ("/settings", "/team", "/audit", "/privacy", "/settings/api-tokens/"):
        menu = _menu(client, path)
        assert '<a href="/settings" aria-current="page">Settings</a>' in menu, path
        assert menu.count('aria-current="page"') == 1, path
    assert '<a href="/rounds/" aria-current="page">Rounds</a>' in _menu(client, "/rounds/")


def test_only_coordinators_see_or_open_settings(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    viewer = make_user("viewer@a.example", "Org A", Role.VIEWER)
    login(client, viewer.email)
    assert ">Settings<" not in _menu(client, "/rounds/")
    assert client.get("/settings").status_code == 403
