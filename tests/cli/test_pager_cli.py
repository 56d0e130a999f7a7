"""`deskui pager tick | run | list | ack` through ``deskui.cli.main`` on a seeded database
(SQLite and PostgreSQL), with a real SMTP server and webhook on loopback and ``DESKUI_NOW``
frozen on a Kenco weekday night; ``pager run`` stopped by SIGTERM in a real process."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from oncall_fixtures import *  # noqa: F403 (fixtures)
from pager_servers import *  # noqa: F403 (fixtures)
from pager_servers import Hook, Inbox, free_port

from deskui.cli import main
from deskui.services.actor import Actor
from deskui.services.intake import open_ticket
from deskui.services.tickets.draft import TicketDraft
from deskui.store.session import Database

WEEKDAY_NIGHT = dt.datetime(2026, 11, 25, 4, 0, tzinfo=dt.UTC)  # Tuesday 23:00 Eastern
PAGE_KEYS = {
    "id",
    "reference",
    "agent",
    "level",
    "channel",
    "target",
    "status",
    "attempts",
    "created_at",
    "sent_at",
    "next_attempt_at",
    "acknowledged_at",
    "last_error",
}

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def night_ticket(oncall_url: str) -> str:
    """A seeded database with one Kenco ticket logged on a weekday night; its reference."""
    database = Database(oncall_url)
    try:
        draft = TicketDraft(
            team="kenco",
            subject="Dock 4 scanners down",
            channel="phone",
            category="technical",
            organisation="acme-foods",
            priority="training",
        )
        return open_ticket(Actor.of(database, None, at=WEEKDAY_NIGHT), draft).reference
    finally:
        database.dispose()


@pytest.fixture
def cli(
    oncall_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    smtp_inbox: Inbox,
    webhook: Hook,
) -> Cli:
    """Run ``deskui pager ARGS``; (code, stdout, stderr). SMTP and webhook are on loopback."""
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("DESKUI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DESKUI_SMTP_PORT", str(smtp_inbox.port))
    monkeypatch.setenv("DESKUI_PAGER_WEBHOOK_URL", webhook.url)
    monkeypatch.setenv("DESKUI_NOW", WEEKDAY_NIGHT.isoformat())

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["pager", *argv, "--db", oncall_url, "--config", str(config)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def one_line_error(result: tuple[int, str, str], *needles: str) -> None:
    code, out, err = result
    assert (code, out) == (2, "")
    assert err.startswith("deskui: ") and err.count("\n") == 1, err
    for needle in needles:
        assert needle in err, err


def test_tick_delivers_and_list_shows_the_pages(
    cli: Cli, night_ticket: str, smtp_inbox: Inbox, webhook: Hook
) -> None:
    code, out, err = cli("tick", "--json")
    assert (code, err) == (0, "")
    summary = json.loads(out)
    assert summary["escalated"] == []
    assert sorted((o["agent"], o["channel"], o["result"]) for o in summary["outcomes"]) == [
        ("lchen", "email", "sent"),
        ("lchen", "webhook", "sent"),
    ]
    assert [m["To"] for m in smtp_inbox.received] == ["lin.chen@kenco.example"]
    assert [p["reference"] for p in webhook.posts] == [night_ticket]

    code, out, err = cli("list", "--ticket", night_ticket.lower(), "--json")
    assert (code, err) == (0, "")
    pages = json.loads(out)["pages"]
    assert len(pages) == 2 and all(set(p) == PAGE_KEYS for p in pages)
    assert {(p["status"], p["sent_at"], p["attempts"]) for p in pages} == {
        ("sent", "2026-11-25T04:00:00+00:00", 1)
    }
    code, out, _ = cli("list")
    assert code == 0
    # Text in the one date style, in the desk's zone (04:00 UTC is 23:00 in New York).
    assert f"{night_ticket} Tue 24 Nov 23:00 lchen (primary) email: sent, 1 attempt" in (
        out.splitlines()
    )
    # Nothing more is due.
    assert cli("tick") == (0, "", "")


def test_ack_stops_escalation_and_bad_ack_input(cli: Cli, night_ticket: str) -> None:
    assert cli("tick")[0] == 0
    code, out, err = cli("ack", night_ticket, "--as", "lchen")
    assert (code, out, err) == (0, f"acknowledged 2 pages of {night_ticket}\n", "")
    one_line_error(cli("ack", night_ticket, "--as", "lchen"), "no unacknowledged pages")
    one_line_error(cli("ack", night_ticket), "--as HANDLE is required")
    one_line_error(cli("ack", night_ticket, "--as", "nobody"), "unknown agent 'nobody'")
    one_line_error(cli("ack", "DSK-999999", "--as", "lchen"), "DSK-999999")
    code, out, _ = cli("list", "--status", "acknowledged", "--json")
    assert {p["status"] for p in json.loads(out)["pages"]} == {"acknowledged"}


def test_a_failed_page_is_listed_with_its_error(
    cli: Cli, night_ticket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/page"
    monkeypatch.setenv("DESKUI_PAGER_WEBHOOK_URL", dead)
    monkeypatch.setenv("DESKUI_PAGER_MAX_ATTEMPTS", "1")
    code, out, _ = cli("tick")
    assert code == 0
    assert f"{night_ticket} lchen webhook failed: webhook {dead} failed:" in out
    code, out, _ = cli("list", "--status", "failed")
    [line] = out.splitlines()
    assert line.startswith(f"{night_ticket} Tue 24 Nov 23:00 lchen (primary) webhook: ")
    assert f"failed, 1 attempt — webhook {dead} failed:" in line


def test_run_passes_and_bad_input(
    cli: Cli, night_ticket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli("run", "--passes", "1", "--interval", "0.01")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "pager running every 0.01 s (stop with SIGTERM or ctrl-c)"
    assert sorted(lines[1:3]) == [
        f"{night_ticket} lchen email sent",
        f"{night_ticket} lchen webhook sent",
    ]
    assert lines[-1] == "pager stopped"
    one_line_error(cli("run", "--interval", "0"), "--interval must be more than 0")
    one_line_error(cli("run", "--passes", "0"), "--passes must be at least 1")
    one_line_error(cli("list", "--ticket", "DSK-404"), "DSK-404")
    with pytest.raises(SystemExit) as exit_info:
        cli("list", "--status", "lost")
    assert exit_info.value.code == 2
    assert "invalid choice: 'lost'" in capsys.readouterr().err
    code = main(["pager", "tick", "--db", f"sqlite:///{tmp_path / 'empty.db'}"])
    out, err = capsys.readouterr()
    one_line_error((code, out, err), "no deskui schema yet")


@pytest.mark.parametrize("oncall_url", ["sqlite"], indirect=True)
def test_run_stops_cleanly_on_sigterm(oncall_url: str, night_ticket: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DESKUI_NOW": WEEKDAY_NIGHT.isoformat(),
        "DESKUI_PAGER_WEBHOOK_URL": f"http://127.0.0.1:{free_port()}/page",
        "DESKUI_PAGER_RETRY_SECONDS": "3600",
    }
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from deskui.cli import main; sys.exit(main())",
            *("pager", "run", "--db", oncall_url, "--config", str(config), "--interval", "30"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("pager running every 30 s")
        # The first pass ends with both channels failing (no SMTP host, dead webhook).
        assert process.stdout.readline().strip()
        assert process.stdout.readline().strip()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert out.splitlines()[-1] == "pager stopped"


def test_run_also_sends_queued_acknowledgements(
    cli: Cli, oncall_url: str, smtp_inbox: Inbox
) -> None:
    # A web ticket from the app's form: its acknowledgement waits in the outbox for the runner.
    database = Database(oncall_url)
    try:
        draft = TicketDraft(
            team="kenco",
            subject="Label printer offline",
            channel="web",
            category="technical",
            organisation="acme-foods",
            contact_email="maria.lopez@acme-foods.example",
            priority="training",
        )
        ref = open_ticket(
            Actor.of(database, None, at=WEEKDAY_NIGHT), draft, acknowledge=True
        ).reference
    finally:
        database.dispose()
    code, out, err = cli("run", "--passes", "1", "--interval", "0.01")
    assert (code, err) == (0, "")
    assert f"mail {ref} sent" in out.splitlines()
    subjects = [str(m["Subject"]) for m in smtp_inbox.received]
    acks = [s for s in subjects if f"[{ref}]" in s and "page" not in s.lower()]
    assert len(acks) == 1, subjects
