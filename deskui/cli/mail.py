"""`deskui mail ingest | fetch | quarantine | retry | dismiss | send-pending | outbox`: mail in
and out.

``fetch`` reads the teams' IMAP mailboxes once (``--watch``: until stopped) and files what
waits there like ``ingest``; exit 75 when a mailbox could not be read (the others still are).

``ingest`` reads one RFC 5322 message from FILE or stdin (an MTA pipe, e.g. Postfix
``|deskui mail ingest``) and prints the ticket reference (``--json``: what became of it).
Exit codes follow sysexits so an MTA does the right thing: 0 filed; 65 (``EX_DATAERR``) the
message could not be filed and was quarantined (the reason on stderr); 75 (``EX_TEMPFAIL``)
the database could not be reached, nothing was kept and the MTA should try again later; 2 bad
usage. After filing, acknowledgements still waiting in the outbox are sent when SMTP is set up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deskui.cli import arguments
from deskui.cli.common import (
    CommandError,
    command_group,
    desk,
    global_options_parent,
    reader_zone,
    settings_from,
)
from deskui.domain.display import local_time
from deskui.domain.storage_errors import StoreError
from deskui.domain.untrusted import one_line
from deskui.services.actor import Actor
from deskui.services.connect import Database
from deskui.services.errors import ServiceError
from deskui.services.intake.mail_in import ingest_message
from deskui.services.intake.mail_limits import MailUnreadableError
from deskui.services.intake.quarantine import (
    dismiss_quarantined,
    list_quarantine,
    retry_quarantined,
)
from deskui.services.mail.outbox import SendResult, outbox, send_pending
from deskui.services.mail.smtp import mail_configured
from deskui.settings import Settings

if TYPE_CHECKING:
    from deskui.services.intake import mailbox_fetch
    from deskui.services.intake.mailbox_fetch import FetchReport

EX_DATAERR = 65
EX_TEMPFAIL = 75


def register(commands: Any) -> None:
    """Add the ``mail`` group to the ``deskui`` parser."""
    actions = command_group(
        commands, "mail", help="mail in and out", description="Mail intake and the outbox."
    )

    def action(name: str, help: str, handler: Any) -> argparse.ArgumentParser:
        parser = actions.add_parser(
            name, parents=[global_options_parent()], help=help, description=help
        )
        parser.set_defaults(handler=handler)
        return parser

    ingest = action("ingest", "file one message (FILE or - for stdin) as a ticket", run_ingest)
    ingest.add_argument("file", nargs="?", default="-", metavar="FILE", help="default: stdin")
    ingest.add_argument("--team", help="team for senders whose organisation names none")
    ingest.add_argument("--json", action="store_true", help="print what happened as JSON")

    quarantine = action("quarantine", "list quarantined messages", run_quarantine)
    quarantine.add_argument("--all", action="store_true", help="include reviewed ones")
    quarantine.add_argument("--json", action="store_true", help="print JSON")

    retry = action("retry", "file a quarantined message again", run_retry)
    retry.add_argument("id", type=arguments.record_id, metavar="ID", help="quarantine id")
    retry.add_argument("--as", dest="actor", metavar="HANDLE", required=True)
    retry.add_argument("--team", help="the team to file it for")
    retry.add_argument("--ticket", metavar="REF", help="append it to this ticket")
    retry.add_argument(
        "--whole",
        action="store_true",
        help="file a message that cannot be read (too deep, too big) from its headers alone, "
        "the whole message attached",
    )
    retry.add_argument("--json", action="store_true", help="print JSON")

    dismiss = action("dismiss", "dismiss a quarantined message with a note", run_dismiss)
    dismiss.add_argument("id", type=arguments.record_id, metavar="ID", help="quarantine id")
    dismiss.add_argument("--as", dest="actor", metavar="HANDLE", required=True)
    dismiss.add_argument("--note", required=True, help="why it is dismissed")

    pending = action("send-pending", "send queued mail that is due (retries)", run_send_pending)
    pending.add_argument("--json", action="store_true", help="print JSON")

    fetch = action("fetch", "file the mail waiting in the teams' IMAP mailboxes", run_fetch)
    fetch.add_argument("--team", help="only this team's mailboxes")
    fetch.add_argument(
        "--watch", action="store_true", help="keep going: IMAP IDLE, polling where it is missing"
    )
    fetch.add_argument(
        "--poll-seconds",
        type=float,
        default=60.0,
        help="--watch without IDLE: seconds between checks (default 60)",
    )
    fetch.add_argument("--json", action="store_true", help="print what each mailbox did as JSON")

    listing = action("outbox", "list queued, sent and failed mail", run_outbox)
    listing.add_argument("--status", choices=("pending", "sent", "failed"))
    listing.add_argument("--json", action="store_true", help="print JSON")


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _send_quietly(database: Database, settings: Settings, now: dt.datetime) -> None:
    """Send what the outbox holds; a failure is recorded there, never fails the command."""
    if mail_configured(settings):
        send_pending(database, settings, at=now)


def run_ingest(args: argparse.Namespace) -> int:
    raw = _read(args.file)
    settings = settings_from(args)
    try:
        with desk(args) as actor:
            database, now = actor.database, actor.now()
            result = ingest_message(actor.acting_as(None), raw, team=args.team)
            _send_quietly(database, settings, now)
    except CommandError as exc:
        raise CommandError(str(exc), EX_TEMPFAIL) from exc
    except StoreError as exc:
        raise CommandError(f"the database is unavailable, try again: {exc}", EX_TEMPFAIL) from exc
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
    elif result.reference is not None:
        print(result.reference)
    if result.action == "quarantined":
        print(
            f"deskui: message quarantined (id {result.quarantine_id}): {result.reason}",
            file=sys.stderr,
        )
        return EX_DATAERR
    return 0


def run_quarantine(args: argparse.Namespace) -> int:
    with desk(args) as actor:
        database, _now = actor.database, actor.now()
        rows = list_quarantine(database, include_reviewed=args.all)
        zone = reader_zone(args, actor)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "received_at": r.received_at.isoformat(),
                        "sender": r.sender,
                        "subject": r.subject,
                        "reason": r.reason,
                        "size": r.size,
                        "reviewed_at": r.reviewed_at.isoformat() if r.reviewed_at else None,
                        "reviewed_by": r.reviewed_by,
                        "review_note": r.review_note,
                    }
                    for r in rows
                ],
                indent=2,
            )
        )
        return 0
    if not rows:
        print("no quarantined messages")
    for r in rows:
        print(
            f"{r.id:>5}  {local_time(r.received_at, zone)}  {one_line(r.sender or '-', 40)}  "
            f"{one_line(r.subject or '-', 50)}  — {one_line(r.reason, 100)}"
        )
    return 0


def _service(call: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except ServiceError as exc:
        raise CommandError(str(exc)) from exc


def run_retry(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with desk(args) as actor:
        database, now = actor.database, actor.now()
        try:
            result = retry_quarantined(
                actor.acting_as(args.actor),
                args.id,
                team=args.team,
                ticket=args.ticket,
                whole=args.whole,
            )
        except MailUnreadableError as exc:
            raise CommandError(
                f"{exc} (--whole files it from its headers, the whole message attached)"
            ) from exc
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        _send_quietly(database, settings, now)
    print(json.dumps(result.as_json(), indent=2) if args.json else result.reference)
    return 0


def run_dismiss(args: argparse.Namespace) -> int:
    with desk(args) as actor:
        _service(dismiss_quarantined, actor.acting_as(args.actor), args.id, args.note)
    print(f"message {args.id} dismissed")
    return 0


def run_send_pending(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not mail_configured(settings):
        raise CommandError("no SMTP server configured (set DESKUI_SMTP_HOST)")
    with desk(args) as actor:
        database, now = actor.database, actor.now()
        results = send_pending(database, settings, at=now)
    if args.json:
        print(json.dumps([_result(r) for r in results], indent=2))
    else:
        for r in results:
            error = f"  {one_line(r.error, 200)}" if r.error else ""
            print(f"{r.id}  {r.reference or '-'}  {r.outcome}{error}")
    return 1 if any(r.outcome != "sent" for r in results) else 0


def _result(r: SendResult) -> dict[str, Any]:
    return {"id": r.id, "reference": r.reference, "outcome": r.outcome, "error": r.error}


def _print_report(report: FetchReport, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.as_json()), flush=True)
        return
    if report.error is not None:
        print(f"deskui: {one_line(report.mailbox)}: {one_line(report.error, 300)}", file=sys.stderr)
        return
    counts = ", ".join(f"{n} {action}" for action, n in sorted(report.counts.items()))
    print(f"{one_line(report.mailbox)}: {counts or 'nothing waiting'}", flush=True)


def run_fetch(args: argparse.Namespace) -> int:
    # Imported here: the IMAP client is not needed by the MTA pipe ('mail ingest').
    from deskui.services.intake import mailbox_fetch

    settings = settings_from(args)
    if args.poll_seconds <= 0:
        raise CommandError("--poll-seconds: must be more than 0")
    with desk(args) as actor:
        database = actor.database
        # The system files the mail on the running clock: each message at its own time.
        clock = settings.time_source()
        try:
            found = mailbox_fetch.mailboxes(database, args.team)
        except ServiceError as exc:
            raise CommandError(f"--team: {exc}") from exc
        if not found:
            where = f"team {args.team!r}" if args.team else "any team"
            raise CommandError(f"no IMAP mailbox is configured for {where} (mail.mailboxes)")
        if args.watch:
            return _watch(args, database, settings, found)
        system = Actor(database, None, clock, settings)
        reports = mailbox_fetch.fetch_all(system, team=args.team)
        _send_quietly(database, settings, clock.now())
    for report in reports:
        _print_report(report, args.json)
    return EX_TEMPFAIL if any(r.error for r in reports) else 0


def _watch(
    args: argparse.Namespace,
    database: Database,
    settings: Settings,
    found: list[mailbox_fetch.Mailbox],
) -> int:
    """One thread per mailbox until interrupted (Ctrl+C or SIGTERM)."""
    from deskui.services.intake import mailbox_fetch

    clock = settings.time_source()
    stop = threading.Event()
    lock = threading.Lock()

    def report(result: FetchReport) -> None:
        with lock:
            _print_report(result, args.json)

    def send() -> None:
        _send_quietly(database, settings, clock.now())

    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threads = [
        threading.Thread(
            target=mailbox_fetch.watch_mailbox,
            args=(Actor(database, None, clock, settings), mailbox),
            kwargs={
                "on_report": report,
                "stop": stop,
                "poll_seconds": args.poll_seconds,
                "after_send": send,
            },
            name=f"fetch {mailbox.label}",
            daemon=True,
        )
        for mailbox in found
    ]
    for thread in threads:
        thread.start()
    try:
        while not stop.is_set():
            stop.wait(0.5)
    except KeyboardInterrupt:
        stop.set()
    for thread in threads:
        thread.join(timeout=10)
    return 0


def run_outbox(args: argparse.Namespace) -> int:
    with desk(args) as actor:
        database, _now = actor.database, actor.now()
        rows = outbox(database, status=args.status)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "reference": r.reference,
                        "purpose": r.purpose,
                        "to": r.to_address,
                        "subject": r.subject,
                        "status": r.status,
                        "attempts": r.attempts,
                        "created_at": r.created_at.isoformat(),
                        "sent_at": r.sent_at.isoformat() if r.sent_at else None,
                        "next_attempt_at": (
                            r.next_attempt_at.isoformat() if r.next_attempt_at else None
                        ),
                        "last_error": r.last_error,
                    }
                    for r in rows
                ],
                indent=2,
            )
        )
        return 0
    if not rows:
        print("the outbox is empty")
    for r in rows:
        error = f"  last error: {one_line(r.last_error, 100)}" if r.last_error else ""
        print(
            f"{r.id:>5}  {r.reference or '-':12}  {r.purpose:15}  {r.status:8}  "
            f"attempts {r.attempts}  "
            f"{one_line(r.to_address, 40)}  {one_line(r.subject, 50)}{error}"
        )
    return 0
