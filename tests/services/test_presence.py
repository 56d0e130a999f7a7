"""Presence (``deskui/services/access/presence.py``) on SQLite and PostgreSQL: heartbeats, who
else has
a ticket open and for how long, leaving, and crashed apps' rows ignored then forgotten."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from test_many_agents import open_shared_tickets
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.services.access import presence
from deskui.services.errors import NotFoundError, TicketNotFoundError
from deskui.store.models import Event, TicketPresence
from deskui.store.session import Database

T0 = dt.datetime(2026, 2, 2, 14, 0, tzinfo=dt.UTC)


def test_who_else_has_the_ticket_open(desk: Database) -> None:
    (ref,) = open_shared_tickets(desk, 1)
    with desk.read() as session:
        events_before = session.scalar(select(func.count()).select_from(Event))
    alice = presence.new_session_id(T0)
    bob = presence.new_session_id(T0 + dt.timedelta(seconds=10))
    assert presence.beat(desk, ref, "cmacdonald", alice, now=T0) == []
    seen = presence.beat(desk, ref.lower(), "jleblanc", bob, now=T0 + dt.timedelta(seconds=10))
    assert [(v.handle, v.since) for v in seen] == [("cmacdonald", T0)]
    later = T0 + dt.timedelta(minutes=3)
    presence.beat(desk, ref, "jleblanc", bob, now=later - dt.timedelta(seconds=5))
    seen = presence.beat(desk, ref, "cmacdonald", alice, now=later)
    assert presence.also_open_by(seen, later) == "Also open by: Jacques LeBlanc (2 min)"
    # Heartbeats are polled, not announced: the change feed is not flooded.
    with desk.read() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == events_before
        assert session.scalar(select(func.count()).select_from(TicketPresence)) == 2

    presence.leave(desk, ref, bob)
    assert presence.beat(desk, ref, "cmacdonald", alice, now=later) == []


def test_a_crashed_apps_row_is_ignored_then_forgotten(desk: Database) -> None:
    (ref,) = open_shared_tickets(desk, 1)
    crashed = presence.new_session_id(T0)
    presence.beat(desk, ref, "jleblanc", crashed, now=T0)
    me = presence.new_session_id(T0)
    just_fresh = T0 + presence.FRESH
    assert [v.handle for v in presence.beat(desk, ref, "cmacdonald", me, now=just_fresh)] == [
        "jleblanc"
    ]
    stale = T0 + presence.FRESH + dt.timedelta(seconds=1)
    assert presence.beat(desk, ref, "cmacdonald", me, now=stale) == []
    presence.beat(desk, ref, "cmacdonald", me, now=T0 + presence.FORGET + dt.timedelta(seconds=1))
    with desk.read() as session:
        assert session.scalars(select(TicketPresence.session_id)).all() == [me]


def test_unknown_ticket_or_agent_is_refused_clearly(desk: Database) -> None:
    (ref,) = open_shared_tickets(desk, 1)
    with pytest.raises(TicketNotFoundError, match="no ticket 'DSK-999999'"):
        presence.beat(desk, "dsk-999999", "cmacdonald", "s", now=T0)
    with pytest.raises(NotFoundError, match="unknown agent 'nobody'"):
        presence.beat(desk, ref, "nobody", "s", now=T0)
    presence.leave(desk, "DSK-999999", "s")  # leaving a ticket that is gone is no error


def test_session_ids_carry_when_the_ticket_was_opened() -> None:
    session_id = presence.new_session_id(T0)
    assert len(session_id) <= 64
    assert presence.opened_at(session_id, T0 - dt.timedelta(days=1)) == T0
    assert presence.opened_at("made-elsewhere", T0) == T0
