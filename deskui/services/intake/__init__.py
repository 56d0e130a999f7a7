"""Intake: a ticket opened from any channel (the form, ``deskui ticket new``, mail), routed,
paged and acknowledged, and the mail quarantine for what could not be read.

Opening is where the other areas meet (routing is workflow's, paging on-call's, the
acknowledgement mail's), so intake sits above them; ``docs/architecture.md`` has the layers.
"""

from deskui.services.intake.opening import open_ticket

__all__ = ["open_ticket"]
