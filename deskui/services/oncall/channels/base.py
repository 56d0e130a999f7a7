"""What every pager channel shares: the page as one delivery sees it, and how it fails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from deskui.domain.vocabulary import PageChannel
from deskui.settings import Settings
from deskui.store.models import Agent

# Who a page is for, by escalation level.
PRIMARY, SECONDARY, SUPERVISOR = 0, 1, 2
LEVEL_NAMES = {PRIMARY: "primary", SECONDARY: "secondary", SUPERVISOR: "supervisor"}


class PageDeliveryError(Exception):
    """One attempt failed; ``permanent`` when retrying cannot help (nothing configured)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class OutgoingPage:
    """What one delivery needs, read before any network call."""

    id: int
    ticket_id: int
    reference: str
    subject: str
    priority: str
    organisation: str | None
    level: int
    channel: PageChannel
    target: str
    agent: str
    agent_name: str


class PagerChannel(Protocol):
    """One way of reaching an agent."""

    name: PageChannel

    def queued_target(self, agent: Agent) -> str:
        """The target stored when the page is queued (settings are read at delivery)."""
        ...

    def target(self, settings: Settings, page: OutgoingPage) -> str:
        """Where this delivery goes, from the settings and the stored target."""
        ...

    def send(self, settings: Settings, page: OutgoingPage) -> None:
        """One attempt; ``PageDeliveryError`` says why it failed."""
        ...


def ticket_url(settings: Settings, reference: str) -> str | None:
    """The ticket's link for a page (``pager_ticket_url`` with ``{reference}``), if set."""
    template = settings.pager_ticket_url
    return template.replace("{reference}", reference) if template else None
