"""The Chorus web application: create_app() wires config, extensions and blueprints."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dotenv import load_dotenv
from flask import Flask

from app.config import build_config
from app.database import ChorusFlask

# Pages and JSON in Brotli (quality 4 costs about as much CPU as gzip 6 and is smaller) or gzip.
COMPRESSION: dict[str, Any] = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_BR_LEVEL": 4,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 500,
    "COMPRESS_MIMETYPES": ["text/html", "application/json", "text/csv", "image/svg+xml"],
    "COMPRESS_STREAMS": False,
    # No page sets an ETag or a date to check (respondent pages are no-store, downloads are
    # sent whole): evaluating a conditional request after compressing only costs time.
    "COMPRESS_EVALUATE_CONDITIONAL_REQUEST": False,
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. Nothing happens at import time; everything happens here."""
    load_dotenv(override=False)
    instance_path = (config or {}).get("INSTANCE_PATH")  # tests keep their files apart
    # static_folder=None: app/assets.py serves static files under fingerprinted names instead.
    app = ChorusFlask(
        __name__, instance_relative_config=True, instance_path=instance_path, static_folder=None
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(build_config(app.instance_path, config))
    for key, value in COMPRESSION.items():
        app.config.setdefault(key, value)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # Flask's default provider has it
    from app.signing import SessionInterface

    app.session_interface = SessionInterface()  # Flask's cookie, each value checked once

    from app import models  # noqa: F401  (registers every table on the metadata)
    from app.assets import init_assets
    from app.control_characters import init_control_character_guard
    from app.database import check_connection, close_session_quietly, configure_engine
    from app.dates import init_dates
    from app.errors import init_errors
    from app.extensions import compress, csrf, db, htmx, limiter, login_manager, mail, migrate
    from app.i18n import init_i18n
    from app.security import init_security
    from app.services.accounts import load_user
    from app.tenancy import load_current_membership

    db.init_app(app)
    app.teardown_appcontext(close_session_quietly)  # runs before Flask-SQLAlchemy's own
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).resolve().parent.parent / "migrations"),
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        compare_type=True,
    )
    csrf.init_app(app)
    compress.init_app(app)
    init_assets(app)
    mail.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)

    with app.app_context():
        configure_engine(app)
        check_connection(app)

    init_control_character_guard(app)  # after CSRF, before any view reads a value
    app.before_request(load_current_membership)
    init_security(app)
    init_errors(app)
    init_dates(app)
    init_i18n(app)
    _register_blueprints(app)
    from app.api import init_api

    init_api(app)
    _register_cli(app)
    _register_template_helpers(app)
    if app.config.get("MAIL_WORKER_IN_PROCESS"):
        from app.mail.worker import install_in_process_worker

        install_in_process_worker(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from app.assessment.views import bp as assessment_bp
    from app.audit.views import bp as audit_bp
    from app.auth.sso import bp as sso_bp
    from app.auth.views import bp as auth_bp
    from app.exports.views import bp as exports_bp
    from app.frameworks.views import bp as frameworks_bp
    from app.invitations.optout import bp as optout_bp
    from app.invitations.views import bp as invitations_bp
    from app.main.views import bp as main_bp
    from app.org_settings.views import bp as org_settings_bp
    from app.organisation.views import bp as organisation_bp
    from app.privacy.views import bp as privacy_bp
    from app.respond.views import bp as respond_bp
    from app.results.views import bp as results_bp
    from app.rounds.views import bp as rounds_bp
    from app.team.views import bp as team_bp

    for blueprint in (
        main_bp,
        auth_bp,
        sso_bp,
        frameworks_bp,
        rounds_bp,
        invitations_bp,
        optout_bp,
        respond_bp,
        results_bp,
        assessment_bp,
        exports_bp,
        team_bp,
        audit_bp,
        privacy_bp,
        org_settings_bp,
        organisation_bp,
    ):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from app.cli.demo import demo_command
    from app.cli.frameworks import frameworks_cli
    from app.cli.mail import mail_cli
    from app.cli.mix import mix_cli
    from app.cli.questionnaire import questionnaire_cli
    from app.cli.retention import retention_cli
    from app.cli.rounds import rounds_cli
    from app.cli.users import users_cli

    for command in (
        users_cli,
        demo_command,
        frameworks_cli,
        rounds_cli,
        questionnaire_cli,
        mail_cli,
        mix_cli,
        retention_cli,
    ):
        app.cli.add_command(command)


def _register_template_helpers(app: Flask) -> None:
    from flask import g

    from app.org_settings.views import SETTINGS_BLUEPRINTS
    from app.tenancy import current_role

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {
            "has_endpoint": lambda endpoint: endpoint in app.view_functions,
            "current_org": getattr(g, "org", None),
            "current_role": current_role(),
            "memberships": getattr(g, "memberships", []),
            "settings_blueprints": SETTINGS_BLUEPRINTS,
        }
