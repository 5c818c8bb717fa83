"""Single sign-on with OpenID Connect: an organisation's identity provider, and signing in by it.

The flow is the authorization code flow with PKCE (S256), a random `state` (checked on return)
and a `nonce` (checked inside the ID token). The ID token is verified here, not trusted because
it came over TLS: its signature against the provider's published keys (JWKS), its issuer, its
audience (our client id), its expiry and its nonce. People are matched by verified email only.

The client secret is stored sealed: AES-GCM under a key derived with HKDF from SECRET_KEY (any
of SECRET_KEY_FALLBACKS still opens it, so the key can be rotated), with the organisation's id as
associated data, so a sealed secret copied onto another organisation's row does not open.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import os
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select

from app.extensions import db
from app.models import IdentityProvider, Membership, Organisation, Role, User
from app.models.base import utcnow
from app.services import audit
from app.services.accounts import find_user_by_email, membership_for, normalise_email
from app.services.keys import secret_keys

SEAL_INFO = b"chorus-sso-client-secret-v1"
HTTP_TIMEOUT_SECONDS = 10
METADATA_TTL_SECONDS = 3600
CLOCK_SKEW_SECONDS = 120
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
LOOPBACK_HOSTS = {"localhost"}
# Microsoft Entra ID's "email domain owner verified" optional claim (added to the app
# registration's token configuration as an optional claim of the ID token).
EDOV = "xms_edov"


class SsoError(ValueError):
    """A refusal with words for the person (never a secret or a token in them)."""


class SignatureError(SsoError):
    """The ID token's signature did not verify against the keys we hold."""


class SsoConfigError(SsoError):
    """Bad settings for a provider, or a provider that cannot be reached; `field` is the input."""

    def __init__(self, message: str, field: str = "issuer") -> None:
        super().__init__(message)
        self.field = field


# -- sealing the client secret -------------------------------------------------------------------


def _cipher(secret: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SEAL_INFO).derive(
        secret.encode()
    )
    return AESGCM(key)


def seal_secret(org_id: uuid.UUID, client_secret: str) -> str:
    nonce = os.urandom(12)
    sealed = _cipher(secret_keys()[0]).encrypt(nonce, client_secret.encode(), org_id.bytes)
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def open_secret(org_id: uuid.UUID, sealed: str) -> str:
    raw = base64.urlsafe_b64decode(sealed.encode())
    for key in secret_keys():
        try:
            return _cipher(key).decrypt(raw[:12], raw[12:], org_id.bytes).decode()
        except InvalidTag:
            continue
    raise SsoConfigError(
        "The sign-in provider's client secret cannot be read (SECRET_KEY changed?). "
        "A coordinator must enter it again."
    )


# -- talking to the provider ---------------------------------------------------------------------


def _loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_issuer_url(issuer: str) -> str:
    """The issuer as stored: https (plain http only to loopback, when SSO_ALLOW_HTTP_LOOPBACK)."""
    issuer = issuer.strip()
    parts = urllib.parse.urlsplit(issuer)
    if not parts.hostname or parts.scheme not in {"https", "http"}:
        raise SsoConfigError("The issuer must be a web address such as https://login.example.com.")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise SsoConfigError("The issuer must be a plain web address, with nothing after a ? or #.")
    if parts.scheme == "http" and not (
        _loopback(parts.hostname) and current_app.config.get("SSO_ALLOW_HTTP_LOOPBACK")
    ):
        raise SsoConfigError("The issuer must start with https://.")
    if len(issuer) > 500:
        raise SsoConfigError("The issuer address is too long (at most 500 characters).")
    return issuer  # exactly as given: the ID token's `iss` must equal it, slash and all


def _fetchable(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    allowed = bool(current_app.config.get("SSO_ALLOW_HTTP_LOOPBACK"))
    return parts.scheme == "http" and allowed and _loopback(parts.hostname)


def _get_json(url: str, *, data: Mapping[str, str] | None = None, auth: str | None = None) -> Any:
    headers = {"Accept": "application/json"}
    body = None
    if data is not None:
        body = urllib.parse.urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if auth is not None:
        headers["Authorization"] = auth
    if not _fetchable(url):  # never file:// or another scheme a discovery document names
        raise SsoError("the provider named an address Chorus will not use")
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as reply:
            return json.loads(reply.read(1_000_000))
    except urllib.error.HTTPError as error:
        try:
            detail = json.loads(error.read(10_000)).get("error", "")
        except (ValueError, AttributeError):
            detail = ""
        raise SsoError(f"the provider answered {error.code} {detail}".strip()) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise SsoError(f"the provider could not be reached ({error.__class__.__name__})") from None
    except ValueError:
        raise SsoError("the provider's answer was not JSON") from None


@dataclass(frozen=True)
class Metadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""


_cache_lock = threading.Lock()
_metadata_cache: dict[str, tuple[float, Metadata]] = {}
_jwks_cache: dict[str, tuple[float, KeySet]] = {}


def clear_caches() -> None:
    with _cache_lock:
        _metadata_cache.clear()
        _jwks_cache.clear()


def discover(issuer: str, *, fresh: bool = False) -> Metadata:
    """The provider's endpoints from /.well-known/openid-configuration (cached for an hour)."""
    now = time.monotonic()
    with _cache_lock:
        cached = _metadata_cache.get(issuer)
    if cached and not fresh and now - cached[0] < METADATA_TTL_SECONDS:
        return cached[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        document = _get_json(url)
    except SsoError as error:
        raise SsoConfigError(f"Chorus could not read the provider's settings: {error}.") from None
    if not isinstance(document, dict):
        raise SsoConfigError(
            "The provider's settings are not an OpenID Connect discovery document."
        )
    if document.get("issuer") != issuer:
        raise SsoConfigError(
            f"The provider calls itself {str(document.get('issuer'))[:200]!r}, not {issuer!r}: "
            "enter the issuer exactly as the provider gives it."
        )
    try:
        metadata = Metadata(
            issuer=issuer,
            authorization_endpoint=str(document["authorization_endpoint"]),
            token_endpoint=str(document["token_endpoint"]),
            jwks_uri=str(document["jwks_uri"]),
            userinfo_endpoint=str(document.get("userinfo_endpoint") or ""),
        )
    except KeyError as missing:
        raise SsoConfigError(f"The provider's settings lack {missing.args[0]}.") from None
    endpoints = [metadata.authorization_endpoint, metadata.token_endpoint, metadata.jwks_uri]
    if metadata.userinfo_endpoint:
        endpoints.append(metadata.userinfo_endpoint)
    if not all(_fetchable(url) for url in endpoints):
        raise SsoConfigError("The provider's settings name an address that is not https.")
    methods = document.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        raise SsoConfigError("The provider does not support PKCE with S256, which Chorus needs.")
    with _cache_lock:
        _metadata_cache[issuer] = (now, metadata)
    return metadata


def provider_keys(jwks_uri: str, *, fresh: bool = False) -> KeySet:
    now = time.monotonic()
    with _cache_lock:
        cached = _jwks_cache.get(jwks_uri)
    if cached and not fresh and now - cached[0] < METADATA_TTL_SECONDS:
        return cached[1]
    document = _get_json(jwks_uri)
    try:
        keys = KeySet.import_key_set(document)
    except (JoseError, ValueError, TypeError, KeyError):
        raise SsoError("the provider's signing keys could not be read") from None
    with _cache_lock:
        _jwks_cache[jwks_uri] = (now, keys)
    return keys


# -- the ID token --------------------------------------------------------------------------------


def verify_id_token(
    id_token: str,
    keys: KeySet,
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    now: float | None = None,
) -> dict[str, Any]:
    """The token's claims once its signature, issuer, audience, expiry and nonce all hold."""
    try:
        token = jwt.decode(id_token, keys, algorithms=list(SIGNING_ALGORITHMS))
    except JoseError as error:
        raise SignatureError(
            f"the sign-in token's signature did not verify ({error.error})"
        ) from None
    except (ValueError, TypeError, KeyError):
        raise SsoError("the sign-in token could not be read") from None
    claims = dict(token.claims)
    if claims.get("iss") != issuer:
        raise SsoError("the sign-in token was issued by another provider")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or client_id not in audiences:
        raise SsoError("the sign-in token was meant for another application")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise SsoError("the sign-in token was meant for another application")
    moment = time.time() if now is None else now
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires + CLOCK_SKEW_SECONDS < moment:
        raise SsoError("the sign-in token has expired")
    issued = claims.get("iat")
    if isinstance(issued, int | float) and issued - CLOCK_SKEW_SECONDS > moment:
        raise SsoError("the sign-in token was issued in the future")
    if not nonce or not same(str(claims.get("nonce", "")), nonce):
        raise SsoError("the sign-in token does not belong to this sign-in (nonce)")
    if not claims.get("sub"):
        raise SsoError("the sign-in token names nobody")
    return claims


def same(given: str, expected: str) -> bool:
    """A constant-time comparison that any text may be given to (compare_digest refuses
    non-ASCII str with a TypeError)."""
    return secrets.compare_digest(given.encode(), expected.encode())


# -- providers -----------------------------------------------------------------------------------


def provider_of(org_id: uuid.UUID) -> IdentityProvider | None:
    return db.session.execute(
        select(IdentityProvider).where(IdentityProvider.organisation_id == org_id)
    ).scalar_one_or_none()


def get_provider(provider_id: uuid.UUID) -> IdentityProvider | None:
    return db.session.get(IdentityProvider, provider_id)


def provider_for_email(email: str) -> IdentityProvider | None:
    """The provider whose organisation claims this address's domain, if any."""
    domain = normalise_email(email).rpartition("@")[2]
    if not domain:
        return None
    for provider in db.session.execute(select(IdentityProvider)).scalars():
        if domain in (provider.email_domains or []):
            return provider
    return None


def _domains(text: str) -> list[str]:
    found: list[str] = []
    for part in text.replace("\n", ",").replace(" ", ",").split(","):
        domain = part.strip().lower().lstrip("@")
        if not domain:
            continue
        labels = domain.split(".")
        if len(labels) < 2 or not all(
            label and len(label) <= 63 and label.replace("-", "").isalnum() for label in labels
        ):
            raise SsoConfigError(
                f"{domain[:100]!r} is not an email domain such as council.gov.uk.", "email_domains"
            )
        if domain not in found:
            found.append(domain)
    return found


@dataclass
class ProviderForm:
    label: str
    issuer: str
    client_id: str
    client_secret: str  # empty: keep the stored one
    email_domains: str
    create_accounts: bool
    passwords_allowed: bool
    trust_domain_verified_email: bool = False


def save_provider(org: Organisation, actor: User, form: ProviderForm) -> IdentityProvider:
    """Add or change the organisation's provider; checks discovery first. Audited."""
    label = " ".join(form.label.split())
    if not label or len(label) > 100:
        raise SsoConfigError(
            "Give the provider a name of up to 100 characters, e.g. Council staff.", "label"
        )
    issuer = check_issuer_url(form.issuer)
    client_id = form.client_id.strip()
    if not client_id or len(client_id) > 300:
        raise SsoConfigError("Enter the client id the provider gave Chorus.", "client_id")
    domains = _domains(form.email_domains)
    if not domains:
        raise SsoConfigError(
            "Enter at least one email domain whose people sign in this way.", "email_domains"
        )
    for other in db.session.execute(
        select(IdentityProvider).where(IdentityProvider.organisation_id != org.id)
    ).scalars():
        taken = set(domains) & set(other.email_domains or [])
        if taken:
            raise SsoConfigError(
                f"{sorted(taken)[0]} already signs in through another organisation's provider.",
                "email_domains",
            )
    provider = provider_of(org.id)
    if provider is None and not form.client_secret:
        raise SsoConfigError("Enter the client secret the provider gave Chorus.", "client_secret")
    if not form.passwords_allowed and actor.email.rpartition("@")[2] not in domains:
        raise SsoConfigError(
            "Passwords can be switched off only by a coordinator whose own address is in one of "
            "the provider's domains, so nobody locks the organisation out.",
            "passwords",
        )
    discover(issuer, fresh=True)
    adding = provider is None
    before = None
    if provider is None:
        provider = IdentityProvider(organisation_id=org.id, passwords_allowed=True)
        db.session.add(provider)
    else:
        before = _describe(provider)
    passwords_were_allowed = provider.passwords_allowed
    provider.label = label
    provider.issuer = issuer
    provider.client_id = client_id
    if form.client_secret:
        provider.client_secret_sealed = seal_secret(org.id, form.client_secret)
    provider.email_domains = domains
    provider.create_accounts = form.create_accounts
    provider.passwords_allowed = form.passwords_allowed
    provider.trust_domain_verified_email = form.trust_domain_verified_email
    provider.updated_at = utcnow()
    db.session.flush()
    after = _describe(provider)
    changed = sorted(k for k in after if before is None or before[k] != after[k])
    if form.client_secret and not adding:
        changed.append("client_secret")
    if adding:
        audit.record(
            "sso.provider_added",
            f"Added single sign-on through {label}",
            organisation_id=org.id,
            actor=actor,
            object_type="identity_provider",
            object_id=provider.id,
            details={"issuer": issuer, "email_domains": domains},
        )
    elif changed:
        audit.record(
            "sso.provider_changed",
            f"Changed single sign-on through {label}: {', '.join(changed)}",
            organisation_id=org.id,
            actor=actor,
            object_type="identity_provider",
            object_id=provider.id,
            details={"changed": changed, "issuer": issuer, "email_domains": domains},
        )
    if passwords_were_allowed != provider.passwords_allowed:
        off = not provider.passwords_allowed
        audit.record(
            "sso.passwords_switched_off" if off else "sso.passwords_switched_on",
            f"{'Switched off' if off else 'Switched back on'} password sign-in for {org.name}",
            organisation_id=org.id,
            actor=actor,
            object_type="identity_provider",
            object_id=provider.id,
        )
    return provider


def _describe(provider: IdentityProvider) -> dict[str, Any]:
    return {
        "label": provider.label,
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "email_domains": list(provider.email_domains or []),
        "create_accounts": provider.create_accounts,
        "passwords_allowed": provider.passwords_allowed,
        "trust_domain_verified_email": bool(provider.trust_domain_verified_email),
    }


def passwords_refused_by(user: User) -> Organisation | None:
    """An organisation of the user's that has switched passwords off, if any."""
    return db.session.execute(
        select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .join(IdentityProvider, IdentityProvider.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id, IdentityProvider.passwords_allowed.is_(False))
        .order_by(Organisation.name)
        .limit(1)
    ).scalar_one_or_none()


# -- signing in ----------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class Begun:
    url: str  # where to send the browser
    pending: dict[str, str]  # kept in the (signed) session until the provider sends it back


def begin(provider: IdentityProvider, redirect_uri: str, login_hint: str = "") -> Begun:
    metadata = discover(provider.issuer)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    challenge = _b64(hashlib.sha256(verifier.encode()).digest())
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if login_hint:
        params["login_hint"] = login_hint
    separator = "&" if "?" in metadata.authorization_endpoint else "?"
    return Begun(
        url=metadata.authorization_endpoint + separator + urllib.parse.urlencode(params),
        pending={
            "provider": str(provider.id),
            "state": state,
            "nonce": nonce,
            "verifier": verifier,
            "redirect_uri": redirect_uri,
        },
    )


def finish(provider: IdentityProvider, pending: Mapping[str, str], code: str) -> dict[str, Any]:
    """Exchange the code (with the PKCE verifier) and return the verified ID token's claims."""
    metadata = discover(provider.issuer)
    secret = open_secret(provider.organisation_id, provider.client_secret_sealed)
    basic = base64.b64encode(
        f"{urllib.parse.quote(provider.client_id, safe='')}:"
        f"{urllib.parse.quote(secret, safe='')}".encode()
    ).decode()
    reply = _get_json(
        metadata.token_endpoint,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pending["redirect_uri"],
            "code_verifier": pending["verifier"],
        },
        auth=f"Basic {basic}",
    )
    id_token = reply.get("id_token") if isinstance(reply, dict) else None
    if not isinstance(id_token, str):
        raise SsoError("the provider sent no sign-in token")

    def verified(keys: KeySet) -> dict[str, Any]:
        return verify_id_token(
            id_token,
            keys,
            issuer=provider.issuer,
            client_id=provider.client_id,
            nonce=pending["nonce"],
        )

    try:
        claims = verified(provider_keys(metadata.jwks_uri))
    except SignatureError:
        # The provider may have rotated its keys since we fetched them: look once more.
        claims = verified(provider_keys(metadata.jwks_uri, fresh=True))
    if "email" not in claims:
        claims.update(_userinfo(metadata, reply.get("access_token"), str(claims["sub"])))
    return claims


def _userinfo(metadata: Metadata, access_token: object, subject: str) -> dict[str, Any]:
    """The email claims from the UserInfo endpoint, for providers that keep them out of the ID
    token (OpenID Connect Core 5.4); only if they are about the same subject (5.3.2)."""
    if not metadata.userinfo_endpoint or not isinstance(access_token, str):
        return {}
    info = _get_json(metadata.userinfo_endpoint, auth=f"Bearer {access_token}")
    if not isinstance(info, dict) or info.get("sub") != subject:
        raise SsoError("the provider's account details are about someone else")
    return {k: info[k] for k in ("email", "email_verified", EDOV, "name") if k in info}


def email_verified(provider: IdentityProvider, claims: Mapping[str, Any], email: str) -> bool:
    """Whether the token vouches for the address: `email_verified` true (OpenID Connect Core
    5.1); or, where the organisation has said its provider is Microsoft Entra ID, no
    `email_verified` at all but Entra's `xms_edov` optional claim true (the domain of the
    address is verified by the tenant that owns it) for an address in one of the provider's own
    domains. An explicit `email_verified: false` is never overridden. Entra's plain `email`
    claim is not verified by itself (any tenant can put any address in it), hence the domain."""
    verified = claims.get("email_verified")
    if verified is True:
        return True
    if verified is not None or not provider.trust_domain_verified_email:
        return False
    domain = email.rpartition("@")[2]
    # Entra documents a boolean; some tenants' tokens carry it as "1" or "true".
    edov = claims.get(EDOV)
    return edov in (True, 1, "1", "true") and domain in (provider.email_domains or [])


def user_for(provider: IdentityProvider, claims: Mapping[str, Any]) -> User:
    """The organisation's account with the token's verified email (made a viewer, if allowed)."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SsoError("the provider did not share your email address")
    email = normalise_email(email)
    if not email_verified(provider, claims, email):
        raise SsoError("the provider has not verified your email address")
    org = db.session.get(Organisation, provider.organisation_id)
    assert org is not None  # the provider's row is deleted with its organisation
    user = find_user_by_email(email)
    if user is not None and membership_for(user.id, org.id) is not None:
        if not user.active:
            raise SsoError("your Chorus account is switched off")
        return user
    if user is not None or not provider.create_accounts:
        raise SsoError(f"{email} has no Chorus account in {org.name}: ask a coordinator to add you")
    name = claims.get("name")
    user = User(email=email, name=str(name)[:200] if isinstance(name, str) else "")
    # No password anyone knows: this person signs in through the provider.
    user.set_password(secrets.token_urlsafe(32))
    db.session.add(user)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, organisation_id=org.id, role=Role.VIEWER))
    db.session.flush()
    audit.record(
        "sso.account_created",
        f"Made a viewer account on first sign-in through {provider.label}",
        organisation_id=org.id,
        actor=user,
        object_type="user",
        object_id=user.id,
    )
    return user
