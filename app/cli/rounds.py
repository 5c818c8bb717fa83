"""flask --app wsgi rounds ...

`rounds list --org NAME` lists an organisation's rounds. Other journeys add their commands to
`rounds_cli` below (one command per function, each with its own help).
"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.models import Organisation
from app.services.rounds import rounds_of

rounds_cli = AppGroup("rounds", help="Feedback rounds.")


def organisation_named(name: str) -> Organisation:
    """The organisation, or a usage error (exit code 2) naming the problem."""
    org = db.session.execute(
        select(Organisation).where(Organisation.name == " ".join(name.split()))
    ).scalar_one_or_none()
    if org is None:
        raise click.BadParameter(f"There is no organisation called {name!r}.", param_hint="--org")
    return org


@rounds_cli.command("list")
@click.option("--org", "org_name", required=True, help="Organisation or partnership name.")
def list_rounds(org_name: str) -> None:
    """List the organisation's rounds: id, status, dates, audiences and name."""
    org = organisation_named(org_name)
    rounds = rounds_of(org.id)
    if not rounds:
        click.echo(f"{org.name} has no rounds yet.")
        return
    for rnd in rounds:
        click.echo(
            f"{rnd.id}  {rnd.status.value:<6}  {rnd.opens_on} to {rnd.closes_on}  "
            f"{','.join(rnd.audiences):<30}  {rnd.name}"
        )


@rounds_cli.command("results")
@click.argument("round_id")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def results(round_id: str, as_json: bool) -> None:
    """Print a round's results per indicator and group, honouring its anonymity threshold."""
    from app.results.cli import print_results  # the results journey's code (issue 7)

    print_results(round_id, as_json=as_json)


# `rounds export ROUND_ID --out FILE.xlsx`: the exports journey's command (issue 9).
from app.exports.cli import export_command  # noqa: E402

rounds_cli.add_command(export_command)
