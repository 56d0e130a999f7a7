"""`deskui ticket search`, `deskui view list|save|delete` and `deskui ticket list --view`
through ``deskui.cli.main``: output, JSON keys, and one-line errors with exit code 2."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from deskui.cli import main
from deskui.services import tickets
from deskui.services.actor import Actor
from deskui.services.catalog.seeding import seed_directory
from deskui.services.intake import open_ticket
from deskui.services.tickets.draft import TicketDraft
from deskui.store.migrate import upgrade
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
HIT_KEYS = {
    "reference",
    "subject",
    "status",
    "priority",
    "team",
    "organisation",
    "requester",
    "assignee",
    "opened_at",
    "resolved_at",
    "closed_at",
    "score",
    "snippet",
}

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def desk_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeded, with DSK-000001 (scanners, open) and DSK-000002 (printer, closed)."""
    path = tmp_path_factory.mktemp("search-cli") / "desk.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    database = Database(url)
    try:
        seed_directory(database, SAMPLE_DATA, now=NOW)
        for subject, body in (("Scanners down", "RF guns fail"), ("Label printer", "Jams")):
            draft = TicketDraft(
                team="kenco",
                organisation="acme-foods",
                contact_email="maria.lopez@acme-foods.example",
                channel="phone",
                category="technical",
                priority="location-down",
                subject=subject,
                description=body,
            )
            open_ticket(Actor.of(database, None, at=NOW), draft)
        agent = Actor.of(database, "dpatel", at=NOW)
        tickets.acknowledge(agent, "DSK-000002")
        tickets.reply(agent, "DSK-000002", "call-out", "Cleared the paper path")
        tickets.start_work(agent, "DSK-000002")
        tickets.resolve(agent, "DSK-000002", "fixed", breach_reason=None)
        tickets.close(agent, "DSK-000002")
    finally:
        database.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def cli(desk_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> Cli:
    db = tmp_path / "desk.db"
    shutil.copyfile(desk_file, db)
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("DESKUI_NOW", NOW.isoformat())
    monkeypatch.delenv("DESKUI_AGENT", raising=False)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main([*argv, "--db", f"sqlite:///{db}", "--config", str(config)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_search_text_and_json(cli: Cli) -> None:
    code, out, err = cli("ticket", "search", "paper path")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("DSK-000002\tclosed\t")
    code, out, _ = cli("ticket", "search", "acme", "--json", "--limit", "1")
    payload = json.loads(out)
    assert payload["query"] == "acme" and payload["more"] is True
    assert [t["reference"] for t in payload["tickets"]] == ["DSK-000002"]
    assert set(payload["tickets"][0]) == HIT_KEYS
    code, out, _ = cli("ticket", "search", "acme", "--open", "--json")
    assert [t["reference"] for t in json.loads(out)["tickets"]] == ["DSK-000001"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("ticket", "search", " -- "), "deskui: QUERY: type at least one word to search for\n"),
        (
            ("ticket", "search", "x", "--limit", "0"),
            "deskui: --limit must be at least 1, not '0'\n",
        ),
    ],
)
def test_search_errors_are_one_line(cli: Cli, argv: tuple[str, ...], message: str) -> None:
    assert cli(*argv) == (2, "", message)


def test_views_save_list_run_delete(cli: Cli) -> None:
    assert cli("view", "list", "--as", "dpatel")[1].splitlines()[0].startswith("mine\tMy tickets")
    code, out, err = cli(
        "view", "save", "done-acme", "--as", "dpatel", "--org", "acme-foods",
        "--status", "resolved", "--status", "closed", "--sort", "opened",
    )  # fmt: skip
    assert (code, out, err) == (0, "done-acme\n", "")
    code, out, _ = cli("view", "list", "--as", "dpatel", "--json")
    views = json.loads(out)["views"]
    assert [v["name"] for v in views] == ["mine", "unassigned", "open", "waiting", "done-acme"]
    assert views[-1]["statuses"] == ["closed", "resolved"] and views[-1]["sort"] == "opened"
    code, out, _ = cli("ticket", "list", "--view", "done-acme", "--as", "dpatel")
    assert code == 0 and [line.split("\t")[0] for line in out.splitlines()] == ["DSK-000002"]
    code, out, _ = cli("ticket", "list", "--view", "unassigned", "--as", "dpatel", "--json")
    payload = json.loads(out)
    assert payload["total"] == 1 and payload["tickets"][0]["reference"] == "DSK-000001"
    assert cli("view", "delete", "done-acme", "--as", "dpatel") == (0, "", "")
    assert "done-acme" not in cli("view", "list", "--as", "dpatel")[1]


def test_a_view_lists_breached_tickets_first(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three days on, DSK-000001 is breached; a newer ticket would head a view sorted newest
    first, but the breached band comes first, as in the app."""
    later = NOW + dt.timedelta(days=3)
    database = Database(f"sqlite:///{tmp_path / 'desk.db'}")
    try:
        draft = TicketDraft(
            team="kenco",
            organisation="acme-foods",
            contact_email="maria.lopez@acme-foods.example",
            channel="phone",
            category="training",
            priority="training",
            subject="How do I print a pick list?",
            description="New starter.",
        )
        newer = open_ticket(Actor.of(database, None, at=later), draft).reference
    finally:
        database.dispose()
    monkeypatch.setenv("DESKUI_NOW", later.isoformat())
    assert cli("view", "save", "newest", "--as", "dpatel", "--sort", "opened")[0] == 0
    code, out, _ = cli("ticket", "list", "--view", "newest", "--as", "dpatel")
    assert code == 0 and [line.split("\t")[0] for line in out.splitlines()] == [
        "DSK-000001",
        newer,
    ]
    payload = json.loads(cli("ticket", "list", "--view", "newest", "--as", "dpatel", "--json")[1])
    assert payload["breached"] == 1
    assert [t["reference"] for t in payload["tickets"]] == ["DSK-000001", newer]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("view", "list"), "--as is required: whose views (or set DESKUI_AGENT)"),
        (("view", "save", "x", "--as", "dpatel", "--team", "nope"), "--team: unknown team 'nope'"),
        (("view", "save", "x y", "--as", "dpatel"), "NAME: a view's name is 1 to 40"),
        (("view", "save", "x", "--as", "dpatel", "--status", "lost"), "--status: unknown status"),
        (("view", "save", "x", "--as", "dpatel", "--sort", "random"), "--sort: Input should be"),
        (("view", "save", "x", "--as", "nobody-here"), "--as: unknown agent 'nobody-here'"),
        (("view", "delete", "open", "--as", "dpatel"), "NAME: 'open' is a default view"),
        (("view", "delete", "nope", "--as", "dpatel"), "no view named 'nope' (known: mine,"),
        (("ticket", "list", "--view", "nope", "--as", "dpatel"), "no view named 'nope'"),
        (("ticket", "list", "--view", "mine", "--status", "all", "--as", "dpatel"), "--status:"),
    ],
)
def test_view_errors_are_one_line(cli: Cli, argv: tuple[str, ...], message: str) -> None:
    code, out, err = cli(*argv)
    assert (code, out) == (2, "")
    assert err.startswith("deskui: ") and message in err and err.count("\n") == 1
    assert "x" not in [
        line.split("\t")[0] for line in cli("view", "list", "--as", "dpatel")[1].splitlines()
    ]
