"""Mail intake under hostile input: whatever arrives is filed or quarantined byte for byte,
never a crash, never lost.

Generated messages: random bytes; messages with hostile headers (huge, many, NUL bytes,
encoded words in odd or unknown charsets, markup and terminal escape sequences), bodies in
odd charsets and transfer encodings, attachments with hostile names, nested multiparts and
``message/rfc822`` parts from flat to MIME bombs thousands of levels deep. Each one goes
through ``ingest_message`` on SQLite and PostgreSQL; the MIME bombs of the bug report also go
through ``deskui mail ingest`` in a subprocess, then out of the quarantine again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fuzzing import fuzz_settings, nasty_text
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from deskui.services.actor import Actor
from deskui.services.catalog.seeding import seed_directory
from deskui.services.intake.mail_in import ingest_message
from deskui.store.models import Attachment, Interaction, MailQuarantine, Ticket
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
NOW = dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)
KNOWN_SENDERS = ("maria.lopez@acme-foods.example", "colleen@maritime-health.example")
CHARSETS = (
    "utf-8",
    "us-ascii",
    "iso-8859-1",
    "windows-1252",
    "koi8-r",
    "shift_jis",
    "iso-2022-jp",
    "utf-7",
    "utf-16",
    "x-no-such-charset",
    "",
    "utf-8\x00",
    "../../etc",
)
ACTIONS = {"opened", "appended", "duplicate", "quarantined"}

CRLF = b"\r\n"


def _bytes(text: str, charset: str = "utf-8") -> bytes:
    try:
        return text.encode(charset or "utf-8", errors="surrogateescape")
    except (LookupError, UnicodeError, ValueError):
        return text.encode("utf-8", errors="surrogatepass")


@st.composite
def encoded_words(draw: st.DrawFn) -> str:
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from("BQbqX"))
    payload = draw(st.text(alphabet="=?_ABCabc0123456789+/\x00é", max_size=30))
    return f"=?{charset}?{encoding}?{payload}?="


header_values = st.one_of(nasty_text, encoded_words(), st.text(max_size=5).map(lambda t: t * 500))


@st.composite
def senders(draw: st.DrawFn) -> bytes | None:
    kind = draw(st.sampled_from(("known", "known-named", "stranger", "garbage", "none")))
    if kind == "none":
        return None
    if kind == "garbage":
        return _bytes(draw(header_values))
    address = draw(st.sampled_from(KNOWN_SENDERS)) if kind.startswith("known") else "x@y.example"
    name = draw(header_values) if kind == "known-named" else ""
    return _bytes(f'"{name}" <{address}>' if name else address)


@st.composite
def leaf_parts(draw: st.DrawFn) -> bytes:
    charset = draw(st.sampled_from(CHARSETS))
    subtype = draw(st.sampled_from(("plain", "html", "x-unknown")))
    maintype = draw(st.sampled_from(("text", "text", "application", "image")))
    encoding = draw(st.sampled_from(("7bit", "8bit", "base64", "quoted-printable", "x-gzip")))
    body = draw(st.one_of(nasty_text, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
    data = _bytes(body, charset)
    if encoding == "base64" and draw(st.booleans()):
        import base64

        data = base64.b64encode(data)
    headers = [
        b'Content-Type: %s/%s; charset="%s"'
        % (
            maintype.encode(),
            subtype.encode(),
            _bytes(charset),
        ),
        b"Content-Transfer-Encoding: " + encoding.encode(),
    ]
    if draw(st.booleans()):
        filename = _bytes(draw(header_values))
        headers.append(b'Content-Disposition: attachment; filename="' + filename + b'"')
    return CRLF.join(headers) + CRLF + CRLF + data + CRLF


@st.composite
def bodies(draw: st.DrawFn, depth: int) -> bytes:
    """A part: a leaf, or a multipart / message part holding more parts (``depth`` left)."""
    if depth <= 0 or draw(st.integers(0, 2)) == 0:
        return draw(leaf_parts())
    if draw(st.integers(0, 4)) == 0:
        return b"Content-Type: message/rfc822" + CRLF + CRLF + draw(messages(depth - 1))
    boundary = f"b{depth}-{draw(st.integers(0, 9))}".encode()
    children = draw(st.lists(bodies(depth - 1), min_size=0, max_size=3))
    closing = draw(st.booleans())
    out = b'Content-Type: multipart/mixed; boundary="' + boundary + b'"' + CRLF + CRLF
    for child in children:
        out += b"--" + boundary + CRLF + child
    if closing:
        out += b"--" + boundary + b"--" + CRLF
    return out


@st.composite
def messages(draw: st.DrawFn, depth: int = 4) -> bytes:
    headers: list[bytes] = []
    sender = draw(senders())
    if sender is not None:
        headers.append(b"From: " + sender)
    headers.append(b"To: support@desk.example")
    if draw(st.booleans()):
        headers.append(b"Subject: " + _bytes(draw(header_values)))
    if draw(st.booleans()):
        number = draw(st.integers(0, 10**6))
        headers.append(b"Message-ID: <fuzz-%d@example.com>" % number)
    if draw(st.booleans()):
        ref = draw(st.sampled_from(("[DSK-000001]", "[DSK-99999999999]", "[dsk-1]", "")))
        headers.append(b"In-Reply-To: <fuzz-1@example.com>")
        headers.append(b"Subject: Re: " + ref.encode())
    extra = draw(st.integers(0, 3))
    for _ in range(extra):
        name = draw(st.sampled_from((b"X-Fuzz", b"Received", b"References", b"X\x00Y", b"")))
        headers.append(name + b": " + _bytes(draw(header_values)))
    if draw(st.integers(0, 9)) == 0:
        many = draw(st.sampled_from((400, 600, 3000)))
        headers.extend(b"X-Many-%d: v" % i for i in range(many))
    body = draw(bodies(depth))
    return CRLF.join(headers) + CRLF + body


@st.composite
def bombs(draw: st.DrawFn) -> bytes:
    """Nested multiparts or messages far deeper than any real mail."""
    depth = draw(st.sampled_from((31, 200, 500, 2000)))
    nested_messages = draw(st.booleans())
    head = b"From: <maria.lopez@acme-foods.example>\r\nSubject: bomb\r\n"
    if nested_messages:
        nested = b"Content-Type: message/rfc822\r\n\r\n" * depth
        return head + nested + b"From: a@b.example\r\n\r\nx"
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="%d"\r\n\r\n--%d\r\n' % (i, i)
        for i in range(depth)
    )
    return head + opening + b"Content-Type: text/plain\r\n\r\nboom\r\n"


hostile_mail = st.one_of(
    st.binary(max_size=3000),
    messages(),
    messages(),
    messages(),
    bombs(),
    st.binary(max_size=200).map(lambda b: b"From: a@b.example\r\n" + b),
)


def _counts(database: Database) -> tuple[int, int, int, int]:
    with database.read() as session:
        return (
            session.scalar(select(func.count(Ticket.id))) or 0,
            session.scalar(select(func.count(Interaction.id))) or 0,
            session.scalar(select(func.count(MailQuarantine.id))) or 0,
            session.scalar(select(func.count(Attachment.id))) or 0,
        )


@pytest.fixture
def seeded(database: Database) -> Database:
    seed_directory(database, SAMPLE_DATA, now=NOW - dt.timedelta(days=1))
    return database


@fuzz_settings(examples=70)
@given(raw=hostile_mail, team=st.sampled_from((None, "kenco")))
def test_every_message_is_filed_or_quarantined(seeded: Database, raw: bytes, team: str | None):
    tickets, entries, held, files = _counts(seeded)
    result = ingest_message(Actor.of(seeded, at=NOW), raw, team=team)
    assert result.action in ACTIONS
    after = _counts(seeded)
    if result.action == "quarantined":
        assert after == (tickets, entries, held + 1, files)
        with seeded.read() as session:
            row = session.get(MailQuarantine, result.quarantine_id)
            assert row is not None and row.raw == raw  # byte for byte
            assert row.reason
    elif result.action == "duplicate":
        assert after == (tickets, entries, held, files)
    elif result.action == "opened":
        assert after[0] == tickets + 1 and after[1] > entries and after[2] == held
    else:
        assert after[0] == tickets and after[1] == entries + 1 and after[2] == held
    if result.action in ("opened", "appended"):
        with seeded.read() as session:
            ticket = session.scalars(select(Ticket).where(Ticket.reference == result.reference))
            assert ticket.first() is not None


# ---- the bug report's MIME bombs, through the command an MTA runs --------------------------


def _bomb(depth: int) -> bytes:
    head = (
        b"From: Maria Lopez <maria.lopez@acme-foods.example>\r\nTo: support@desk.example\r\n"
        b"Subject: nested %d\r\nMessage-ID: <bomb-%d@acme>\r\n"
        % (depth, depth)
        + b"MIME-Version: 1.0\r\n"
    )
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(depth)
    )
    closing = b"".join(b"--b%d--\r\n" % i for i in reversed(range(depth)))
    return head + opening + b"Content-Type: text/plain\r\n\r\nboom\r\n" + closing


def _deskui(url: str, *argv: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "DESKUI_NOW": NOW.isoformat(), "DESKUI_DATABASE_URL": url}
    for name in ("DESKUI_SMTP_HOST", "DESKUI_MAIL_TEAM"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "deskui", *argv],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_mime_bombs_are_quarantined_then_filed_whole_or_dismissed(db_url: str) -> None:
    database = Database(db_url)
    try:
        seed_directory(database, SAMPLE_DATA, now=NOW - dt.timedelta(days=1))
    finally:
        database.dispose()
    bombs = {depth: _bomb(depth) for depth in (500, 2000, 20000)}
    for number, (depth, raw) in enumerate(bombs.items(), start=1):
        done = _deskui(db_url, "mail", "ingest", stdin=raw)
        assert done.returncode == 65, done.stderr
        err = done.stderr.decode()
        assert "Traceback" not in err and err.count("\n") == 1
        assert f"quarantined (id {number}): the message is nested {depth} parts deep" in err
    listing = json.loads(_deskui(db_url, "mail", "quarantine", "--json").stdout)
    assert [row["id"] for row in listing] == [3, 2, 1]
    database = Database(db_url)
    try:
        with database.read() as session:
            for number, raw in enumerate(bombs.values(), start=1):
                row = session.get(MailQuarantine, number)
                assert row is not None and row.raw == raw
    finally:
        database.dispose()
    # A plain retry says why it fails and what would work; --whole files it; dismiss works.
    retried = _deskui(db_url, "mail", "retry", "1", "--as", "amorgan")
    assert retried.returncode == 2 and b"--whole" in retried.stderr
    assert retried.stderr.count(b"\n") == 1
    whole = _deskui(db_url, "mail", "retry", "1", "--as", "amorgan", "--whole", "--json")
    assert whole.returncode == 0, whole.stderr
    assert json.loads(whole.stdout)["action"] == "opened"
    shown = _deskui(db_url, "ticket", "show", "DSK-000001", "--json")
    opening = json.loads(shown.stdout)["interactions"][0]
    assert opening["attachments"] == [
        {"name": "original-message.eml", "size": len(bombs[500]), "content_type": "message/rfc822"}
    ]
    dismissed = _deskui(db_url, "mail", "dismiss", "3", "--as", "amorgan", "--note", "a bomb")
    assert dismissed.returncode == 0, dismissed.stderr
    left = json.loads(_deskui(db_url, "mail", "quarantine", "--json").stdout)
    assert [row["id"] for row in left] == [2]
