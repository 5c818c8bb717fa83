"""flask --app wsgi demo: a working example for a newcomer, on an empty database."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.cli import demo_assessment, demo_results, demo_rounds
from app.database import unit_of_work
from app.extensions import db
from app.models import Organisation, OrganisationKind, Role
from app.services.accounts import create_user, find_user_by_email

DEMO_ORG = "Demo Council Children's Services"
DEMO_EMAIL = "coordinator@demo.chorus.test"


@click.command("demo")
@click.option("--password", default=None, help="Password for the demo coordinator.")
@with_appcontext
def demo_command(password: str | None) -> None:
    """Create a demo organisation and coordinator, and print how to sign in."""
    saved = Path(current_app.instance_path) / "demo-credentials.txt"
    if find_user_by_email(DEMO_EMAIL) is not None:
        click.echo("The demo already exists.")
        if saved.exists():
            click.echo(saved.read_text().rstrip())
        return
    password = password or secrets.token_urlsafe(12)
    with unit_of_work():  # committed before the credentials are written down
        create_user(DEMO_EMAIL, password, DEMO_ORG, Role.COORDINATOR, name="Demo Coordinator")
        named = select(Organisation).where(Organisation.name == DEMO_ORG)
        org = db.session.execute(named).scalar_one()
        org.kind = OrganisationKind.PARTNERSHIP
        org.member_organisations = ["Demo Council", "Demo Health Board", "Demo Police Division"]
        coordinator = find_user_by_email(DEMO_EMAIL)
        assert coordinator is not None
        notes: list[str] = []
        for step in (demo_rounds.seed, demo_results.seed, demo_assessment.seed):
            notes += step(org, coordinator)
    credentials = (
        "Sign in at http://127.0.0.1:5000/login with\n"
        f"  email:    {DEMO_EMAIL}\n"
        f"  password: {password}"
    )
    saved.write_text("\n".join([credentials, *notes]) + "\n")
    saved.chmod(0o600)
    click.echo("Demo ready. " + credentials)
    for line in notes:
        click.echo(line)
