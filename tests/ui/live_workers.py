"""Run in another OS process by the live-desk tests: another agent's work, committed while the
app under test is watching. ``python live_workers.py URL REF NOTE SUBJECT AT`` prints JSON.

(A script rather than ``multiprocessing``: under a running Textual app the standard streams
are replaced, and multiprocessing cannot pass them on to a child.)
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

from deskui.services.actor import Actor
from deskui.services.intake import open_ticket
from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.lifecycle import add_note
from deskui.store.session import Database


def another_agents_work(
    url: str, ref: str, note: str, subject: str, at_iso: str
) -> tuple[str, float, float]:
    """Open a ticket titled ``subject``, then add ``note`` to ``ref``, as dpatel; the new
    reference and the wall-clock time just after each commit."""
    at = dt.datetime.fromisoformat(at_iso)
    database = Database(url)
    try:
        draft = TicketDraft(
            team="itworks",
            subject=subject,
            channel="email",
            category="technical",
            description="Opened in another process.",
            organisation="pacific-state-college",
            contact_email="linda.tran@pacific-state.example",
            product="itworks-finance",
            priority="high",
            opened_at=at,
        )
        new_ref = open_ticket(Actor.of(database, None, at=at), draft).reference
        opened = time.time()
        time.sleep(0.3)  # two commits, measured one by one
        add_note(Actor.of(database, "dpatel", at=at), ref, note)
        noted = time.time()
        return new_ref, opened, noted
    finally:
        database.dispose()


if __name__ == "__main__":
    print(json.dumps(another_agents_work(*sys.argv[1:6])))
