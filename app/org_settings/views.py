"""One Settings page for a coordinator's organisation-wide pages, so the menu stays short."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue

from app.models import Role
from app.rendering import render_page
from app.tenancy import current_org, role_required

bp = Blueprint("org_settings", __name__, url_prefix="/settings")


@dataclass(frozen=True)
class Section:
    endpoint: str
    title: str
    summary: str


# The pages the Settings page gathers. Their blueprints count as "Settings" in the menu.
SECTIONS = (
    Section(
        "organisation.settings",
        "Organisation",
        "The time zone Chorus uses for dates, opening and closing days.",
    ),
    Section("team.index", "Team", "Invite colleagues, change their roles, deactivate accounts."),
    Section("audit.index", "Audit trail", "Who changed what, and when, across every round."),
    Section(
        "privacy.index",
        "Privacy and retention",
        "How long contacts' names and addresses are kept, and erasure requests.",
    ),
    Section("sso.settings", "Single sign-on", "Sign in through your organisation's provider."),
    Section("api_tokens.index", "API tokens", "Tokens for your own systems to use the Chorus API."),
)
SETTINGS_BLUEPRINTS = frozenset(
    {"org_settings", *(section.endpoint.split(".")[0] for section in SECTIONS)}
)


@bp.get("")
@role_required(Role.COORDINATOR)
def index() -> ResponseReturnValue:
    sections = [s for s in SECTIONS if s.endpoint in current_app.view_functions]
    return render_page("org_settings/index.html", org=current_org(), sections=sections)
