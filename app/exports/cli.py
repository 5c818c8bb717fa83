"""`flask --app wsgi rounds export ROUND_ID --out FILE.xlsx` (registered on the rounds group)."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.models import FeedbackRound
from app.services.documents.round_workbook import write_round_workbook
from app.services.results import CellStatus, ResultsUnavailable


@click.command("export")
@click.argument("round_id")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the workbook (.xlsx).",
)
@with_appcontext
def export_command(round_id: str, out: Path) -> None:
    """Write a round's results workbook, with the same figures and anonymity rules as the pages."""
    try:
        key = uuid.UUID(round_id)
    except ValueError:
        raise click.BadParameter(
            f"{round_id!r} is not a round id.", param_hint="ROUND_ID"
        ) from None
    rnd = db.session.get(FeedbackRound, key)
    if rnd is None:
        raise click.ClickException(f"There is no round with id {round_id}.")
    if out.suffix.lower() != ".xlsx":
        raise click.BadParameter("the file name must end in .xlsx.", param_hint="--out")
    if not out.parent.exists():
        raise click.BadParameter(f"the folder {out.parent} does not exist.", param_hint="--out")
    # Write beside the target and rename, so a failed export never leaves half a file.
    handle, partial = tempfile.mkstemp(suffix=".xlsx.part", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            results = write_round_workbook(rnd, stream)
        os.replace(partial, out)
    except ResultsUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    shown = sum(1 for a in results.audiences if a.status == CellStatus.SHOWN)
    click.echo(
        f"Wrote {out} for round {rnd.name!r}: {len(results.indicators)} indicators, "
        f"{shown} of {len(results.audiences)} audiences shown (threshold {results.threshold})."
    )
