"""``sla_report`` on a small Velsoft dataset whose figures are worked out by hand below.

Velsoft: Mon-Fri 08:00-16:30 America/Halifax (8h30m = 30600 s a working day), Nova Scotia
holidays (Mon 16 Feb 2026 is Heritage Day). High: acknowledgement 2h, response 4h, resolution
1 working day. Medium: 2h, 1d, 3d. The report runs at Fri 20 Feb 12:00 over 2-20 Feb (UTC).

=====  ========  ============================================================================
T      opened    story (business seconds from opening)
=====  ========  ============================================================================
T0     Fri 30 Jan   opened before the period: not counted
T1     Mon 2 09:00  ack 09:30 (1800), reply 10:00 (3600), resolved 15:00 (21600): all met
T2     Tue 3 09:00  ack 09:10 (600), reply 09:20 (1200), waiting on customer since 10:00:
                    the resolution clock is paused before its due (Wed 09:00) → running
T3     Wed 4 09:00  ack 12:00 (10800, due 11:00 → breached), reply 12:30 (12600, met), resolved
                    14:00 with breach reason "Late pickup", reopened Thu 09:00: resolution unmet,
                    due Thu 12:30 long past → breached; not counted as resolved
T4     Fri 13 16:00 ack 16:20 (1200), reply Tue 17 09:00 (1800 + holiday + 3600 = 5400 ≤ 4h, met;
                    it would be breached if Heritage Day counted), resolved Tue 14:00
                    (1800 + 21600 = 23400 ≤ 30600, met)
T5     Mon 2 10:00  medium, never touched: all three clocks breached
T6     Fri 20 11:00 opened an hour before the report: all three clocks running
=====  ========  ============================================================================

Feedback: T1 scored 5, T4 scored 4 → 2 scores, mean 4.5.
Percentiles take the lower of the two middle ranks (a time some ticket actually took).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.domain.calendar.book import CalendarBook
from deskui.domain.sla.policy import Clock
from deskui.services import intake, tickets
from deskui.services.actor import Actor
from deskui.services.supervision.reports import ClockFigures, ReportError, sla_report, utc_day_range
from deskui.services.tickets.draft import TicketDraft
from deskui.store.models import Feedback, Ticket
from deskui.store.session import Database

HALIFAX = ZoneInfo("America/Halifax")
COLLEEN = "colleen@maritime-health.example"  # a Velsoft liaison
ALICE = "cmacdonald"  # a Velsoft agent
NOW = dt.datetime(2026, 2, 20, 12, 0, tzinfo=HALIFAX)
PERIOD = utc_day_range(dt.date(2026, 2, 2), dt.date(2026, 2, 20))


def hfx(day: int, hour: int, minute: int = 0, month: int = 2) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=HALIFAX)


def _open(desk: Database, opened: dt.datetime, priority: str = "high") -> str:
    draft = TicketDraft(
        team="velsoft",
        subject="Course player shows a blank page",
        channel="email",
        category="technical",
        description="No learner can open the course.",
        organisation=None,
        contact_email=COLLEEN,
        priority=priority,
    )
    return intake.open_ticket(Actor.of(desk, None, at=opened), draft).reference


def _answer(desk: Database, ref: str, ack: dt.datetime, reply: dt.datetime) -> None:
    tickets.acknowledge(Actor.of(desk, ALICE, at=ack), ref)
    tickets.reply(Actor.of(desk, ALICE, at=reply), ref, "email-out", "We are on it.")


def build_dataset(desk: Database) -> dict[str, str]:
    """The tickets of the module docstring; their references by name."""
    refs = {"T0": _open(desk, hfx(30, 9, month=1))}

    refs["T1"] = _open(desk, hfx(2, 9))
    _answer(desk, refs["T1"], hfx(2, 9, 30), hfx(2, 10))
    tickets.resolve(Actor.of(desk, ALICE, at=hfx(2, 15)), refs["T1"], "Cache cleared.")

    refs["T2"] = _open(desk, hfx(3, 9))
    _answer(desk, refs["T2"], hfx(3, 9, 10), hfx(3, 9, 20))
    tickets.set_waiting(Actor.of(desk, ALICE, at=hfx(3, 10)), refs["T2"], True)

    refs["T3"] = _open(desk, hfx(4, 9))
    _answer(desk, refs["T3"], hfx(4, 12), hfx(4, 12, 30))
    tickets.resolve(
        Actor.of(desk, ALICE, at=hfx(4, 14)), refs["T3"], "Fixed.", breach_reason="Late pickup"
    )
    tickets.reopen(Actor.of(desk, ALICE, at=hfx(5, 9)), refs["T3"], "Still broken.")

    refs["T4"] = _open(desk, hfx(13, 16))
    _answer(desk, refs["T4"], hfx(13, 16, 20), hfx(17, 9))
    tickets.resolve(Actor.of(desk, ALICE, at=hfx(17, 14)), refs["T4"], "Player updated.")

    refs["T5"] = _open(desk, hfx(2, 10), priority="medium")
    refs["T6"] = _open(desk, hfx(20, 11))

    with desk.write() as session:
        ids = {ref: id_ for ref, id_ in session.execute(select(Ticket.reference, Ticket.id))}
        for name, score in (("T1", 5), ("T4", 4)):
            session.add(Feedback(ticket_id=ids[refs[name]], score=score, at=hfx(18, 9)))
    return refs


@pytest.fixture
def dataset(desk: Database) -> Database:
    build_dataset(desk)
    return desk


def test_heritage_day_is_a_holiday_on_the_velsoft_calendar(sample_book: CalendarBook) -> None:
    # The hand-worked T4 figures rest on this.
    calendar = sample_book.get("velsoft-halifax")
    assert calendar.elapsed(hfx(13, 16), hfx(17, 9)) == 1800 + 3600


def test_the_whole_period_in_one_group(dataset: Database) -> None:
    [everything] = sla_report(dataset, start=PERIOD[0], end=PERIOD[1], now=NOW)
    assert (everything.group, everything.opened, everything.resolved) == ("all", 6, 2)
    assert everything.clocks == {
        # met T1 T2 T4; breached T3 (late) T5 (never); running T6.
        Clock.ACKNOWLEDGEMENT: ClockFigures(3, 2, 1, 0, 1200, 1800),
        # met T1 T2 T3 T4; breached T5; running T6. Times 1200 3600 5400 12600.
        Clock.RESPONSE: ClockFigures(4, 1, 1, 0, 3600, 5400),
        # met T1 T4; breached T3 (reopened) T5; running T2 (paused) T6. Times 21600 23400.
        Clock.RESOLUTION: ClockFigures(2, 2, 2, 0, 21600, 21600),
    }
    assert everything.clocks[Clock.ACKNOWLEDGEMENT].compliance == pytest.approx(60.0)
    assert everything.clocks[Clock.RESPONSE].compliance == pytest.approx(80.0)
    assert everything.clocks[Clock.RESOLUTION].compliance == pytest.approx(50.0)
    assert everything.breach_reasons == {"Late pickup": 1}
    assert (everything.feedback_count, everything.feedback_mean) == (2, pytest.approx(4.5))


def test_grouped_by_priority(dataset: Database) -> None:
    high, medium = sla_report(dataset, start=PERIOD[0], end=PERIOD[1], now=NOW, by="priority")
    assert (high.group, high.opened, high.resolved) == ("high", 5, 2)
    assert high.clocks[Clock.ACKNOWLEDGEMENT] == ClockFigures(3, 1, 1, 0, 1200, 1800)
    assert high.clocks[Clock.RESOLUTION] == ClockFigures(2, 1, 2, 0, 21600, 21600)
    assert (high.feedback_count, high.breach_reasons) == (2, {"Late pickup": 1})
    assert (medium.group, medium.opened, medium.resolved) == ("medium", 1, 0)
    assert medium.clocks[Clock.RESPONSE] == ClockFigures(0, 1, 0, 0, None, None)
    assert medium.clocks[Clock.RESPONSE].compliance == 0.0
    assert (medium.feedback_count, medium.feedback_mean, medium.breach_reasons) == (0, None, {})


@pytest.mark.parametrize(
    ("by", "groups"),
    [
        ("organisation", [("maritime-health-training", 6)]),
        # Acknowledging assigns the ticket: T1-T4 are Alice's, T5 and T6 nobody's.
        ("agent", [("(none)", 2), (ALICE, 4)]),
        ("policy", [("velsoft-support", 6)]),
        ("category", [("technical", 6)]),
    ],
)
def test_every_grouping_names_its_groups(
    dataset: Database, by: str, groups: list[tuple[str, int]]
) -> None:
    report = sla_report(dataset, start=PERIOD[0], end=PERIOD[1], now=NOW, by=by)
    assert [(group.group, group.opened) for group in report] == groups


def test_the_period_bounds_are_utc_days(dataset: Database) -> None:
    # T6 opened Fri 20 Feb 15:00 UTC: a period ending the 19th leaves it out.
    start, end = utc_day_range(dt.date(2026, 2, 13), dt.date(2026, 2, 19))
    [week] = sla_report(dataset, start=start, end=end, now=NOW)
    assert week.opened == 1  # T4 alone
    assert sla_report(dataset, start=start, end=start, now=NOW) == []


def test_bad_parameters_are_report_errors(desk: Database) -> None:
    with pytest.raises(ReportError, match="after"):
        utc_day_range(dt.date(2026, 2, 3), dt.date(2026, 2, 2))
    with pytest.raises(ReportError, match="unknown grouping 'team'"):
        sla_report(desk, start=PERIOD[0], end=PERIOD[1], now=NOW, by="team")
