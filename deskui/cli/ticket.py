"""`deskui ticket new | show | list | note | contact | reply | status | feedback | assign`:
scriptable intake and ticket work from a shell (like ``rt``), on the ticket services.

Times come from the settings' clock (``DESKUI_NOW`` freezes it). Bad input (an unknown
organisation, contact, priority, status, handle or reference, a missing body) is one line on
stderr naming the bad value and, where sensible, the known ones; exit code 2, nothing written.
``--json`` prints the ticket as one JSON object whose keys are listed in the README
("Ticket command line"); scripts may rely on them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from deskui.cli import arguments, ticket_search, view
from deskui.cli.common import (
    CommandError,
    command_group,
    desk,
    global_options_parent,
    reader_zone,
)
from deskui.domain.display import duration, local_time
from deskui.domain.untrusted import one_line, visible_text
from deskui.domain.vocabulary import OPEN_STATUSES, Category, Channel, Status
from deskui.services import tickets
from deskui.services.connect import Database
from deskui.services.tickets.options import intake_options
from deskui.services.tickets.views import ClockView, InteractionView, TicketSummary, TicketView

if TYPE_CHECKING:
    from deskui.services.actor import Actor

_T = TypeVar("_T")

# Service field names as the options that set them, so a message names what to fix.
_OPTIONS = {
    "organisation": "--org",
    "contact_email": "--contact",
    "requested_priority": "--requested-priority",
    "description": "--body",
    "summary": "--note",
    "reason": "--note",
    "breach_reason": "--breach-reason",
    "assignee": "HANDLE",
    "status": "STATUS",
    "query": "QUERY",
}
LIST_STATUSES = ("open", "all", *(s.value for s in Status))


def register(commands: Any) -> None:
    """Add ``ticket new|show|list|note|reply|status|feedback|assign`` to the ``deskui`` parser."""
    actions = command_group(
        commands,
        "ticket",
        help="open, show, list and work tickets from a shell",
        description="Scriptable ticket intake and work; --json prints the ticket as JSON.",
    )

    def action(name: str, text: str, handler: Callable[[argparse.Namespace], int]) -> Any:
        parser = actions.add_parser(
            name, parents=[global_options_parent()], help=text, description=text
        )
        parser.set_defaults(handler=handler)
        return parser

    new = action("new", "open a ticket; prints its reference", run_new)
    new.add_argument("--team", help="team slug (optional if the org's active contract names one)")
    new.add_argument("--org", help="organisation slug (required)")
    new.add_argument("--contact", help="the contact's email address (required)")
    new.add_argument("--channel", help=f"required: {', '.join(c.value for c in Channel)}")
    new.add_argument("--category", help=f"required: {', '.join(c.value for c in Category)}")
    new.add_argument("--priority", help="the priority the desk assigns (required)")
    new.add_argument("--requested-priority", help="the priority the customer asked for")
    new.add_argument("--product", help="product slug")
    new.add_argument("--subject", help="one-line subject (required)")
    new.add_argument("--body", help="what the customer said (required; - reads stdin)")
    new.add_argument("--as", dest="actor", metavar="HANDLE", help="the agent logging it")
    new.add_argument(
        "--no-route",
        dest="route",
        action="store_false",
        help="leave it unassigned instead of applying the routing rules",
    )
    _json_option(new)

    show = action("show", "print a ticket: fields, clocks and log", run_show)
    show.add_argument("ref", metavar="REF", help="ticket reference, like DSK-000123")
    _json_option(show)

    listing = action("list", "list tickets in queue order", run_list)
    listing.add_argument(
        "--status",
        default="open",
        help=f"one of {', '.join(LIST_STATUSES)} (default: open)",
    )
    listing.add_argument(
        "--limit",
        type=arguments.whole_number(1, arguments.MAX_LIST),
        default=100,
        help=f"at most N, 1 to {arguments.MAX_LIST} (default 100)",
    )
    listing.add_argument(
        "--view", metavar="NAME", help="a saved view's tickets, in its order (see 'deskui view')"
    )
    listing.add_argument(
        "--as", dest="actor", metavar="HANDLE", help="whose view (default: the agent setting)"
    )
    _json_option(listing)

    note = action("note", "add an internal note", run_note)
    _ref_and_actor(note, required=True)
    note.add_argument("--body", help="the note (required; - reads stdin)")
    _json_option(note)

    contact = action(
        "contact",
        "log the customer getting in touch (resumes a waiting ticket; reopens a resolved one "
        "within the reopen window)",
        run_contact,
    )
    _ref_and_actor(contact, required=False)
    contact.add_argument("--body", help="what the customer said (required; - reads stdin)")
    contact.add_argument(
        "--kind", default="call-in", help="call-in (default), email-in, fax-in or answerphone"
    )
    contact.add_argument("--from", dest="author_name", help="who (default: the requester)")
    _json_option(contact)

    reply = action("reply", "log a reply to the customer (meets the response clock)", run_reply)
    _ref_and_actor(reply, required=True)
    reply.add_argument("--body", help="what was said (required; - reads stdin)")
    reply.add_argument("--kind", default="email-out", help="email-out (default) or call-out")
    reply.add_argument(
        "--subject", help="email-out: the subject (default '[REF] Re: <the ticket's subject>')"
    )
    _json_option(reply)

    status = action("status", "move a ticket to another status", run_status)
    _ref_and_actor(status, required=True)
    status.add_argument("status", metavar="STATUS", help=", ".join(s.value for s in Status))
    status.add_argument("--note", default="", help="why (the summary when resolving)")
    status.add_argument("--breach-reason", help="required to resolve a breached ticket")
    tell = status.add_mutually_exclusive_group()
    tell.add_argument(
        "--tell-client",
        dest="tell",
        action="store_true",
        default=None,
        help="resolving: email the summary to the client (the team's default says if not given)",
    )
    tell.add_argument(
        "--no-tell-client", dest="tell", action="store_false", help="resolving: do not email it"
    )
    _json_option(status)

    rating = action("feedback", "record the client's 1-5 rating of a resolved ticket", run_feedback)
    _ref_and_actor(rating, required=False)
    rating.add_argument("--score", help="1 (poor) to 5 (excellent) (required)")
    rating.add_argument("--comment", default="", help="what the client said")
    _json_option(rating)

    assign = action("assign", "assign a ticket to an agent", run_assign)
    _ref_and_actor(assign, required=False)
    assign.add_argument("handle", metavar="HANDLE", help="the agent's handle")
    _json_option(assign)

    ticket_search.add_search(action)


def _json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the ticket as JSON")


def _ref_and_actor(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("ref", metavar="REF", help="ticket reference, like DSK-000123")
    parser.add_argument(
        "--as",
        dest="actor",
        metavar="HANDLE",
        help="the acting agent" + (" (required)" if required else ""),
    )


# ---- shared steps --------------------------------------------------------------------------


def _required(value: str | None, option: str, what: str) -> str:
    """``value`` (``-`` reads stdin) trimmed; a ``CommandError`` if nothing is left."""
    text = sys.stdin.read() if value == "-" else value
    if text is None or not text.strip():
        raise CommandError(f"{option} is required: {what}")
    return text.strip()


# ---- JSON ----------------------------------------------------------------------------------


def _time(instant: dt.datetime | None) -> str | None:
    return instant.astimezone(dt.UTC).isoformat(timespec="seconds") if instant else None


def clock_json(clock: ClockView) -> dict[str, object]:
    return {
        "target": clock.target,
        "calendar": clock.calendar,
        "due_at": _time(clock.due_at),
        "met_at": _time(clock.met_at),
        "state": clock.state,
        "met": clock.met_at is not None,
        "breached": clock.state == "breached",
        "business_seconds": clock.business_seconds,
        "paused_business_seconds": clock.paused_business_seconds,
    }


def interaction_json(entry: InteractionView) -> dict[str, object]:
    return {
        "id": entry.id,
        "at": _time(entry.at),
        "kind": entry.kind,
        "direction": entry.direction,
        "author": entry.author,
        "author_handle": entry.author_handle,
        "body": entry.body,
        "meta": entry.meta,
        "attachments": list(entry.attachments),
    }


def ticket_json(view: TicketView) -> dict[str, object]:
    """The ticket as the stable JSON object the README documents."""

    def priority(p: Any) -> dict[str, object] | None:
        if p is None:
            return None
        return {
            "slug": p.slug,
            "label": p.label,
            "definition": p.definition,
            "handled_as": p.handled_as,
        }

    return {
        "reference": view.reference,
        "subject": view.subject,
        "description": view.description,
        "status": view.status,
        "team": view.team,
        "organisation": view.organisation,
        "contact": {
            "name": view.contact.name,
            "email": view.contact.email,
            "is_liaison": view.contact.is_liaison,
            "known": view.contact.known,
        },
        "contract": {"reference": view.contract_reference, "status": view.contract_status},
        "product": view.product,
        "channel": view.channel,
        "category": view.category,
        "policy": view.policy,
        "priority": priority(view.priority),
        "requested_priority": priority(view.requested_priority),
        "assignee": view.assignee,
        "flags": list(view.flags),
        "opened_at": _time(view.opened_at),
        "updated_at": _time(view.updated_at),
        "closed_at": _time(view.closed_at),
        "eta_at": _time(view.eta_at),
        "version": view.version,
        "next_clock": view.next_clock,
        "next_due_at": _time(view.next_due_at),
        "clocks": {clock.clock: clock_json(clock) for clock in view.clocks},
        "interactions": [interaction_json(entry) for entry in view.interactions],
    }


def summary_json(row: TicketSummary) -> dict[str, object]:
    return {
        "reference": row.reference,
        "subject": row.subject,
        "status": row.status,
        "priority": row.priority,
        "team": row.team,
        "organisation": row.organisation,
        "assignee": row.assignee,
        "next_clock": row.next_clock,
        "next_due_at": _time(row.next_due_at),
        "opened_at": _time(row.opened_at),
        "version": row.version,
    }


# ---- text ----------------------------------------------------------------------------------


def _clock_line(clock: ClockView, zone: dt.tzinfo, now: dt.datetime | None) -> str:
    parts = [f"  {clock.clock:<16}{clock.state:<10}"]
    if clock.due_at is not None:
        parts.append(f"due {local_time(clock.due_at, zone, now=now)}")
    if clock.met_at is not None:
        parts.append(f"met {local_time(clock.met_at, zone, now=now)}")
    if clock.business_seconds is not None:
        amount = duration(abs(clock.business_seconds))
        if clock.state in ("running", "paused"):
            word = "left" if clock.business_seconds >= 0 else "over"
        else:
            word = "early" if clock.business_seconds >= 0 else "late"
        parts.append(f"({amount} {word})")
    parts.append(f"[{clock.target or 'no target'}]")
    return " ".join(parts)


def ticket_text(view: TicketView, zone: dt.tzinfo, now: dt.datetime | None = None) -> str:
    """The ticket for a person at a terminal: customers' text made visible, never raw; times
    in ``zone`` in the app's one date style (the year said when not ``now``'s), durations in
    its one duration style."""
    contact = view.contact
    who = one_line(contact.name) + (f" <{one_line(contact.email)}>" if contact.email else "")
    if contact.is_liaison:
        who += " (liaison)"
    lines = [
        f"{view.reference}: {one_line(view.subject)}",
        f"status: {view.status}; assignee: {view.assignee or 'nobody'}; version {view.version}",
        f"priority: {view.priority.slug} ({one_line(view.priority.label)}); policy: {view.policy}",
        f"team: {view.team}; organisation: {view.organisation or 'none'}; contact: {who}",
        f"contract: {view.contract_reference or 'none'} ({view.contract_status}); "
        f"channel: {view.channel}; category: {view.category}; product: {view.product or 'none'}",
        f"opened: {local_time(view.opened_at, zone, now=now)}"
        + (f"; eta: {local_time(view.eta_at, zone, now=now)}" if view.eta_at else ""),
    ]
    if view.flags:
        lines.append(f"flags: {', '.join(view.flags)}")
    lines.append("clocks:")
    lines.extend(_clock_line(clock, zone, now) for clock in view.clocks)
    lines.append("log:")
    for entry in view.interactions:
        lines.append(
            f"  {local_time(entry.at, zone, now=now)} {entry.kind} ({entry.direction}) "
            f"{one_line(entry.author)}"
        )
        if entry.body:
            body = visible_text(entry.body, keep_newlines=True)
            lines.extend(f"    {line}" for line in body.splitlines())
        for item in entry.attachments:
            lines.append(
                f"    [attachment] {one_line(str(item.get('name')), 80)} "
                f"({item.get('size')} bytes, {one_line(str(item.get('content_type')), 60)})"
            )
    return "\n".join(lines)


def _print_ticket(args: argparse.Namespace, view: TicketView, text: str) -> int:
    print(json.dumps(ticket_json(view)) if args.json else text)
    return 0


def _after(args: argparse.Namespace, database: Database, now: dt.datetime, done: str) -> int:
    """What a changing command prints: the ticket as JSON, or one line saying what was done."""
    view = tickets.get_ticket(database, args.ref, now=now)
    return _print_ticket(args, view, f"{view.reference}: {done} (version {view.version})")


# ---- commands ------------------------------------------------------------------------------


def run_new(args: argparse.Namespace) -> int:
    organisation = _required(args.org, "--org", "the organisation's slug")
    contact = _required(args.contact, "--contact", "the contact's email address")
    channel = _required(args.channel, "--channel", ", ".join(c.value for c in Channel))
    category = _required(args.category, "--category", ", ".join(c.value for c in Category))
    priority = _required(args.priority, "--priority", "the priority slug the desk assigns")
    subject = _required(args.subject, "--subject", "a one-line subject")
    body = _required(args.body, "--body", "what the customer said")
    # Imported here: opening (routing, paging, mail) is most of this module's import time, and
    # the other ticket commands do not need it.
    from deskui.services import intake
    from deskui.services.mail.outbox import send_pending
    from deskui.services.mail.smtp import mail_configured

    with desk(args, options=_OPTIONS) as actor:
        database, now = actor.database, actor.now()
        options = intake_options(database, organisation, at=now)
        email = contact.lower()
        if email not in options.contacts:
            raise CommandError(
                f"--contact: {contact!r} is not a contact of {options.organisation} "
                f"(known: {', '.join(options.contacts) or 'none'})"
            )
        team = args.team
        if team is None:
            if len(options.contract_teams) != 1:
                why = (
                    "has no contract active today"
                    if not options.contract_teams
                    else f"has active contracts with {', '.join(options.contract_teams)}"
                )
                raise CommandError(
                    f"--team is required: {options.organisation} {why} "
                    f"(known teams: {', '.join(options.teams)})"
                )
            team = options.contract_teams[0]
        draft = tickets.TicketDraft(
            team=team,
            organisation=options.organisation,
            contact_email=email,
            channel=channel,
            category=category,
            priority=priority,
            requested_priority=args.requested_priority,
            product=args.product,
            subject=subject,
            description=body,
        )
        settings = actor.settings
        view = intake.open_ticket(
            actor.acting_as(args.actor),
            draft,
            route=args.route,
            acknowledge=True,
        )
        # A web ticket's acknowledgement goes out now if mail is set up (else it waits in the
        # outbox for `deskui mail send-pending`); the ticket is shown as it stands after.
        if mail_configured(settings) and send_pending(database, settings, at=now):
            view = tickets.get_ticket(database, view.reference, now=now)
    return _print_ticket(args, view, view.reference)


def run_show(args: argparse.Namespace) -> int:
    with desk(args, options=_OPTIONS) as actor:
        database, now = actor.database, actor.now()
        view = tickets.get_ticket(database, args.ref, now=now)
        zone = reader_zone(args, actor)
    return _print_ticket(args, view, ticket_text(view, zone, now))


def run_list(args: argparse.Namespace) -> int:
    if args.view is not None:
        if args.status != "open":
            raise CommandError("--status: not with --view (the view says which statuses)")
        if args.limit < 1:
            raise CommandError(f"--limit: {args.limit} is not at least 1")
        return view.list_view(args)
    if args.status not in LIST_STATUSES:
        raise CommandError(
            f"--status: unknown status {args.status!r} (known: {', '.join(LIST_STATUSES)})"
        )
    if args.limit < 1:
        raise CommandError(f"--limit: {args.limit} is not at least 1")
    wanted: Any
    if args.status == "open":
        wanted = sorted(OPEN_STATUSES)
    elif args.status == "all":
        wanted = None
    else:
        wanted = args.status
    with desk(args, options=_OPTIONS) as actor:
        database = actor.database
        rows = tickets.list_tickets(database, status=wanted, limit=args.limit)
        zone = reader_zone(args, actor)
    if args.json:
        print(json.dumps({"tickets": [summary_json(row) for row in rows]}))
        return 0
    for row in rows:
        due = (
            f"{row.next_clock} due {local_time(row.next_due_at, zone)}" if row.next_due_at else "-"
        )
        print(
            f"{row.reference}\t{row.status}\t{row.priority}\t{row.assignee or '-'}\t"
            f"{due}\t{one_line(row.subject, 80)}"
        )
    return 0


def run_note(args: argparse.Namespace) -> int:
    who = _required(args.actor, "--as", "the handle of the agent writing the note")
    body = _required(args.body, "--body", "the note")
    with desk(args, options=_OPTIONS) as actor:
        database, now = actor.database, actor.now()
        tickets.add_note(actor.acting_as(who), args.ref, body)
        return _after(args, database, now, "note added")


def run_contact(args: argparse.Namespace) -> int:
    body = _required(args.body, "--body", "what the customer said")
    with desk(args, options=_OPTIONS) as actor:
        database, now = actor.database, actor.now()
        before = tickets.get_ticket(database, args.ref, now=now).status
        tickets.log_contact(
            actor.acting_as(args.actor),
            args.ref,
            args.kind,
            body,
            author_name=args.author_name,
            resume=True,
        )
        status = tickets.get_ticket(database, args.ref, now=now).status
        done = "contact logged" + (f" ({before} → {status})" if status != before else "")
        return _after(args, database, now, done)


def run_reply(args: argparse.Namespace) -> int:
    who = _required(args.actor, "--as", "the handle of the agent replying")
    body = _required(args.body, "--body", "what was said to the customer")
    if args.kind not in ("email-out", "call-out"):
        raise CommandError(f"--kind: unknown kind {args.kind!r} (known: email-out, call-out)")
    from deskui.services.mail import replies

    with desk(args, options=_OPTIONS) as actor:
        database, now = actor.database, actor.now()
        agent = actor.acting_as(who)
        if args.kind == "call-out":
            tickets.reply(agent, args.ref, args.kind, body)
            return _after(args, database, now, f"{args.kind} logged")
        replies.send_reply(agent, args.ref, body, subject=args.subject)
        return _after(args, database, now, _sent(actor, "email-out logged"))


def _sent(actor: Actor, done: str) -> str:
    """Send what the outbox holds now that the write committed; what to say about it. A
    failure stays in the outbox for retries (``deskui mail outbox``), never loses the mail."""
    from deskui.services.mail.outbox import deliver_pending
    from deskui.services.mail.smtp import mail_configured

    if not mail_configured(actor.settings):
        return f"{done}; queued (no SMTP server set: 'deskui mail send-pending' sends it)"
    results = deliver_pending(actor)
    failed = [r for r in results if r.outcome != "sent"]
    if failed:
        why = one_line(failed[0].error or "not sent", 160)
        return f"{done}; not sent yet, kept in the outbox for retries: {why}"
    return f"{done} and sent"


def run_status(args: argparse.Namespace) -> int:
    who = _required(args.actor, "--as", "the handle of the agent changing it")
    try:
        wanted = Status(args.status)
    except ValueError:
        known = ", ".join(s.value for s in Status)
        raise CommandError(f"STATUS: unknown status {args.status!r} (known: {known})") from None
    from deskui.services.mail import replies

    with desk(args, options=_OPTIONS) as actor:
        database, now = actor.database, actor.now()
        if wanted is Status.RESOLVED:
            tell = args.tell
            if tell is None:
                tell = replies.tells_client_by_default(database, args.ref)
            replies.resolve_and_tell(
                actor.acting_as(who),
                args.ref,
                args.note,
                tell=tell,
                breach_reason=args.breach_reason,
            )
            done = "now resolved"
            if tell:
                done = _sent(actor, "now resolved, summary emailed")
            return _after(args, database, now, done)
        tickets.set_status(
            actor.acting_as(who),
            args.ref,
            wanted,
            note=args.note,
            breach_reason=args.breach_reason,
        )
        return _after(args, database, now, f"now {wanted.value}")


def run_feedback(args: argparse.Namespace) -> int:
    score = _required(args.score, "--score", "a whole number from 1 to 5")
    from deskui.services.workflow import feedback

    with desk(args, options=_OPTIONS) as actor:
        database, now = actor.database, actor.now()
        feedback.record_feedback(
            actor.acting_as(args.actor),
            args.ref,
            score,
            args.comment,
        )
        return _after(args, database, now, f"feedback {score}/5 recorded")


def run_assign(args: argparse.Namespace) -> int:
    handle = _required(args.handle, "HANDLE", "the agent's handle")
    with desk(args, options=_OPTIONS) as actor:
        database, now = actor.database, actor.now()
        tickets.assign(actor.acting_as(args.actor), args.ref, handle)
        return _after(args, database, now, f"assigned to {handle}")
