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
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from deskui.domain.vocabulary import Channel, Direction, InteractionKind, Status
from deskui.services.actor import Actor
from deskui.services.authorization import TICKET_WORKERS, refusals_recorded, require_role
from deskui.services.errors import TicketValidationError
from deskui.services.mail.outbox import mail_domain, queue_acknowledgement
from deskui.services.oncall.paging import queue_pages
from deskui.services.tickets.draft import CheckedDraft, TicketDraft, check_draft
from deskui.services.tickets.reads import ticket_view
from deskui.services.tickets.sla_context import policy_for
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
    Contact,
    Contract,
    Desk,
    Interaction,
    Organisation,
    Product,
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


def active_contract(
    session: Session, organisation: Organisation | None, team: Team, day: dt.date
) -> Contract | None:
    """The organisation's contract with ``team`` active on ``day`` (the latest started)."""
    if organisation is None:
        return None
    return session.scalars(
        select(Contract)
        .where(
            Contract.organisation_id == organisation.id,
            Contract.team_id == team.id,
            Contract.active_from <= day,
            or_(Contract.active_to.is_(None), Contract.active_to >= day),
        )
        .order_by(Contract.active_from.desc(), Contract.id.desc())
        .limit(1)
    ).one_or_none()


# Called inside the opening transaction once the ticket and its first entry have ids (mail
# intake stores attachments and the message id there).
AfterOpen = Callable[[Session, Ticket, Interaction], None]


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
    ``acknowledge`` a ticket from email or the web gets an acknowledgement queued in
    the outbox (``deskui.services.mail.outbox``; send it after this returns with ``send_pending``).
    ``opening_meta`` and ``opening_attachments`` go on the first log entry. A draft without a
    priority gets ``fallback_priorities[policy name]`` if given (mail's configured choice per
    policy), else the policy's default; with ``lowest_by_default``, failing both, the
    policy's lowest priority instead of an error (mail, which never says).
    """
    database, by, at = actor.database, actor.handle, actor.now()
    require_aware(at)
    checked = check_draft(draft, at)
    opened_at = draft.opened_at or at
    with refusals_recorded(database), database.write() as session:
        session.autoflush = False
        agent = find_agent(session, by) if by is not None else None
        require_role(agent, *TICKET_WORKERS, action="open tickets", at=at)
        team = _by_slug(session, Team, draft.team.strip(), "team")
        organisation, contact = _requester(session, checked)
        product = _by_slug(session, Product, draft.product, "product") if draft.product else None
        day = opened_at.astimezone(ZoneInfo(team.calendar.timezone)).date()
        contract = active_contract(session, organisation, team, day)
        policy_row = contract.policy if contract is not None else team.policy
        if policy_row is None:
            raise TicketValidationError(
                "team", f"team {team.slug!r} has no default SLA policy and no contract applies"
            )
        context, policy = policy_for(database, session, policy_row.name)
        requested = (draft.requested_priority or "").strip() or None
        if requested is not None:
            policy_priority(policy, requested, "requested_priority")
        wanted = (
            (draft.priority or "").strip()
            or requested
            or (fallback_priorities or {}).get(policy.name)
            or policy.default_priority
        )
        if wanted is None and lowest_by_default and policy.priorities:
            # Mail says nothing of priority: the lowest, for a person to raise on triage.
            wanted = policy.priorities[-1].slug
        if wanted is None:
            known = ", ".join(p.slug for p in policy.priorities)
            raise TicketValidationError("priority", f"choose a priority (known: {known})")
        priority = policy_priority(policy, wanted, "priority")

        desk = session.get(Desk, 1)
        reference = next_reference(session, desk.reference_prefix if desk else DEFAULT_PREFIX)
        requester_name = draft.requester_name.strip() or (contact.name if contact else "")
        ticket = Ticket(
            reference=reference,
            team=team,
            organisation=organisation,
            contact=contact,
            contract=contract,
            requester_name=requester_name,
            requester_email=checked.requester_email or checked.contact_email,
            product=product,
            channel=checked.channel,
            category=checked.category,
            subject=checked.subject,
            description=draft.description,
            requested_priority=requested,
            policy=policy_row,
            priority=priority.slug,
            priority_rank=policy.rank(priority.slug),
            status=Status.NEW,
            created_at=at,
            opened_at=opened_at,
            updated_at=at,
            flag_no_entitlement=contract is None,
            flag_non_liaison=contract is not None
            and (contact is None or contact not in contract.liaisons),
        )
        session.add(ticket)
        edit = TicketEdit(database, session, ticket, context, policy, at, agent)
        edit.clocks_touched = True
        opening = edit.log(
            OPENING_KINDS[checked.channel],
            draft.description,
            {**(opening_meta or {}), "opening": True, "channel": checked.channel.value},
            author_name=requester_name or checked.requester_email or checked.contact_email,
            direction=Direction.IN,
            at=opened_at,
        )
        opening.attachments = [dict(item) for item in opening_attachments]
        routed = route_new_ticket(edit) if route else None
        edit.save()
        if routed is not None and routed.awaiting_approval:
            # The request the approvers decide on (the ticket has its id now).
            apply_request(
                edit, f"{checked.category.value} for the approvers' review: {routed.describe()}"
            )
        queue_pages(edit)  # after hours or top priority: pages go out after commit
        if acknowledge:
            # The Message-ID's domain is the desk's From address's, from the settings.
            queue_acknowledgement(session, ticket, at=at, domain=mail_domain(actor.settings))
        if after_open is not None:
            after_open(session, ticket, opening)
        # Rows added after the ticket's flush go in before the change-feed event.
        session.flush()
        view = ticket_view(session, context, ticket, at)
        edit.announce("opened")
        return view
