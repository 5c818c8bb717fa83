"""Two app processes on one PostgreSQL database serve the same round.

Two gunicorn instances on their own ports, as two machines behind a load balancer without sticky
sessions: every request of every phone goes to one of them at random. The app keeps nothing in
the process (sessions, answers so far and "already answered here" are signed cookies; the
invitation is claimed in the database), so:

- every response a phone saw accepted is stored exactly once, and nothing else is (its id spent
  once, as a keyed hash; the release then writes one response each under fresh ids);
- an invitation used through one process cannot be used again through the other, even when two
  phones send the same invitation's answers to the two processes at the same moment;
- a browser that answered through an open link on one process is recognised by the other.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from html import unescape

from app.services.mix import release_waiting
from app.services.mix.keys import spent_digest
from bench._phones import Outcome, Phone, Reply
from bench._seed import seed_launched_round
from bench._servers import ServerProcess, gunicorn
from tests.faults.conftest import Processes
from tests.faults.support import APP_SPEC, SECRET, Database

PEOPLE = {"parents": 40, "staff": 40}
RACES = 8


def two_apps(processes: Processes, database: Database) -> tuple[ServerProcess, ServerProcess]:
    env = database.env()
    a = processes.server(lambda log: gunicorn(APP_SPEC, env, log, workers=1, threads=4))
    b = processes.server(lambda log: gunicorn(APP_SPEC, env, log, workers=1, threads=4))
    return a, b


def spent(database: Database) -> list[str]:
    """The keyed hashes of the submission ids spent (a response carries a fresh id)."""
    return [row[0] for row in database.rows("SELECT digest FROM spent_submission")]


def digests(round_id: uuid.UUID, ids: list[uuid.UUID | None]) -> list[str]:
    return sorted(spent_digest(SECRET, round_id, i) for i in ids if i is not None)


def release(database: Database) -> int:
    with database.app.app_context():
        return release_waiting(everything=True)


def test_two_processes_count_every_response_once(
    postgres: Database, processes: Processes, phones: Callable[..., Phone]
) -> None:
    seeded = seed_launched_round(postgres.app, PEOPLE)
    a, b = two_apps(processes, postgres)
    both = [a.port, b.port]
    entries = [f"/r/{t}" for t in seeded.tokens["parents"][:20] + seeded.tokens["staff"][:20]]
    entries += [f"/o/{seeded.codes['parents']}", f"/o/{seeded.codes['staff']}"] * 10

    with ThreadPoolExecutor(max_workers=30) as pool:
        outcomes: list[Outcome] = list(pool.map(lambda e: phones(both).respond(e), entries))

    assert [o.error for o in outcomes if not o.accepted] == []
    assert {h.status for o in outcomes for h in o.hits} == {200, 303}, "no error anywhere"
    assert {h.port for o in outcomes for h in o.hits} == set(both), "both processes served"
    accepted = [o.submission_id for o in outcomes]
    assert len(set(accepted)) == len(entries) == 60
    assert sorted(spent(postgres)) == digests(seeded.round_id, accepted)
    assert postgres.scalar("SELECT count(*) FROM invitation WHERE status = 'completed'") == 40
    assert release(postgres) == 60
    assert postgres.scalar("SELECT sum(count) FROM response_day_count") == 60
    assert a.log().count("Traceback") == b.log().count("Traceback") == 0


def test_an_invitation_used_on_one_process_cannot_be_used_on_the_other(
    postgres: Database, processes: Processes, phones: Callable[..., Phone]
) -> None:
    seeded = seed_launched_round(postgres.app, PEOPLE)
    a, b = two_apps(processes, postgres)
    token = seeded.tokens["parents"][0]

    assert phones(a.port).respond(f"/r/{token}").accepted
    again = phones(b.port)
    reply = again.get("enter", f"/r/{token}")
    assert reply.status == 410
    assert reply.heading == "You have already sent your answers"
    assert len(spent(postgres)) == 1 and release(postgres) == 1


def test_the_same_invitation_sent_to_both_processes_at_once_is_stored_once(
    postgres: Database, processes: Processes, phones: Callable[..., Phone]
) -> None:
    """Someone forwards their link: two phones answer it, and send on two processes at once."""
    seeded = seed_launched_round(postgres.app, PEOPLE)
    a, b = two_apps(processes, postgres)
    tokens = seeded.tokens["staff"][:RACES]
    pairs = [(phones(a.port), phones(b.port)) for _ in tokens]
    for token, (on_a, on_b) in zip(tokens, pairs, strict=True):
        for phone in (on_a, on_b):  # both open the link before either has sent
            phone.enter(f"/r/{token}")
            phone.start()
            phone.answer_until_last_page()

    ids = {id(p): p.submission_id() for pair in pairs for p in pair}  # before sending
    together = threading.Barrier(2 * RACES)

    def send(phone: Phone) -> Reply:
        together.wait(30)
        return phone.send()

    with ThreadPoolExecutor(max_workers=2 * RACES) as pool:
        replies = list(pool.map(send, [p for pair in pairs for p in pair]))

    for n in range(RACES):
        pair = sorted([replies[2 * n], replies[2 * n + 1]], key=lambda r: r.status)
        won, lost = pair
        assert (won.status, lost.status) == (303, 409), [r.status for r in pair]
        assert won.location.endswith("/thanks")
        assert lost.heading == "Your answers were not sent this time"
        assert "each invitation can be used once" in unescape(lost.text)
    senders = [p for pair in pairs for p in pair]
    winners = [ids[id(p)] for p, r in zip(senders, replies, strict=True) if r.status == 303]
    assert sorted(spent(postgres)) == digests(seeded.round_id, winners)
    assert postgres.scalar("SELECT count(*) FROM invitation WHERE status = 'completed'") == RACES
    assert release(postgres) == RACES
    assert postgres.scalar("SELECT sum(count) FROM response_day_count") == RACES


def test_a_browser_that_answered_an_open_link_on_one_process_is_known_to_the_other(
    postgres: Database, processes: Processes, phones: Callable[..., Phone]
) -> None:
    seeded = seed_launched_round(postgres.app, PEOPLE)
    a, b = two_apps(processes, postgres)
    code = seeded.codes["parents"]
    phone = phones(a.port)
    assert phone.respond(f"/o/{code}").accepted

    phone.ports = [b.port]  # the same browser, its cookies, now sent to the other process
    entered = phone.get("enter", f"/o/{code}")
    assert entered.status == 303
    reply = phone.get("welcome", entered.location)
    assert reply.status == 409
    assert reply.heading == "You have already answered on this device"
    assert len(spent(postgres)) == 1 and release(postgres) == 1
