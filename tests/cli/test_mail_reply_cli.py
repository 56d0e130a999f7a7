"""Mail both ways from the command line, with an SMTP sink (aiosmtpd) on loopback: a known
contact's mail is filed, ``deskui ticket reply --kind email-out`` delivers a threaded reply,
the customer's answer with a changed subject lands on the same ticket, and resolving tells
the client where the team says so."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from mail_helpers import Inbox, free_port

from deskui.cli import main
from deskui.services.catalog.seeding import seed_directory
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
NOW = "2026-11-24T14:00:00+00:00"
MARIA = "maria.lopez@acme-foods.example"  # a Kenco liaison of Acme Foods
COLLEEN = "colleen@maritime-health.example"  # a Velsoft liaison

Cli = Callable[..., tuple[int, str, str]]


def customer_mail(
    sender: str,
    subject: str,
    message_id: str,
    *,
    in_reply_to: str | None = None,
    cc: str | None = None,
    body: str = "None of the scanners in aisle 4 connect.",
) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "wes-helpdesk@kenco.example"
    if cc:
        mail["Cc"] = cc
    mail["Subject"] = subject
    mail["Message-ID"] = message_id
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
    mail.set_content(body)
    return mail.as_bytes()


@pytest.fixture
def sink() -> Iterator[Inbox]:
    inbox = Inbox(free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def cli(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch, sink: Inbox
) -> Cli:
    database = Database(db_url)
    try:
        seed_directory(database, SAMPLE_DATA, now=dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
    finally:
        database.dispose()
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    for name in ("MAIL_TEAM", "MAIL_PRIORITIES"):
        monkeypatch.delenv(f"DESKUI_{name}", raising=False)
    monkeypatch.setenv("DESKUI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DESKUI_SMTP_PORT", str(sink.port))
    monkeypatch.setenv("DESKUI_MAIL_FROM", "desk@support.example")
    monkeypatch.setenv("DESKUI_NOW", NOW)

    def run(*argv: str, stdin: bytes | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        code = main([*argv, "--db", db_url, "--config", str(config)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def text(message: EmailMessage) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def _ticket(cli: Cli, ref: str) -> dict:
    code, out, err = cli("ticket", "show", ref, "--json")
    assert code == 0, err
    return json.loads(out)


def test_a_reply_goes_out_threaded_and_the_answer_comes_back(cli: Cli, sink: Inbox) -> None:
    first = customer_mail(
        f"Maria Lopez <{MARIA}>",
        "RF guns cannot connect",
        "<q1@acme-foods.example>",
        cc="Tom Becker <tom.becker@acme-foods.example>",
    )
    code, out, err = cli("mail", "ingest", "-", stdin=first)
    assert (code, err) == (0, ""), err
    ref = out.strip()
    # The acknowledgement threads under the customer's message too.
    assert len(sink.received) == 1
    ack = sink.received[0]
    assert ack["In-Reply-To"] == "<q1@acme-foods.example>"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["From"] == "wes-helpdesk@kenco.example"

    code, out, err = cli(
        "ticket", "reply", ref, "--as", "jmorales", "--kind", "email-out",
        "--body", "We are looking at the access points now.",
    )  # fmt: skip
    assert code == 0, err
    assert "sent" in out
    assert len(sink.received) == 2
    reply = sink.received[1]
    assert reply["To"] == MARIA
    assert reply["Cc"] == "tom.becker@acme-foods.example"
    assert reply["From"] == "wes-helpdesk@kenco.example"
    assert f"[{ref}]" in reply["Subject"]
    assert reply["In-Reply-To"] == "<q1@acme-foods.example>"
    assert "<q1@acme-foods.example>" in reply["References"]
    assert reply["Auto-Submitted"] == "no"
    assert str(reply["Message-ID"]).strip().endswith("@support.example>")
    assert "We are looking at the access points now." in text(reply)
    assert "Kenco WES help desk" in text(reply)  # the team's signature

    # The customer answers our reply with a different subject: it threads by In-Reply-To.
    answer = customer_mail(
        f"Maria Lopez <{MARIA}>",
        "scanners working again",
        "<q2@acme-foods.example>",
        in_reply_to="".join(str(reply["Message-ID"]).split()),
    )
    code, out, err = cli("mail", "ingest", "--json", "-", stdin=answer)
    assert code == 0, err
    result = json.loads(out)
    assert (result["action"], result["reference"]) == ("appended", ref)
    kinds = [entry["kind"] for entry in _ticket(cli, ref)["interactions"]]
    assert kinds.count("email-in") == 2 and "email-out" in kinds


def test_a_reply_that_cannot_be_sent_stays_in_the_outbox(
    cli: Cli, sink: Inbox, monkeypatch
) -> None:
    code, out, _ = cli(
        "mail", "ingest", "-",
        stdin=customer_mail(f"Maria Lopez <{MARIA}>", "RF guns", "<f1@acme-foods.example>"),
    )  # fmt: skip
    ref = out.strip()
    monkeypatch.setenv("DESKUI_SMTP_PORT", str(free_port()))  # nobody listens there
    code, out, err = cli(
        "ticket", "reply", ref, "--as", "jmorales", "--body", "Trying the access points."
    )
    assert code == 0, err
    assert "kept in the outbox" in out
    code, out, _ = cli("mail", "outbox", "--json")
    rows = json.loads(out)
    reply = next(r for r in rows if r["purpose"] == "reply")
    assert reply["status"] == "pending" and reply["attempts"] == 1 and reply["last_error"]
    log = _ticket(cli, ref)["interactions"]
    assert any(e["kind"] == "email-out" for e in log)
    assert any(e["kind"] == "system" and "not sent yet" in e["body"] for e in log)


def test_resolving_a_velsoft_case_emails_the_resolution(cli: Cli, sink: Inbox) -> None:
    mail = customer_mail(
        f"Colleen Doyle <{COLLEEN}>", "Course player blank", "<v1@maritime-health.example>"
    )
    code, out, err = cli("mail", "ingest", "-", stdin=mail)
    assert code == 0, err
    ref = out.strip()
    code, _out, err = cli("ticket", "status", ref, "acknowledged", "--as", "amorgan")
    assert code == 0, err
    code, out, err = cli(
        "ticket", "status", ref, "resolved", "--as", "amorgan",
        "--note", "The course cache was rebuilt.",
    )  # fmt: skip
    assert code == 0, err
    notice = sink.received[-1]
    assert notice["To"] == COLLEEN and f"[{ref}]" in notice["Subject"]
    assert "The course cache was rebuilt." in text(notice)
    assert notice["In-Reply-To"] == "<v1@maritime-health.example>"
    # Kenco does not tell the client by default; --tell-client does.
    code, out, _ = cli(
        "mail", "ingest", "-",
        stdin=customer_mail(f"Maria Lopez <{MARIA}>", "Printer", "<k9@acme-foods.example>"),
    )  # fmt: skip
    kenco = out.strip()
    agent = _ticket(cli, kenco)["assignee"] or "jmorales"
    assert cli("ticket", "status", kenco, "acknowledged", "--as", agent)[0] == 0
    before = len(sink.received)
    assert cli("ticket", "status", kenco, "resolved", "--as", agent, "--note", "Fixed.")[0] == 0
    assert len(sink.received) == before
