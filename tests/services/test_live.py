"""``LiveFeed`` (``deskui/services/live.py``) on SQLite and PostgreSQL: a ticket opened through the
services, and a ticket taken by another agent in another OS process, both reach the feed."""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures
from ticket_workers import take_tickets

from deskui.services import intake, tickets
from deskui.services.actor import Actor
from deskui.services.live import LiveFeed
from deskui.services.tickets.draft import TicketDraft
from deskui.store.changes import events_after
from deskui.store.session import Database

# One worker runs every 'live-feed' test (under `make test`'s pytest-xdist), one after
# another: they time the change feed's deliveries, so they should not compete with each other.
pytestmark = pytest.mark.xdist_group("live-feed")

OPENED = dt.datetime(2026, 2, 2, 9, 0, tzinfo=ZoneInfo("America/Halifax"))
EVENTUALLY = 10.0
# A bound only a real failure exceeds, however loaded the machine; how fast the feed stops is a
# figure of bench/live_desk_bench.py.
GENEROUS = 15.0


class Seen:
    def __init__(self) -> None:
        self.changes: list[int] = []
        self.states: list[bool] = []
        self.condition = threading.Condition()

    def on_change(self, latest: int) -> None:
        with self.condition:
            self.changes.append(latest)
            self.condition.notify_all()

    def on_state(self, online: bool) -> None:
        with self.condition:
            self.states.append(online)
            self.condition.notify_all()

    def until(self, predicate: object) -> bool:
        with self.condition:
            return self.condition.wait_for(predicate, EVENTUALLY)  # type: ignore[arg-type]


def draft() -> TicketDraft:
    return TicketDraft(
        team="velsoft",
        subject="Course player shows a blank page",
        channel="email",
        category="technical",
        description="Since this morning no learner can open the course.",
        contact_email="colleen@maritime-health.example",
        priority="high",
    )


def events_since(database: Database, after: int) -> list[tuple[str, int | None]]:
    with database.read() as session:
        return [(e.kind, e.ticket_id) for e in events_after(session, after)]


def test_ticket_changes_reach_the_feed_from_this_and_another_process(
    desk: Database, seeded_url: str
) -> None:
    seen = Seen()
    feed = LiveFeed(desk, seen.on_change, seen.on_state)
    feed.start()
    feed.start()  # idempotent
    try:
        assert seen.until(lambda: seen.states == [True])
        assert feed.online is True
        before = seen.changes[-1] if seen.changes else 0
        ref = intake.open_ticket(Actor.of(desk, None, at=OPENED), draft()).reference
        assert seen.until(lambda: len(seen.changes) >= 1)
        assert events_since(desk, before)[-1][0].startswith("ticket")

        opened_up_to = seen.changes[-1]
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        barrier = context.Barrier(1)  # kept referenced: the child unpickles it after start()
        taker = context.Process(
            target=take_tickets,
            args=(seeded_url, "cmacdonald", [ref], OPENED, barrier, results),
        )
        taker.start()
        assert results.get(timeout=60) == (ref, "cmacdonald", "won")
        taker.join(timeout=30)
        assert taker.exitcode == 0
        assert seen.until(lambda: seen.changes[-1] > opened_up_to), seen.changes
        taken = tickets.get_ticket(desk, ref, now=OPENED)
        assert taken.assignee == "cmacdonald"
        assert events_since(desk, opened_up_to), "the feed reported a change with no event"
    finally:
        feed.stop()
    assert not feed.running
    assert seen.states == [True]


def test_stop_without_waiting_returns_while_a_callback_still_runs(
    desk: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """What the UI thread relies on: a callback may be waiting for that very thread
    (``call_from_thread``), so ``stop(wait=False)`` must return without joining the feed's."""
    seen = Seen()
    in_callback = threading.Event()
    release = threading.Event()

    def on_change(latest: int) -> None:
        in_callback.set()
        release.wait(2 * GENEROUS)

    feed = LiveFeed(desk, on_change, seen.on_state)
    feed.start()
    try:
        assert seen.until(lambda: seen.states == [True])
        intake.open_ticket(Actor.of(desk, None, at=OPENED), draft())
        assert in_callback.wait(GENEROUS)
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="deskui.store.feed"):
            feed.stop(wait=False)
        assert time.monotonic() - started < GENEROUS
        # Its thread is still in the callback, and stop() did not wait for it (a joining stop
        # gives up after its timeout and says so).
        assert feed.running
        assert "did not stop" not in caplog.text
    finally:
        release.set()
    deadline = time.monotonic() + GENEROUS
    while feed.running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not feed.running
