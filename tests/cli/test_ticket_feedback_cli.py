"""`deskui ticket feedback REF --score N [--comment C] [--as HANDLE]` through ``deskui.cli.main``
on a seeded SQLite file: the rating lands in the log and the feedback table; a bad score or an
open ticket is one line on stderr, exit 2, nothing written."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from deskui.cli import main
from deskui.services import intake, tickets
from deskui.services.actor import Actor
from deskui.services.catalog.seeding import seed_directory
from deskui.services.tickets.draft import TicketDraft
from deskui.store.migrate import upgrade
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)  # Monday 10:00 New York
Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def desk_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded desk with DSK-000001 resolved and DSK-000002 still open (both Kenco)."""
    path = tmp_path_factory.mktemp("feedback-cli") / "desk.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    database = Database(url)
    try:
        seed_directory(database, SAMPLE_DATA, now=NOW)
        for subject in ("Label printer setup", "Scanner question"):
            draft = TicketDraft(
                team="kenco",
                organisation="acme-foods",
                contact_email="maria.lopez@acme-foods.example",
                channel="phone",
                category="training",
                priority="training",
                subject=subject,
                description="How do I…",
            )
            intake.open_ticket(Actor.of(database, None, at=NOW), draft)
        tickets.acknowledge(Actor.of(database, "dpatel", at=NOW), "DSK-000001")
        tickets.resolve(Actor.of(database, "dpatel", at=NOW), "DSK-000001", "Showed the setup")
    finally:
        database.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def db_path(desk_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "desk.db"
    shutil.copyfile(desk_file, path)
    return path


@pytest.fixture
def cli(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> Cli:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("DESKUI_NOW", (NOW + dt.timedelta(hours=1)).isoformat())

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["ticket", *argv, "--db", f"sqlite:///{db_path}", "--config", str(config)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def written(db_path: Path) -> tuple[object, ...]:
    with sqlite3.connect(db_path) as connection:
        return tuple(
            connection.execute(query).fetchall()
            for query in (
                "SELECT reference, version FROM ticket ORDER BY id",
                "SELECT count(*) FROM interaction",
                "SELECT ticket_id, score, comment FROM feedback",
            )
        )


def test_feedback_is_recorded_and_logged(cli: Cli, db_path: Path) -> None:
    code, out, err = cli("feedback", "DSK-000001", "--score", "5", "--comment", "Very clear")
    assert (code, err) == (0, "")
    assert out == "DSK-000001: feedback 5/5 recorded (version 4)\n"
    code, out, err = cli("feedback", "dsk-000001", "--score", "3", "--as", "dpatel", "--json")
    assert (code, err) == (0, "")
    ticket = json.loads(out)
    entries = [e for e in ticket["interactions"] if e["kind"] == "feedback"]
    assert [(e["meta"], e["body"], e["direction"]) for e in entries] == [
        ({"score": 5}, "Very clear", "in"),
        ({"score": 3}, "", "in"),
    ]
    assert entries[1]["author_handle"] == "dpatel"
    assert written(db_path)[2] == [(1, 5, "Very clear"), (1, 3, "")]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["DSK-000001", "--score", "6"], "deskui: --score: 6 is not from 1 to 5\n"),
        (["DSK-000001", "--score", "0"], "deskui: --score: 0 is not from 1 to 5\n"),
        (
            ["DSK-000001", "--score", "great"],
            "deskui: --score: 'great' is not a whole number from 1 to 5\n",
        ),
        (["DSK-000001"], "deskui: --score is required: a whole number from 1 to 5\n"),
        (
            ["DSK-000002", "--score", "4"],
            "deskui: DSK-000002 is new: feedback is recorded once it is resolved or closed\n",
        ),
        (["DSK-000099", "--score", "4"], "deskui: no ticket 'DSK-000099'\n"),
        (
            ["DSK-000001", "--score", "4", "--as", "nobody"],
            None,
        ),
    ],
)
def test_bad_feedback_is_one_line_and_writes_nothing(
    cli: Cli, db_path: Path, argv: list[str], message: str | None
) -> None:
    before = written(db_path)
    code, out, err = cli("feedback", *argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1, err
    if message is None:
        assert err.startswith("deskui: unknown agent 'nobody' (known: ")
    else:
        assert err == message
    assert written(db_path) == before
