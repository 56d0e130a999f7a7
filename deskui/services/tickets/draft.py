"""What it takes to open a ticket (``TicketDraft``) and the checks that need no database.

The new-ticket form, ``deskui ticket new`` and mail intake all fill a ``TicketDraft``;
``open_ticket`` checks it (here first, then against the database) and raises
``TicketValidationError`` naming the field, so a form can show the message beside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

from deskui.domain.vocabulary import Category, Channel
from deskui.services.errors import TicketValidationError

SUBJECT_LIMIT = 500
NAME_LIMIT = 200
EMAIL_LIMIT = 320

_E = TypeVar("_E", Channel, Category)


@dataclass(frozen=True, slots=True)
class TicketDraft:
    """A ticket about to be opened. Slugs name rows of the catalog; ``None`` means unknown.

    ``priority`` is the priority the desk assigns and ``requested_priority`` the one the
    customer asked for (either may be a mapped slug such as Velsoft's ``low``); with no
    ``priority`` the requested one is used, else the policy's default. ``opened_at`` is when
    the SLA clocks start (the call or the email's time); it defaults to the moment of opening.
    """

    team: str
    subject: str
    channel: Channel | str
    category: Category | str
    description: str = ""
    organisation: str | None = None
    contact_email: str | None = None
    requester_name: str = ""
    requester_email: str | None = None
    product: str | None = None
    requested_priority: str | None = None
    priority: str | None = None
    opened_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class CheckedDraft:
    """A draft whose plain fields passed: enums parsed, text trimmed."""

    draft: TicketDraft
    channel: Channel
    category: Category
    subject: str
    contact_email: str | None
    requester_email: str | None


def _vocabulary(kind: type[_E], value: _E | str, field: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise TicketValidationError(field, f"unknown {field} {value!r} (known: {known})") from None


def _email(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    email = value.strip().lower()
    if "@" not in email or len(email) > EMAIL_LIMIT or any(c.isspace() for c in email):
        raise TicketValidationError(field, f"{value!r} is not an email address")
    return email


def check_draft(draft: TicketDraft, at: dt.datetime) -> CheckedDraft:
    """The checks that need no database; ``TicketValidationError`` names the first bad field."""
    subject = draft.subject.strip()
    if not subject:
        raise TicketValidationError("subject", "a subject is required")
    if len(subject) > SUBJECT_LIMIT:
        raise TicketValidationError("subject", f"at most {SUBJECT_LIMIT} characters")
    if not draft.team.strip():
        raise TicketValidationError("team", "a team is required")
    if len(draft.requester_name) > NAME_LIMIT:
        raise TicketValidationError("requester_name", f"at most {NAME_LIMIT} characters")
    if draft.opened_at is not None:
        if draft.opened_at.tzinfo is None:
            raise TicketValidationError("opened_at", "needs a time zone (a UTC offset)")
        if draft.opened_at > at:
            raise TicketValidationError("opened_at", "cannot be later than now")
    return CheckedDraft(
        draft=draft,
        channel=_vocabulary(Channel, draft.channel, "channel"),
        category=_vocabulary(Category, draft.category, "category"),
        subject=subject,
        contact_email=_email(draft.contact_email, "contact_email"),
        requester_email=_email(draft.requester_email, "requester_email"),
    )
