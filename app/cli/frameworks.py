"""flask --app wsgi frameworks list | show | validate | import | template | export"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import AppGroup

from app.database import transactional
from app.models import Organisation
from app.services.frameworks import (
    FrameworkClash,
    UnknownFramework,
    describe_size,
    find_organisation,
    framework_listings,
    get_framework,
    import_upload,
    parse_upload,
)
from frameworks import Framework, FrameworkError
from frameworks.workbook import workbook_bytes

frameworks_cli = AppGroup("frameworks", help="List, check and import quality frameworks.")

ORG_HELP = "Organisation name: include that organisation's own frameworks."


def _organisation(name: str | None) -> Organisation | None:
    if name is None:
        return None
    org = find_organisation(name)
    if org is None:
        raise click.ClickException(f"There is no organisation called {name!r}.")
    return org


def _framework(framework_id: str, org_name: str | None) -> Framework:
    org = _organisation(org_name)
    try:
        return get_framework(org.id if org else None, framework_id)
    except UnknownFramework:
        hint = (
            f" in {org.name}'s frameworks"
            if org
            else " (for an organisation's own framework add --org NAME)"
        )
        raise click.ClickException(
            f"There is no framework {framework_id!r}{hint}. "
            "See them all with: flask --app wsgi frameworks list"
        ) from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"Cannot read {path}: {exc.strerror}.") from None


def _write(path: Path, data: bytes, force: bool) -> None:
    if path.suffix.lower() != ".xlsx":
        raise click.ClickException(f"{path.name}: the file name must end in .xlsx.")
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists already; add --force to overwrite it.")
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"Cannot write {path}: {exc.strerror}.") from None


def _problems(exc: FrameworkError, outcome: str) -> NoReturn:
    """Every error line on stderr, a count, and exit status 1."""
    for line in exc.lines:
        click.echo(line, err=True)
    count = len(exc.lines)
    click.echo(f"{count} problem{'' if count == 1 else 's'} found{outcome}.", err=True)
    raise SystemExit(1)


@frameworks_cli.command("list")
@click.option("--org", "org_name", help=ORG_HELP)
def list_frameworks(org_name: str | None) -> None:
    """List frameworks: id, sections, indicators, items and title."""
    org = _organisation(org_name)
    listings = framework_listings(org.id if org else None)
    width = max(len("ID"), *(len(listing.framework.id) for listing in listings))
    click.echo(
        f"{'ID':<{width}}  {'FROM':<9}  {'SECTIONS':>8}  {'INDICATORS':>10}  {'ITEMS':>5}  TITLE"
    )
    for listing in listings:
        sections, indicators, items = listing.counts
        origin = "built-in" if listing.builtin else "imported"
        click.echo(
            f"{listing.framework.id:<{width}}  {origin:<9}  {sections:>8}  {indicators:>10}  "
            f"{items:>5}  {listing.framework.title}"
        )


def _tree(fw: Framework, with_items: bool) -> list[str]:
    scale = fw.rating_scale
    levels = ", ".join(f"{lv.code} {lv.label}" for lv in scale.levels)
    lines = [
        f"{fw.title} ({fw.id})",
        f"Source: {fw.source.title} [{fw.source.document}]"
        + (f", {fw.source.section}" if fw.source.section else ""),
        f"Rating scale: {scale.title}: {levels} (good or better from {scale.good_from})",
        describe_size(fw).capitalize() + ".",
        "",
    ]

    def section_lines(section_id: str, indent: str) -> list[str]:
        section = fw.section(section_id)
        out = [f"{indent}{section.id}  {section.title}"]
        out += [f"{indent}    component: {c}" for c in section.components]
        for ind in fw.indicators_in(section.id):
            audiences = ", ".join(f"{a} {len(items)}" for a, items in ind.items.items())
            out.append(
                f"{indent}  {ind.id}  {ind.title}"
                + (f"  [items: {audiences}]" if audiences else "")
            )
            for theme in ind.themes:
                mark = "  (what stakeholders report)" if theme.stakeholder_report else ""
                out.append(f"{indent}      theme {theme.id}: {theme.title}{mark}")
            if ind.links:
                out.append(f"{indent}      links: {', '.join(ind.links)}")
            if with_items:
                for audience, items in ind.items.items():
                    for item in items:
                        out.append(f"{indent}      {audience}: {item.statement}")
        return out

    if fw.groups:
        for group in fw.groups:
            lines.append(f"{group.id}  {group.title}")
            for section in fw.sections_in(group.id):
                lines += section_lines(section.id, "  ")
        for section in fw.sections_in(None):
            lines += section_lines(section.id, "")
    else:
        for section in fw.sections:
            lines += section_lines(section.id, "")
    if fw.threads:
        lines += ["", "Threads:"]
        lines += [f"  {t.id}  {t.title}: {', '.join(t.links)}" for t in fw.threads]
    return lines


@frameworks_cli.command("show")
@click.argument("framework_id")
@click.option("--org", "org_name", help=ORG_HELP)
@click.option("--json", "as_json", is_flag=True, help="The whole framework as JSON.")
@click.option("--items", "with_items", is_flag=True, help="Also print every item statement.")
def show(framework_id: str, org_name: str | None, as_json: bool, with_items: bool) -> None:
    """Show one framework as a readable tree (or as JSON)."""
    fw = _framework(framework_id, org_name)
    if as_json:
        click.echo(json.dumps(fw.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    for line in _tree(fw, with_items):
        click.echo(line)


@frameworks_cli.command("validate")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
def validate(path: Path) -> None:
    """Check a YAML file or Excel workbook; print every problem and exit 1 if there are any."""
    try:
        fw = parse_upload(_read(path), path.name)
    except FrameworkError as exc:
        _problems(exc, "")
    click.echo(f"{path.name}: valid: {fw.id} ({fw.title}): {describe_size(fw)}.")


@frameworks_cli.command("import")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--org", "org_name", required=True, help="The organisation that will use it.")
@click.option("--replace", is_flag=True, help="Replace the organisation's framework of this id.")
@transactional
def import_command(path: Path, org_name: str, replace: bool) -> None:
    """Import a YAML file or Excel workbook for one organisation (checked fully first)."""
    org = _organisation(org_name)
    assert org is not None
    try:
        row, replaced = import_upload(org.id, _read(path), path.name, replace=replace)
    except FrameworkError as exc:
        _problems(exc, "; nothing was imported")
    except FrameworkClash as exc:
        raise click.ClickException(str(exc)) from None
    fw = get_framework(org.id, row.framework_id)
    verb = "Replaced" if replaced else "Imported"
    click.echo(f"{verb} {fw.id} ({fw.title}) for {org.name}: {describe_size(fw)}.")


@frameworks_cli.command("template")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def template(out: Path, force: bool) -> None:
    """Write the Excel template for writing a framework of your own."""
    _write(out, workbook_bytes(), force)
    click.echo(f"Wrote the framework template to {out}.")


@frameworks_cli.command("export")
@click.argument("framework_id")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--org", "org_name", help=ORG_HELP)
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def export(framework_id: str, out: Path, org_name: str | None, force: bool) -> None:
    """Write a framework as an Excel workbook in the template's layout (to adapt and import)."""
    fw = _framework(framework_id, org_name)
    _write(out, workbook_bytes(fw), force)
    click.echo(f"Wrote {fw.id} to {out}.")
