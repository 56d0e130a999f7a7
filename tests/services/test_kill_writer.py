"""Crash safety: a writer killed with SIGKILL at random moments, fifty times, on both backends.

Each time a fresh process writes ticket operations in a loop and is killed a random moment
after its first commit, often in the middle of a transaction. Afterwards the database must
pass its integrity check (SQLite) and no ticket may be half-written: each operation writes
its log entry, the version bump and the change-feed event in one transaction, so per ticket
the versions gained, the entries added and the events recorded are the same number, and no
entry or event points at a ticket that does not exist.

Each writer is a fresh fork of one "zygote" process that has already imported deskui and
compiled the calendars, so a new writer costs milliseconds instead of a second or two.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import time

import pytest
from desk_load_workers import writer_zygote
from sqlalchemy import text
from sqlalchemy.engine import make_url
from test_many_agents import open_shared_tickets, ticket_state
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.store.session import Database

# One worker runs every 'many-processes' test (under `make test`'s pytest-xdist), one after
# another: each starts several writer processes, so two at once would overload the machine.
pytestmark = pytest.mark.xdist_group("many-processes")

KILLS = 50
TICKETS = 5


def test_kill_minus_nine_fifty_times_leaves_nothing_half_written(desk: Database) -> None:
    references = open_shared_tickets(desk, TICKETS)
    before = ticket_state(desk)
    url = desk.url.render_as_string(hide_password=False)
    desk.dispose()

    context = multiprocessing.get_context("spawn")
    conn, child_conn = context.Pipe()
    zygote = context.Process(
        target=writer_zygote, args=(url, "jleblanc", references, child_conn), daemon=True
    )
    zygote.start()
    rng = random.Random(6)
    started = time.monotonic()
    try:
        for kill in range(KILLS):
            conn.send(kill)
            assert conn.poll(90), "the writer zygote stopped answering"
            pid = conn.recv()
            assert pid is not None, f"writer {kill} never committed"
            time.sleep(rng.uniform(0.0, 0.25))
            os.kill(pid, signal.SIGKILL)
            conn.send("reap")
            assert conn.poll(30)
            assert conn.recv() == -signal.SIGKILL
    finally:
        conn.send(None)
        zygote.join(30)
    print(f"\n{desk.dialect}: {KILLS} writers killed in {time.monotonic() - started:.1f} s")

    if desk.dialect == "sqlite":
        path = make_url(url).database
        assert path is not None
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []

    after = ticket_state(desk)
    written = 0
    for ref in references:
        version, entries, events = after[ref]
        version0, entries0, events0 = before[ref]
        assert version - version0 == entries - entries0 == events - events0, (
            ref,
            before[ref],
            after[ref],
        )
        written += version - version0
    assert written >= KILLS, "the writers hardly wrote anything: the test proves little"
    with desk.read() as session:
        orphan_entries = session.execute(
            text(
                "SELECT count(*) FROM interaction i "
                "LEFT JOIN ticket t ON t.id = i.ticket_id WHERE t.id IS NULL"
            )
        ).scalar_one()
        orphan_events = session.execute(
            text(
                "SELECT count(*) FROM event e LEFT JOIN ticket t ON t.id = e.ticket_id "
                "WHERE e.ticket_id IS NOT NULL AND t.id IS NULL"
            )
        ).scalar_one()
        prepared = (
            session.execute(text("SELECT count(*) FROM pg_prepared_xacts")).scalar_one()
            if desk.dialect == "postgresql"
            else 0
        )
    assert (orphan_entries, orphan_events, prepared) == (0, 0, 0)
