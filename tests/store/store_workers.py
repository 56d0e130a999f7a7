"""Code run in child processes by the concurrency tests (importable, so ``spawn`` can find it)."""

from __future__ import annotations

from typing import Any

from deskui.store.models import Ticket
from deskui.store.references import next_reference
from deskui.store.session import Database


def create_tickets(url: str, fields: dict[str, Any], prefix: str, count: int) -> list[str]:
    """Create ``count`` tickets with ``fields``, one write transaction each, numbered from the
    ``prefix`` counter; return the references handed out."""
    db = Database(url)
    references = []
    try:
        for number in range(count):
            with db.write() as session:
                reference = next_reference(session, prefix)
                session.add(Ticket(reference=reference, subject=f"load {number}", **fields))
            references.append(reference)
    finally:
        db.dispose()
    return references
