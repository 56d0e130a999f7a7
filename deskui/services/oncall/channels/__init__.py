"""How a page reaches an agent: one module per channel, all behind ``PagerChannel``.

Adding a channel (Slack, say) is a member of ``PageChannel`` (``deskui/domain/vocabulary.py``),
one module here with a class like ``EmailChannel``, and its entry in ``CHANNELS``; paging
queues a page per channel and the runner delivers it through ``CHANNELS[page.channel]``.
"""

from __future__ import annotations

from deskui.domain.vocabulary import PageChannel
from deskui.services.oncall.channels.base import (
    OutgoingPage,
    PageDeliveryError,
    PagerChannel,
    ticket_url,
)
from deskui.services.oncall.channels.email import EmailChannel
from deskui.services.oncall.channels.webhook import WebhookChannel, webhook_payload

CHANNELS: dict[PageChannel, PagerChannel] = {
    PageChannel.EMAIL: EmailChannel(),
    PageChannel.WEBHOOK: WebhookChannel(),
}
assert set(CHANNELS) == set(PageChannel), "every page channel has its module"

__all__ = [
    "CHANNELS",
    "OutgoingPage",
    "PageDeliveryError",
    "PagerChannel",
    "ticket_url",
    "webhook_payload",
]
