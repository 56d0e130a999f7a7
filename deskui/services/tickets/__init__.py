"""Tickets: the unit of work every write goes through, the lifecycle, the log, clocks and views.

Every other area of the services layer builds on this one and on nothing beside it. The
lifecycle's actions are re-exported here (``tickets.resolve(...)``); the pieces live in:

- ``unit_of_work``: ``ticket_write``, the envelope of every ticket write (refusal audit, write
  transaction, ``begin_edit``: lock, version check, change-feed event) and its helpers;
- ``lifecycle``: take, assign, contacts and replies, pause, resolve, reopen, close;
- ``draft``: what it takes to open a ticket, checked without the database;
- ``options``: what a caller may choose when opening for an organisation;
- ``entitlement``: which contract is in force (the one answer for every intake path);
- ``customer_contact``: what a customer getting in touch does to an open ticket;
- ``clocks``, ``sla_context``, ``sla_explain``: the SLA clocks as stored and explained;
- ``reads`` and ``views``: stored tickets turned into plain read models; ``lookups``: what the
  ticket screen and its forms ask;
- ``desk``: the signed-in agent's desk (its ``Actor``), the queue panes and countdowns.
"""

from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.lifecycle import (
    CONTACT_KINDS,
    REPLY_KINDS,
    acknowledge,
    add_note,
    assign,
    change_priority,
    close,
    get_ticket,
    list_tickets,
    log_contact,
    log_remote_session,
    reopen,
    reply,
    resolve,
    set_eta,
    set_status,
    set_waiting,
    start_work,
)

__all__ = [
    "CONTACT_KINDS",
    "REPLY_KINDS",
    "TicketDraft",
    "acknowledge",
    "add_note",
    "assign",
    "change_priority",
    "close",
    "get_ticket",
    "list_tickets",
    "log_contact",
    "log_remote_session",
    "reopen",
    "reply",
    "resolve",
    "set_eta",
    "set_status",
    "set_waiting",
    "start_work",
]
