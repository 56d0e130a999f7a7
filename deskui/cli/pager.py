"""`deskui pager run | tick | list | ack`: the pager runner and a look at the pages sent.

``run`` loops (deliver what is due, escalate what nobody acknowledged, sleep
``pager_poll_seconds`` or ``--interval``) until SIGTERM or ctrl-c, finishing the pass it is in;
``tick`` is one pass, for cron or a systemd timer. Each pass reads "now" from the settings'
clock (``DESKUI_NOW`` freezes it) and hands it to the services. ``list`` shows pages (failed
ones included, with their last error); ``ack`` acknowledges a ticket's pages as an agent.
Bad input is one line on stderr, exit code 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import threading
from types import FrameType
from typing import Any

from deskui.cli import arguments
from deskui.cli.common import (
    CommandError,
    command_group,
    desk,
    global_options_parent,
    reader_zone,
)
from deskui.domain.display import local_time
from deskui.domain.untrusted import one_line
from deskui.domain.vocabulary import PageStatus
from deskui.services.actor import Actor
from deskui.services.mail.outbox import send_pending
from deskui.services.mail.smtp import mail_configured
from deskui.services.oncall.delivery import TickSummary, pager_tick
from deskui.services.oncall.paging import PageView, acknowledge_pages, list_pages

# A day between passes, a billion passes: beyond any real use, within what a timer can wait.
MAX_INTERVAL = 86_400
MAX_PASSES = 1_000_000_000


def register(commands: Any) -> None:
    """Add ``pager run|tick|list|ack`` to the ``deskui`` parser."""
    actions = command_group(
        commands,
        "pager",
        help="page the on-call agent: runner, list, acknowledge",
        description="Deliver and escalate pages to the on-call agent; list and acknowledge them.",
    )
    parent = [global_options_parent()]
    run = actions.add_parser(
        "run",
        parents=parent,
        help="deliver and escalate pages until stopped (SIGTERM, ctrl-c)",
        description="Loop: deliver due pages, escalate unacknowledged ones, sleep.",
    )
    run.add_argument(
        "--interval",
        type=arguments.seconds(0, MAX_INTERVAL),
        help=f"seconds between passes, more than 0, at most {MAX_INTERVAL} "
        "(default: pager_poll_seconds)",
    )
    run.add_argument(
        "--passes",
        type=arguments.whole_number(1, MAX_PASSES),
        help="stop after this many passes (default: never)",
    )
    run.set_defaults(handler=run_run)
    tick = actions.add_parser(
        "tick",
        parents=parent,
        help="one pass: deliver due pages and escalate (for cron or a systemd timer)",
        description="One pass of the pager: escalate, then deliver what is due.",
    )
    tick.add_argument("--json", action="store_true", help="print one JSON object")
    tick.set_defaults(handler=run_tick)
    listing = actions.add_parser(
        "list",
        parents=parent,
        help="pages, newest first (failed ones with their error)",
        description="Pages sent or being sent, newest first.",
    )
    listing.add_argument("--ticket", metavar="REF", help="only this ticket's pages")
    listing.add_argument("--status", choices=[s.value for s in PageStatus], help="only these")
    listing.add_argument("--json", action="store_true", help="print one JSON object")
    listing.set_defaults(handler=run_list)
    ack = actions.add_parser(
        "ack",
        parents=parent,
        help="acknowledge a ticket's pages (stops escalation)",
        description="Acknowledge the ticket's open pages; SLA clocks are not touched.",
    )
    ack.add_argument("reference", metavar="REF")
    ack.add_argument("--as", dest="actor", metavar="HANDLE", help="the agent acknowledging")
    ack.set_defaults(handler=run_ack)


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds") if value else None


def _summary_lines(summary: TickSummary) -> list[str]:
    lines = [f"escalated {reference}" for reference in summary.escalated]
    for outcome in summary.outcomes:
        error = f": {outcome.error}" if outcome.error and outcome.result != "sent" else ""
        lines.append(
            f"{outcome.reference} {outcome.agent} {outcome.channel.value} {outcome.result}{error}"
        )
    return lines


def _summary_json(summary: TickSummary) -> dict[str, object]:
    return {
        "escalated": summary.escalated,
        "outcomes": [
            {
                "page": o.page_id,
                "reference": o.reference,
                "agent": o.agent,
                "channel": o.channel.value,
                "result": o.result,
                "error": o.error,
            }
            for o in summary.outcomes
        ],
    }


def run_tick(args: argparse.Namespace) -> int:
    with desk(args) as actor:
        database, settings = actor.database, actor.settings
        summary = pager_tick(database, settings, settings.time_source().now())
    if args.json:
        print(json.dumps(_summary_json(summary)))
    else:
        for line in _summary_lines(summary):
            print(line)
    return 0


def run_run(args: argparse.Namespace) -> int:
    interval = args.interval
    if interval is not None and interval <= 0:
        raise CommandError(f"--interval must be more than 0 seconds, not {interval}")
    if args.passes is not None and args.passes < 1:
        raise CommandError(f"--passes must be at least 1, not {args.passes}")
    stop = threading.Event()
    previous = _on_sigterm(stop)
    try:
        with desk(args) as actor:
            database, settings = actor.database, actor.settings
            wait = interval if interval is not None else settings.pager_poll_seconds
            print(f"pager running every {wait:g} s (stop with SIGTERM or ctrl-c)", flush=True)
            passes = 0
            while not stop.is_set():
                now = settings.time_source().now()
                summary = pager_tick(database, settings, now)
                for line in _summary_lines(summary):
                    print(line, flush=True)
                # The one long-running sender also empties the mail outbox (acknowledgements
                # queued by the app's new-ticket form wait here rather than for a cron job).
                if mail_configured(settings):
                    for sent in send_pending(database, settings, at=now):
                        error = f": {one_line(sent.error, 200)}" if sent.error else ""
                        print(f"mail {sent.reference or '-'} {sent.outcome}{error}", flush=True)
                passes += 1
                if args.passes is not None and passes >= args.passes:
                    break
                stop.wait(wait)
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    print("pager stopped", flush=True)
    return 0


def _on_sigterm(stop: threading.Event) -> Any:
    """Make SIGTERM end the loop after the current pass; the previous handler, if replaced."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, handler)


def _page_json(page: PageView) -> dict[str, object]:
    return {
        "id": page.id,
        "reference": page.reference,
        "agent": page.agent,
        "level": page.level,
        "channel": page.channel.value,
        "target": page.target,
        "status": page.status.value,
        "attempts": page.attempts,
        "created_at": _iso(page.created_at),
        "sent_at": _iso(page.sent_at),
        "next_attempt_at": _iso(page.next_attempt_at),
        "acknowledged_at": _iso(page.acknowledged_at),
        "last_error": page.last_error,
    }


def run_list(args: argparse.Namespace) -> int:
    with desk(args) as actor:
        database, _ = actor.database, actor.settings
        pages = list_pages(database, ticket=args.ticket, status=args.status)
        zone = reader_zone(args, actor)
    if args.json:
        print(json.dumps({"pages": [_page_json(page) for page in pages]}))
        return 0
    if not pages:
        print("no pages")
        return 0
    for page in pages:
        when = local_time(page.created_at, zone)
        line = (
            f"{page.reference} {when} {page.agent} ({page.level_name}) {page.channel.value}: "
            f"{page.status.value}, {page.attempts} attempt{'s' if page.attempts != 1 else ''}"
        )
        if page.status == PageStatus.FAILED and page.last_error:
            line += f" — {page.last_error}"
        print(line)
    return 0


def run_ack(args: argparse.Namespace) -> int:
    if not args.actor:
        raise CommandError("--as HANDLE is required: the agent acknowledging the page")
    with desk(args) as actor:
        database, settings = actor.database, actor.settings
        count = acknowledge_pages(
            Actor.of(database, args.actor, at=settings.time_source().now()), args.reference
        )
    print(f"acknowledged {count} page{'s' if count != 1 else ''} of {args.reference.upper()}")
    return 0
