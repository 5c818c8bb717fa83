"""`flask --app wsgi rounds results ROUND_ID [--json]` (the command sits in app/cli/rounds.py)."""

from __future__ import annotations

import json
import uuid

import click

from app.extensions import db
from app.models import FeedbackRound
from app.results.text import overview_text
from app.services.results import ResultsUnavailable, round_results


def print_results(round_id: str, *, as_json: bool = False) -> None:
    """Echo the round's overview (or JSON); a bad or unknown id is a usage error."""
    try:
        key = uuid.UUID(round_id)
    except ValueError:
        raise click.BadParameter(
            f"{round_id!r} is not a round id (a UUID, as `rounds list` prints).",
            param_hint="ROUND_ID",
        ) from None
    rnd = db.session.get(FeedbackRound, key)
    if rnd is None:
        raise click.ClickException(f"There is no round with id {round_id}.")
    try:
        results = round_results(rnd)
    except ResultsUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(results.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(overview_text(results))
