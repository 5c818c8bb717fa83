"""A release worker killed mid-release (SIGKILL), then started again: every sealed submission
ends up released exactly once; none lost, none twice (DESIGN.md 6.3)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from bench._sealed import item_ids, seal_submissions
from bench._seed import seed_launched_round
from bench._servers import ROOT, flask_command, kill_group
from tests.faults.conftest import Processes
from tests.faults.mail_support import wait_until
from tests.faults.support import Database

SUBMISSIONS = 6_000


def _release(database: Database, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            flask_command("mix", "release"),
            cwd=ROOT,
            env=database.env(),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _writing(database: Database) -> bool:
    """The release is inside its transaction, writing rows (PostgreSQL: seen from outside)."""
    return bool(
        database.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'chorus-faults-app' "
            "AND (query ILIKE 'COPY answer%' OR query ILIKE 'COPY comment%' "
            "OR query ILIKE 'INSERT INTO comment%' OR query ILIKE 'DELETE FROM sealed%')"
        )
    )


def test_release_killed_mid_way_then_run_again_releases_each_submission_once(
    postgres: Database, processes: Processes, tmp_path: Path
) -> None:
    database = postgres
    seeded = seed_launched_round(database.app, {"parents": 5})
    items = item_ids(database.app, seeded.round_id, 40)
    seal_submissions(database.app, seeded.round_id, "parents", SUBMISSIONS, items)

    first = processes.track(_release(database, tmp_path / "first.log"))
    wait_until(lambda: _writing(database) or first.poll() is not None, 60, "the release to write")
    assert first.poll() is None, "the release ended before it could be killed"
    kill_group(first)
    time.sleep(0.5)  # PostgreSQL notices the dropped connection and rolls its transaction back
    wait_until(
        lambda: (
            not database.scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'chorus-faults-app'"
            )
        ),
        30,
        "the killed connection to go",
    )
    # All or nothing: the kill left every submission sealed and no response.
    assert database.scalar("SELECT count(*) FROM response") == 0
    assert database.scalar("SELECT count(*) FROM sealed_submission") == SUBMISSIONS

    second = processes.track(_release(database, tmp_path / "second.log"))
    assert second.wait(120) == 0, (tmp_path / "second.log").read_text()
    assert database.scalar("SELECT count(*) FROM sealed_submission") == 0
    assert database.scalar("SELECT count(*) FROM response") == SUBMISSIONS
    assert database.scalar("SELECT count(*) FROM answer") == SUBMISSIONS * len(items)
    texts = [row[0] for row in database.rows("SELECT text FROM comment")]
    assert sorted(texts) == sorted(f"#{n}" for n in range(SUBMISSIONS))  # each exactly once
    assert database.scalar("SELECT sum(count) FROM response_day_count") == SUBMISSIONS
