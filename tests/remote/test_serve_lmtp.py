"""``deskui serve lmtp`` as a real process on loopback, spoken to over a socket: a message to
two recipients gets one answer per recipient, is filed once (the second is a duplicate), and
the team follows the address it was sent to; a bad message is kept and still answered 250."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from deskui.services.catalog.seeding import seed_directory
from deskui.store.migrate import upgrade
from deskui.store.models import MailQuarantine, Ticket
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
NOW = "2026-11-24T14:00:00+00:00"


@pytest.fixture
def desk_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade(url)
    database = Database(url)
    try:
        seed_directory(database, SAMPLE_DATA, now=dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
    finally:
        database.dispose()
    return url


@pytest.fixture
def lmtp(desk_url: str) -> Iterator[int]:
    env = {**os.environ, "DESKUI_NOW": NOW}
    for name in ("DESKUI_SMTP_HOST", "DESKUI_MAIL_TEAM"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "deskui", "serve", "lmtp", "--listen", "127.0.0.1:0",
         "--db", desk_url],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode()
        found = re.search(r"LMTP on 127\.0\.0\.1:(\d+)", line)
        assert found, f"no ready line: {line!r}"
        yield int(found.group(1))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Lmtp:
    """A minimal LMTP client (smtplib's LMTP reads one DATA reply, not one per recipient)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=15)
        self.file = self.sock.makefile("rb")
        assert self.reply()[0].startswith("220")
        self.command("LHLO test.example")

    def reply(self) -> list[str]:
        lines = []
        while True:
            line = self.file.readline().decode().rstrip("\r\n")
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                return lines

    def command(self, text: str) -> list[str]:
        self.sock.sendall(text.encode() + b"\r\n")
        return self.reply()

    def send(self, sender: str, recipients: list[str], raw: bytes) -> list[str]:
        assert self.command(f"MAIL FROM:<{sender}>")[0].startswith("250")
        for recipient in recipients:
            assert self.command(f"RCPT TO:<{recipient}>")[0].startswith("250")
        assert self.command("DATA")[0].startswith("354")
        body = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        body = b"\r\n".join(
            b"." + line if line.startswith(b".") else line for line in body.split(b"\r\n")
        )
        self.sock.sendall(body + b"\r\n.\r\n")
        return [self.reply()[0] for _ in recipients]

    def close(self) -> None:
        self.command("QUIT")
        self.sock.close()


def _count(url: str, model: type) -> int:
    database = Database(url)
    try:
        with database.read() as session:
            return int(session.scalar(select(func.count(model.id))) or 0)
    finally:
        database.dispose()


def test_one_answer_per_recipient_and_the_message_filed_once(lmtp: int, desk_url: str) -> None:
    raw = (
        b"From: Rachel Hale <r.hale@oakfield-music.example>\r\n"
        b"To: support@paritor.example, enhancements@paritor.example\r\n"
        b"Subject: [High] Ensemble will not start\r\n"
        b"Message-ID: <lmtp1@oakfield-music.example>\r\n\r\n"
        b"Since this morning.\r\n.hidden dot line\r\n"
    )
    client = Lmtp(lmtp)
    try:
        answers = client.send(
            "r.hale@oakfield-music.example",
            ["support@paritor.example", "enhancements@paritor.example"],
            raw,
        )
        assert len(answers) == 2
        assert (
            answers[0].startswith("250") and "<support@paritor.example> opened DSK-" in answers[0]
        )
        assert answers[1].startswith("250") and "duplicate" in answers[1]
        bad = client.send("x@example", ["support@paritor.example"], b"no headers at all\r\n")
        assert bad[0].startswith("250") and "quarantine" in bad[0]
    finally:
        client.close()
    assert _count(desk_url, Ticket) == 1
    assert _count(desk_url, MailQuarantine) == 1


def test_mail_from_a_stranger_goes_to_the_team_it_was_sent_to(lmtp: int, desk_url: str) -> None:
    raw = (
        b"From: Someone New <new@unknown.example>\r\n"
        b"To: servicedesk@keystone.example\r\n"
        b"Subject: Orders will not print\r\nMessage-ID: <lmtp2@unknown.example>\r\n\r\nHelp\r\n"
    )
    client = Lmtp(lmtp)
    try:
        answer = client.send("new@unknown.example", ["servicedesk@keystone.example"], raw)
    finally:
        client.close()
    assert answer[0].startswith("250") and "opened" in answer[0]
    database = Database(desk_url)
    try:
        with database.read() as session:
            ticket = session.scalars(select(Ticket)).one()
            assert ticket.team.slug == "keystone"
    finally:
        database.dispose()
