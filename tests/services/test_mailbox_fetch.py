"""``deskui mail fetch`` against a real Dovecot on loopback (``tests/dovecot.py``): every
message of a mailbox is filed once, also when the fetch dies between filing and marking, and
when the process is killed half-way and run again; moved or flagged after filing."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from dovecot import DovecotServer
from dovecot import dovecot as dovecot  # the fixture
from imapclient import IMAPClient
from sqlalchemy import func, select, update

from deskui.domain.timesource import FrozenTime
from deskui.services.actor import Actor
from deskui.services.catalog.seeding import seed_directory
from deskui.services.intake import mailbox_fetch
from deskui.settings import Settings
from deskui.store.migrate import upgrade
from deskui.store.models import MailMessage, Team, Ticket
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
AT = dt.datetime(2026, 2, 2, 13, 0, tzinfo=dt.UTC)
COLLEEN = "colleen@maritime-health.example"


def message(number: int, *, with_id: bool = True) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Colleen Doyle <{COLLEEN}>"
    mail["To"] = "support@velsoft.example"
    mail["Subject"] = f"Course {number} will not open"
    if with_id:
        mail["Message-ID"] = f"<fetch{number}.{uuid.uuid4().hex}@maritime-health.example>"
    mail.set_content(f"Learners cannot open course {number}.")
    return mail.as_bytes()


@pytest.fixture
def folder(dovecot: DovecotServer) -> Iterator[str]:
    """A fresh folder of its own for each test, removed after."""
    name = f"t{uuid.uuid4().hex[:10]}"
    with IMAPClient(dovecot.host, dovecot.port, ssl=False) as client:
        client.login(dovecot.user, dovecot.password)
        client.create_folder(name)
    yield name
    with IMAPClient(dovecot.host, dovecot.port, ssl=False) as client:
        client.login(dovecot.user, dovecot.password)
        for existing in (name, f"{name}.Filed", f"{name}/Filed"):
            if client.folder_exists(existing):
                client.delete_folder(existing)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade(url)
    database = Database(url)
    seed_directory(database, SAMPLE_DATA, now=AT)
    try:
        yield database
    finally:
        database.dispose()


def configure(
    desk: Database, server: DovecotServer, folder: str, *, move_to: str | None = None
) -> None:
    """Give Velsoft one mailbox on the test server (the password from the environment)."""
    with desk.write() as session:
        mail = dict(session.scalar(select(Team.mail).where(Team.slug == "velsoft")) or {})
        box = {
            "host": server.host,
            "port": server.port,
            "tls": "none",
            "user": server.user,
            "password_env": "DESKUI_TEST_IMAP_PASSWORD",
            "folder": folder,
        }
        if move_to is not None:
            box["move_to"] = move_to
        mail["mailboxes"] = [box]
        session.execute(update(Team).where(Team.slug == "velsoft").values(mail=mail))


def deliver(server: DovecotServer, folder: str, messages: list[bytes]) -> None:
    with IMAPClient(server.host, server.port, ssl=False) as client:
        client.login(server.user, server.password)
        for raw in messages:
            client.append(folder, raw)


def waiting(server: DovecotServer, folder: str, criteria: str = "UNSEEN") -> int:
    with IMAPClient(server.host, server.port, ssl=False) as client:
        client.login(server.user, server.password)
        client.select_folder(folder, readonly=True)
        return len(client.search([criteria]))


def filed(desk: Database) -> tuple[int, int]:
    """(tickets, distinct inbound message ids)."""
    with desk.read() as session:
        tickets = session.scalar(select(func.count(Ticket.id))) or 0
        inbound = (
            session.scalar(
                select(func.count(MailMessage.id)).where(MailMessage.direction == "inbound")
            )
            or 0
        )
        return int(tickets), int(inbound)


def system(desk: Database) -> Actor:
    """Mail intake as the fetch command runs it: the system, on a clock, with settings."""
    return Actor(desk, None, FrozenTime(AT), Settings.model_construct())


@pytest.fixture(autouse=True)
def _password(dovecot: DovecotServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKUI_TEST_IMAP_PASSWORD", dovecot.password)


def test_fetch_files_every_message_once_and_flags_it(
    desk: Database, dovecot: DovecotServer, folder: str
) -> None:
    configure(desk, dovecot, folder)
    deliver(dovecot, folder, [message(n) for n in range(5)] + [message(99, with_id=False)])
    reports = mailbox_fetch.fetch_all(system(desk))
    assert [r.error for r in reports] == [None]
    assert reports[0].counts == {"opened": 6}
    assert filed(desk) == (6, 6)
    assert waiting(dovecot, folder) == 0
    # Nothing new: a second pass files nothing.
    again = mailbox_fetch.fetch_all(system(desk))
    assert again[0].counts == {}
    assert filed(desk) == (6, 6)


def test_a_crash_between_filing_and_marking_files_each_message_once(
    desk: Database, dovecot: DovecotServer, folder: str
) -> None:
    configure(desk, dovecot, folder)
    deliver(dovecot, folder, [message(n) for n in range(6)] + [message(7, with_id=False)])
    marked: list[int] = []

    def dies_on_the_fourth(client: IMAPClient, spec, uid: int) -> None:
        if len(marked) == 3:
            raise OSError("killed between filing and marking")
        mailbox_fetch.mark_filed(client, spec, uid)
        marked.append(uid)

    mailbox = mailbox_fetch.mailboxes(desk)[0]
    client = mailbox_fetch.connect(mailbox.spec)
    try:
        with pytest.raises(OSError, match="killed"):
            mailbox_fetch.fetch_pass(system(desk), mailbox, client, mark=dies_on_the_fourth)
    finally:
        client.logout()
    assert filed(desk) == (4, 4)  # the fourth was filed, not marked
    assert waiting(dovecot, folder) == 4
    reports = mailbox_fetch.fetch_all(system(desk))
    assert reports[0].counts == {"duplicate": 1, "opened": 3}
    assert filed(desk) == (7, 7)
    assert waiting(dovecot, folder) == 0


def test_filed_messages_move_to_the_folder_named(
    desk: Database, dovecot: DovecotServer, folder: str
) -> None:
    configure(desk, dovecot, folder, move_to=f"{folder}.Filed")
    deliver(dovecot, folder, [message(n) for n in range(3)])
    reports = mailbox_fetch.fetch_all(system(desk))
    assert reports[0].counts == {"opened": 3}
    assert waiting(dovecot, folder, "ALL") == 0
    assert waiting(dovecot, f"{folder}.Filed", "ALL") == 3


def _env(server: DovecotServer) -> dict[str, str]:
    env = {**os.environ, "DESKUI_NOW": AT.isoformat(), "DESKUI_TEST_IMAP_PASSWORD": server.password}
    env.pop("DESKUI_SMTP_HOST", None)
    return env


def _cli(db_path: Path, *args: str) -> list[str]:
    return [
        sys.executable, "-m", "deskui", "mail", "fetch", *args,
        "--db", f"sqlite:///{db_path}",
    ]  # fmt: skip


def test_the_command_killed_half_way_then_run_again_files_each_once(
    desk: Database, dovecot: DovecotServer, folder: str, tmp_path: Path
) -> None:
    configure(desk, dovecot, folder)
    deliver(dovecot, folder, [message(n) for n in range(30)])
    db_path = tmp_path / "desk.db"
    env = {
        **os.environ,
        "DESKUI_NOW": AT.isoformat(),
        "DESKUI_TEST_IMAP_PASSWORD": dovecot.password,
    }
    env.pop("DESKUI_SMTP_HOST", None)
    process = subprocess.Popen(_cli(db_path), env=env, stdout=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while filed(desk)[0] < 5 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    first = filed(desk)[0]
    assert first >= 1
    done = subprocess.run(_cli(db_path, "--json"), env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.decode().splitlines()[0])
    assert report["error"] is None
    assert filed(desk) == (30, 30)
    assert waiting(dovecot, folder) == 0


def test_watch_files_mail_as_it_arrives(
    desk: Database, dovecot: DovecotServer, folder: str, tmp_path: Path
) -> None:
    configure(desk, dovecot, folder)
    env = {
        **os.environ,
        "DESKUI_NOW": AT.isoformat(),
        "DESKUI_TEST_IMAP_PASSWORD": dovecot.password,
    }
    env.pop("DESKUI_SMTP_HOST", None)
    process = subprocess.Popen(
        _cli(tmp_path / "desk.db", "--watch", "--json"), env=env, stdout=subprocess.PIPE
    )
    try:
        time.sleep(1.0)
        deliver(dovecot, folder, [message(1), message(2)])
        deadline = time.monotonic() + 15
        while filed(desk)[0] < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert filed(desk) == (2, 2)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert process.returncode == 0


def test_a_missing_password_is_reported_for_that_mailbox(
    desk: Database, dovecot: DovecotServer, folder: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(desk, dovecot, folder)
    monkeypatch.delenv("DESKUI_TEST_IMAP_PASSWORD")
    reports = mailbox_fetch.fetch_all(system(desk))
    assert reports[0].error is not None and "DESKUI_TEST_IMAP_PASSWORD" in reports[0].error
