"""flask --app wsgi mix release [--round ID] | mix waiting [--round ID]"""

from __future__ import annotations

import uuid

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from app.extensions import db
from app.models import SealedSubmission
from app.services.mix import release_waiting, waiting_counts

mix_cli = AppGroup("mix", help="Release sealed submissions into the results (DESIGN.md 6.3).")


def _round(value: str | None) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a round id.", param_hint="--round") from None


@mix_cli.command("release")
@click.option("--round", "round_id", help="Only this round (its id).")
@with_appcontext
def release(round_id: str | None) -> None:
    """Release what may be released now: audiences with at least k waiting, and everything of
    rounds that no longer accept answers. The mail worker does this on every pass."""
    released = release_waiting(_round(round_id))
    click.echo(f"Released {released} responses.")


@mix_cli.command("waiting")
@click.option("--round", "round_id", help="Only this round (its id).")
@with_appcontext
def waiting(round_id: str | None) -> None:
    """How many sealed submissions wait, per round and audience (counts only)."""
    chosen = _round(round_id)
    rounds = (
        [chosen]
        if chosen
        else list(db.session.execute(select(SealedSubmission.round_id).distinct()).scalars())
    )
    for rid in rounds:
        for audience, count in sorted(waiting_counts(rid).items()):
            click.echo(f"{rid} {audience:14} {count}")
