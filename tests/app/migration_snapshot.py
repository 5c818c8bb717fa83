"""Databases as deployed: one snapshot of real rows per Alembic revision, to upgrade from.

`tests/app/migration_snapshots/<revision>.json` holds rows for every table of the schema at that
revision: the demo a newcomer gets (`flask demo`), plus a live round with contacts, invitations,
mail in the outbox and open links, a saved draft, a paper import and an organisation's own
framework, so no table is empty. `tests/app/test_migrations.py` builds a database at each
snapshot's revision, loads the rows, upgrades it to the head and checks that every row is still
there and that the app reads it.

When you add a revision (schema changes are new revisions, never edits: CONTRIBUTING.md), make its
snapshot while the code matches it:

    .venv/bin/python -m tests.app.migration_snapshot

A snapshot that has landed is never remade: it stands for databases already out there.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import sys
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, MetaData, Table, insert, select

HERE = Path(__file__).parent / "migration_snapshots"
# Passwords of the snapshot's accounts, so a test can sign in to a database it upgraded.
PASSWORD = "migration snapshot password"
VERSION_TABLE = "alembic_version"


def snapshot_paths() -> dict[str, Path]:
    """revision -> its snapshot file."""
    return {p.stem: p for p in sorted(HERE.glob("*.json"))}


def load(path: Path) -> dict[str, list[dict[str, Any]]]:
    return dict(json.loads(path.read_text())["tables"])


# -- rows in and out, by the column types of the schema at hand ----------------------------------


def _plain(value: Any) -> Any:
    """A column value as JSON (dates ISO, UUIDs hex, bytes base64); JSON values as they are."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _python_type(column: Any) -> type | None:
    try:
        return column.type.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return None


def _typed(column: Any, value: Any) -> Any:
    """A JSON value as the reflected column of this schema takes it."""
    if value is None:
        return None
    kind = _python_type(column)
    if kind is dt.datetime:
        return datetime.fromisoformat(value)
    if kind is dt.date:
        return date.fromisoformat(value)
    if kind is uuid.UUID:
        return uuid.UUID(value)
    if kind is bytes:
        return base64.b64decode(value)
    if kind is decimal.Decimal:
        return decimal.Decimal(value)
    return value


def reflect(conn: Connection) -> MetaData:
    metadata = MetaData()
    metadata.reflect(bind=conn)
    return metadata


def user_tables(metadata: MetaData) -> list[Table]:
    """Every table but Alembic's own, parents before children."""
    return [t for t in metadata.sorted_tables if t.name != VERSION_TABLE]


def dump(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in primary-key order, as JSON values."""
    tables = {}
    for table in user_tables(reflect(conn)):
        order = list(table.primary_key.columns) or list(table.columns)
        rows = conn.execute(select(table).order_by(*order)).mappings()
        tables[table.name] = [{k: _plain(v) for k, v in row.items()} for row in rows]
    return tables


def restore(conn: Connection, tables: dict[str, list[dict[str, Any]]]) -> None:
    """Insert the snapshot's rows into the schema `conn` has (the snapshot's revision)."""
    metadata = reflect(conn)
    missing = {t.name for t in user_tables(metadata)} ^ set(tables)
    assert not missing, f"the snapshot and the schema at its revision differ in tables: {missing}"
    for table in user_tables(metadata):
        rows = [
            {name: _typed(table.columns[name], value) for name, value in row.items()}
            for row in tables[table.name]
        ]
        if rows:
            conn.execute(insert(table), rows)


def primary_keys(conn: Connection, table: Table) -> set[tuple[Any, ...]]:
    columns = list(table.primary_key.columns)
    return {tuple(_plain(v) for v in row) for row in conn.execute(select(*columns))}


def snapshot_keys(table: Table, rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """The rows' primary keys, written as the database gives them back (`primary_keys`)."""
    return {
        tuple(_plain(_typed(c, row[c.name])) for c in table.primary_key.columns) for row in rows
    }


# -- making a snapshot at the head ---------------------------------------------------------------


def _fill_the_rest(app: Any) -> None:
    """Rows for the tables the demo leaves empty, made by the product's own services."""
    from app.cli.demo import DEMO_ORG
    from app.extensions import db
    from app.invitations.common import audience_labels
    from app.models import (
        Channel,
        LanguageCount,
        Organisation,
        PaperImport,
        ResponseDayCount,
        SavedDraft,
        SpentSubmission,
    )
    from app.services import audit, mix
    from app.services.contacts import ContactRow, add_contacts
    from app.services.frameworks import import_upload
    from app.services.launch import launch
    from app.services.mix import Sealed
    from app.services.mix.keys import spent_digest
    from app.services.rounds import RoundSettings, create_round

    today = datetime.now(UTC).date()
    org = db.session.execute(select(Organisation).where(Organisation.name == DEMO_ORG)).scalar_one()
    builtin = Path(__file__).resolve().parents[2] / "frameworks" / "derwent-interagency.yaml"
    own = builtin.read_text().replace("id: derwent-interagency", "id: our-own-standards", 1)
    import_upload(org.id, own.encode(), "our-own-standards.yaml")
    settings = RoundSettings(
        name="Snapshot round, live",
        framework_id="hmie-children-services",
        indicator_ids=["5.1", "6.2"],
        audiences=["parents", "children", "staff"],
        opens_on=today,
        closes_on=today + timedelta(days=21),
        threshold=3,
        free_text=True,
        role_question=True,
    )
    rnd = create_round(org, settings)
    first = rnd.questionnaires[0]  # a Welsh translation, frozen with it at launch (0017_lang)
    first.translations = {
        "cy": {"intro": "", "sections": {}, "items": {str(first.items[0].id): "Datganiad."}}
    }
    people = [
        ContactRow(n, f"snapshot.parent{n}@families.example", f"Parent {n}", lang)
        for n, lang in ((1, "cy"), (2, ""))
    ]
    add_contacts(rnd, "parents", people)
    launch(rnd, secret=app.config["SECRET_KEY"], labels=audience_labels(rnd), today=today)
    # Launching hands the contacts over to invitations; a draft round keeps its own.
    draft = create_round(
        org,
        RoundSettings(
            **{**vars(settings), "name": "Snapshot round, draft", "languages": ["cy", "en"]}
        ),
    )
    add_contacts(draft, "staff", [ContactRow(1, "snapshot.worker@council.example", "Worker", "ar")])
    db.session.add(SavedDraft(lookup="0" * 64, round_id=rnd.id, ciphertext=b"\x00sealed"))
    db.session.add(
        PaperImport(
            round_id=rnd.id,
            audience="parents",
            fingerprint="f" * 64,
            questionnaires=1,
            imported_on=today,
        )
    )
    db.session.add(LanguageCount(round_id=rnd.id, audience="parents", language="cy", count=3))
    db.session.add(
        ResponseDayCount(round_id=rnd.id, audience="parents", channel="paper", day=today, count=1)
    )
    # An answer still in the sealed inbox, and its spent submission id (the mix, 0010).
    item = rnd.questionnaires[0].items[0]
    waiting = Sealed(Channel.PAPER, None, [(str(item.id), "a")], [])
    mix.put(rnd.id, rnd.questionnaires[0].audience, [waiting])
    digest = spent_digest(app.config["SECRET_KEY"], rnd.id, uuid.uuid4())
    db.session.add(SpentSubmission(digest=digest, round_id=rnd.id))
    # The audit trail (0011).
    audit.record(
        "round.launched", "Launched the round", organisation_id=org.id, actor=None, round=rnd
    )
    # An API token (0012_api): made by the demo's coordinator, used once, one revoked.
    from app.models import Membership, Role, User
    from app.services.api_tokens import create_token, mark_used, revoke

    coordinator = db.session.execute(
        select(User)
        .join(Membership)
        .where(Membership.organisation_id == org.id, Membership.role == Role.COORDINATOR)
        .limit(1)
    ).scalar_one()
    made = create_token(org.id, coordinator, "Dashboard", ["read_results"], 90)
    mark_used(made.token)
    old = create_token(org.id, coordinator, "Old import", ["manage_rounds", "read_results"], 30)
    revoke(old.token)
    # Round lifecycle (0013_lifecycle): own invitation wording, and the address book.
    rnd.invitation_intro = "Our family centre would like to hear from you."
    from app.models import AddressBookEntry

    db.session.add(
        AddressBookEntry(
            organisation_id=org.id,
            email="snapshot.book@families.example",
            name="Book Person",
            audience="",
            group_name="Snapshot group",
        )
    )
    # A colleague invited by email, not yet signed in (0014_people).
    from app.models import Role, User
    from app.services.accounts.colleagues import invite_colleague

    inviter = db.session.execute(select(User).order_by(User.email)).scalars().first()
    assert inviter is not None
    invite_colleague(org, "snapshot.colleague@council.example", Role.VIEWER.value, "", inviter)
    # A published "you said, we did" on the demo's closed round (0015_reports).
    from app.cli.demo_results import LATEST
    from app.models import FeedbackRound
    from app.services.round_notices import NoticeInput, save_notice

    closed = db.session.execute(
        select(FeedbackRound).where(FeedbackRound.name == LATEST)
    ).scalar_one()
    save_notice(
        closed,
        NoticeInput(
            heard="Parents told us they want to hear more about their child's progress.",
            doing="Termly progress meetings from January.",
            indicator_ids=list(closed.indicator_ids[:1]),
            published=True,
        ),
    )
    # Single sign-on (0016_sso): the organisation's provider, its secret sealed.
    from app.models import IdentityProvider
    from app.services.sso import seal_secret

    sealed = seal_secret(org.id, "snapshot-client-secret")
    db.session.add(
        IdentityProvider(
            organisation_id=org.id,
            label="Council staff",
            issuer="https://login.council.example",
            client_id="chorus-snapshot",
            client_secret_sealed=sealed,
            email_domains=["council.example"],
            create_accounts=True,
            passwords_allowed=True,  # the migration test signs in with a password
        )
    )
    # Kiosks on the live round's open link (0022_kiosk): one paired, one revoked.
    from app.models import OpenLink
    from app.services import kiosks

    link = db.session.execute(select(OpenLink).where(OpenLink.round_id == rnd.id)).scalars().first()
    assert link is not None
    _tablet, code = kiosks.create(rnd, link, "Gala day tablet 1", coordinator)
    kiosks.pair(code, today)
    revoked, _code = kiosks.create(rnd, link, "Old tablet", coordinator)
    kiosks.revoke(rnd, revoked, coordinator, today)
    # A forgot-password email waiting in the outbox (0020_admin).
    from app.services.accounts.colleagues import request_reset

    assert request_reset(coordinator.email)
    # A survey run elsewhere, imported into the demo's assessment (0019_external).
    from app.models import Assessment, ExternalImport

    assessment = db.session.execute(select(Assessment).limit(1)).scalar_one()
    db.session.add(
        ExternalImport(
            assessment_id=assessment.id,
            file_name="staff-survey-2026.xlsx",
            sha256="e" * 64,
            confirmed=False,
            uploaded_by_id=coordinator.id,
            data={"survey": "Staff survey 2026", "rows": []},
        )
    )
    # The round's own questions (0025_qtypes): on the demo's closed round, with one released
    # answer of each kind of row (a chosen value, and the words of an "other, please say").
    from app.models import QuestionAnswer, QuestionText, Response, RoundQuestion

    asked = RoundQuestion(
        round_id=closed.id,
        position=1,
        kind="one_choice",
        text="How did you hear about this survey?",
        spec={"options": ["Email", "Poster"], "other": True},
        indicator_id=None,
        translations={"cy": {"text": "Sut glywsoch chi?", "options": ["E-bost", "Poster"]}},
    )
    db.session.add(asked)
    db.session.flush()
    answered = db.session.execute(
        select(Response).where(Response.round_id == closed.id).limit(1)
    ).scalar_one()
    # One asked of a single audience (0027_ownaud); None above means every audience.
    db.session.add(
        RoundQuestion(
            round_id=closed.id,
            position=2,
            kind="yes_no",
            text="Did you see our poster?",
            spec={},
            indicator_id=None,
            translations={},
            audiences=[answered.audience],
        )
    )
    db.session.add(
        QuestionAnswer(
            response_id=answered.id,
            question_id=asked.id,
            value="other",
            round_id=closed.id,
            release_batch=answered.release_batch,
        )
    )
    db.session.add(
        QuestionText(
            round_id=closed.id,
            response_id=answered.id,
            question_id=asked.id,
            text="A neighbour told me.",
            hidden=False,
        )
    )
    db.session.commit()


def make_snapshot(folder: Path) -> tuple[str, dict[str, list[dict[str, Any]]]]:
    """(head revision, rows) of a fresh database at the head with the demo and the rest in it."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "migration-snapshot-secret",
            "DATABASE_URL": f"sqlite:///{folder / 'snapshot.db'}",
            "INSTANCE_PATH": str(folder / "instance"),
            "MAIL_SERVER": "",
        }
    )
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
        assert result.exit_code == 0, result.output
        _fill_the_rest(app)
        with db.engine.connect() as conn:
            head = conn.execute(select(reflect(conn).tables[VERSION_TABLE])).scalar_one()
            tables = dump(conn)
        db.engine.dispose()
    empty = [name for name, rows in tables.items() if not rows]
    assert not empty, f"give these tables rows in _fill_the_rest: {empty}"
    return str(head), tables


def write(revision: str, tables: dict[str, list[dict[str, Any]]]) -> Path:
    path = HERE / f"{revision}.json"
    # One row a line: a reviewer can read it, and a diff of it says what changed.
    lines = [
        f'{{"revision": {json.dumps(revision)}, "password": {json.dumps(PASSWORD)}, "tables": {{'
    ]
    for n, (name, rows) in enumerate(sorted(tables.items())):
        lines.append(f"{json.dumps(name)}: [")
        lines += [
            json.dumps(r, sort_keys=True) + ("," if i < len(rows) - 1 else "")
            for i, r in enumerate(rows)
        ]
        lines.append("]" + ("," if n < len(tables) - 1 else ""))
    lines.append("}}")
    path.write_text("\n".join(lines) + "\n")
    json.loads(path.read_text())  # still one JSON document
    return path


def _main(argv: list[str]) -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        revision, tables = make_snapshot(Path(folder))
    if revision in snapshot_paths() and "--force" not in argv:
        yield f"{revision} has a snapshot already; a landed snapshot is never remade"
        return
    path = write(revision, tables)
    yield f"wrote {path} ({sum(map(len, tables.values()))} rows in {len(tables)} tables)"


if __name__ == "__main__":
    for line in _main(sys.argv[1:]):
        print(line)
