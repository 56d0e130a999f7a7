"""Paging by webhook: a JSON POST to ``pager_webhook_url``."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from deskui.domain.vocabulary import PageChannel
from deskui.services.oncall.channels.base import OutgoingPage, PageDeliveryError, ticket_url
from deskui.settings import Settings
from deskui.store.models import Agent


class WebhookChannel:
    name = PageChannel.WEBHOOK

    def queued_target(self, agent: Agent) -> str:
        return ""  # the URL is a setting, read when the page is delivered

    def target(self, settings: Settings, page: OutgoingPage) -> str:
        return settings.pager_webhook_url or ""

    def send(self, settings: Settings, page: OutgoingPage) -> None:
        _send_webhook(settings, page)


def webhook_payload(settings: Settings, page: OutgoingPage) -> dict[str, object]:
    """The JSON object POSTed to ``pager_webhook_url`` (keys listed in the README)."""
    payload: dict[str, object] = {
        "ticket": page.ticket_id,
        "reference": page.reference,
        "subject": page.subject,
        "priority": page.priority,
        "organisation": page.organisation,
        "level": page.level,
        "agent": page.agent,
    }
    url = ticket_url(settings, page.reference)
    if url:
        payload["url"] = url
    return payload


def _send_webhook(settings: Settings, page: OutgoingPage) -> None:
    if not page.target:
        raise PageDeliveryError(
            "no pager webhook configured (set DESKUI_PAGER_WEBHOOK_URL)", permanent=True
        )
    if not page.target.startswith(("http://", "https://")):
        raise PageDeliveryError(
            f"pager webhook {page.target!r} is not an http(s) URL", permanent=True
        )
    body = json.dumps(webhook_payload(settings, page)).encode("utf-8")
    request = urllib.request.Request(
        page.target,
        data=body,
        headers={"Content-Type": "application/json", "User-Agent": "deskui-pager"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.pager_webhook_timeout_seconds):
            pass
    except urllib.error.HTTPError as exc:
        raise PageDeliveryError(f"webhook {page.target} answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise PageDeliveryError(f"webhook {page.target} failed: {reason}") from exc
