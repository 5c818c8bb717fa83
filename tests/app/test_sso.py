"""Single sign-on with OpenID Connect against a real provider on loopback (tests/oidc_provider.py).

The test client plays the browser on Chorus's side; `sign_in_at_provider` plays it at the
provider (its development sign-in form) and hands back the redirect to our callback, which the
test client then follows. The code exchange and the key fetch are Chorus's own HTTP calls to the
real provider.
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, IdentityProvider, Membership, Role, User
from app.services import sso
from tests.oidc_provider import OidcProvider, sign_in_at_provider, start_provider
from tests.support import PASSWORD, csrf_token, login

CALLBACK = "http://localhost/auth/sso/callback"
DOMAIN = "a.example"


@pytest.fixture(scope="module")
def oidc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    provider = start_provider([CALLBACK], tmp_path_factory.mktemp("oidc"))
    yield provider
    provider.stop()


@pytest.fixture(autouse=True)
def _loopback_provider_allowed(app: Flask) -> Iterator[None]:
    app.config["SSO_ALLOW_HTTP_LOOPBACK"] = True
    sso.clear_caches()
    yield
    app.config["SSO_ALLOW_HTTP_LOOPBACK"] = False
    sso.clear_caches()


def settings_form(oidc: OidcProvider, **changes: str) -> dict[str, str]:
    form = {
        "label": "Org A staff",
        "issuer": oidc.issuer,
        "client_id": oidc.client_id,
        "client_secret": oidc.client_secret,
        "email_domains": DOMAIN,
        "passwords": "on",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def save_settings(client: FlaskClient, form: dict[str, str]) -> Any:
    return client.post(
        "/settings/sign-in", data={**form, "csrf_token": csrf_token(client, "/settings/sign-in")}
    )


@pytest.fixture
def configured(
    app: Flask, oidc: OidcProvider, coordinator: User, client: FlaskClient
) -> Callable[..., IdentityProvider]:
    """Org A's provider, added through the settings page by its coordinator."""

    def configure(**changes: str) -> IdentityProvider:
        reply = save_settings(client, settings_form(oidc, **changes))
        assert reply.status_code == 303, reply.get_data(as_text=True)[:2000]
        with app.app_context():
            row = db.session.execute(select(IdentityProvider)).scalar_one()
            db.session.expunge(row)
            return row

    return configure


def actions() -> list[str]:
    return list(db.session.execute(select(AuditEntry.action).order_by(AuditEntry.at)).scalars())


GO_LINK = re.compile(r'href="(/login/sso/[^"]+/go[^"]*)"')


def authorize_url(client: FlaskClient, email: str) -> str:
    """The sign-in page's email form, then its "Sign in with ..." link: the provider's URL."""
    start = client.post("/login/sso", data={"sso_email": email, "csrf_token": csrf_token(client)})
    assert start.status_code == 303, start.get_data(as_text=True)[:1000]
    page = client.get(start.headers["Location"]).get_data(as_text=True)
    link = GO_LINK.search(page)
    assert link and "Sign in with Org A staff" in page, page[:2000]
    go = client.get(unescape(link.group(1)))
    assert go.status_code == 303, go.get_data(as_text=True)[:1000]
    return str(go.headers["Location"])


def sso_sign_in(client: FlaskClient, login_as: str) -> tuple[Any, str]:
    """Start from the sign-in page by email, sign in at the provider, come back."""
    url = authorize_url(client, login_as.split(":")[-1])
    back = sign_in_at_provider(url, login_as, back_to=CALLBACK)
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}"), back


def signed_in_as(client: FlaskClient) -> str | None:
    with client.session_transaction() as session:
        user_id = session.get("_user_id")
    if not user_id:
        return None
    user = db.session.get(User, uuid.UUID(user_id))
    return user.email if user else None


# -- the settings page ---------------------------------------------------------------------------


def test_a_coordinator_adds_the_provider_and_its_secret_is_stored_sealed(
    app: Flask, configured: Callable[..., IdentityProvider], oidc: OidcProvider
) -> None:
    with app.app_context():
        provider = configured()
        assert provider.issuer == oidc.issuer and provider.email_domains == [DOMAIN]
        assert oidc.client_secret not in provider.client_secret_sealed
        assert sso.open_secret(provider.organisation_id, provider.client_secret_sealed) == (
            oidc.client_secret
        )
        assert actions() == ["sso.provider_added"]


def test_the_secret_opens_only_for_its_own_organisation_and_after_a_key_rotation(
    app: Flask,
) -> None:
    org, other = uuid.uuid4(), uuid.uuid4()
    with app.test_request_context():
        sealed = sso.seal_secret(org, "s3cret")
        with pytest.raises(sso.SsoConfigError):
            sso.open_secret(other, sealed)
        old = app.config["SECRET_KEY"]
        app.config.update(SECRET_KEY="a-new-key", SECRET_KEY_FALLBACKS=[old])
        try:
            assert sso.open_secret(org, sealed) == "s3cret"
        finally:
            app.config.update(SECRET_KEY=old, SECRET_KEY_FALLBACKS=[])


def test_changes_and_switching_passwords_off_are_audited(
    app: Flask, configured: Callable[..., IdentityProvider]
) -> None:
    configured()
    with app.app_context():
        provider = configured(label="Org A people", client_secret="", passwords="off")
        assert provider.label == "Org A people" and provider.passwords_allowed is False
        # An empty secret keeps the stored one.
        assert sso.open_secret(provider.organisation_id, provider.client_secret_sealed)
        assert actions() == [
            "sso.provider_added",
            "sso.provider_changed",
            "sso.passwords_switched_off",
        ]
        changed = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "sso.provider_changed")
        ).scalar_one()
        assert changed.details["changed"] == ["label", "passwords_allowed"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"issuer": "http://login.example.com"}, "issuer", "must start with https://"),
        ({"issuer": "file:///etc/passwd"}, "issuer", "must be a web address"),
        ({"issuer": "http://127.0.0.1:9"}, "issuer", "could not read the provider"),
        ({"issuer": "localhost-issuer"}, "issuer", "must be a web address"),
        ({"issuer": "https://login.example.com/" + "x" * 500}, "issuer", "too long"),
        ({"client_id": " "}, "client_id", "Enter the client id"),
        ({"client_secret": ""}, "client_secret", "Enter the client secret"),
        ({"email_domains": "not a domain!"}, "email_domains", "is not an email domain"),
        ({"email_domains": ""}, "email_domains", "at least one email domain"),
        ({"label": ""}, "label", "Give the provider a name"),
        # The coordinator's own address is not in the domain: they would lock themselves out.
        ({"email_domains": "elsewhere.example", "passwords": "off"}, "passwords", "locks"),
    ],
)
def test_bad_settings_are_refused_with_a_message_and_nothing_stored(
    app: Flask,
    client: FlaskClient,
    coordinator: User,
    oidc: OidcProvider,
    changes: dict[str, str],
    field: str,
    words: str,
) -> None:
    reply = save_settings(client, settings_form(oidc, **changes))
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert words in page and f'href="#{field}' in page
    with app.app_context():
        assert db.session.execute(select(IdentityProvider)).first() is None
        assert actions() == []


def test_an_issuer_the_discovery_document_does_not_name_is_refused(
    app: Flask, client: FlaskClient, coordinator: User, oidc: OidcProvider
) -> None:
    other_name = oidc.issuer.replace("127.0.0.1", "localhost")
    reply = save_settings(client, settings_form(oidc, issuer=other_name))
    assert reply.status_code == 422
    assert "enter the issuer exactly as the provider gives it" in reply.get_data(as_text=True)


def test_a_domain_another_organisation_signs_in_is_refused(
    app: Flask,
    configured: Callable[..., IdentityProvider],
    make_user: Callable[..., User],
    oidc: OidcProvider,
) -> None:
    configured()
    make_user("coord@b.example", "Org B", Role.COORDINATOR)
    other = app.test_client()
    login(other, "coord@b.example")
    reply = save_settings(other, settings_form(oidc, email_domains=f"b.example, {DOMAIN}"))
    assert reply.status_code == 422
    assert "already signs in through another organisation" in reply.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.SAT_MEMBER, Role.VIEWER])
def test_only_a_coordinator_sees_the_settings(
    client: FlaskClient, make_user: Callable[..., User], role: Role
) -> None:
    make_user("member@a.example", "Org A", role)
    login(client, "member@a.example")
    assert client.get("/settings/sign-in").status_code == 403


# -- signing in ----------------------------------------------------------------------------------


def test_a_member_signs_in_through_the_provider(
    app: Flask,
    configured: Callable[..., IdentityProvider],
    make_user: Callable[..., User],
) -> None:
    configured()
    make_user(f"sat@{DOMAIN}", "Org A", Role.SAT_MEMBER)
    browser = app.test_client()
    reply, back = sso_sign_in(browser, f"sat@{DOMAIN}")
    assert reply.status_code == 303 and reply.headers["Location"] == "/"
    assert browser.get("/").status_code == 200
    with app.app_context():
        assert signed_in_as(browser) == f"sat@{DOMAIN}"
    query = parse_qs(urlsplit(back).query)
    assert query["iss"] == [configured().issuer]

    # The same answer again (a replayed callback) is refused: the sign-in was used.
    fresh = app.test_client()
    again = fresh.get(f"{urlsplit(back).path}?{urlsplit(back).query}")
    assert again.status_code == 422
    assert "has expired or was already used" in again.get_data(as_text=True)


@pytest.fixture(scope="module")
def strict_oidc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """A provider that keeps the email out of the ID token (UserInfo has it)."""
    provider = start_provider([CALLBACK], tmp_path_factory.mktemp("oidc"), userinfo_only=True)
    yield provider
    provider.stop()


def test_the_email_comes_from_userinfo_when_the_id_token_has_none(
    app: Flask,
    client: FlaskClient,
    coordinator: User,
    strict_oidc: OidcProvider,
    make_user: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[dict[str, Any]] = []
    real = sso._userinfo

    def spy(*args: Any) -> dict[str, Any]:
        asked.append(real(*args))
        return asked[-1]

    monkeypatch.setattr(sso, "_userinfo", spy)
    reply = save_settings(client, settings_form(strict_oidc))
    assert reply.status_code == 303
    make_user(f"sat@{DOMAIN}", "Org A", Role.SAT_MEMBER)
    browser = app.test_client()
    reply, _ = sso_sign_in(browser, f"sat@{DOMAIN}")
    assert reply.status_code == 303, reply.get_data(as_text=True)[-3000:]
    assert asked == [{"email": f"sat@{DOMAIN}", "email_verified": True, "name": "sat"}]
    with app.app_context():
        assert signed_in_as(browser) == f"sat@{DOMAIN}"
    # Still only a verified address: UserInfo's email_verified is checked the same way.
    other = app.test_client()
    reply, _ = sso_sign_in(other, f"unverified:sat@{DOMAIN}")
    assert reply.status_code == 422
    assert "has not verified your email address" in reply.get_data(as_text=True)


def test_the_authorization_request_uses_pkce_state_and_nonce(
    app: Flask, configured: Callable[..., IdentityProvider]
) -> None:
    configured()
    browser = app.test_client()
    query = parse_qs(urlsplit(authorize_url(browser, f"x@{DOMAIN}")).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 40 and len(query["nonce"][0]) >= 40
    assert query["redirect_uri"] == [CALLBACK]
    assert query["scope"] == ["openid email profile"]
    assert query["login_hint"] == [f"x@{DOMAIN}"]


def test_an_unknown_person_gets_a_viewer_account_only_if_the_organisation_allows(
    app: Flask, configured: Callable[..., IdentityProvider]
) -> None:
    configured()
    browser = app.test_client()
    reply, _ = sso_sign_in(browser, f"new@{DOMAIN}")
    assert reply.status_code == 422
    assert f"new@{DOMAIN} has no Chorus account in Org A" in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(User).where(User.email == f"new@{DOMAIN}")).first() is None

    configured(client_secret="", create_accounts="yes")
    reply, _ = sso_sign_in(browser, f"new@{DOMAIN}")
    assert reply.status_code == 303
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == f"new@{DOMAIN}")).scalar_one()
        roles = db.session.execute(
            select(Membership.role).where(Membership.user_id == user.id)
        ).scalars()
        assert list(roles) == [Role.VIEWER]
        assert "sso.account_created" in actions()
        assert signed_in_as(browser) == f"new@{DOMAIN}"


def test_an_unverified_email_is_refused(
    app: Flask, configured: Callable[..., IdentityProvider], make_user: Callable[..., User]
) -> None:
    configured(create_accounts="yes")
    make_user(f"sat@{DOMAIN}", "Org A", Role.SAT_MEMBER)
    browser = app.test_client()
    reply, _ = sso_sign_in(browser, f"unverified:sat@{DOMAIN}")
    assert reply.status_code == 422
    assert "has not verified your email address" in reply.get_data(as_text=True)
    with app.app_context():
        assert signed_in_as(browser) is None


def test_a_member_of_another_organisation_is_not_let_in(
    app: Flask, configured: Callable[..., IdentityProvider], make_user: Callable[..., User]
) -> None:
    configured(create_accounts="yes")
    make_user(f"other@{DOMAIN}", "Org B", Role.COORDINATOR)
    browser = app.test_client()
    reply, _ = sso_sign_in(browser, f"other@{DOMAIN}")
    assert reply.status_code == 422
    with app.app_context():
        assert signed_in_as(browser) is None
        assert len(db.session.execute(select(Membership)).all()) == 2  # nothing added


def test_a_wrong_state_is_refused(
    app: Flask, configured: Callable[..., IdentityProvider], make_user: Callable[..., User]
) -> None:
    configured()
    make_user(f"sat@{DOMAIN}", "Org A", Role.SAT_MEMBER)
    browser = app.test_client()
    url = authorize_url(browser, f"sat@{DOMAIN}")
    back = sign_in_at_provider(url, f"sat@{DOMAIN}", back_to=CALLBACK)
    parts = urlsplit(back)
    forged = parts.query.replace("state=", "state=x")
    reply = browser.get(f"{parts.path}?{forged}")
    assert reply.status_code == 422
    assert "did not match the one started here" in reply.get_data(as_text=True)
    with app.app_context():
        assert signed_in_as(browser) is None


def test_a_token_for_another_nonce_is_refused(
    app: Flask, configured: Callable[..., IdentityProvider], make_user: Callable[..., User]
) -> None:
    """The provider puts the nonce it was sent in the token; the session expects another."""
    configured()
    make_user(f"sat@{DOMAIN}", "Org A", Role.SAT_MEMBER)
    browser = app.test_client()
    url = authorize_url(browser, f"sat@{DOMAIN}")
    back = sign_in_at_provider(url, f"sat@{DOMAIN}", back_to=CALLBACK)
    with browser.session_transaction() as session:
        session["sso_pending"] = {**session["sso_pending"], "nonce": "another-nonce"}
    parts = urlsplit(back)
    reply = browser.get(f"{parts.path}?{parts.query}")
    assert reply.status_code == 422
    assert "does not belong to this sign-in (nonce)" in reply.get_data(as_text=True)
    with app.app_context():
        assert signed_in_as(browser) is None


def test_a_code_without_the_pkce_verifier_is_refused_by_the_provider(
    app: Flask, configured: Callable[..., IdentityProvider], make_user: Callable[..., User]
) -> None:
    configured()
    make_user(f"sat@{DOMAIN}", "Org A", Role.SAT_MEMBER)
    browser = app.test_client()
    url = authorize_url(browser, f"sat@{DOMAIN}")
    back = sign_in_at_provider(url, f"sat@{DOMAIN}", back_to=CALLBACK)
    with browser.session_transaction() as session:
        session["sso_pending"] = {**session["sso_pending"], "verifier": "x" * 64}
    parts = urlsplit(back)
    reply = browser.get(f"{parts.path}?{parts.query}")
    assert reply.status_code == 422
    assert "the provider answered 400 invalid_grant" in reply.get_data(as_text=True)


@pytest.mark.parametrize("state", ["", "x", "é-not-ascii", "a" * 5000])
def test_a_callback_with_any_state_and_no_sign_in_started_is_refused_plainly(
    client: FlaskClient, state: str
) -> None:
    reply = client.get("/auth/sso/callback", query_string={"state": state, "code": "c"})
    assert reply.status_code == 422
    with client.session_transaction() as session:
        session["sso_pending"] = {"state": "s", "provider": str(uuid.uuid4()), "nonce": "n"}
    reply = client.get("/auth/sso/callback", query_string={"state": state, "code": "c"})
    assert reply.status_code == 422
    assert "did not match the one started here" in reply.get_data(as_text=True)


def test_an_address_without_a_provider_is_told_so(client: FlaskClient) -> None:
    reply = client.post(
        "/login/sso",
        data={"sso_email": "someone@nowhere.example", "csrf_token": csrf_token(client)},
    )
    assert reply.status_code == 422
    assert "Single sign-on is not set up for that address" in reply.get_data(as_text=True)


def test_the_provider_link_starts_a_sign_in(
    app: Flask, configured: Callable[..., IdentityProvider], oidc: OidcProvider
) -> None:
    provider = configured()
    browser = app.test_client()
    page = browser.get(f"/login/sso/{provider.id}")
    assert page.status_code == 200
    assert "Sign in with Org A staff" in page.get_data(as_text=True)
    reply = browser.get(f"/login/sso/{provider.id}/go")
    assert reply.status_code == 303
    assert reply.headers["Location"].startswith(f"{oidc.issuer}/auth?")
    assert app.test_client().get(f"/login/sso/{uuid.uuid4()}").status_code == 404
    assert app.test_client().get(f"/login/sso/{uuid.uuid4()}/go").status_code == 404


def test_passwords_switched_off_refuse_password_sign_in_for_members_only(
    app: Flask, configured: Callable[..., IdentityProvider], make_user: Callable[..., User]
) -> None:
    make_user(f"sat@{DOMAIN}", "Org A", Role.SAT_MEMBER)
    make_user("sat@b.example", "Org B", Role.SAT_MEMBER)
    configured(passwords="off")
    member = app.test_client()
    reply = member.post(
        "/login",
        data={"email": f"sat@{DOMAIN}", "password": PASSWORD, "csrf_token": csrf_token(member)},
    )
    assert reply.status_code == 422
    assert "Org A has switched off Chorus passwords" in reply.get_data(as_text=True)
    # A member of another organisation still signs in with a password.
    login(app.test_client(), "sat@b.example")


# -- the ID token's checks, with keys we control -------------------------------------------------

ISSUER = "https://login.example.test"


@pytest.fixture(scope="module")
def signing_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "ours", "alg": "RS256", "use": "sig"})


def token(key: RSAKey, **claims: Any) -> str:
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": "chorus",
        "sub": "123",
        "exp": now + 300,
        "iat": now,
        "nonce": "n-1",
        **claims,
    }
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, body, key)


def verify(value: str, keys: KeySet) -> dict[str, Any]:
    return sso.verify_id_token(value, keys, issuer=ISSUER, client_id="chorus", nonce="n-1")


def public(key: RSAKey) -> KeySet:
    return KeySet.import_key_set({"keys": [key.as_dict(private=False)]})


def test_a_good_token_verifies(signing_key: RSAKey) -> None:
    assert verify(token(signing_key), public(signing_key))["sub"] == "123"
    both = token(signing_key, aud=["chorus", "other"], azp="chorus")
    assert verify(both, public(signing_key))["sub"] == "123"


@pytest.mark.parametrize(
    ("claims", "words"),
    [
        ({"iss": "https://evil.example"}, "issued by another provider"),
        ({"iss": None}, "issued by another provider"),
        ({"aud": "someone-else"}, "meant for another application"),
        ({"aud": ["someone-else", "chorus"]}, "meant for another application"),  # no azp
        ({"aud": None}, "meant for another application"),
        ({"exp": int(time.time()) - 3600}, "has expired"),
        ({"exp": None}, "has expired"),
        ({"iat": int(time.time()) + 3600}, "issued in the future"),
        ({"nonce": "n-2"}, "(nonce)"),
        ({"nonce": None}, "(nonce)"),
        ({"sub": None}, "names nobody"),
    ],
)
def test_a_token_with_a_wrong_claim_is_refused(
    signing_key: RSAKey, claims: dict[str, Any], words: str
) -> None:
    with pytest.raises(sso.SsoError, match=words.replace("(", r"\(").replace(")", r"\)")):
        verify(token(signing_key, **claims), public(signing_key))


def test_a_token_signed_by_another_key_is_refused(signing_key: RSAKey, oidc: OidcProvider) -> None:
    """Signed with our key under the real provider's key id, checked against its real JWKS."""
    real = KeySet.import_key_set(oidc.jwks())  # type: ignore[arg-type]  # a JWKS document
    kid = real.keys[0].kid
    impostor = RSAKey.generate_key(2048, parameters={"kid": kid})
    with pytest.raises(sso.SsoError, match="signature did not verify"):
        verify(token(impostor), real)
    with pytest.raises(sso.SsoError, match="signature did not verify"):
        verify(token(signing_key), real)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_tampered_or_unsigned_token_is_refused(signing_key: RSAKey) -> None:
    good = token(signing_key)
    head, body, signature = good.split(".")
    other_body = token(signing_key, sub="admin").split(".")[1]
    with pytest.raises(sso.SsoError):
        verify(f"{head}.{other_body}.{signature}", public(signing_key))
    unsigned = _b64(b'{"alg":"none"}') + "." + body + "."
    with pytest.raises(sso.SsoError):
        verify(unsigned, public(signing_key))
    with pytest.raises(sso.SsoError):
        verify("not-a-token", public(signing_key))


def test_the_client_never_reads_a_file_url(app: Flask, tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"keys": []}')
    with app.test_request_context(), pytest.raises(sso.SsoError):
        sso.provider_keys(secret.as_uri())


# -- Microsoft Entra ID: no email_verified, its xms_edov claim instead ----------------------------


def test_entra_addresses_need_the_organisations_say_so_and_xms_edov(
    app: Flask, configured: Callable[..., IdentityProvider], make_user: Callable[..., User]
) -> None:
    make_user(f"carol@{DOMAIN}", "Org A", Role.SAT_MEMBER)
    make_user(f"dan@{DOMAIN}", "Org A", Role.SAT_MEMBER)
    provider = configured()
    assert provider.trust_domain_verified_email is False  # off unless the coordinator says so
    browser = app.test_client()
    reply, _ = sso_sign_in(browser, f"entra:carol@{DOMAIN}")
    assert reply.status_code == 422
    assert "has not verified your email address" in reply.get_data(as_text=True)
    with app.app_context():
        assert signed_in_as(browser) is None

    provider = configured(client_secret="", trust_domain_verified_email="yes")
    assert provider.trust_domain_verified_email is True
    with app.app_context():
        changed = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "sso.provider_changed")
        ).scalar_one()
        assert changed.details["changed"] == ["trust_domain_verified_email"]
    reply, _ = sso_sign_in(browser, f"entra:carol@{DOMAIN}")
    assert reply.status_code == 303, reply.get_data(as_text=True)[-2000:]
    with app.app_context():
        assert signed_in_as(browser) == f"carol@{DOMAIN}"

    # xms_edov false: the domain's owner has not vouched for the address.
    other = app.test_client()
    reply, _ = sso_sign_in(other, f"entra-unowned:dan@{DOMAIN}")
    assert reply.status_code == 422
    with app.app_context():
        assert signed_in_as(other) is None
    # An explicit email_verified false is never overridden.
    reply, _ = sso_sign_in(other, f"unverified:dan@{DOMAIN}")
    assert reply.status_code == 422


def test_entra_vouches_only_for_the_providers_own_domains(
    app: Flask, configured: Callable[..., IdentityProvider], make_user: Callable[..., User]
) -> None:
    configured(trust_domain_verified_email="yes", create_accounts="yes")
    make_user("carol@elsewhere.example", "Org A", Role.SAT_MEMBER)
    browser = app.test_client()
    url = authorize_url(browser, f"carol@{DOMAIN}")
    back = urlsplit(sign_in_at_provider(url, "entra:carol@elsewhere.example", back_to=CALLBACK))
    reply = browser.get(f"{back.path}?{back.query}")
    assert reply.status_code == 422
    assert "has not verified your email address" in reply.get_data(as_text=True)
    with app.app_context():
        assert signed_in_as(browser) is None


@pytest.mark.parametrize(
    ("trust", "claims", "accepted"),
    [
        (False, {"email_verified": True}, True),
        (False, {"xms_edov": True}, False),
        (True, {"xms_edov": True}, True),
        (True, {"xms_edov": "1"}, True),
        (True, {"xms_edov": "true"}, True),
        (True, {"xms_edov": False}, False),
        (True, {"xms_edov": "0"}, False),
        (True, {}, False),
        (True, {"email_verified": False, "xms_edov": True}, False),
        (True, {"email_verified": "true", "xms_edov": True}, False),  # not the boolean true
    ],
)
def test_which_claims_vouch_for_an_address(
    trust: bool, claims: dict[str, Any], accepted: bool
) -> None:
    provider = IdentityProvider(email_domains=[DOMAIN], trust_domain_verified_email=trust)
    assert sso.email_verified(provider, claims, f"x@{DOMAIN}") is accepted
