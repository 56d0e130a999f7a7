"""Explaining a stored ticket's clocks: the service (both backends) and ``deskui sla explain``
through ``deskui.cli.main`` on a seeded SQLite database.

The case is issue 3's: a Velsoft High ticket opened Thu 24 Dec 2026 15:00 Halifax resolves
(1 working day = 8h30m) by Mon 28 Dec 15:00, skipping Christmas Day (Nova Scotia has no Boxing
Day holiday, so the 26th is just Saturday) and the weekend.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.cli import main
from deskui.services import intake, tickets
from deskui.services.actor import Actor
from deskui.services.errors import TicketNotFoundError
from deskui.services.tickets.sla_explain import explain_stored_ticket
from deskui.store.session import Database

HALIFAX = ZoneInfo("America/Halifax")
OPENED = dt.datetime(2026, 12, 24, 15, 0, tzinfo=HALIFAX)
MONDAY_9 = dt.datetime(2026, 12, 28, 9, 0, tzinfo=HALIFAX)

RESOLUTION = """\
resolution clock: velsoft-support / High (high)
target: 1d = 8h 30m business time on velsoft-halifax (America/Halifax)
opened: Thu 24 Dec 2026 15:00 AST
due: Mon 28 Dec 2026 15:00 AST
status: running, 6h 0m business time left
timeline:
  Thu 24 Dec 15:00–16:30               open: 1h 30m (total 1h 30m)
  Thu 24 Dec 16:30 – Fri 25 Dec 00:00  closed: outside opening hours
  Fri 25 Dec                           holiday: Christmas Day
  Sat 26 Dec – Sun 27 Dec              closed: weekend
  Mon 28 Dec 00:00–08:00               closed: outside opening hours
  Mon 28 Dec 08:00–15:00               open: 7h 0m (total 8h 30m)"""


def open_christmas_eve(database: Database, subject: str = "Learners locked out") -> str:
    draft = tickets.TicketDraft(
        team="velsoft",
        subject=subject,
        channel="phone",
        category="technical",
        contact_email="colleen@maritime-health.example",
        priority="high",
    )
    return intake.open_ticket(Actor.of(database, None, at=OPENED), draft).reference


def test_explanation_of_each_clock(desk: Database) -> None:
    ref = open_christmas_eve(desk)
    tickets.acknowledge(Actor.of(desk, "cmacdonald", at=OPENED + dt.timedelta(minutes=20)), ref)

    text = explain_stored_ticket(desk, ref, now=MONDAY_9)

    heading, acknowledgement, response, resolution = text.split("\n\n")
    assert heading.splitlines() == [
        f"{ref}: Learners locked out",
        "team: velsoft; status: acknowledged; as of Mon 28 Dec 2026 09:00 AST",
    ]
    assert acknowledgement.splitlines()[:6] == [
        "acknowledgement clock: velsoft-support / High (high)",
        "target: 2h business time on velsoft-halifax (America/Halifax)",
        "opened: Thu 24 Dec 2026 15:00 AST",
        "due: Mon 28 Dec 2026 08:30 AST",
        "met: Thu 24 Dec 2026 15:20 AST",
        "status: met on time",
    ]
    assert "due: Mon 28 Dec 2026 10:30 AST" in response.splitlines()
    assert resolution == RESOLUTION


def test_explanation_shows_the_pause(desk: Database) -> None:
    ref = open_christmas_eve(desk)
    by = "cmacdonald"
    tickets.acknowledge(Actor.of(desk, by, at=OPENED + dt.timedelta(minutes=5)), ref)
    tickets.set_waiting(Actor.of(desk, by, at=OPENED + dt.timedelta(hours=1)), ref, True)
    tickets.set_waiting(Actor.of(desk, by, at=MONDAY_9), ref, False)

    resolution = explain_stored_ticket(desk, ref, now=MONDAY_9).split("\n\n")[-1]

    lines = resolution.splitlines()
    # Waiting Thu 16:00-16:30 and Mon 08:00-09:00 (1h 30m of business time) moved the due.
    assert "due: Mon 28 Dec 2026 16:30 AST" in lines
    assert any("waiting on customer" in line and "moved the due" in line for line in lines)
    assert "  Thu 24 Dec 16:00–16:30" in "\n".join(lines)
    assert any(line.endswith("waiting on customer: 0h 30m not counted") for line in lines)
    assert any(line.endswith("waiting on customer: 1h 0m not counted") for line in lines)
    assert lines[-1].endswith("open: 7h 30m (total 8h 30m)")


def test_unknown_reference(desk: Database) -> None:
    with pytest.raises(TicketNotFoundError, match="DSK-000042"):
        explain_stored_ticket(desk, "DSK-000042", now=MONDAY_9)


# ---- through the command line --------------------------------------------------------------


@pytest.fixture
def cli_env(
    seeded_sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """Global options for a seeded SQLite copy and an empty config file; "now" is Monday 9:00."""
    path = tmp_path / "desk.db"
    shutil.copyfile(seeded_sqlite_template, path)
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("DESKUI_NOW", MONDAY_9.isoformat())
    return ["--db", f"sqlite:///{path}", "--config", str(config)]


def test_cli_explain(cli_env: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    database = Database(cli_env[1])
    try:
        ref = open_christmas_eve(database, subject="Locked out\x1b]0;owned\x07")
        expected = explain_stored_ticket(database, ref, now=MONDAY_9)
    finally:
        database.dispose()

    code = main(["sla", "explain", ref.lower(), *cli_env])

    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out == expected + "\n"
    assert out.endswith(RESOLUTION + "\n")
    # The customer's subject cannot send escape sequences to the terminal.
    assert "\x1b" not in out and "\x07" not in out and "Locked out␛]0;owned␇" in out


def test_cli_explain_unknown_reference(cli_env: list[str], capsys) -> None:
    code = main(["sla", "explain", "DSK-000777", *cli_env])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert "DSK-000777" in err and err.count("\n") == 1


def test_cli_explain_without_a_schema(tmp_path: Path, capsys) -> None:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    code = main(["sla", "explain", "DSK-000001", "--db", url, "--config", str(config)])
    _, err = capsys.readouterr()
    assert code == 2
    assert "no deskui schema" in err and err.count("\n") == 1
