"""flask --app wsgi users create --email E --org NAME --role ROLE [--password-stdin]"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.database import transactional
from app.models import Role
from app.services.accounts import AccountError, create_user

users_cli = AppGroup("users", help="Manage staff accounts.")


@users_cli.command("create")
@click.option("--email", required=True, help="The person's email address (their sign-in name).")
@click.option("--org", "org_name", required=True, help="Organisation or partnership name.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@transactional
def create(email: str, org_name: str, role: str, name: str, password_stdin: bool) -> None:
    """Create an account (or add a role in another organisation to an existing account)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, password, org_name, role, name=name)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {user.email} as {role} in {org_name}.")
