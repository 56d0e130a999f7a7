"""Paging by email: to the agent's address, or the one ``pager_addresses`` gives (an SMS
gateway), through the desk's SMTP server."""

from __future__ import annotations

from email.message import EmailMessage

from deskui.domain.untrusted import one_line
from deskui.domain.vocabulary import PageChannel
from deskui.services.mail.smtp import MailDeliveryError, send_mail
from deskui.services.oncall.channels.base import (
    LEVEL_NAMES,
    OutgoingPage,
    PageDeliveryError,
    ticket_url,
)
from deskui.settings import Settings
from deskui.store.models import Agent


class EmailChannel:
    name = PageChannel.EMAIL

    def queued_target(self, agent: Agent) -> str:
        return agent.email

    def target(self, settings: Settings, page: OutgoingPage) -> str:
        return settings.pager_addresses.get(page.agent, page.target)

    def send(self, settings: Settings, page: OutgoingPage) -> None:
        _send_email(settings, page)


def _send_email(settings: Settings, page: OutgoingPage) -> None:
    if settings.smtp_host is None:
        raise PageDeliveryError("no SMTP server configured (set DESKUI_SMTP_HOST)", permanent=True)
    if not page.target:
        raise PageDeliveryError(f"{page.agent} has no address to page", permanent=True)
    message = EmailMessage()
    message["To"] = page.target
    message["Subject"] = f"[{page.reference}] PAGE ({page.priority}): {one_line(page.subject, 120)}"
    lines = [
        f"You are paged as {LEVEL_NAMES.get(page.level, page.level)} on call for {page.reference}.",
        f"Subject: {one_line(page.subject, 200)}",
        f"Priority: {page.priority}",
        f"Organisation: {page.organisation or 'unknown'}",
        f"Acknowledge: deskui pager ack {page.reference} --as {page.agent}",
    ]
    url = ticket_url(settings, page.reference)
    if url:
        lines.append(f"Ticket: {url}")
    message.set_content("\n".join(lines) + "\n")
    try:
        send_mail(settings, message)
    except MailDeliveryError as exc:
        raise PageDeliveryError(str(exc)) from exc
