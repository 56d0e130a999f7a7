"""Code run in child processes by the ticket concurrency tests (importable, so ``spawn`` can
find it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from deskui.services.actor import Actor
from deskui.services.errors import TicketConflictError
from deskui.services.intake import open_ticket
from deskui.services.tickets.lifecycle import acknowledge
from deskui.store.session import Database


def take_tickets(
    url: str, handle: str, references: list[str], at: dt.datetime, barrier: Any, results: Any
) -> None:
    """Try to take each ticket in turn, in step with the other taker (``barrier``); put
    ``(reference, handle, "won" | "refused: …")`` on ``results``. Anything else propagates
    (and fails the test: the other side then reports a missing result)."""
    database = Database(url)
    try:
        for reference in references:
            barrier.wait(timeout=60)
            try:
                acknowledge(Actor.of(database, handle, at=at), reference)
            except TicketConflictError as exc:
                results.put((reference, handle, f"refused: {exc}"))
            else:
                results.put((reference, handle, "won"))
    except BaseException as exc:
        results.put(("error", handle, f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        database.dispose()


def open_routed_tickets(
    url: str, draft: Any, count: int, at: dt.datetime, barrier: Any, results: Any
) -> None:
    """Open ``count`` routed tickets from ``draft``, each in step with the other openers
    (``barrier``); put each new reference on ``results`` (or ``("error", …)``)."""
    database = Database(url)
    try:
        for _ in range(count):
            barrier.wait(timeout=60)
            results.put(open_ticket(Actor.of(database, None, at=at), draft, route=True).reference)
    except BaseException as exc:
        results.put(("error", f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        database.dispose()
