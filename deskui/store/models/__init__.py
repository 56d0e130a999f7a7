"""The deskui schema as SQLAlchemy 2 typed ORM classes, one module per area.

Import models from here (``from deskui.store.models import Ticket``); ``Base.metadata`` is what
Alembic compares the migrations against.
"""

from deskui.store.models.base import Base
from deskui.store.models.catalog import Calendar, Desk, Product, SlaPolicy, SlaPriority, Team
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

__all__ = [
    "Agent",
    "AgentCategorySkill",
    "AgentRole",
    "Base",
    "Calendar",
    "Contact",
    "Contract",
    "Desk",
    "Event",
    "Feedback",
    "Interaction",
    "MailQuarantine",
    "OnCallRotation",
    "OnCallShift",
    "Organisation",
    "Page",
    "Product",
    "ReferenceCounter",
    "SlaPolicy",
    "SlaPriority",
    "SshKey",
    "Team",
    "Ticket",
    "TriageChecklist",
    "TriageRecord",
    "TriageStep",
    "agent_product_skill",
    "agent_team",
    "contract_liaison",
]
