"""The deskui schema as SQLAlchemy 2 typed ORM classes, one module per area.

Import models from here (``from deskui.store.models import Ticket``); ``Base.metadata`` is what
Alembic compares the migrations against.
"""

from deskui.store.models.audit import AuditRefusal, TicketPresence
from deskui.store.models.base import Base
from deskui.store.models.catalog import Calendar, Desk, Product, SlaPolicy, SlaPriority, Team
from deskui.store.models.mail import Attachment, MailMessage, OutboundMail
from deskui.store.models.oncall import OnCallRotation, OnCallShift, Page
from deskui.store.models.people import (
    Agent,
    AgentCategorySkill,
    AgentRole,
    Contact,
    Contract,
    Organisation,
    SshKey,
    agent_product_skill,
    agent_team,
    contract_liaison,
)
from deskui.store.models.system import Event, MailQuarantine, ReferenceCounter
from deskui.store.models.tickets import Feedback, Interaction, Ticket
from deskui.store.models.triage import TriageChecklist, TriageRecord, TriageStep
from deskui.store.models.web import WebLogin
from deskui.store.models.workflow import Approval, ModificationPlan, RoutingRule, TicketTask

__all__ = [
    "Agent",
    "AgentCategorySkill",
    "AgentRole",
    "Approval",
    "Attachment",
    "AuditRefusal",
    "Base",
    "Calendar",
    "Contact",
    "Contract",
    "Desk",
    "Event",
    "Feedback",
    "Interaction",
    "MailMessage",
    "MailQuarantine",
    "ModificationPlan",
    "OnCallRotation",
    "OnCallShift",
    "Organisation",
    "OutboundMail",
    "Page",
    "Product",
    "ReferenceCounter",
    "RoutingRule",
    "SlaPolicy",
    "SlaPriority",
    "SshKey",
    "Team",
    "Ticket",
    "TicketPresence",
    "TicketTask",
    "TriageChecklist",
    "TriageRecord",
    "TriageStep",
    "WebLogin",
    "agent_product_skill",
    "agent_team",
    "contract_liaison",
]
