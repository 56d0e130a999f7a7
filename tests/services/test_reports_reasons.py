"""Hand-worked breach-reason and feedback cases ``test_reports`` does not cover: several reasons
(ordered by count, then name), reasons and feedback of a ticket opened *before* the period (left
out, even when written inside it), and both per agent.

On ``test_reports``'s Velsoft dataset (T3 resolved late with "Late pickup"; feedback T1 5, T4 4),
add, all acknowledged and answered by Alice (so all hers):

- T7 opened Tue 10 Feb 09:00, resolved Thu 12 09:00, past its Wed 09:00 due: "Waiting on vendor".
- T8 opened Wed 11 Feb 09:00, resolved Fri 13 10:00, past its Thu 09:00 due: "Late pickup";
  feedback 3.
- T0 (opened Fri 30 Jan, before the period) resolved Tue 3 Feb with "Late pickup"; feedback 1.
  Neither counts: the report is about tickets *opened* in the period.

Whole period: reasons {"Late pickup": 2 (T3 T8), "Waiting on vendor": 1}; feedback T1 5, T4 4,
T8 3 → 3 scores, mean 4.0. By agent: all of it is Alice's; "(none)" (T5, T6) has neither.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_reports import ALICE, NOW, PERIOD, build_dataset, hfx
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.services import tickets
from deskui.services.actor import Actor
from deskui.services.supervision.reports import sla_report
from deskui.store.models import Feedback, Ticket
from deskui.store.session import Database


def _late(desk: Database, opened: tuple[int, int], resolved: tuple[int, int], reason: str) -> str:
    from test_reports import _answer, _open

    ref = _open(desk, hfx(*opened))
    _answer(desk, ref, hfx(opened[0], 9, 10), hfx(opened[0], 9, 20))
    tickets.resolve(Actor.of(desk, ALICE, at=hfx(*resolved)), ref, "Done.", breach_reason=reason)
    return ref


@pytest.fixture
def dataset(desk: Database) -> Database:
    refs = build_dataset(desk)
    _late(desk, (10, 9), (12, 9), "Waiting on vendor")
    t8 = _late(desk, (11, 9), (13, 10), "Late pickup")
    tickets.acknowledge(Actor.of(desk, ALICE, at=hfx(3, 9)), refs["T0"])
    tickets.resolve(
        Actor.of(desk, ALICE, at=hfx(3, 10)), refs["T0"], "Old.", breach_reason="Late pickup"
    )
    with desk.write() as session:
        ids = {ref: id_ for ref, id_ in session.execute(select(Ticket.reference, Ticket.id))}
        session.add(Feedback(ticket_id=ids[t8], score=3, at=hfx(16, 9)))
        session.add(Feedback(ticket_id=ids[refs["T0"]], score=1, at=hfx(16, 9)))
    return desk


def test_reasons_ordered_by_count_and_only_for_tickets_opened_in_the_period(
    dataset: Database,
) -> None:
    [everything] = sla_report(dataset, start=PERIOD[0], end=PERIOD[1], now=NOW)
    assert everything.opened == 8
    assert list(everything.breach_reasons.items()) == [
        ("Late pickup", 2),
        ("Waiting on vendor", 1),
    ]
    assert (everything.feedback_count, everything.feedback_mean) == (3, pytest.approx(4.0))


def test_reasons_and_feedback_per_agent(dataset: Database) -> None:
    nobody, alice = sla_report(dataset, start=PERIOD[0], end=PERIOD[1], now=NOW, by="agent")
    assert (nobody.group, nobody.breach_reasons, nobody.feedback_count) == ("(none)", {}, 0)
    assert alice.group == ALICE
    assert alice.breach_reasons == {"Late pickup": 2, "Waiting on vendor": 1}
    assert (alice.feedback_count, alice.feedback_mean) == (3, pytest.approx(4.0))
