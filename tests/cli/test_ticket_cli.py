"""`deskui ticket …` through ``deskui.cli.main`` on a seeded SQLite file: every command, the
JSON shape scripts rely on, and the error paths (one line on stderr, exit 2, nothing written).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from deskui.cli import main
from deskui.services.actor import Actor
from deskui.services.catalog.seeding import seed_directory
from deskui.services.intake import open_ticket
from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.lifecycle import get_ticket
from deskui.store.migrate import upgrade
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
# Monday 10:00 in Kenco's Eastern zone; Kenco's acknowledgement is 15m round the clock.
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
ACME = ["--org", "acme-foods", "--contact", "maria.lopez@acme-foods.example"]
NEW_BASICS = ["--channel", "phone", "--category", "technical", "--subject", "Scanners down"]

TICKET_KEYS = {
    "reference",
    "subject",
    "description",
    "status",
    "team",
    "organisation",
    "contact",
    "contract",
    "product",
    "channel",
    "category",
    "policy",
    "priority",
    "requested_priority",
    "assignee",
    "flags",
    "opened_at",
    "updated_at",
    "closed_at",
    "eta_at",
    "version",
    "next_clock",
    "next_due_at",
    "clocks",
    "interactions",
}
CLOCK_KEYS = {
    "target",
    "calendar",
    "due_at",
    "met_at",
    "state",
    "met",
    "breached",
    "business_seconds",
    "paused_business_seconds",
}
ENTRY_KEYS = {"id", "at", "kind", "direction", "author", "author_handle", "body", "meta"}
ENTRY_KEYS |= {"attachments"}

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ticket-cli") / "seeded.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    database = Database(url)
    try:
        seed_directory(database, SAMPLE_DATA, now=NOW)
    finally:
        database.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="module")
def ticketed_file(seeded_file: Path) -> Path:
    """The seeded desk with DSK-000001: Acme's location-down, opened at ``NOW`` by phone."""
    path = seeded_file.with_name("ticketed.db")
    shutil.copyfile(seeded_file, path)
    database = Database(f"sqlite:///{path}")
    try:
        draft = TicketDraft(
            team="kenco",
            organisation="acme-foods",
            contact_email="maria.lopez@acme-foods.example",
            channel="phone",
            category="technical",
            priority="location-down",
            subject="Scanners down",
            description="RF guns fail",
        )
        assert open_ticket(Actor.of(database, None, at=NOW), draft).reference == "DSK-000001"
    finally:
        database.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def ticket_ref(db_path: Path, ticketed_file: Path) -> str:
    """This test's database holds one ticket (as from ``new_ticket``): its reference."""
    shutil.copyfile(ticketed_file, db_path)
    return "DSK-000001"


@pytest.fixture
def db_path(seeded_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "desk.db"
    shutil.copyfile(seeded_file, path)
    return path


@pytest.fixture
def cli(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> Cli:
    """Run ``deskui ticket ARGS --db … --config …`` at ``NOW``; (exit code, stdout, stderr)."""
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("DESKUI_NOW", NOW.isoformat())

    def run(*argv: str, now: dt.datetime | None = None) -> tuple[int, str, str]:
        if now is not None:
            monkeypatch.setenv("DESKUI_NOW", now.isoformat())
        code = main(["ticket", *argv, "--db", f"sqlite:///{db_path}", "--config", str(config)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def stored(db_path: Path) -> tuple[object, ...]:
    """Everything a failed command must leave alone: tickets, log, feed, reference counter."""
    with sqlite3.connect(db_path) as connection:
        return tuple(
            connection.execute(query).fetchall()
            for query in (
                "SELECT reference, version, status, assignee_id FROM ticket ORDER BY id",
                "SELECT count(*) FROM interaction",
                "SELECT count(*) FROM event",
                "SELECT * FROM reference_counter",
            )
        )


def new_ticket(cli: Cli, *extra: str, priority: str = "location-down") -> str:
    """A new, unassigned ticket (``--no-route``: these tests take and assign it themselves;
    routing has its own tests)."""
    code, out, err = cli(
        "new",
        *ACME,
        *NEW_BASICS,
        "--priority",
        priority,
        "--body",
        "RF guns fail",
        "--no-route",
        *extra,
    )
    assert (code, err) == (0, "")
    return out.strip()


def show_json(cli: Cli, ref: str, now: dt.datetime | None = None) -> dict:
    code, out, err = cli("show", ref, "--json", now=now)
    assert (code, err) == (0, "")
    return json.loads(out)


def one_line_error(result: tuple[int, str, str], *names: str) -> str:
    code, out, err = result
    assert (code, out) == (2, "")
    assert err.startswith("deskui: ") and err.count("\n") == 1, err
    for name in names:
        assert name in err, (name, err)
    return err


# ---- new -----------------------------------------------------------------------------------


def test_new_prints_the_reference_alone(cli: Cli) -> None:
    code, out, err = cli(
        "new", *ACME, *NEW_BASICS, "--priority", "location-down", "--body", "RF guns fail"
    )
    assert (code, out, err) == (0, "DSK-000001\n", "")
    assert new_ticket(cli) == "DSK-000002"


def test_new_json_is_the_ticket(cli: Cli, db_path: Path) -> None:
    code, out, err = cli(
        "new",
        *ACME,
        *NEW_BASICS,
        "--priority",
        "location-down",
        "--requested-priority",
        "software-error",
        "--product",
        "kenco-wes",
        "--body",
        "RF guns fail",
        "--as",
        "jmorales",
        "--json",
    )
    assert (code, err) == (0, "")
    ticket = json.loads(out)
    assert set(ticket) == TICKET_KEYS
    assert ticket["reference"] == "DSK-000001"
    # The team comes from Acme's one active contract.
    assert (ticket["team"], ticket["policy"], ticket["organisation"]) == (
        "kenco",
        "kenco-wes",
        "acme-foods",
    )
    assert ticket["contract"] == {"reference": "KEN-ACME-2025", "status": "active"}
    assert ticket["contact"] == {
        "name": "Maria Lopez",
        "email": "maria.lopez@acme-foods.example",
        "is_liaison": True,
        "known": True,
    }
    assert ticket["priority"]["slug"] == "location-down"
    assert ticket["priority"]["label"] == "Location down"
    assert ticket["requested_priority"]["slug"] == "software-error"
    assert (ticket["product"], ticket["channel"], ticket["category"]) == (
        "kenco-wes",
        "phone",
        "technical",
    )
    # Routed on opening (Kenco: the least-loaded WES specialist; all at 0, the first handle).
    assert (ticket["status"], ticket["assignee"], ticket["flags"], ticket["version"]) == (
        "new",
        "dpatel",
        [],
        1,
    )
    assert ticket["opened_at"] == "2026-11-23T15:00:00+00:00"
    assert set(ticket["clocks"]) == {"acknowledgement", "response", "resolution"}
    for clock in ticket["clocks"].values():
        assert set(clock) == CLOCK_KEYS
    ack = ticket["clocks"]["acknowledgement"]
    assert ack == {
        "target": "15m on kenco-24x7",
        "calendar": "kenco-24x7",
        "due_at": "2026-11-23T15:15:00+00:00",
        "met_at": None,
        "state": "running",
        "met": False,
        "breached": False,
        "business_seconds": 900,
        "paused_business_seconds": 0,
    }
    assert ticket["clocks"]["resolution"]["state"] == "no-due"
    opening, routed, page = ticket["interactions"]
    assert routed["kind"] == "assignment-change"
    assert routed["body"].startswith("Routing rule ")
    assert "least-loaded kenco-wes specialist" in routed["body"]
    # A top-priority ticket also pages the on-call agent (see test_paging.py).
    assert (page["kind"], page["author_handle"]) == ("page", None)
    assert set(opening) == ENTRY_KEYS
    assert (opening["kind"], opening["direction"], opening["author"], opening["body"]) == (
        "call-in",
        "in",
        "Maria Lopez",
        "RF guns fail",
    )
    assert opening["author_handle"] == "jmorales"
    assert opening["at"] == "2026-11-23T15:00:00+00:00"
    # What --json printed is what is stored.
    assert show_json(cli, "DSK-000001") == ticket


def test_new_flags_but_logs_non_liaisons_and_no_entitlement(cli: Cli) -> None:
    code, out, _ = cli(
        "new",
        "--org",
        "great-lakes-beverage",
        "--contact",
        "Greg.Ellis@great-lakes-beverage.example",
        *NEW_BASICS,
        "--priority",
        "training",
        "--body",
        "How do I print labels?",
        "--json",
    )
    assert code == 0
    ticket = json.loads(out)
    assert ticket["flags"] == ["non-liaison"]
    assert ticket["contact"]["is_liaison"] is False

    # Northwind's contract expired: --team is needed, and the ticket is still logged.
    code, out, _ = cli(
        "new",
        "--team",
        "kenco",
        "--org",
        "northwind-logistics",
        "--contact",
        "kevin.park@northwind-logistics.example",
        *NEW_BASICS,
        "--priority",
        "location-down",
        "--body",
        "Everything is down",
        "--json",
    )
    assert code == 0
    ticket = json.loads(out)
    assert ticket["flags"] == ["no-entitlement"]
    assert ticket["contract"] == {"reference": None, "status": "none"}


def test_new_reads_the_body_from_stdin(cli: Cli, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Line one\nLine two\n"))
    code, out, _ = cli("new", *ACME, *NEW_BASICS, "--priority", "training", "--body", "-", "--json")
    assert code == 0
    assert json.loads(out)["interactions"][0]["body"] == "Line one\nLine two"


NEW_ERRORS = [
    (["--org", "acme"], "'acme'", "acme-foods"),
    (
        ["--contact", "who@nowhere.example"],
        "'who@nowhere.example'",
        "tom.becker@acme-foods.example",
    ),
    # A contact of another organisation is not Acme's.
    (["--contact", "kevin.park@northwind-logistics.example"], "kevin.park", "maria.lopez"),
    (["--priority", "urgent"], "'urgent'", "location-down"),
    (["--requested-priority", "p1"], "'p1'", "--requested-priority"),
    (["--channel", "pigeon"], "'pigeon'", "walk-in"),
    (["--category", "gossip"], "'gossip'", "hardware-network"),
    (["--team", "nowhere"], "'nowhere'", "itworks"),
    (["--product", "abacus"], "'abacus'", "kenco-wes"),
    (["--as", "nobody"], "'nobody'", "jmorales"),
    (["--body", "   "], "--body", "required"),
    (["--subject", ""], "--subject", "required"),
]


@pytest.mark.parametrize(("override", "bad", "known"), NEW_ERRORS)
def test_new_refuses_bad_input_writing_nothing(
    cli: Cli, ticket_ref: str, db_path: Path, override: list[str], bad: str, known: str
) -> None:
    before = stored(db_path)
    options = {
        "--org": "acme-foods",
        "--contact": "maria.lopez@acme-foods.example",
        "--channel": "phone",
        "--category": "technical",
        "--priority": "location-down",
        "--subject": "Scanners down",
        "--body": "RF guns fail",
    }
    options.update(dict(zip(override[::2], override[1::2], strict=True)))
    argv = [part for pair in options.items() for part in pair]
    one_line_error(cli("new", *argv), bad, known)
    assert stored(db_path) == before


@pytest.mark.parametrize(
    "missing",
    ["--org", "--contact", "--channel", "--category", "--priority", "--subject", "--body"],
)
def test_new_names_a_missing_option(cli: Cli, db_path: Path, missing: str) -> None:
    options = dict(zip(ACME[::2], ACME[1::2], strict=True))
    options.update(dict(zip(NEW_BASICS[::2], NEW_BASICS[1::2], strict=True)))
    options.update({"--priority": "location-down", "--body": "RF guns fail"})
    del options[missing]
    before = stored(db_path)
    one_line_error(cli("new", *[p for pair in options.items() for p in pair]), missing)
    assert stored(db_path) == before


def test_new_needs_a_team_without_one_active_contract(cli: Cli, db_path: Path) -> None:
    before = stored(db_path)
    err = one_line_error(
        cli(
            "new",
            "--org",
            "northwind-logistics",
            "--contact",
            "kevin.park@northwind-logistics.example",
            *NEW_BASICS,
            "--priority",
            "location-down",
            "--body",
            "down",
        ),
        "--team",
        "northwind-logistics",
        "kenco",
    )
    assert "no contract active" in err
    assert stored(db_path) == before
    # No reference was used up: the next ticket is the first.
    assert new_ticket(cli) == "DSK-000001"


# ---- show and list -------------------------------------------------------------------------


def test_show_text(cli: Cli, db_path: Path) -> None:
    code, out, _ = cli(
        "new",
        *ACME,
        "--channel",
        "email",
        "--category",
        "technical",
        "--priority",
        "location-down",
        "--subject",
        "Down\x1b]0;owned\x07",
        "--body",
        "All\nscanners\x1b[2J",
    )
    ref = out.strip()
    code, out, err = cli("show", ref.lower())
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "DSK-000001: Down␛]0;owned␇"
    # No product: routed to whoever is on call (the Kenco rule's fallback).
    assert "status: new; assignee: lchen; version 1" in lines
    assert any(
        line.split()
        == [
            "acknowledgement",
            "running",
            "due",
            *("Mon", "23", "Nov", "10:15"),  # the app's date style in the desk's zone
            "(15m",
            "left)",
            "[15m",
            "on",
            "kenco-24x7]",
        ]
        for line in lines
    ), out
    opening = lines.index("  Mon 23 Nov 10:00 email-in (in) Maria Lopez")
    assert lines[opening + 1 : opening + 3] == ["    All", "    scanners␛[2J"]
    assert lines[-4] == "  Mon 23 Nov 10:00 assignment-change (internal) system"
    assert lines[-3].startswith("    Routing rule ") and "on call" in lines[-3]
    # A top-priority ticket pages the on-call agent: the log's last entry says so.
    assert lines[-2:] == [
        "  Mon 23 Nov 10:00 page (internal) system",
        "    paging Lin Chen (lchen) as primary by email and webhook: top priority",
    ]
    assert "\x1b" not in out and "\x07" not in out


def test_show_text_is_in_the_signed_in_agents_zone(cli: Cli, monkeypatch) -> None:
    ref = new_ticket(cli)
    monkeypatch.setenv("DESKUI_AGENT", "gharris")  # Europe/London: 15:00 UTC reads 15:00
    code, out, err = cli("show", ref)
    assert (code, err) == (0, "")
    assert "opened: Mon 23 Nov 15:00" in out.splitlines()
    code, out, _ = cli("show", ref, "--json")
    assert json.loads(out)["opened_at"] == "2026-11-23T15:00:00+00:00"  # JSON stays ISO UTC


def test_show_unknown_reference(cli: Cli) -> None:
    one_line_error(cli("show", "DSK-000404"), "DSK-000404")


def test_list(cli: Cli) -> None:
    first = new_ticket(cli)
    second = new_ticket(cli, priority="training")
    code, out, _ = cli("status", first, "acknowledged", "--as", "jmorales")
    assert code == 0
    code, out, _ = cli("list", "--json")
    assert code == 0
    rows = json.loads(out)["tickets"]
    assert [row["reference"] for row in rows] == [first, second]
    assert set(rows[0]) == {
        "reference",
        "subject",
        "status",
        "priority",
        "team",
        "organisation",
        "assignee",
        "next_clock",
        "next_due_at",
        "opened_at",
        "version",
    }
    assert (rows[0]["status"], rows[0]["assignee"], rows[0]["version"]) == (
        "acknowledged",
        "jmorales",
        2,
    )
    assert (rows[0]["next_clock"], rows[0]["next_due_at"]) == (
        "response",
        "2026-11-23T15:15:00+00:00",
    )

    code, out, _ = cli("list", "--status", "new")
    assert code == 0
    due = dt.datetime.fromisoformat(show_json(cli, second)["clocks"]["acknowledgement"]["due_at"])
    local = due.astimezone(ZoneInfo("America/New_York")).strftime("%a %d %b %H:%M")
    assert out.splitlines() == [
        f"{second}\tnew\ttraining\t-\tacknowledgement due {local}\tScanners down"
    ]

    cli("status", first, "resolved", "--as", "jmorales", "--note", "Rebooted the controller")
    code, out, _ = cli("list", "--json")
    assert [row["reference"] for row in json.loads(out)["tickets"]] == [second]
    code, out, _ = cli("list", "--status", "resolved", "--json")
    assert [row["reference"] for row in json.loads(out)["tickets"]] == [first]
    code, out, _ = cli("list", "--status", "all", "--limit", "1", "--json")
    assert len(json.loads(out)["tickets"]) == 1


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["--status", "done"], ["'done'", "waiting-on-customer", "open"]),
        (["--limit", "0"], ["--limit"]),
    ],
)
def test_list_bad_options(cli: Cli, argv: list[str], names: list[str]) -> None:
    one_line_error(cli("list", *argv), *names)


# ---- note, reply, assign -------------------------------------------------------------------


def test_note(cli: Cli, ticket_ref: str) -> None:
    ref = ticket_ref
    code, out, err = cli("note", ref, "--as", "jmorales", "--body", "Checked the AP logs")
    assert (code, out, err) == (0, f"{ref}: note added (version 2)\n", "")
    ticket = show_json(cli, ref)
    note = ticket["interactions"][-1]
    assert (note["kind"], note["direction"], note["author_handle"], note["body"]) == (
        "note",
        "internal",
        "jmorales",
        "Checked the AP logs",
    )
    # A note is not a reply: the clocks still run.
    assert ticket["clocks"]["acknowledgement"]["state"] == "running"


def test_reply_meets_the_clocks(cli: Cli, ticket_ref: str) -> None:
    ref = ticket_ref
    later = NOW + dt.timedelta(minutes=10)
    code, out, _ = cli(
        "reply",
        ref,
        "--as",
        "jmorales",
        "--body",
        "On it",
        "--kind",
        "call-out",
        "--json",
        now=later,
    )
    assert code == 0
    ticket = json.loads(out)
    assert ticket["interactions"][-1]["kind"] == "call-out"
    assert ticket["interactions"][-1]["direction"] == "out"
    response = ticket["clocks"]["response"]
    assert (response["state"], response["met"], response["breached"]) == ("met", True, False)
    assert response["met_at"] == "2026-11-23T15:10:00+00:00"
    assert response["business_seconds"] == 300  # met five minutes early
    code, out, _ = cli("reply", ref, "--as", "jmorales", "--body", "Fixed")
    assert show_json(cli, ref)["interactions"][-1]["kind"] == "email-out"


def test_assign(cli: Cli, ticket_ref: str) -> None:
    ref = ticket_ref
    code, out, _ = cli("assign", ref, "dpatel", "--as", "jmorales")
    assert (code, out) == (0, f"{ref}: assigned to dpatel (version 2)\n")
    code, out, _ = cli("assign", ref, "lchen", "--json")
    ticket = json.loads(out)
    assert ticket["assignee"] == "lchen"
    by_agent, by_script = ticket["interactions"][-2:]
    assert (by_agent["kind"], by_agent["author_handle"], by_agent["meta"]) == (
        "assignment-change",
        "jmorales",
        {"from": None, "to": "dpatel"},
    )
    assert (by_script["author_handle"], by_script["author"]) == (None, "system")
    assert by_script["meta"] == {"from": "dpatel", "to": "lchen"}


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["note", "{ref}", "--as", "jmorales"], ["--body"]),
        (["note", "{ref}", "--as", "jmorales", "--body", " \n"], ["--body"]),
        (["note", "{ref}", "--body", "x"], ["--as"]),
        (["note", "{ref}", "--as", "zz", "--body", "x"], ["'zz'", "jmorales"]),
        (["note", "DSK-000099", "--as", "jmorales", "--body", "x"], ["DSK-000099"]),
        (["reply", "{ref}", "--as", "jmorales"], ["--body"]),
        (
            ["reply", "{ref}", "--as", "jmorales", "--body", "x", "--kind", "fax-in"],
            ["'fax-in'", "email-out"],
        ),
        (["reply", "DSK-000099", "--as", "jmorales", "--body", "x"], ["DSK-000099"]),
        (["assign", "{ref}", "bob"], ["'bob'", "dpatel"]),
        (["assign", "{ref}", "dpatel", "--as", "bob"], ["'bob'", "dpatel"]),
        (["assign", "DSK-000099", "dpatel"], ["DSK-000099"]),
        (["status", "{ref}", "done", "--as", "jmorales"], ["'done'", "waiting-on-customer"]),
        (["status", "{ref}", "closed", "--as", "jmorales"], ["closed", "acknowledged"]),
        (["status", "{ref}", "acknowledged"], ["--as"]),
        (["status", "{ref}", "acknowledged", "--as", "bob"], ["'bob'"]),
        (["status", "DSK-000099", "acknowledged", "--as", "jmorales"], ["DSK-000099"]),
    ],
)
def test_changes_refuse_bad_input_writing_nothing(
    cli: Cli, ticket_ref: str, db_path: Path, argv: list[str], names: list[str]
) -> None:
    ref = ticket_ref
    before = stored(db_path)
    one_line_error(cli(*[part.format(ref=ref) for part in argv]), *names)
    assert stored(db_path) == before


# ---- status --------------------------------------------------------------------------------


def test_status_through_the_lifecycle(cli: Cli) -> None:
    ref = new_ticket(cli, priority="training")
    steps = [
        ("acknowledged", []),
        ("in-progress", []),
        ("waiting-on-customer", ["--note", "Asked for the label printer model"]),
        ("in-progress", []),
        ("resolved", ["--note", "Walked them through label setup"]),
        ("in-progress", ["--note", "Labels still misprint"]),
        ("resolved", ["--note", "Replaced the template"]),
        ("closed", []),
    ]
    for version, (status, extra) in enumerate(steps, start=2):
        code, out, err = cli("status", ref, status, "--as", "jmorales", *extra)
        assert (code, out, err) == (0, f"{ref}: now {status} (version {version})\n", "")
    ticket = show_json(cli, ref)
    assert ticket["status"] == "closed"
    assert ticket["closed_at"] == "2026-11-23T15:00:00+00:00"
    changes = [
        (entry["meta"].get("from"), entry["meta"].get("to"), entry["body"])
        for entry in ticket["interactions"]
        if entry["kind"] == "status-change"
    ]
    assert changes[1] == ("in-progress", "waiting-on-customer", "Asked for the label printer model")
    assert changes[4] == ("resolved", "in-progress", "Labels still misprint")
    assert [to for _, to, _ in changes][-1] == "closed"
    assert ticket["clocks"]["resolution"]["met"] is True


def test_resolving_a_breached_ticket_needs_a_breach_reason(
    cli: Cli, ticket_ref: str, db_path: Path
) -> None:
    ref = ticket_ref
    late = NOW + dt.timedelta(hours=2)
    cli("status", ref, "acknowledged", "--as", "jmorales", now=late)
    ticket = show_json(cli, ref, now=late)
    ack = ticket["clocks"]["acknowledgement"]
    assert (ack["state"], ack["met"], ack["breached"]) == ("breached", True, True)
    assert ack["business_seconds"] == -(105 * 60)
    assert ticket["clocks"]["response"]["breached"] is True

    before = stored(db_path)
    one_line_error(
        cli("status", ref, "resolved", "--as", "jmorales", "--note", "Fixed", now=late),
        "--breach-reason",
        "acknowledgement",
    )
    assert stored(db_path) == before
    one_line_error(cli("status", ref, "resolved", "--as", "jmorales", now=late), "--note")

    code, out, _ = cli(
        "status",
        ref,
        "resolved",
        "--as",
        "jmorales",
        "--note",
        "Fixed",
        "--breach-reason",
        "Paged engineer did not answer",
        "--json",
        now=late,
    )
    assert code == 0
    resolved = json.loads(out)["interactions"][-1]
    assert resolved["meta"]["breach_reason"] == "Paged engineer did not answer"
    assert resolved["meta"]["to"] == "resolved"


def test_json_clocks_match_the_service(cli: Cli, db_path: Path) -> None:
    ref = new_ticket(cli, priority="training")
    cli("status", ref, "acknowledged", "--as", "jmorales")
    later = NOW + dt.timedelta(days=1)
    cli("status", ref, "waiting-on-customer", "--as", "jmorales", now=later)
    paused = show_json(cli, ref, now=later)["clocks"]["resolution"]
    ticket = show_json(cli, ref, now=later + dt.timedelta(hours=5))
    database = Database(f"sqlite:///{db_path}")
    try:
        view = get_ticket(database, ref, now=later + dt.timedelta(hours=5))
    finally:
        database.dispose()
    for clock in view.clocks:
        shown = ticket["clocks"][clock.clock]
        assert shown["state"] == clock.state
        due = dt.datetime.fromisoformat(shown["due_at"]) if shown["due_at"] else None
        assert due == clock.due_at
        assert shown["business_seconds"] == clock.business_seconds
    resolution = ticket["clocks"]["resolution"]
    assert resolution["state"] == "paused"
    # Waiting on the customer used none of the resolution time.
    assert resolution["business_seconds"] == paused["business_seconds"] > 0


def test_without_a_schema(tmp_path: Path, capsys, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    code = main(["ticket", "list", "--db", url, "--config", str(config)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert "no deskui schema" in err and err.count("\n") == 1


# ---- contact -------------------------------------------------------------------------------


def test_contact_resumes_a_waiting_ticket_and_reopens_a_resolved_one(cli: Cli) -> None:
    ref = new_ticket(cli)
    assert cli("status", ref, "acknowledged", "--as", "jmorales")[0] == 0
    assert cli("status", ref, "waiting-on-customer", "--as", "jmorales")[0] == 0
    code, out, err = cli("contact", ref, "--body", "Here are the logs")
    assert (code, err) == (0, "")
    assert "contact logged (waiting-on-customer → in-progress)" in out
    assert (
        cli(
            "status", ref, "resolved", "--as", "jmorales", "--note", "Fixed", "--breach-reason", "x"
        )[0]
        == 0
    )
    code, out, _ = cli("contact", ref, "--kind", "email-in", "--body", "It broke again")
    assert code == 0 and "(resolved → in-progress)" in out
    ticket = show_json(cli, ref)
    assert ticket["interactions"][-1]["kind"] == "status-change"


def test_contact_bad_input_is_one_line(cli: Cli) -> None:
    ref = new_ticket(cli)
    one_line_error(cli("contact", ref), "--body")
    one_line_error(cli("contact", ref, "--kind", "email-out", "--body", "x"), "email-out")
    one_line_error(cli("contact", "DSK-999999", "--body", "x"), "DSK-999999")
