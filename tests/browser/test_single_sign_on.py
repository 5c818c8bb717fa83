"""Single sign-on in a real browser, against the real OpenID Connect provider on loopback.

A coordinator adds the organisation's provider on the settings page and switches Chorus
passwords off; a colleague's password is then refused with words saying why, and the colleague
signs in through the provider (its own sign-in page, in the same browser) and lands at home.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.services import sso
from app.services.accounts import create_user
from tests.browser.support import LiveServer, Shots, assert_accessible
from tests.oidc_provider import OidcProvider, start_provider

DOMAIN = "sso-browser.example"
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def oidc(
    live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OidcProvider]:
    live_server.app.config["SSO_ALLOW_HTTP_LOOPBACK"] = True
    sso.clear_caches()
    provider = start_provider(
        [f"{live_server.url}/auth/sso/callback"], tmp_path_factory.mktemp("oidc")
    )
    yield provider
    provider.stop()
    live_server.app.config["SSO_ALLOW_HTTP_LOOPBACK"] = False
    sso.clear_caches()


def sign_in_with_password(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(live_server.url + "/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_a_colleague_signs_in_through_the_organisations_provider(
    page: Page, live_server: LiveServer, oidc: OidcProvider, shots: Shots
) -> None:
    with live_server.app.app_context():
        create_user(f"coord@{DOMAIN}", PASSWORD, "SSO Council", "coordinator")
        create_user(f"sat@{DOMAIN}", PASSWORD, "SSO Council", "sat_member")
        db.session.commit()

    sign_in_with_password(page, live_server, f"coord@{DOMAIN}")
    expect(page.get_by_role("heading", name="SSO Council")).to_be_visible()
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Single sign-on").click()
    expect(page.get_by_role("heading", name="Single sign-on", level=1)).to_be_visible()
    page.get_by_label("Name people see").fill("SSO Council staff")
    page.get_by_label("Issuer address").fill(oidc.issuer)
    page.get_by_label("Client id").fill(oidc.client_id)
    page.get_by_label("Client secret").fill(oidc.client_secret)
    page.get_by_label("Email domains").fill(DOMAIN)
    page.get_by_label("Members sign in only through the provider").check()
    shots(page, "settings filled")
    page.get_by_role("button", name="Save single sign-on").click()
    expect(page.get_by_text("Single sign-on settings saved.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # The colleague's Chorus password no longer works, and the page says what to do instead.
    sign_in_with_password(page, live_server, f"sat@{DOMAIN}")
    expect(page.get_by_text("SSO Council has switched off Chorus passwords")).to_be_visible()
    assert_accessible(page)
    shots(page, "password refused")

    page.get_by_label("Work email").fill(f"sat@{DOMAIN}")
    page.get_by_role("button", name="Continue with single sign-on").click()
    page.get_by_role("link", name="Sign in with SSO Council staff").click()
    # The provider's own sign-in page (oidc-provider's development form).
    page.wait_for_url(f"{oidc.issuer}/**")
    page.locator("input[name=login]").fill(f"sat@{DOMAIN}")
    page.locator("input[name=password]").fill("anything")
    shots(page, "at the provider")
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="SSO Council")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    shots(page, "signed in")
