"""Saved views: per-agent storage, the defaults, and each filter run as a page query (both
backends)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from ticket_fixtures import *  # noqa: F403 - the seeded-database fixtures

from deskui.domain.views import DEFAULT_VIEWS, ViewSpec
from deskui.domain.vocabulary import Status
from deskui.services import intake, tickets
from deskui.services.actor import Actor
from deskui.services.errors import TicketValidationError
from deskui.services.tickets.draft import TicketDraft
from deskui.services.tickets.saved_views import (
    ViewNotFoundError,
    agent_id,
    delete_view,
    get_view,
    list_views,
    parse_view,
    run_view,
    save_view,
    views_containing,
)
from deskui.store.session import Database

HALIFAX = ZoneInfo("America/Halifax")
COLLEEN = "colleen@maritime-health.example"  # a Velsoft liaison
ALICE, BOB = "cmacdonald", "jleblanc"  # Velsoft supervisor and agent
FRIDAY = dt.datetime(2026, 2, 6, 15, 0, tzinfo=HALIFAX)  # Velsoft opens 08:00-16:30


def open_velsoft(
    desk: Database, subject: str, priority: str = "high", at: dt.datetime = FRIDAY
) -> str:
    draft = TicketDraft(
        team="velsoft",
        subject=subject,
        channel="email",
        category="technical",
        description="Details.",
        contact_email=COLLEEN,
        priority=priority,
    )
    return intake.open_ticket(Actor.of(desk, at=at), draft).reference


def refs(desk: Database, spec: ViewSpec, now: dt.datetime, who: str = BOB) -> list[str]:
    result = run_view(desk, spec, agent_id=agent_id(desk, who), now=now, limit=50)
    assert result.total == len(result.records)
    return [r.reference for r in result.records]


def test_every_agent_starts_with_the_four_panes(desk: Database) -> None:
    assert [v.name for v in list_views(desk, BOB)] == ["mine", "unassigned", "open", "waiting"]
    assert list_views(desk, BOB) == list(DEFAULT_VIEWS)


def test_save_replace_delete_per_agent(desk: Database) -> None:
    mine = parse_view(
        {"name": "Mine", "title": "Mine, high", "assignee": "me", "priorities": ["high"]}
    )
    save_view(Actor.of(desk, BOB, at=FRIDAY), mine)
    save_view(
        Actor.of(desk, BOB, at=FRIDAY), parse_view({"name": "velsoft-all", "teams": ["velsoft"]})
    )
    names = [v.name for v in list_views(desk, BOB)]
    assert names == ["mine", "unassigned", "open", "waiting", "velsoft-all"]
    assert get_view(desk, BOB, "MINE").title == "Mine, high"  # replaced in place
    assert [v.name for v in list_views(desk, ALICE)] == ["mine", "unassigned", "open", "waiting"]
    save_view(Actor.of(desk, BOB, at=FRIDAY), parse_view({"name": "velsoft-all", "sort": "opened"}))
    assert get_view(desk, BOB, "velsoft-all").sort == "opened"  # saved again: replaced
    delete_view(Actor.of(desk, BOB), "mine")
    assert get_view(desk, BOB, "mine") == DEFAULT_VIEWS[0]  # the default comes back
    with pytest.raises(TicketValidationError, match="default view"):
        delete_view(Actor.of(desk, BOB), "open")
    with pytest.raises(ViewNotFoundError, match="known: mine, unassigned"):
        delete_view(Actor.of(desk, BOB), "nope")
    with pytest.raises(ViewNotFoundError):
        get_view(desk, BOB, "nope")


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": "x", "teams": ["nope"]}, "teams", "unknown team 'nope'"),
        ({"name": "x", "organisations": ["nope"]}, "organisations", "unknown organisation"),
        ({"name": "x", "products": ["nope"]}, "products", "unknown product"),
        ({"name": "x", "priorities": ["nope"]}, "priorities", "unknown priority"),
        ({"name": "x", "assignee": "nobody-here"}, "agent", "unknown agent"),
    ],
)
def test_saving_checks_every_name(desk: Database, values: dict, field: str, message: str) -> None:
    with pytest.raises(TicketValidationError, match=message) as caught:
        save_view(Actor.of(desk, BOB, at=FRIDAY), parse_view(values))
    assert caught.value.field == field
    assert [v.name for v in list_views(desk, BOB)] == ["mine", "unassigned", "open", "waiting"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "has space"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x", "statuses": []}, "statuses"),
        ({"name": "x", "statuses": ["lost"]}, "statuses"),
        ({"name": "x", "sort": "random"}, "sort"),
        ({"name": "x", "due_within_minutes": -1}, "due_within_minutes"),
        ({"name": "x", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_view_names_its_field(values: dict, field: str) -> None:
    with pytest.raises(TicketValidationError) as caught:
        parse_view(values)
    assert caught.value.field == field


def test_filters_statuses_assignee_priority_and_sort(desk: Database) -> None:
    high = open_velsoft(desk, "High one")
    medium = open_velsoft(
        desk, "Medium one", priority="medium", at=FRIDAY + dt.timedelta(minutes=5)
    )
    done = open_velsoft(desk, "Done one", at=FRIDAY + dt.timedelta(minutes=10))
    at = FRIDAY + dt.timedelta(minutes=20)
    tickets.acknowledge(Actor.of(desk, BOB, at=at), high)
    tickets.acknowledge(Actor.of(desk, BOB, at=at), done)
    tickets.reply(Actor.of(desk, BOB, at=at), done, "email-out", "Fixed")
    tickets.start_work(Actor.of(desk, BOB, at=at), done)
    tickets.resolve(Actor.of(desk, BOB, at=at), done, "fixed")
    now = at + dt.timedelta(minutes=1)
    view = parse_view
    assert refs(desk, view({"name": "a"}), now) == [high, medium]
    assert refs(desk, view({"name": "a", "assignee": "me"}), now) == [high]
    assert refs(desk, view({"name": "a", "assignee": "me"}), now, who=ALICE) == []
    assert refs(desk, view({"name": "a", "assignee": "nobody"}), now) == [medium]
    assert refs(desk, view({"name": "a", "assignee": BOB, "statuses": ["resolved"]}), now) == [done]
    every = [s.value for s in Status]
    assert refs(desk, view({"name": "a", "statuses": every, "sort": "opened"}), now) == [
        done,
        medium,
        high,
    ]
    assert refs(desk, view({"name": "a", "priorities": ["medium"]}), now) == [medium]
    assert refs(desk, view({"name": "a", "teams": ["kenco"]}), now) == []
    assert refs(desk, view({"name": "a", "teams": ["velsoft"], "products": ["nope"]}), now) == []


def test_breached_and_due_within_count_business_minutes(desk: Database) -> None:
    """Velsoft high: acknowledge within 2 business hours (08:00-16:30 Halifax)."""
    ref = open_velsoft(desk, "Friday afternoon")  # 15:00 Friday: ack due Monday 08:30
    friday_late = dt.datetime(2026, 2, 6, 16, 20, tzinfo=HALIFAX)  # 40 business minutes left
    monday = dt.datetime(2026, 2, 9, 8, 31, tzinfo=HALIFAX)
    within = {"name": "soon", "due_within_minutes": 45}
    assert refs(desk, parse_view(within), friday_late) == [ref]  # 2.5 days away on the wall
    assert refs(desk, parse_view({**within, "due_within_minutes": 30}), friday_late) == []
    assert refs(desk, parse_view({"name": "late", "breached": True}), friday_late) == []
    assert refs(desk, parse_view({"name": "late", "breached": True}), monday) == [ref]
    assert refs(desk, parse_view({**within, "due_within_minutes": 0}), monday) == [ref]


def test_which_views_hold_which_tickets(desk: Database) -> None:
    mine = open_velsoft(desk, "Bob's")
    nobody = open_velsoft(desk, "Nobody's", priority="medium")
    tickets.acknowledge(Actor.of(desk, BOB, at=FRIDAY), mine)
    ids = {
        r.reference: r.ticket_id
        for r in run_view(desk, DEFAULT_VIEWS[2], agent_id=None, now=FRIDAY).records
    }
    held = views_containing(
        desk, list_views(desk, BOB), list(ids.values()), agent_id=agent_id(desk, BOB), now=FRIDAY
    )
    assert held == {
        "mine": {ids[mine]},
        "unassigned": {ids[nobody]},
        "open": {ids[mine], ids[nobody]},
        "waiting": set(),
    }
    # The view's own order, or another one asked for.
    by_due = run_view(desk, DEFAULT_VIEWS[2], agent_id=None, now=FRIDAY, order="opened")
    assert [r.reference for r in by_due.records] == [nobody, mine]


def test_a_views_breached_tickets_come_first_in_a_band(desk: Database) -> None:
    """A breached medium ticket sits above a high one with hours to spare, in a view sorted by
    priority as in any other order; paging runs over the band, then the rest."""
    late = open_velsoft(desk, "Late medium", priority="medium", at=FRIDAY.replace(hour=9))
    later = open_velsoft(desk, "Later medium", priority="medium", at=FRIDAY.replace(hour=10))
    spare = open_velsoft(desk, "High, hours to spare", at=FRIDAY - dt.timedelta(minutes=10))
    now = FRIDAY
    spec = parse_view({"name": "all", "sort": "priority"})
    result = run_view(desk, spec, agent_id=None, now=now, limit=50)
    assert [r.reference for r in result.records] == [late, later, spare]
    assert result.breached == 2
    # The old order (no band) puts the high one first: the band is what moves them.
    plain = run_view(desk, spec, agent_id=None, now=now, breached_first=False)
    assert plain.records[0].reference == spare
    assert plain.breached == 0
    for sort in ("opened", "updated", "due"):
        ordered = run_view(desk, parse_view({"name": "all", "sort": sort}), agent_id=None, now=now)
        assert [r.reference for r in ordered.records][:2] == [late, later], sort
    second = run_view(desk, spec, agent_id=None, now=now, limit=1, offset=1)
    third = run_view(desk, spec, agent_id=None, now=now, limit=1, offset=2)
    assert ([r.reference for r in second.records], second.breached) == ([later], 1)
    assert ([r.reference for r in third.records], third.breached) == ([spare], 0)
    assert second.total == third.total == 3
