"""``deskui mail …`` through ``main`` on both backends: ingest from a file and stdin, the exit
codes an MTA relies on, the quarantine commands and the outbox (with aiosmtpd on loopback)."""

from __future__ import annotations

import datetime as dt
import io
import json
import socket
import sys
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from deskui.cli import main
from deskui.services.catalog.seeding import seed_directory
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
NOW = "2026-11-24T14:00:00+00:00"
MARIA = "maria.lopez@acme-foods.example"  # a Kenco liaison of Acme Foods

Cli = Callable[..., tuple[int, str, str]]


def message(subject: str = "RF guns cannot connect", message_id: str = "<a1@acme>") -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Maria Lopez <{MARIA}>"
    mail["To"] = "support@desk.example"
    mail["Subject"] = subject
    mail["Message-ID"] = message_id
    mail.set_content("None of the scanners in aisle 4 connect.")
    return mail.as_bytes()


class _Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.received: list[EmailMessage] = []

    def handle_message(self, message: EmailMessage) -> None:  # type: ignore[override]
        self.received.append(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Inbox]]:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


@pytest.fixture
def cli(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> Cli:
    database = Database(db_url)
    try:
        seed_directory(database, SAMPLE_DATA, now=dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
    finally:
        database.dispose()
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    for name in ("SMTP_HOST", "SMTP_PORT", "MAIL_TEAM", "MAIL_PRIORITIES"):
        monkeypatch.delenv(f"DESKUI_{name}", raising=False)

    def run(*argv: str, stdin: bytes | None = None, group: str = "mail") -> tuple[int, str, str]:
        monkeypatch.setenv("DESKUI_NOW", NOW)
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        code = main([group, *argv, "--db", db_url, "--config", str(config)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_ingest_from_a_file_prints_the_reference(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "in.eml"
    path.write_bytes(message())
    code, out, err = cli("ingest", str(path))
    assert (code, out, err) == (0, "DSK-000001\n", "")
    # A reply on stdin with the reference appends; --json says so.
    code, out, _ = cli("ingest", "--json", stdin=message("Re: [DSK-000001] any news?", "<a2@acme>"))
    assert code == 0
    assert json.loads(out) | {"notes": []} == {
        "action": "appended",
        "reference": "DSK-000001",
        "effect": None,
        "follows": None,
        "related": None,
        "quarantine_id": None,
        "reason": None,
        "notes": [],
    }
    code, out, _ = cli("outbox", "--json")
    [queued] = json.loads(out)
    assert (queued["reference"], queued["status"], queued["to"]) == ("DSK-000001", "pending", MARIA)


def test_an_unfileable_message_exits_65_and_is_listed(cli: Cli) -> None:
    code, out, err = cli("ingest", stdin=b"Subject: hi\r\n\r\nno sender\r\n")
    assert code == 65 and out == ""
    assert err.startswith("deskui: message quarantined (id 1): no From header")
    code, out, _ = cli("quarantine", "--json")
    [held] = json.loads(out)
    assert (held["id"], held["subject"], held["reviewed_at"]) == (1, "hi", None)
    assert "no From header" in held["reason"]
    code, out, _ = cli("quarantine")
    assert code == 0 and "no From header" in out
    # 14:00 UTC in the app's date style and the desk's zone (nobody signed in), not UTC.
    assert out.startswith("    1  Tue 24 Nov 09:00  -  hi  — no From header")
    assert held["received_at"].startswith("2026-11-24T14:00:00")  # JSON stays ISO
    code, out, err = cli("dismiss", "1", "--as", "amorgan", "--note", "test message")
    assert (code, out) == (0, "message 1 dismissed\n")
    code, out, _ = cli("quarantine")
    assert out == "no quarantined messages\n"
    code, out, err = cli("dismiss", "1", "--as", "amorgan", "--note", "again")
    assert code == 2 and "already reviewed" in err


def test_retry_from_the_quarantine_with_a_team(cli: Cli) -> None:
    raw = message().replace(MARIA.encode(), b"stranger@elsewhere.example")
    code, _, err = cli("ingest", stdin=raw)
    assert code == 65 and "cannot tell which team" in err
    code, out, err = cli("retry", "1", "--as", "amorgan", "--team", "nosuch")
    assert code == 2 and "unknown team 'nosuch'" in err
    code, out, err = cli("retry", "1", "--as", "amorgan", "--team", "kenco")
    assert (code, out, err) == (0, "DSK-000001\n", "")


def test_bad_input_is_one_clear_line(cli: Cli, tmp_path: Path) -> None:
    code, out, err = cli("ingest", str(tmp_path / "missing.eml"))
    assert code == 2 and out == "" and "cannot read" in err and err.count("\n") == 1
    code, _, err = cli("send-pending")
    assert code == 2 and "no SMTP server configured" in err


def test_send_pending_delivers_the_acknowledgement(
    cli: Cli, smtp: tuple[int, _Inbox], monkeypatch
) -> None:
    port, inbox = smtp
    # Ingest without mail set up: queued. Then send-pending with the server configured.
    assert cli("ingest", stdin=message())[0] == 0
    monkeypatch.setenv("DESKUI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DESKUI_SMTP_PORT", str(port))
    code, out, err = cli("send-pending", "--json")
    assert (code, err) == (0, "")
    assert [r["outcome"] for r in json.loads(out)] == ["sent"]
    assert inbox.received[0]["Subject"] == "[DSK-000001] Re: RF guns cannot connect"
    code, out, _ = cli("outbox")
    assert "sent" in out and "attempts 1" in out


def test_attachments_show_on_the_ticket(cli: Cli, monkeypatch) -> None:
    monkeypatch.setenv("DESKUI_MAIL_PRIORITIES", '{"kenco-wes": "software-error"}')
    mail = EmailMessage()
    mail["From"] = MARIA
    mail["Subject"] = "Photo of the error"
    mail.set_content("See the photo.")
    mail.add_attachment(b"\x89PNG....", maintype="image", subtype="png", filename="error.png")
    assert cli("ingest", stdin=mail.as_bytes())[:2] == (0, "DSK-000001\n")
    code, out, _ = cli("show", "DSK-000001", group="ticket")
    assert code == 0 and "    [attachment] error.png (8 bytes, image/png)" in out.splitlines()
    # Mail names no priority: the one configured for the policy (DESKUI_MAIL_PRIORITIES).
    assert "priority: software-error (Software error)" in out
    code, out, _ = cli("show", "DSK-000001", "--json", group="ticket")
    opening = json.loads(out)["interactions"][0]
    assert opening["attachments"] == [{"name": "error.png", "size": 8, "content_type": "image/png"}]
