"""The ticket screen's action forms, one builder per key: fields, checks and the write.

Each builder takes the signed-in ``Actor`` and the ``TicketPage`` the agent is looking at and
returns an ``ActionForm`` whose ``perform`` calls the matching use case (in the form's thread
worker) with the version the agent saw, where the service checks versions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from textual.content import Content
from textual.widgets import Input, Static, TextArea

from deskui.domain.mail_rules import fuzzy_rank
from deskui.domain.untrusted import one_line
from deskui.services import tickets
from deskui.services.actor import Actor
from deskui.services.mail import replies
from deskui.services.mail.outbox import deliver_pending
from deskui.services.tickets.views import AgentChoice, CannedReply, TicketPage
from deskui.ui.screens.forms.base import ActionForm, FieldSpec
from deskui.ui.screens.forms.models import (
    ETA_FORMAT,
    AssignValues,
    ContactValues,
    EtaValues,
    NoteValues,
    PriorityValues,
    RemoteSessionValues,
    ReopenValues,
    ReplyValues,
    ResolveValues,
    WaitingValues,
)

CONTACT_KINDS: tuple[tuple[str, str], ...] = (
    ("Phone call", "call-in"),
    ("Email", "email-in"),
    ("Fax", "fax-in"),
    ("Answerphone message", "answerphone"),
)
REPLY_KINDS: tuple[tuple[str, str], ...] = (("Call back", "call-out"), ("Email out", "email-out"))
# The contact kind a new entry most likely has, from how the ticket came in.
CHANNEL_KINDS = {
    "phone": "call-in",
    "email": "email-in",
    "fax": "fax-in",
    "answerphone": "answerphone",
}


def _title(action: str, page: TicketPage) -> str:
    return f"{action} · {page.ticket.reference}"


class AssignForm(ActionForm[AssignValues]):
    """The assign form. The rule (``services.authorization.require_may_assign``): anyone may
    place an unassigned ticket or pass on their own; a ticket someone else holds is moved only
    by a supervisor. So an agent who gives their own ticket to someone else cannot take it
    back: the form says so up front, and the first save only asks to confirm."""

    def __init__(self, *args: object, gives_away_from: str | None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.gives_away_from = gives_away_from  # my handle if the move cannot be undone by me
        self.confirmed_for: str | None = None

    def action_submit(self) -> None:
        chosen = self.values().get("assignee")
        irreversible = self.gives_away_from is not None and chosen not in (
            None,
            self.gives_away_from,
        )
        if irreversible and self.confirmed_for != chosen and not self.saving:
            self.clear_errors()
            self.confirmed_for = chosen
            self.show_error(
                None,
                f"Give it to {chosen}? Only {chosen} or a supervisor can give it back to you. "
                "Press ctrl+s again to confirm.",
            )
            return
        super().action_submit()


def assign_form(
    actor: Actor,
    page: TicketPage,
    agents: Sequence[AgentChoice],
    *,
    me: str | None = None,
    supervisor: bool = False,
) -> ActionForm[AssignValues]:
    ref = page.ticket.reference
    current = page.ticket.assignee_name or "nobody"
    mine = me is not None and page.ticket.assignee == me
    gives_away = me if mine and not supervisor else None
    intro = f"Now assigned to {one_line(current)}."
    if gives_away:
        intro += (
            " It is yours: once someone else has it, only they or a supervisor can move it "
            "(back to you too)."
        )
    return AssignForm(
        _title("Assign", page),
        [
            FieldSpec(
                "assignee",
                "Assign to",
                "select",
                options=tuple((f"{a.name} ({a.handle})", a.handle) for a in agents),
                required=True,
            )
        ],
        AssignValues,
        lambda v, version: tickets.assign(actor, ref, v.assignee, expected_version=version),
        expected_version=page.ticket.version,
        intro=intro,
        gives_away_from=gives_away,
    )


def contact_form(actor: Actor, page: TicketPage) -> ActionForm[ContactValues]:
    ref = page.ticket.reference
    caller = one_line(page.ticket.contact.name, 60) or "the requester"
    return ActionForm(
        _title("Log a contact from the customer", page),
        [
            FieldSpec(
                "kind",
                "How they got in touch",
                "select",
                options=CONTACT_KINDS,
                value=CHANNEL_KINDS.get(page.ticket.channel, "call-in"),
                required=True,
            ),
            FieldSpec("author_name", "From", placeholder=f"{caller} (leave empty)"),
            FieldSpec("body", "What they said", "text", required=True),
        ],
        ContactValues,
        # The customer getting in touch resumes a waiting ticket or reopens a resolved one.
        lambda v, _version: tickets.log_contact(
            actor, ref, v.kind, v.body, author_name=v.author_name or None, resume=True
        ),
    )


def reply_form(actor: Actor, page: TicketPage) -> ReplyForm:
    ref = page.ticket.reference
    email = page.ticket.channel == "email"
    fields = [
        FieldSpec(
            "kind",
            "How (an email is sent to the requester, Cc kept)",
            "select",
            options=REPLY_KINDS,
            value="email-out" if email else "call-out",
            required=True,
        ),
    ]
    if page.canned:
        fields.append(
            FieldSpec(
                "canned",
                "Canned reply (type to search, Enter puts it in the text)",
                placeholder=", ".join(c.name for c in page.canned[:3]),
            )
        )
    fields.append(
        FieldSpec(
            "subject",
            "Email subject (the reference is kept in it)",
            placeholder=f"[{ref}] Re: {one_line(page.ticket.subject, 50)}",
        )
    )
    fields.append(FieldSpec("body", "What was said", "text", required=True))
    return ReplyForm(
        page.canned,
        _title("Reply to the customer", page),
        fields,
        ReplyValues,
        lambda v, _version: _reply(actor, ref, v),
    )


def _reply(actor: Actor, ref: str, values: ReplyValues) -> int:
    """Log the reply; an email one is queued with it and sent once the write committed (a
    failure stays in the outbox, retried and logged on the ticket)."""
    if values.kind != "email-out":
        return tickets.reply(actor, ref, values.kind, values.body)
    version = replies.send_reply(actor, ref, values.body, subject=values.subject or None)
    deliver_pending(actor)
    return version


def _resolve(actor: Actor, ref: str, values: ResolveValues, version: int | None) -> int:
    tell = values.tell_client == "yes"
    done = replies.resolve_and_tell(
        actor,
        ref,
        values.summary,
        tell=tell,
        breach_reason=values.breach_reason or None,
        expected_version=version,
    )
    if tell:
        deliver_pending(actor)
    return done


class ReplyForm(ActionForm[ReplyValues]):
    """The reply form with the team's canned replies: typing in the canned field lists the
    fuzzy matches; Enter there puts the best one's text in the body (to edit before saving)."""

    def __init__(self, canned: Sequence[CannedReply], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.canned = {c.name: c for c in canned}

    def best_canned(self, query: str) -> CannedReply | None:
        ranked = fuzzy_rank(query, self.canned)
        return self.canned[ranked[0]] if ranked else None

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "field-canned":
            return
        names = fuzzy_rank(event.value, self.canned)
        box = self.query_one("#error-canned", Static)
        box.update(Content(" · ".join(names[:5]) if names else "no canned reply matches"))
        box.add_class("-shown")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "field-canned":
            return  # ActionForm's own handler (Textual calls it next) saves the form
        # Enter here picks a canned reply; it must not also save the form.
        event.stop()
        event.prevent_default()
        chosen = self.best_canned(event.value)
        if chosen is None:
            return
        event.input.value = chosen.name
        if chosen.subject:
            self.query_one("#field-subject", Input).value = chosen.subject
        body = self.query_one("#field-body", TextArea)
        body.text = chosen.body
        body.focus()


def remote_session_form(actor: Actor, page: TicketPage) -> ActionForm[RemoteSessionValues]:
    ref = page.ticket.reference
    return ActionForm(
        _title("Log a remote session", page),
        [
            FieldSpec("body", "What was done", "text", required=True),
            FieldSpec("minutes", "Minutes", placeholder="how long (optional)"),
        ],
        RemoteSessionValues,
        lambda v, _version: tickets.log_remote_session(actor, ref, v.body, minutes=v.minutes),
    )


def note_form(actor: Actor, page: TicketPage) -> ActionForm[NoteValues]:
    ref = page.ticket.reference
    return ActionForm(
        _title("Internal note", page),
        [FieldSpec("body", "Note (never shown to the customer)", "text", required=True)],
        NoteValues,
        lambda v, _version: tickets.add_note(actor, ref, v.body),
    )


def priority_form(actor: Actor, page: TicketPage) -> ActionForm[PriorityValues]:
    ticket = page.ticket
    ref = ticket.reference
    lines = [f"Now {ticket.priority.label}: {ticket.priority.definition or 'no definition'}"]
    lines += [f"· {p.label}: {p.definition}" for p in page.priorities if p.definition]
    return ActionForm(
        _title("Change priority", page),
        [
            FieldSpec(
                "priority",
                "New priority",
                "select",
                options=tuple((p.label, p.slug) for p in page.priorities),
                required=True,
            ),
            FieldSpec("reason", "Reason", required=True),
        ],
        PriorityValues,
        lambda v, version: tickets.change_priority(
            actor, ref, v.priority, v.reason, expected_version=version
        ),
        expected_version=ticket.version,
        intro=Content("\n".join(lines)),
    )


def waiting_form(actor: Actor, page: TicketPage) -> ActionForm[WaitingValues]:
    ref = page.ticket.reference
    waiting = page.ticket.status != "waiting-on-customer"
    title = "Wait on the customer" if waiting else "Resume work"
    intro = (
        "The resolution clock pauses until you resume."
        if waiting
        else "The resolution clock starts again; its due moves by the time paused."
    )
    return ActionForm(
        _title(title, page),
        [
            FieldSpec(
                "note", "What are we waiting for?" if waiting else "Note", placeholder="optional"
            )
        ],
        WaitingValues,
        lambda v, version: tickets.set_waiting(
            actor, ref, waiting, note=v.note, expected_version=version
        ),
        expected_version=page.ticket.version,
        intro=intro,
        submit_label="Wait" if waiting else "Resume",
    )


def eta_form(
    actor: Actor, page: TicketPage, zone: dt.tzinfo, now: dt.datetime
) -> ActionForm[EtaValues]:
    ticket = page.ticket
    ref = ticket.reference
    current = ticket.eta_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if ticket.eta_at else ""
    return ActionForm(
        _title("ETA given to the customer", page),
        [
            FieldSpec("eta", f"ETA ({ETA_FORMAT}, {zone})", value=current, placeholder=ETA_FORMAT),
            FieldSpec("note", "Note", placeholder="optional"),
        ],
        EtaValues,
        lambda v, version: tickets.set_eta(
            actor, ref, v.eta, note=v.note, expected_version=version
        ),
        expected_version=ticket.version,
        context={"zone": zone, "now": now},
        intro="A negotiated resolution clock takes the ETA as its due.",
    )


def resolve_form(actor: Actor, page: TicketPage, *, breached: bool) -> ActionForm[ResolveValues]:
    ref = page.ticket.reference
    reason_label = (
        "Reason for the breach (required: the SLA was breached)"
        if breached
        else "Reason for a breach (only if a clock was breached)"
    )
    return ActionForm(
        _title("Resolve", page),
        [
            FieldSpec("summary", "Resolution summary", "text", required=True),
            FieldSpec("breach_reason", reason_label, required=breached),
            FieldSpec(
                "tell_client",
                "Email the summary to the client",
                "select",
                options=(("Yes, email it", "yes"), ("No", "no")),
                value="yes" if page.tells_client else "no",
            ),
        ],
        ResolveValues,
        lambda v, version: _resolve(actor, ref, v, version),
        expected_version=page.ticket.version,
        context={"breached": breached},
        submit_label="Resolve",
    )


def reopen_form(actor: Actor, page: TicketPage) -> ActionForm[ReopenValues]:
    ref = page.ticket.reference
    return ActionForm(
        _title("Reopen", page),
        [FieldSpec("reason", "Why reopen it?", required=True)],
        ReopenValues,
        lambda v, version: tickets.reopen(actor, ref, v.reason, expected_version=version),
        expected_version=page.ticket.version,
        submit_label="Reopen",
    )
