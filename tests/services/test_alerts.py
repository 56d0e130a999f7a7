"""Alerts before and at breach: once per agent, ticket, clock and level; business-time windows;
per-policy warning minutes; a supervisor's team (both backends)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.domain.sla.policy import PolicySpec
from deskui.services import intake, tickets
from deskui.services.actor import Actor
from deskui.services.catalog.load import Catalog
from deskui.services.tickets.alerts import check_alerts, forget_alerts
from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.saved_views import agent_id
from deskui.store.session import Database

HALIFAX = ZoneInfo("America/Halifax")
COLLEEN = "colleen@maritime-health.example"  # a Velsoft liaison
ALICE, BOB = "cmacdonald", "jleblanc"  # Velsoft supervisor and agent
OPENED = dt.datetime(2026, 2, 6, 15, 0, tzinfo=HALIFAX)  # Friday; ack due Monday 08:30


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 2, day, hour, minute, tzinfo=HALIFAX)


def open_for_bob(desk: Database) -> str:
    draft = TicketDraft(
        team="velsoft",
        subject="Course player blank",
        channel="email",
        category="technical",
        description="Details.",
        contact_email=COLLEEN,
        priority="high",
    )
    ref = intake.open_ticket(Actor.of(desk, at=OPENED), draft).reference
    tickets.assign(Actor.of(desk, ALICE, at=OPENED), ref, BOB)
    return ref


def alerts(desk: Database, who: str, now: dt.datetime, minutes: int = 60, **kw: object) -> list:
    actor = Actor.of(desk, who, at=now)
    found = check_alerts(actor, default_warning_minutes=minutes, **kw)  # type: ignore[arg-type]
    return [(a.reference, a.clock, a.level) for a in found]


def test_warning_then_breach_each_once_in_business_time(desk: Database) -> None:
    ref = open_for_bob(desk)
    assert alerts(desk, BOB, at(6, 15, 20)) == []  # 100 business minutes left
    # Friday 16:00: 30 minutes left today, 30 on Monday: inside the hour.
    assert alerts(desk, BOB, at(6, 16, 0)) == [(ref, "acknowledgement", "warning")]
    assert alerts(desk, BOB, at(6, 16, 10)) == []  # told already
    assert alerts(desk, BOB, at(9, 8, 0)) == []  # the weekend changed nothing
    assert alerts(desk, BOB, at(9, 8, 31)) == [(ref, "acknowledgement", "breached")]
    assert alerts(desk, BOB, at(9, 8, 40)) == []
    # Acknowledging meets that clock: the response clock raises its own alerts later.
    tickets.acknowledge(Actor.of(desk, BOB, at=at(9, 8, 45)), ref)
    assert alerts(desk, BOB, at(9, 8, 46)) == []
    # Response: 4 business hours from Friday 15:00 is Monday 10:30.
    assert alerts(desk, BOB, at(9, 9, 29)) == []
    assert alerts(desk, BOB, at(9, 9, 45)) == [(ref, "response", "warning")]
    assert alerts(desk, BOB, at(9, 10, 31)) == [(ref, "response", "breached")]


def test_a_supervisor_hears_of_the_team_and_a_restart_does_not_repeat(desk: Database) -> None:
    ref = open_for_bob(desk)
    assert alerts(desk, ALICE, at(6, 16, 0)) == [(ref, "acknowledgement", "warning")]
    assert alerts(desk, ALICE, at(6, 16, 0), scope="mine") == []
    # A new session (the app restarted, or open twice) reads what was raised from the database.
    assert alerts(desk, ALICE, at(6, 16, 5)) == []
    assert alerts(desk, BOB, at(6, 16, 5)) == [(ref, "acknowledgement", "warning")]
    forget_alerts(desk, agent_id(desk, ALICE))
    assert alerts(desk, ALICE, at(6, 16, 5)) == [(ref, "acknowledgement", "warning")]


def test_the_default_window_and_old_breaches(desk: Database) -> None:
    ref = open_for_bob(desk)
    assert alerts(desk, BOB, at(6, 15, 20), minutes=120) == [(ref, "acknowledgement", "warning")]
    forget_alerts(desk, agent_id(desk, BOB))
    # Breached for more than a day: not "just" breached, nothing raised.
    assert alerts(desk, BOB, at(11, 9, 0)) == []
    assert alerts(desk, BOB, at(11, 9, 0), lookback=dt.timedelta(days=5)) == [
        (ref, "acknowledgement", "breached")
    ]


def test_warning_minutes_per_policy(sample_catalog: Catalog) -> None:
    kenco = sample_catalog.policies["kenco-wes"]
    assert kenco.warning_minutes == 15
    assert kenco.warning_seconds(60) == 15 * 60
    velsoft = sample_catalog.policies["velsoft-support"]
    assert velsoft.warning_minutes is None and velsoft.warning_seconds(60) == 3600
    assert (
        PolicySpec.model_validate({**kenco.model_dump(), "warning_minutes": None}).warning_seconds(
            5
        )
        == 300
    )
