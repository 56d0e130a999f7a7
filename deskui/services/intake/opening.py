"""Opening a ticket: who is asking, under which contract and policy, and its first log entry.

Entitlement never blocks logging: a sender who is not a designated liaison of the contract is
flagged ``non-liaison``, and an organisation with no contract with the team active on the
opening date (in the team's zone) is flagged ``no-entitlement`` and gets the team's default
policy. The reference (``DSK-000123``, prefix from the desk) is taken in the same transaction
that inserts the ticket, so references stay unique and gapless.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from deskui.domain.sla.policy import PolicySpec, PrioritySpec
from deskui.domain.vocabulary import Channel, Direction, InteractionKind, Status
from deskui.services.actor import Actor
from deskui.services.authorization import TICKET_WORKERS, refusals_recorded, require_role
from deskui.services.errors import TicketValidationError
from deskui.services.mail.outbox import mail_domain, queue_acknowledgement
from deskui.services.oncall.paging import queue_pages
from deskui.services.tickets.draft import CheckedDraft, TicketDraft, check_draft
from deskui.services.tickets.entitlement import active_contract
from deskui.services.tickets.reads import ticket_view
from deskui.services.tickets.sla_context import SlaContext, policy_for
from deskui.services.tickets.unit_of_work import (
    TicketEdit,
    find_agent,
    policy_priority,
    require_aware,
)
from deskui.services.tickets.views import TicketView
from deskui.services.workflow.approval_requests import apply_request
from deskui.services.workflow.routing import route_new_ticket
from deskui.store.models import (
    Agent,
    Contact,
    Contract,
    Desk,
    Interaction,
    Organisation,
    Product,
    SlaPolicy,
    Team,
    Ticket,
)
from deskui.store.references import next_reference

DEFAULT_PREFIX = "DSK"
_Named = TypeVar("_Named", Team, Organisation, Product)

# How the first log entry reads for each channel. There is no "web-in" entry kind: a web form
# is logged as a system entry; someone at the counter is logged like a call.
OPENING_KINDS: dict[Channel, InteractionKind] = {
    Channel.PHONE: InteractionKind.CALL_IN,
    Channel.EMAIL: InteractionKind.EMAIL_IN,
    Channel.FAX: InteractionKind.FAX_IN,
    Channel.ANSWERPHONE: InteractionKind.ANSWERPHONE,
    Channel.WEB: InteractionKind.SYSTEM,
    Channel.WALK_IN: InteractionKind.CALL_IN,
}


def _by_slug(session: Session, model: type[_Named], slug: str, field: str) -> _Named:
    row = session.scalars(select(model).where(model.slug == slug)).one_or_none()
    if row is None:
        known = ", ".join(session.scalars(select(model.slug).order_by(model.slug))) or "none"
        raise TicketValidationError(field, f"unknown {field} {slug!r} (known: {known})")
    return row


def _requester(
    session: Session, checked: CheckedDraft
) -> tuple[Organisation | None, Contact | None]:
    draft = checked.draft
    organisation = (
        _by_slug(session, Organisation, draft.organisation, "organisation")
        if draft.organisation
        else None
    )
    contact = None
    if checked.contact_email is not None:
        contact = session.scalars(
            select(Contact).where(Contact.email == checked.contact_email)
        ).one_or_none()
    if contact is not None:
        if organisation is None:
            organisation = contact.organisation
        elif contact.organisation_id != organisation.id:
            raise TicketValidationError(
                "contact_email",
                f"{checked.contact_email} is a contact of {contact.organisation.slug}, "
                f"not of {organisation.slug}",
            )
    return organisation, contact


# Called inside the opening transaction once the ticket and its first entry have ids (mail
# intake stores attachments and the message id there).
AfterOpen = Callable[[Session, Ticket, Interaction], None]


@dataclass(frozen=True, slots=True)
class OpeningOptions:
    """How a channel opens its tickets (see ``open_ticket``)."""

    route: bool = False
    acknowledge: bool = False
    opening_meta: Mapping[str, Any] | None = None
    opening_attachments: Sequence[Mapping[str, Any]] = ()
    after_open: AfterOpen | None = None
    lowest_by_default: bool = False
    fallback_priorities: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class _Terms:
    """Who is asking and under which terms: what entitlement decided."""

    team: Team
    organisation: Organisation | None
    contact: Contact | None
    product: Product | None
    contract: Contract | None
    policy_row: SlaPolicy
    requested: str | None
    priority: PrioritySpec
    context: SlaContext
    policy: PolicySpec


def open_ticket(
    actor: Actor,
    draft: TicketDraft,
    *,
    route: bool = False,
    acknowledge: bool = False,
    opening_meta: Mapping[str, Any] | None = None,
    opening_attachments: Sequence[Mapping[str, Any]] = (),
    after_open: AfterOpen | None = None,
    lowest_by_default: bool = False,
    fallback_priorities: Mapping[str, str] | None = None,
) -> TicketView:
    """Open a ticket: entitlement flags, policy, reference, first log entry, clocks.

    The policy is the one of the organisation's contract with the team active on the opening
    date (in the team's zone), else the team's default. A sender who is not a liaison of that
    contract is flagged ``non-liaison``; no active contract is flagged ``no-entitlement``.
    Neither stops the ticket being logged.

    Intake paths (the new-ticket form, ``deskui ticket new``, mail) pass ``route=True``: the
    routing rules assign it in the same transaction (``deskui.services.workflow.routing``). With
    ``acknowledge`` a ticket from email or the web gets an acknowledgement queued in the outbox
    (``deskui.services.mail.outbox``; send it after this returns with ``send_pending``), its
    Message-ID in the domain of the actor's settings' From address. ``opening_meta`` and
    ``opening_attachments`` go on the first log entry. A draft without a priority gets
    ``fallback_priorities[policy name]`` if given (mail's configured choice per policy), else
    the policy's default; with ``lowest_by_default``, failing both, the policy's lowest
    priority instead of an error (mail, which never says).
    """
    options = OpeningOptions(
        route,
        acknowledge,
        opening_meta,
        opening_attachments,
        after_open,
        lowest_by_default,
        fallback_priorities,
    )
    at = require_aware(actor.now())
    checked = check_draft(draft, at)
    opened_at = draft.opened_at or at
    with refusals_recorded(actor.database), actor.database.write() as session:
        session.autoflush = False
        agent = _opener(session, actor, at)
        terms = _terms(actor, session, checked, opened_at, options)
        edit = _insert(actor, session, checked, terms, agent, at, opened_at)
        opening = _log_opening(edit, checked, options, opened_at)
        _route_page_acknowledge(edit, checked, options, actor)
        if after_open is not None:
            after_open(session, edit.ticket, opening)
        # Rows added after the ticket's flush go in before the change-feed event.
        session.flush()
        view = ticket_view(session, edit.context, edit.ticket, at)
        edit.announce("opened")
        return view


def _opener(session: Session, actor: Actor, at: dt.datetime) -> Agent | None:
    """The agent opening it (``None``: the system); refused unless they work tickets."""
    agent = find_agent(session, actor.handle) if actor.handle is not None else None
    require_role(agent, *TICKET_WORKERS, action="open tickets", at=at)
    return agent


def _terms(
    actor: Actor,
    session: Session,
    checked: CheckedDraft,
    opened_at: dt.datetime,
    options: OpeningOptions,
) -> _Terms:
    """Team, requester, product, the contract in force, its policy and the priority."""
    draft = checked.draft
    team = _by_slug(session, Team, draft.team.strip(), "team")
    organisation, contact = _requester(session, checked)
    product = _by_slug(session, Product, draft.product, "product") if draft.product else None
    contract = active_contract(session, organisation, team, opened_at)
    policy_row = contract.policy if contract is not None else team.policy
    if policy_row is None:
        raise TicketValidationError(
            "team", f"team {team.slug!r} has no default SLA policy and no contract applies"
        )
    context, policy = policy_for(actor.database, session, policy_row.name)
    requested, priority = _priority(draft, policy, options)
    return _Terms(
        team,
        organisation,
        contact,
        product,
        contract,
        policy_row,
        requested,
        priority,
        context,
        policy,
    )


def _priority(
    draft: TicketDraft, policy: PolicySpec, options: OpeningOptions
) -> tuple[str | None, PrioritySpec]:
    """The requested priority (checked) and the one the ticket gets."""
    requested = (draft.requested_priority or "").strip() or None
    if requested is not None:
        policy_priority(policy, requested, "requested_priority")
    wanted = (
        (draft.priority or "").strip()
        or requested
        or (options.fallback_priorities or {}).get(policy.name)
        or policy.default_priority
    )
    if wanted is None and options.lowest_by_default and policy.priorities:
        # Mail says nothing of priority: the lowest, for a person to raise on triage.
        wanted = policy.priorities[-1].slug
    if wanted is None:
        known = ", ".join(p.slug for p in policy.priorities)
        raise TicketValidationError("priority", f"choose a priority (known: {known})")
    return requested, policy_priority(policy, wanted, "priority")


def _insert(
    actor: Actor,
    session: Session,
    checked: CheckedDraft,
    terms: _Terms,
    agent: Agent | None,
    at: dt.datetime,
    opened_at: dt.datetime,
) -> TicketEdit:
    """The ticket row, with its reference taken in this transaction (unique and gapless)."""
    draft = checked.draft
    policy = terms.policy
    desk = session.get(Desk, 1)
    reference = next_reference(session, desk.reference_prefix if desk else DEFAULT_PREFIX)
    contact, contract = terms.contact, terms.contract
    ticket = Ticket(
        reference=reference,
        team=terms.team,
        organisation=terms.organisation,
        contact=contact,
        contract=contract,
        requester_name=draft.requester_name.strip() or (contact.name if contact else ""),
        requester_email=checked.requester_email or checked.contact_email,
        product=terms.product,
        channel=checked.channel,
        category=checked.category,
        subject=checked.subject,
        description=draft.description,
        requested_priority=terms.requested,
        policy=terms.policy_row,
        priority=terms.priority.slug,
        priority_rank=policy.rank(terms.priority.slug),
        status=Status.NEW,
        created_at=at,
        opened_at=opened_at,
        updated_at=at,
        flag_no_entitlement=contract is None,
        flag_non_liaison=contract is not None
        and (contact is None or contact not in contract.liaisons),
    )
    session.add(ticket)
    edit = TicketEdit(actor.database, session, ticket, terms.context, policy, at, agent)
    edit.clocks_touched = True
    return edit


def _log_opening(
    edit: TicketEdit, checked: CheckedDraft, options: OpeningOptions, opened_at: dt.datetime
) -> Interaction:
    """The first log entry: what the customer said, by the channel it came through."""
    ticket = edit.ticket
    opening = edit.log(
        OPENING_KINDS[checked.channel],
        checked.draft.description,
        {**(options.opening_meta or {}), "opening": True, "channel": checked.channel.value},
        author_name=ticket.requester_name or checked.requester_email or checked.contact_email,
        direction=Direction.IN,
        at=opened_at,
    )
    opening.attachments = [dict(item) for item in options.opening_attachments]
    return opening


def _route_page_acknowledge(
    edit: TicketEdit, checked: CheckedDraft, options: OpeningOptions, actor: Actor
) -> None:
    """Route it, save it, put it to the approvers if routing says so, queue pages and the
    acknowledgement (both go out after commit)."""
    routed = route_new_ticket(edit) if options.route else None
    edit.save()
    if routed is not None and routed.awaiting_approval:
        # The request the approvers decide on (the ticket has its id now).
        apply_request(
            edit, f"{checked.category.value} for the approvers' review: {routed.describe()}"
        )
    queue_pages(edit)  # after hours or top priority: pages go out after commit
    if options.acknowledge:
        # The Message-ID's domain is the desk's From address's, from the settings.
        queue_acknowledgement(
            edit.session, edit.ticket, at=edit.at, domain=mail_domain(actor.settings)
        )
