"""``board_snapshot`` on a small Velsoft dataset whose figures are worked out by hand below.

Velsoft: Mon-Fri 08:00-16:30 America/Halifax (AST, UTC-4 in February). High priority:
acknowledgement 2h, response 4h, resolution 1 working day (30600 s). The board is read at
Wed 4 Feb 2026 15:45: 45 business minutes are left today, the next open at Thu 08:00.

====  ==============  ==========================================================================
B     opened          story (at Wed 15:45)
====  ==============  ==========================================================================
B1    Wed 4 09:00     never touched: ack due 11:00 passed → breached; remaining -4h45m (-17100)
B2    Wed 4 14:00     untouched: ack due 16:00 → 15 business minutes left (900): within 15
B3    Wed 4 14:30     untouched: ack due 16:30 → 45 minutes (2700): within 60, not 15
B4    Wed 4 14:40     assigned to jleblanc, not acknowledged: ack due = 1h50m today + 10 min
                      → Thu 08:10, 16h25m of wall time away but 45 + 10 = 55 business minutes
                      (3300): within 60 — only business time puts it there
B5    Tue 3 09:00     ack 09:30, reply 10:00 (both met yesterday); resolution due Wed 09:00;
                      resolved today 10:00 late → resolution breached *today*; closed
B6    Wed 4 08:30     ack 08:45, reply 09:00, resolved 12:00: three clocks met today; closed
B7    Mon 2 09:00     ack 09:10, reply 09:20 (Monday), waiting on the customer since 10:00: the
                      resolution clock (due Tue 09:00) paused before its due → not breached,
                      no running clock; Alice's only open ticket
====  ==============  ==========================================================================

Open: B1 B2 B3 B4 B7 = 5, one breached (B1). Within 60: B2 900, B3 2700, B4 3300.
Agents: unassigned B1 B2 B3 (3 open, 3 unacknowledged, 1 breached, next B1); jleblanc B4 (1, 1,
0, next B4); cmacdonald B7 (1, 0, 0, no running clock).
Today (Wed from 00:00 Halifax): ack met B6, missed B1; response met B6, missed B1 (due 13:00);
resolution met B6, missed B5 (B7 paused, B1..B4 not yet due) → 3 met, 3 breached = 50%.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.domain.sla.policy import Clock
from deskui.services import intake, tickets
from deskui.services.actor import Actor
from deskui.services.errors import PermissionDeniedError
from deskui.services.supervision.board import (
    BoardFilter,
    BoardFilterError,
    GroupCount,
    board_choices,
    board_snapshot,
    reassign,
)
from deskui.services.tickets.draft import TicketDraft
from deskui.store.models import AuditRefusal
from deskui.store.session import Database

HALIFAX = ZoneInfo("America/Halifax")
COLLEEN = "colleen@maritime-health.example"  # a Velsoft liaison
ALICE = "cmacdonald"  # Velsoft agent and supervisor
JACQUES = "jleblanc"  # Velsoft agent
NOW = dt.datetime(2026, 2, 4, 15, 45, tzinfo=HALIFAX)


def hfx(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 2, day, hour, minute, tzinfo=HALIFAX)


def _open(desk: Database, opened: dt.datetime) -> str:
    draft = TicketDraft(
        team="velsoft",
        subject="Course player shows a blank page",
        channel="email",
        category="technical",
        description="No learner can open the course.",
        organisation=None,
        contact_email=COLLEEN,
        priority="high",
    )
    return intake.open_ticket(Actor.of(desk, None, at=opened), draft).reference


def _answer(desk: Database, ref: str, ack: dt.datetime, reply: dt.datetime) -> None:
    tickets.acknowledge(Actor.of(desk, ALICE, at=ack), ref)
    tickets.reply(Actor.of(desk, ALICE, at=reply), ref, "email-out", "We are on it.")


def build_board(desk: Database) -> dict[str, str]:
    refs: dict[str, str] = {}
    refs["B7"] = _open(desk, hfx(2, 9))
    _answer(desk, refs["B7"], hfx(2, 9, 10), hfx(2, 9, 20))
    tickets.set_waiting(Actor.of(desk, ALICE, at=hfx(2, 10)), refs["B7"], True)

    refs["B5"] = _open(desk, hfx(3, 9))
    _answer(desk, refs["B5"], hfx(3, 9, 30), hfx(3, 10))
    tickets.resolve(
        Actor.of(desk, ALICE, at=hfx(4, 10)), refs["B5"], "Fixed.", breach_reason="Backlog"
    )

    refs["B6"] = _open(desk, hfx(4, 8, 30))
    _answer(desk, refs["B6"], hfx(4, 8, 45), hfx(4, 9))
    tickets.resolve(Actor.of(desk, ALICE, at=hfx(4, 12)), refs["B6"], "Cache cleared.")

    refs["B1"] = _open(desk, hfx(4, 9))
    refs["B2"] = _open(desk, hfx(4, 14))
    refs["B3"] = _open(desk, hfx(4, 14, 30))
    refs["B4"] = _open(desk, hfx(4, 14, 40))
    tickets.assign(Actor.of(desk, ALICE, at=hfx(4, 14, 45)), refs["B4"], JACQUES)
    return refs


@pytest.fixture
def board(desk: Database) -> tuple[Database, dict[str, str]]:
    return desk, build_board(desk)


def test_breached_and_due_soon_in_business_time(board: tuple[Database, dict[str, str]]) -> None:
    desk, refs = board
    snap = board_snapshot(desk, NOW)
    assert (snap.open_total, snap.breached_total) == (5, 1)
    [late] = snap.breached
    assert (late.reference, late.clock, late.remaining) == (refs["B1"], "acknowledgement", -17100)
    assert [(t.reference, t.remaining) for t in snap.within_15] == [(refs["B2"], 900)]
    assert snap.within_15_total == 1
    assert [(t.reference, t.remaining) for t in snap.within_60] == [
        (refs["B2"], 900),
        (refs["B3"], 2700),
        (refs["B4"], 3300),
    ]
    assert snap.within_60_total == 3
    assert snap.within_60[2].due_at == hfx(5, 8, 10)  # 16h25m of wall time away


def test_agents_counts_and_today(board: tuple[Database, dict[str, str]]) -> None:
    desk, refs = board
    snap = board_snapshot(desk, NOW)
    loads = {
        a.handle: (a.open, a.unacknowledged, a.breached, a.next_breach and a.next_breach.reference)
        for a in snap.agents
    }
    assert loads == {
        None: (3, 3, 1, refs["B1"]),
        JACQUES: (1, 1, 0, refs["B4"]),
        ALICE: (1, 0, 0, None),  # B7 is paused: no running clock
    }
    assert snap.agents[0].name == "Unassigned"
    assert snap.priorities == (GroupCount("high", 5, 1),)
    assert snap.policies == (GroupCount("velsoft-support", 5, 1),)
    today = snap.today
    assert today.day == dt.date(2026, 2, 4)
    assert today.met == {Clock.ACKNOWLEDGEMENT: 1, Clock.RESPONSE: 1, Clock.RESOLUTION: 1}
    assert today.breached == {Clock.ACKNOWLEDGEMENT: 1, Clock.RESPONSE: 1, Clock.RESOLUTION: 1}
    assert today.percent == pytest.approx(50.0)


def test_today_starts_at_midnight_in_the_desk_zone(board: tuple[Database, dict[str, str]]) -> None:
    desk, _refs = board
    # At 10:30 only B1's ack (missed at 11:00) is still to come; B6's ack and reply are met,
    # B5's resolution (due 09:00) is missed.
    early = board_snapshot(desk, hfx(4, 10, 30)).today
    assert early.met == {Clock.ACKNOWLEDGEMENT: 1, Clock.RESPONSE: 1, Clock.RESOLUTION: 0}
    assert early.breached == {Clock.ACKNOWLEDGEMENT: 0, Clock.RESPONSE: 0, Clock.RESOLUTION: 1}


def test_filters_by_policy_and_team(board: tuple[Database, dict[str, str]]) -> None:
    desk, _refs = board
    assert board_snapshot(desk, NOW, BoardFilter(policy="velsoft-support")).open_total == 5
    other = board_snapshot(desk, NOW, BoardFilter(team="kenco"))
    assert (other.open_total, other.breached, other.within_60, other.agents) == (0, (), (), ())
    assert other.today.percent is None
    assert [team.team for team in other.on_call] == ["kenco"]
    assert board_snapshot(desk, NOW, BoardFilter(team="velsoft")).open_total == 5
    with pytest.raises(BoardFilterError, match="unknown policy 'nope'"):
        board_snapshot(desk, NOW, BoardFilter(policy="nope"))
    with pytest.raises(BoardFilterError, match="unknown team 'nope'"):
        board_snapshot(desk, NOW, BoardFilter(team="nope"))
    choices = board_choices(desk)
    assert "velsoft-support" in choices.policies and "velsoft" in choices.teams


def test_lists_are_bounded(board: tuple[Database, dict[str, str]]) -> None:
    desk, refs = board
    snap = board_snapshot(desk, NOW, limit=1)
    assert [t.reference for t in snap.within_60] == [refs["B2"]]
    assert snap.within_60_total == 3
    # The unassigned pile, then the one busiest agent.
    assert [a.handle for a in snap.agents] == [None, ALICE]


def test_reassign_is_for_supervisors_only(board: tuple[Database, dict[str, str]]) -> None:
    desk, refs = board
    with pytest.raises(PermissionDeniedError) as refused:
        reassign(Actor.of(desk, "jleblanc", at=NOW), refs["B2"], JACQUES, expected_version=None)
    assert str(refused.value) == (
        f"jleblanc may not reassign from the breach board on {refs['B2']}: "
        "that needs the supervisor role (jleblanc has: agent)"
    )
    with desk.read() as session:
        trail = session.scalars(select(AuditRefusal)).one()
        assert (trail.actor, trail.target) == ("jleblanc", refs["B2"])
    with pytest.raises(PermissionDeniedError, match="read-only"):
        reassign(
            Actor.of(desk, ALICE, at=NOW),
            refs["B2"],
            JACQUES,
            expected_version=None,
            read_only=True,
        )
    reassign(Actor.of(desk, ALICE, at=NOW), refs["B2"], JACQUES, expected_version=None)
    loads = {a.handle: a.open for a in board_snapshot(desk, NOW).agents}
    assert loads[JACQUES] == 2 and loads[None] == 2
