"""flask --app wsgi questionnaire preview FRAMEWORK_ID --indicators 2.1,2.2 --audience parents

Prints the questionnaire Chorus would generate, readably or as JSON (`Questionnaire.to_dict()`).
Exit codes: 0 printed; 1 the audience has nothing to answer in that selection; 2 bad input
(unknown framework, indicator, shortcut, audience or organisation).
"""

from __future__ import annotations

import json
import textwrap

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.models import Organisation
from app.services.frameworks import UnknownFramework, get_framework
from frameworks import Framework, builtin_frameworks
from surveys import questionnaire as qgen
from surveys.scales import SCALES
from surveys.selection import SelectionError, expand_tokens

questionnaire_cli = AppGroup("questionnaire", help="Generate and inspect questionnaires.")

WIDTH = 88


@questionnaire_cli.command("preview")
@click.argument("framework_id")
@click.option(
    "--indicators",
    required=True,
    help='Comma-separated indicator ids ("2.1,2.2") or shortcuts ("section:2", "group:q2", '
    '"thread:t1", "framework:ID").',
)
@click.option("--audience", required=True, help="Audience id, e.g. parents, staff, children.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (Questionnaire.to_dict()).")
@click.option(
    "--children-band",
    type=click.Choice(qgen.CHILDREN_BANDS),
    default="8_to_12",
    show_default=True,
    help="Age band when the audience is children and young people (each band is a "
    "questionnaire of its own).",
)
@click.option("--free-text", is_flag=True, help="Add the two free-text questions per section.")
@click.option("--role-question", is_flag=True, help="Add the group-level role question.")
@click.option("--organisation", default="", help="Who is asking, for the introduction.")
@click.option("--org", "org_name", default="", help="Organisation whose own frameworks to include.")
def preview(
    framework_id: str,
    indicators: str,
    audience: str,
    as_json: bool,
    children_band: str,
    free_text: bool,
    role_question: bool,
    organisation: str,
    org_name: str,
) -> None:
    """Print the questionnaire generated for one audience."""
    framework = _framework(framework_id, org_name)
    tokens = [t.strip() for t in indicators.split(",") if t.strip()]
    try:
        indicator_ids = expand_tokens(
            framework, [t if ":" in t else f"indicator:{t}" for t in tokens]
        )
        result = qgen.build_questionnaires(
            framework,
            indicator_ids,
            [audience],
            organisation=organisation,
            children_bands=[children_band],
            free_text=free_text,
            role_question=role_question,
        )
    except SelectionError as exc:
        if "audience" in exc.unknown:
            known = ", ".join(framework.audience_ids)
            raise click.BadParameter(
                f"{exc} Audiences of {framework.id}: {known}.", param_hint="--audience"
            ) from None
        raise click.BadParameter(str(exc), param_hint="--indicators") from None
    if audience == qgen.CHILDREN:
        audience = qgen.band_audience(children_band)
    generated = result.questionnaires.get(audience)
    if generated is None:
        raise click.ClickException(result.skipped.get(audience, "No questionnaire."))
    if as_json:
        click.echo(json.dumps(generated.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(generated))


def _framework(framework_id: str, org_name: str) -> Framework:
    if not org_name:
        framework = builtin_frameworks().get(framework_id)
        if framework is None:
            known = ", ".join(builtin_frameworks())
            raise click.BadParameter(
                f"There is no built-in framework {framework_id!r}. Built-in: {known}. "
                "Use --org NAME to include an organisation's own frameworks.",
                param_hint="FRAMEWORK_ID",
            )
        return framework
    org = db.session.execute(
        select(Organisation).where(Organisation.name == " ".join(org_name.split()))
    ).scalar_one_or_none()
    if org is None:
        raise click.BadParameter(
            f"There is no organisation called {org_name!r}.", param_hint="--org"
        )
    try:
        return get_framework(org.id, framework_id)
    except UnknownFramework:
        raise click.BadParameter(
            f"{org.name} has no framework {framework_id!r}.", param_hint="FRAMEWORK_ID"
        ) from None


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def render_text(q: qgen.Questionnaire) -> str:
    """A plain-text rendering for the terminal: intro, numbered items with their scale."""
    n, minutes = len(q.items), q.estimated_minutes
    lines = [
        f"{q.audience_label}: {n} question{'s' if n != 1 else ''}, "
        f"about {minutes} minute{'s' if minutes != 1 else ''}"
    ]
    if q.easy_read:
        lines.append("Easy-read, one question per page, answered with faces.")
    if qgen.is_too_long(q):
        lines.append(
            f"Warning: over {qgen.TOO_LONG_MINUTES} minutes; "
            "fewer people finish long questionnaires."
        )
    lines.append("")
    lines.extend(_wrap(paragraph, "  ") for paragraph in q.intro.split("\n") if paragraph)
    number = 0
    for section in q.sections:
        lines += ["", section.title, "-" * min(len(section.title), WIDTH)]
        for item in section.items:
            number += 1
            head = f"{number:>3}. "
            lines.append(_wrap(f"{item.statement} [{item.indicator_id}]", " " * len(head)))
            lines[-1] = head + lines[-1][len(head) :]
            options = " / ".join(o.label for o in SCALES[item.scale_id].options)
            lines.append(_wrap(options, " " * (len(head) + 2)))
        for prompt in qgen.FREE_TEXT_PROMPTS if section.free_text else ():
            lines.append(f"     (free text) {prompt.prompt}")
    if q.role_question:
        lines += ["", "About you", f"     {q.role_question.prompt}"]
        lines += [f"       - {o.label}" for o in q.role_question.options]
    return "\n".join(lines)
