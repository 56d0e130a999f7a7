"""Mailboxes fetched: the IMAP mailboxes configured per team, filed like the MTA pipe.

``deskui mail fetch`` reads each mailbox a team lists under ``mail.mailboxes`` in
``teams.yaml`` (host, port, TLS, user, the password from an environment variable or a file,
folder) with IMAPClient, and files every waiting message through the same intake as
``deskui mail ingest`` (``deskui.services.intake.mail_in.ingest_message``). Only once a message
is filed (opened, appended, a bounce, a duplicate, or quarantined: kept either way) is it moved
to ``move_to`` or flagged ``\\Seen``; it is read with ``BODY.PEEK[]`` so reading alone marks
nothing. A crash between filing and marking leaves the message waiting; the next run files it
again, which intake recognises by its Message-ID (a message without one gets an id made from a
hash of its bytes), so every message is filed once. A database that cannot be reached stops the
mailbox with the message left waiting.

``watch`` keeps going: IMAP IDLE where the server offers it (woken as mail arrives, renewed
every few minutes as RFC 2177 asks), polling where it does not, reconnecting after errors.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# IMAPClient ships no type information.
from imapclient import IMAPClient  # type: ignore[import-untyped]
from imapclient.exceptions import IMAPClientError  # type: ignore[import-untyped]
from sqlalchemy import select

from deskui.domain.catalog.team_mail import MailboxSpec, TeamMailSpec
from deskui.domain.storage_errors import StoreError
from deskui.services.actor import Actor
from deskui.services.errors import ServiceError
from deskui.services.intake.mail_in import IngestResult, ingest_message
from deskui.store.models import Team
from deskui.store.session import Database

# Results after which a message is kept in the database and may leave the mailbox.
KEPT = frozenset({"opened", "appended", "duplicate", "bounce", "quarantined"})
IDLE_SECONDS = 300


class MailboxError(ServiceError):
    """A mailbox could not be read (settings, password, connection, login); says which."""


@dataclass(frozen=True, slots=True)
class Mailbox:
    """One configured mailbox and the team it files for."""

    team: str
    spec: MailboxSpec

    @property
    def label(self) -> str:
        return f"{self.team}: {self.spec.user}@{self.spec.host}:{self.spec.port}/{self.spec.folder}"


@dataclass
class FetchReport:
    """What one pass over one mailbox did."""

    mailbox: str
    counts: dict[str, int] = field(default_factory=dict)
    references: list[str] = field(default_factory=list)
    error: str | None = None

    def count(self, result: IngestResult) -> None:
        self.counts[result.action] = self.counts.get(result.action, 0) + 1
        if result.reference:
            self.references.append(result.reference)

    def as_json(self) -> dict[str, Any]:
        return {
            "mailbox": self.mailbox,
            "counts": dict(self.counts),
            "references": list(self.references),
            "error": self.error,
        }


def mailboxes(database: Database, team: str | None = None) -> list[Mailbox]:
    """Every mailbox the teams (or ``team``) configure, in team order."""
    with database.read() as session:
        rows = list(session.execute(select(Team.slug, Team.mail).order_by(Team.slug)))
    if team is not None and team not in {slug for slug, _mail in rows}:
        raise MailboxError(f"unknown team {team!r}")
    found = []
    for slug, mail in rows:
        if team is not None and slug != team:
            continue
        for spec in TeamMailSpec.model_validate(mail or {}).mailboxes:
            found.append(Mailbox(slug, spec))
    return found


def password(spec: MailboxSpec, environ: Mapping[str, str] | None = None) -> str:
    """The mailbox password from its environment variable or file; ``MailboxError`` if
    it is not there."""
    env = os.environ if environ is None else environ
    if spec.password_env is not None:
        value = env.get(spec.password_env)
        if not value:
            raise MailboxError(f"{spec.user}@{spec.host}: ${spec.password_env} is not set")
        return value
    assert spec.password_file is not None
    try:
        return Path(spec.password_file).read_text(encoding="utf-8").splitlines()[0].strip()
    except (OSError, IndexError) as exc:
        raise MailboxError(
            f"{spec.user}@{spec.host}: cannot read the password file {spec.password_file}: {exc}"
        ) from exc


def connect(spec: MailboxSpec, *, timeout: float = 30.0) -> IMAPClient:
    """A logged-in client with ``spec.folder`` selected."""
    try:
        context = ssl.create_default_context()
        client = IMAPClient(
            spec.host, spec.port, ssl=spec.tls == "ssl", ssl_context=context, timeout=timeout
        )
        if spec.tls == "starttls":
            client.starttls(context)
        client.login(spec.user, password(spec))
        client.select_folder(spec.folder)
    except (OSError, IMAPClientError) as exc:
        raise MailboxError(f"{spec.user}@{spec.host}:{spec.port}: {exc}") from exc
    return client


def _fallback_id(raw: bytes) -> str:
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.deskui>"


def _waiting(client: IMAPClient, spec: MailboxSpec) -> list[int]:
    # Moved messages leave the folder: everything still in it waits. Otherwise unseen ones.
    criteria = ["NOT", "DELETED"] if spec.move_to else ["UNSEEN", "NOT", "DELETED"]
    return sorted(int(uid) for uid in client.search(criteria))


def mark_filed(client: IMAPClient, spec: MailboxSpec, uid: int) -> None:
    """Move the filed message to ``move_to`` (creating it once), else flag it seen."""
    if spec.move_to is None:
        client.add_flags([uid], [b"\\Seen"])
        return
    if not client.folder_exists(spec.move_to):
        client.create_folder(spec.move_to)
    if client.has_capability("MOVE"):
        client.move([uid], spec.move_to)
    else:
        client.copy([uid], spec.move_to)
        client.delete_messages([uid])
        if client.has_capability("UIDPLUS"):
            client.uid_expunge([uid])
        else:
            client.expunge()


def fetch_pass(
    actor: Actor,
    mailbox: Mailbox,
    client: IMAPClient,
    *,
    mark: Callable[[IMAPClient, MailboxSpec, int], None] = mark_filed,
) -> FetchReport:
    """File what waits in the selected folder, one message at a time, marking each after
    (``actor``: the system, on a running clock: each message is filed at its own time)."""
    report = FetchReport(mailbox.label)
    for uid in _waiting(client, mailbox.spec):
        fetched = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {})
        raw = fetched.get(b"BODY[]")
        if not isinstance(raw, bytes):
            continue  # gone since the search (another reader moved it)
        result = ingest_message(
            actor, raw, team=mailbox.team, fallback_message_id=_fallback_id(raw)
        )
        report.count(result)
        if result.action in KEPT:
            mark(client, mailbox.spec, uid)
    return report


def fetch_all(actor: Actor, *, team: str | None = None) -> list[FetchReport]:
    """One pass over every configured mailbox; a mailbox that fails says why in its report
    and the others are still read."""
    reports = []
    for mailbox in mailboxes(actor.database, team):
        try:
            client = connect(mailbox.spec)
        except MailboxError as exc:
            reports.append(FetchReport(mailbox.label, error=str(exc)))
            continue
        try:
            reports.append(fetch_pass(actor, mailbox, client))
        except (OSError, IMAPClientError, StoreError) as exc:
            reports.append(FetchReport(mailbox.label, error=f"{type(exc).__name__}: {exc}"))
        finally:
            _logout(client)
    return reports


def _logout(client: IMAPClient) -> None:
    with contextlib.suppress(OSError, IMAPClientError):  # the connection may be gone already
        client.logout()


def watch_mailbox(
    actor: Actor,
    mailbox: Mailbox,
    *,
    on_report: Callable[[FetchReport], None],
    stop: threading.Event,
    poll_seconds: float = 60.0,
    idle_seconds: float = IDLE_SECONDS,
    after_send: Callable[[], None] | None = None,
) -> None:
    """Fetch, then wait for new mail (IDLE, else polling), until ``stop`` is set."""
    while not stop.is_set():
        try:
            client = connect(mailbox.spec)
        except MailboxError as exc:
            on_report(FetchReport(mailbox.label, error=str(exc)))
            stop.wait(poll_seconds)
            continue
        try:
            idle = client.has_capability("IDLE")
            while not stop.is_set():
                report = fetch_pass(actor, mailbox, client)
                if report.counts:
                    on_report(report)
                    if after_send is not None:
                        after_send()
                if idle:
                    _idle(client, stop, idle_seconds)
                else:
                    stop.wait(poll_seconds)
                    client.noop()
        except (OSError, IMAPClientError, StoreError) as exc:
            on_report(FetchReport(mailbox.label, error=f"{type(exc).__name__}: {exc}"))
            stop.wait(min(poll_seconds, 30.0))
        finally:
            _logout(client)


def _idle(client: IMAPClient, stop: threading.Event, idle_seconds: float) -> None:
    """IDLE until the server says something changed, ``idle_seconds`` pass or ``stop``."""
    client.idle()
    try:
        deadline = time.monotonic() + idle_seconds
        while not stop.is_set() and time.monotonic() < deadline:
            # Short checks so a stop request is seen within a second.
            if client.idle_check(timeout=1):
                break
    finally:
        client.idle_done()
