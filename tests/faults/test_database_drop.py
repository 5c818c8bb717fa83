"""The database connection drops while a respondent sends their answers.

The app runs under gunicorn as in production. On PostgreSQL the server itself cuts the app's
connection at the chosen moment: a trigger calls pg_terminate_backend on its own backend, once
(a sequence counts, and sequences ignore rollbacks), either in the middle of sealing the answers
into the inbox or at COMMIT (a deferred constraint trigger). On SQLite another process holds the
write lock longer than the app waits for it ("database is locked").

Each time the respondent must see a friendly 503 saying their answers are kept and to try again,
nothing of the response may be stored (no sealed submission, spent id, response, answer, comment
or count; the invitation still unused), and pressing Send again must store it exactly once: one
sealed submission, which the release turns into one response.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from html import unescape

import pytest

from app.services.mix import release_waiting
from app.services.mix.keys import spent_digest
from bench._phones import Phone, Reply
from bench._seed import seed_launched_round
from bench._servers import ServerProcess, gunicorn
from tests.faults.conftest import Processes
from tests.faults.support import APP_CONNECTIONS, APP_SPEC, SECRET, Database

DROP_ONCE = """
CREATE SEQUENCE fault_shots;
CREATE FUNCTION fault_drop_connection() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF nextval('fault_shots') = 1 THEN
        PERFORM pg_terminate_backend(pg_backend_pid());
    END IF;
    RETURN NULL;
END $$
"""
MOMENTS = {
    "while_sealing": "CREATE TRIGGER fault_drop AFTER INSERT ON sealed_submission "
    "FOR EACH STATEMENT EXECUTE FUNCTION fault_drop_connection()",
    "at_commit": "CREATE CONSTRAINT TRIGGER fault_drop AFTER INSERT ON sealed_submission "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fault_drop_connection()",
}


STORED = (
    "sealed_submission",
    "spent_submission",
    "response",
    "answer",
    "comment",
    "response_day_count",
)


def serve(processes: Processes, database: Database) -> ServerProcess:
    env = database.env()
    return processes.server(lambda log: gunicorn(APP_SPEC, env, log, workers=1, threads=2))


def nothing_stored(database: Database) -> dict[str, int]:
    counts = {table: database.scalar(f"SELECT count(*) FROM {table}") for table in STORED}
    counts["invitations_used"] = database.scalar(
        "SELECT count(*) FROM invitation WHERE status <> 'pending'"
    )
    return counts


def assert_retry_page(reply: Reply) -> None:
    text = unescape(reply.text)
    assert reply.status == 503, (reply.status, reply.heading)
    assert reply.heading == "Sorry, that did not go through"
    assert "Your answers so far are kept on this device" in text
    assert "press the button again" in text
    # app/errors.py says 5 s; on rate-limited routes Flask-Limiter's header (the window) wins.
    assert reply.headers.get("retry-after", "").isdigit()
    assert reply.headers.get("cache-control") == "no-store"


def assert_stored_once(database: Database, round_id: uuid.UUID, submission_id: uuid.UUID) -> None:
    """Sealed once, its id spent once (as the keyed hash), then released as one response."""
    assert database.scalar("SELECT count(*) FROM sealed_submission") == 1
    digests = [row[0] for row in database.rows("SELECT digest FROM spent_submission")]
    assert digests == [spent_digest(SECRET, round_id, submission_id)]
    with database.app.app_context():
        assert release_waiting(everything=True) == 1
    ids = [uuid.UUID(str(row[0])) for row in database.rows("SELECT id FROM response")]
    assert len(ids) == 1 and ids != [submission_id], "one response, under a fresh id"
    items = database.scalar(
        "SELECT count(*) FROM question_item qi JOIN questionnaire q "
        "ON q.id = qi.questionnaire_id WHERE q.audience = 'parents'"
    )
    assert database.scalar("SELECT count(*) FROM answer") == items
    assert database.scalar("SELECT coalesce(sum(count), 0) FROM response_day_count") == 1


def answer_up_to_send(phone: Phone, entry: str) -> uuid.UUID:
    phone.enter(entry)
    phone.start()
    phone.answer_until_last_page()
    submission_id = phone.submission_id()
    assert submission_id is not None
    return submission_id


@pytest.mark.parametrize("moment", sorted(MOMENTS))
@pytest.mark.parametrize("entry", ["invitation", "open_link"])
def test_connection_cut_while_sending_answers(
    postgres: Database,
    processes: Processes,
    phones: Callable[..., Phone],
    moment: str,
    entry: str,
) -> None:
    seeded = seed_launched_round(postgres.app, {"parents": 3})
    server = serve(processes, postgres)
    token = seeded.tokens["parents"][0]
    path = f"/r/{token}" if entry == "invitation" else f"/o/{seeded.codes['parents']}"
    phone = phones(server.port, comment_chance=1.0)
    submission_id = answer_up_to_send(phone, path)

    postgres.execute(DROP_ONCE)
    postgres.execute(MOMENTS[moment])
    reply = phone.send()

    assert_retry_page(reply)
    assert nothing_stored(postgres) == dict.fromkeys((*STORED, "invitations_used"), 0)
    assert postgres.scalar("SELECT last_value FROM fault_shots") == 1, "the connection was cut"

    phone.reload()  # what Back shows: the last page, the earlier answers still on the phone
    assert phone.thanked(phone.send()), "sending again works"
    assert_stored_once(postgres, seeded.round_id, submission_id)
    assert postgres.scalar("SELECT count(*) FROM comment") > 0
    used = postgres.scalar("SELECT count(*) FROM invitation WHERE status = 'completed'")
    assert used == (1 if entry == "invitation" else 0)

    log = server.log(100_000)
    assert "Database unavailable during respond.send: " in log
    assert "Traceback" not in log and "Exception on" not in log
    assert token not in log  # the log never holds a link, an answer or a comment
    # The access log names the entry path only with its token redacted: never a working link.
    assert "/r/" not in log.replace("/r/[redacted]", "")
    assert "Staff listen" not in log and "INSERT" not in log


def test_every_connection_cut_between_pages_goes_unnoticed(
    postgres: Database, processes: Processes, phones: Callable[..., Phone]
) -> None:
    """A database restart or failover between two pages: pooled connections are checked
    (app/database.py `closed_by_server`) and replaced, so the respondent carries on and nothing
    is lost."""
    seeded = seed_launched_round(postgres.app, {"parents": 3})
    server = serve(processes, postgres)
    phone = phones(server.port)
    submission_id = answer_up_to_send(phone, f"/r/{seeded.tokens['parents'][0]}")

    cut = postgres.scalar(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE application_name = :name",
        name=APP_CONNECTIONS,
    )
    assert cut >= 1, "the app had connections to cut"

    assert phone.thanked(phone.send())
    assert_stored_once(postgres, seeded.round_id, submission_id)


def test_database_locked_while_sending_answers(
    sqlite: Database, processes: Processes, phones: Callable[..., Phone]
) -> None:
    """SQLite: another process holds the write lock past the app's 5 s busy timeout."""
    database = sqlite
    seeded = seed_launched_round(database.app, {"parents": 3})
    server = serve(processes, database)
    phone = phones(server.port, comment_chance=1.0)
    submission_id = answer_up_to_send(phone, f"/r/{seeded.tokens['parents'][0]}")

    path = database.url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None, timeout=1)
    try:
        holder.execute("BEGIN IMMEDIATE")  # a long write elsewhere: a backup, a migration
        reply = phone.send()
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert_retry_page(reply)
    assert set(nothing_stored(database).values()) == {0}
    phone.reload()
    assert phone.thanked(phone.send())
    assert_stored_once(database, seeded.round_id, submission_id)
    assert "Database unavailable during respond.send: OperationalError" in server.log(100_000)
