"""The desk's closed vocabularies: ticket statuses, channels, categories, log entry kinds, roles.

Plain ``StrEnum``s so every layer shares one spelling; the store keeps their ``value`` strings
(with CHECK constraints), sample data and the CLI write the same strings.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """A ticket's place in its life: new → acknowledged → in progress ⇄ waiting → resolved →
    closed (resolved → in progress on reopen)."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in-progress"
    WAITING_ON_CUSTOMER = "waiting-on-customer"
    RESOLVED = "resolved"
    CLOSED = "closed"


# Statuses a queue shows; the store's generated ``ticket.is_open`` column mirrors this set.
OPEN_STATUSES: frozenset[Status] = frozenset(
    {Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER}
)
DONE_STATUSES: frozenset[Status] = frozenset({Status.RESOLVED, Status.CLOSED})


class Channel(StrEnum):
    """How a ticket reached the desk."""

    PHONE = "phone"
    EMAIL = "email"
    FAX = "fax"
    ANSWERPHONE = "answerphone"
    WEB = "web"
    WALK_IN = "walk-in"


class Category(StrEnum):
    """What kind of problem a ticket is; routing rules and skills name these."""

    TECHNICAL = "technical"
    TRAINING = "training"
    CHANGE_REQUEST = "change-request"
    ENHANCEMENT = "enhancement"
    DATA = "data"
    INSTALLATION = "installation"
    SECURITY = "security"
    HARDWARE_NETWORK = "hardware-network"


class InteractionKind(StrEnum):
    """One entry of a ticket's (append-only) log."""

    CALL_IN = "call-in"
    CALL_OUT = "call-out"
    EMAIL_IN = "email-in"
    EMAIL_OUT = "email-out"
    FAX_IN = "fax-in"
    ANSWERPHONE = "answerphone"
    REMOTE_SESSION = "remote-session"
    NOTE = "note"
    STATUS_CHANGE = "status-change"
    PRIORITY_CHANGE = "priority-change"
    ASSIGNMENT_CHANGE = "assignment-change"
    TRIAGE_STEP = "triage-step"
    PAGE = "page"
    ACKNOWLEDGEMENT = "acknowledgement"
    ETA_CHANGE = "eta-change"
    RECLASSIFICATION = "reclassification"
    APPROVAL = "approval"
    FEEDBACK = "feedback"
    SYSTEM = "system"


class Direction(StrEnum):
    """Whether a log entry came from the customer, went to them, or stayed inside the desk."""

    IN = "in"
    OUT = "out"
    INTERNAL = "internal"


class Role(StrEnum):
    """What an agent may do; enforced by the services."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    APPROVER = "approver"


class TriageAnswer(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_APPLICABLE = "n-a"


class ShiftRole(StrEnum):
    """Who is paged first on an on-call shift."""

    PRIMARY = "primary"
    SECONDARY = "secondary"


class PageChannel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class PageStatus(StrEnum):
    """A page's delivery: queued, sent, given up after retries, or acknowledged by the agent."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    ACKNOWLEDGED = "acknowledged"
