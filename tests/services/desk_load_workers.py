"""Code run in child processes by the many-agents and kill -9 tests (importable for ``spawn``).

``mixed_operations`` is one agent working shared tickets as fast as it can: notes, replies,
waiting/resuming, priority changes and takes, each carrying a unique token so the parent can
find exactly that operation in the log afterwards. ``writer_zygote`` forks the victims of the
kill -9 test: writers that keep writing until they are killed.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import select as io_select
import time
from typing import Any

from sqlalchemy import select

from deskui.domain.storage_errors import StaleEditError, StoreBusyError
from deskui.services import tickets
from deskui.services.actor import Actor
from deskui.services.errors import TicketConflictError, TicketStateError, TicketValidationError
from deskui.services.tickets.sla_context import sla_context
from deskui.store.models import Ticket
from deskui.store.session import Database

# The refusals a person can act on; anything else is a crash and fails the test.
CLEAR_REFUSALS = (TicketConflictError, StaleEditError, TicketStateError, StoreBusyError)
VELSOFT_PRIORITIES = ("high", "medium")  # velsoft-support's own (its "low" maps to medium)
# (kind, weight): the mix one agent's operations are drawn from.
MIX = (("note", 30), ("reply", 20), ("status", 20), ("priority", 20), ("take", 10))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _version_and_priority(database: Database, ref: str) -> tuple[int, str]:
    with database.read() as session:
        row = session.execute(
            select(Ticket.version, Ticket.priority).where(Ticket.reference == ref)
        ).one()
    return int(row[0]), str(row[1])


def _one(
    database: Database, kind: str, ref: str, handle: str, token: str, rng: random.Random
) -> None:
    """One operation; raises what the service raised."""
    if kind == "note":
        tickets.add_note(Actor.of(database, handle, at=_now()), ref, f"note {token}")
    elif kind == "reply":
        tickets.reply(Actor.of(database, handle, at=_now()), ref, "email-out", f"reply {token}")
    elif kind == "status":
        tickets.set_waiting(
            Actor.of(database, handle, at=_now()), ref, rng.random() < 0.5, note=f"status {token}"
        )
    elif kind == "priority":
        # Based on what the agent just saw: a change in between is a stale edit.
        version, current = _version_and_priority(database, ref)
        slug = rng.choice([p for p in VELSOFT_PRIORITIES if p != current])
        tickets.change_priority(
            Actor.of(database, handle, at=_now()),
            ref,
            slug,
            f"priority {token}",
            expected_version=version,
        )
    elif kind == "take":
        tickets.acknowledge(Actor.of(database, handle, at=_now()), ref)
    else:  # pragma: no cover - the mix above is all there is
        raise ValueError(kind)


def mixed_operations(
    url: str, handle: str, references: list[str], count: int, seed: int, start_at: float
) -> list[dict[str, Any]]:
    """``count`` random operations by ``handle`` on ``references``; one record per operation:
    ``{"kind", "ref", "token", "ok", "error", "message"}``. Unexpected exceptions are returned
    as records too (``error`` = their type), so the parent can say which operation crashed."""
    rng = random.Random(seed)
    kinds = [kind for kind, _ in MIX]
    weights = [weight for _, weight in MIX]
    database = Database(url)
    records: list[dict[str, Any]] = []
    try:
        with database.read() as session:
            session.execute(select(1))
        time.sleep(max(0.0, start_at - time.time()))
        for number in range(count):
            kind = rng.choices(kinds, weights)[0]
            ref = rng.choice(references)
            token = f"{handle}-{seed}-{number}"
            record: dict[str, Any] = {"kind": kind, "ref": ref, "token": token, "ok": False}
            try:
                _one(database, kind, ref, handle, token, rng)
            except CLEAR_REFUSALS as exc:
                record.update(error=type(exc).__name__, message=str(exc))
            except TicketValidationError as exc:
                record.update(error=type(exc).__name__, message=str(exc))
            except Exception as exc:
                record.update(error=f"CRASH {type(exc).__name__}", message=repr(exc))
            else:
                record["ok"] = True
            records.append(record)
    finally:
        database.dispose()
    return records


def _write_forever(
    database: Database, handle: str, references: list[str], seed: int, ready_fd: int
) -> None:
    """Write to the tickets in a loop until killed; one byte on ``ready_fd`` after the first
    commit."""
    rng = random.Random(seed)
    number = 0
    committed = False
    while True:
        ref = rng.choice(references)
        kind = rng.choice(("note", "reply", "status", "priority"))
        try:
            _one(database, kind, ref, handle, f"kill-{seed}-{number}", rng)
        except (*CLEAR_REFUSALS, TicketValidationError):
            pass  # a refusal commits nothing: readiness waits for a real commit
        else:
            if not committed:
                # Signalled only after a commit, so on a slow machine a writer killed at once
                # has still written something (the test counts the writes).
                os.write(ready_fd, b"r")
                committed = True
        number += 1


def writer_zygote(url: str, handle: str, references: list[str], conn: Any) -> None:
    """Fork fresh writer processes on request, each already past the slow start-up.

    Loading the SLA context (compiling the calendars) takes about a second; it is done once
    here, and each writer is a fork of this process. Protocol on ``conn``: receive a seed,
    fork a writer, send its pid once it has committed (``None`` if it never did); receive
    anything, reap that writer and send its exit code; receive ``None`` to stop.
    """
    database = Database(url)
    sla_context(database)
    database.dispose()  # no connection may be shared with the forks
    while (seed := conn.recv()) is not None:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the writer
            os.close(read_fd)
            try:
                database.engine.dispose(close=False)
                _write_forever(database, handle, references, seed, write_fd)
            finally:
                os._exit(1)
        os.close(write_fd)
        ready, _, _ = io_select.select([read_fd], [], [], 60)
        conn.send(pid if ready and os.read(read_fd, 1) else None)
        os.close(read_fd)
        conn.recv()
        _, status = os.waitpid(pid, 0)
        conn.send(os.waitstatus_to_exitcode(status))
