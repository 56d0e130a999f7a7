"""Every public writer of the services layer leaves exactly one audit row when it refuses.

The writers are found by looking, not listed by hand: every public function of
``deskui.services`` whose first parameter is an ``Actor``. Each must be in ``REFUSED`` (how to
call it as someone it refuses) or in ``NEVER_REFUSED`` (why no role applies), so a new writer
that forgets the refusal audit, or that nobody thought about, fails here (both backends).
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select
from test_many_agents import open_shared_tickets
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

import deskui.services
from deskui.services import tickets
from deskui.services.actor import Actor
from deskui.services.authorization import RoleRefusedError
from deskui.services.intake import opening
from deskui.services.mail import replies
from deskui.services.oncall import paging
from deskui.services.supervision import board
from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.unit_of_work import ticket_write
from deskui.services.workflow import approvals, feedback, modification, triage
from deskui.store.models import AuditRefusal
from deskui.store.session import Database

APPROVER_ONLY = "tnakamura"  # may decide requests, may not work tickets
AGENT_ONLY = "jleblanc"  # works tickets; no supervisor or approver role
AT = dt.datetime.now(dt.UTC)
LATER = AT + dt.timedelta(days=3)

Call = Callable[[Actor, str], object]

DRAFT = TicketDraft(
    team="velsoft",
    subject="Blank page",
    channel="email",
    category="technical",
    contact_email="colleen@maritime-health.example",
    priority="high",
)


def _enter(actor: Actor, ref: str) -> None:
    with ticket_write(actor, ref):
        pass


# Who is refused, and the call (valid input, so only the role can stop it).
REFUSED: dict[str, tuple[str, Call]] = {
    "tickets.unit_of_work.ticket_write": (APPROVER_ONLY, _enter),
    "tickets.lifecycle.acknowledge": (APPROVER_ONLY, lambda a, r: tickets.acknowledge(a, r)),
    "tickets.lifecycle.assign": (APPROVER_ONLY, lambda a, r: tickets.assign(a, r, None)),
    "tickets.lifecycle.log_contact": (
        APPROVER_ONLY,
        lambda a, r: tickets.log_contact(a, r, "call-in", "x"),
    ),
    "tickets.lifecycle.reply": (APPROVER_ONLY, lambda a, r: tickets.reply(a, r, "email-out", "x")),
    "tickets.lifecycle.log_remote_session": (
        APPROVER_ONLY,
        lambda a, r: tickets.log_remote_session(a, r, "x"),
    ),
    "tickets.lifecycle.add_note": (APPROVER_ONLY, lambda a, r: tickets.add_note(a, r, "x")),
    "tickets.lifecycle.change_priority": (
        APPROVER_ONLY,
        lambda a, r: tickets.change_priority(a, r, "medium", "x"),
    ),
    "tickets.lifecycle.set_eta": (APPROVER_ONLY, lambda a, r: tickets.set_eta(a, r, LATER)),
    "tickets.lifecycle.set_waiting": (APPROVER_ONLY, lambda a, r: tickets.set_waiting(a, r, True)),
    "tickets.lifecycle.start_work": (APPROVER_ONLY, lambda a, r: tickets.start_work(a, r)),
    "tickets.lifecycle.resolve": (APPROVER_ONLY, lambda a, r: tickets.resolve(a, r, "x")),
    "tickets.lifecycle.reopen": (APPROVER_ONLY, lambda a, r: tickets.reopen(a, r, "x")),
    "tickets.lifecycle.close": (APPROVER_ONLY, lambda a, r: tickets.close(a, r)),
    "tickets.lifecycle.set_status": (
        APPROVER_ONLY,
        lambda a, r: tickets.set_status(a, r, "in-progress"),
    ),
    "intake.opening.open_ticket": (APPROVER_ONLY, lambda a, _r: opening.open_ticket(a, DRAFT)),
    "workflow.triage.record_answers": (
        APPROVER_ONLY,
        lambda a, r: triage.record_answers(a, r, {"1": ("yes", "")}),
    ),
    "workflow.triage.reclassify": (
        APPROVER_ONLY,
        lambda a, r: triage.reclassify(a, r, "training", "x"),
    ),
    "workflow.modification.record_workaround": (
        APPROVER_ONLY,
        lambda a, r: modification.record_workaround(a, r, "x"),
    ),
    "workflow.modification.start_modification": (
        APPROVER_ONLY,
        lambda a, r: modification.start_modification(a, r),
    ),
    "workflow.modification.complete_task": (
        APPROVER_ONLY,
        lambda a, r: modification.complete_task(a, r, "modification", "1"),
    ),
    "workflow.approvals.request_approval": (
        APPROVER_ONLY,
        lambda a, r: approvals.request_approval(a, r, "x"),
    ),
    "workflow.approvals.require_approver": (
        AGENT_ONLY,
        lambda a, r: approvals.require_approver(a, r),
    ),
    "workflow.approvals.decide": (
        AGENT_ONLY,
        lambda a, r: approvals.decide(a, r, "approved", "x"),
    ),
    "workflow.feedback.record_feedback": (
        APPROVER_ONLY,
        lambda a, r: feedback.record_feedback(a, r, 5),
    ),
    "workflow.feedback.contact_and_resolve": (
        APPROVER_ONLY,
        lambda a, r: feedback.contact_and_resolve(a, r, "x", "y"),
    ),
    "oncall.paging.acknowledge_pages": (
        APPROVER_ONLY,
        lambda a, r: paging.acknowledge_pages(a, r),
    ),
    "supervision.board.check_may_watch": (AGENT_ONLY, lambda a, _r: board.check_may_watch(a)),
    "supervision.board.reassign": (
        AGENT_ONLY,
        lambda a, r: board.reassign(a, r, "dpatel", expected_version=None),
    ),
    "mail.replies.send_reply": (
        APPROVER_ONLY,
        lambda a, r: replies.send_reply(a, r, "We are looking at it."),
    ),
    "mail.replies.resolve_and_tell": (
        APPROVER_ONLY,
        lambda a, r: replies.resolve_and_tell(a, r, "Fixed.", tell=True),
    ),
}

# Writers no role stops, and why.
NEVER_REFUSED: dict[str, str] = {
    "intake.mail_in.ingest_message": "mail intake is the system (an MTA pipe)",
    "intake.mail_in.file_message": "mail intake is the system (an MTA pipe)",
    "intake.mail_in.quarantine": "keeping a message that could not be filed",
    "intake.quarantine.retry_quarantined": "any agent may review the quarantine",
    "intake.quarantine.dismiss_quarantined": "any agent may review the quarantine",
    "intake.mailbox_fetch.fetch_all": "mail intake is the system (IMAP mailboxes)",
    "intake.mailbox_fetch.fetch_pass": "mail intake is the system (IMAP mailboxes)",
    "intake.mailbox_fetch.watch_mailbox": "mail intake is the system (IMAP mailboxes)",
    "mail.outbox.deliver_pending": "sending mail already queued by an allowed write",
    "tickets.alerts.check_alerts": "an agent's own alerts: any signed-in agent, no role",
    "tickets.saved_views.save_view": "an agent's own queue views: any signed-in agent, no role",
    "tickets.saved_views.delete_view": "an agent's own queue views: any signed-in agent, no role",
}


def public_writers() -> Iterator[str]:
    """Every public function of ``deskui.services`` taking an ``Actor`` first."""
    prefix = "deskui.services."
    for info in pkgutil.walk_packages(deskui.services.__path__, prefix):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(value):
                continue
            if value.__module__ != module.__name__:
                continue  # re-exported: counted where it is defined
            parameters = list(inspect.signature(value).parameters.values())
            if parameters and parameters[0].annotation in ("Actor", Actor):
                yield f"{module.__name__.removeprefix(prefix)}.{name}"


def audit_rows(database: Database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(AuditRefusal)) or 0


def test_every_writer_is_accounted_for() -> None:
    found = set(public_writers())
    assert found, "no writers found: the discovery is broken"
    assert not set(REFUSED) & set(NEVER_REFUSED)
    assert found == set(REFUSED) | set(NEVER_REFUSED), (
        f"not covered here: {sorted(found - set(REFUSED) - set(NEVER_REFUSED))}; "
        f"gone: {sorted((set(REFUSED) | set(NEVER_REFUSED)) - found)}"
    )


def test_a_refused_call_writes_exactly_one_audit_row(desk: Database) -> None:
    (ref,) = open_shared_tickets(desk, 1)
    problems = []
    for name, (who, call) in sorted(REFUSED.items()):
        before = audit_rows(desk)
        try:
            call(Actor.of(desk, who, at=AT), ref)
        except RoleRefusedError:
            pass
        else:
            problems.append(f"{name}: {who} was not refused")
            continue
        written = audit_rows(desk) - before
        if written != 1:
            problems.append(f"{name}: {written} audit rows")
    assert problems == []


def test_an_approver_only_account_reclassifying_is_refused_and_recorded(desk: Database) -> None:
    (ref,) = open_shared_tickets(desk, 1)
    with pytest.raises(RoleRefusedError, match="may not work tickets"):
        triage.reclassify(Actor.of(desk, APPROVER_ONLY, at=AT), ref, "training", "x")
    with desk.read() as session:
        rows = session.scalars(select(AuditRefusal)).all()
        assert [(r.actor, r.action, r.target) for r in rows] == [
            (APPROVER_ONLY, "work tickets", ref)
        ]
