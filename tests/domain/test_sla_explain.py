"""Explanations: the timeline that produced a due, with holidays by name, pauses, closures."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from deskui.domain.calendar.book import CalendarBook
from deskui.domain.calendar.spec import CalendarSpec
from deskui.domain.sla.clocks import ClockEvent
from deskui.domain.sla.explain import explain_clock, render_explanation
from deskui.domain.sla.policy import Clock, PolicySpec

HALIFAX = ZoneInfo("America/Halifax")
LONDON = ZoneInfo("Europe/London")
OPENED = dt.datetime(2026, 12, 24, 15, 0, tzinfo=HALIFAX)


def test_velsoft_christmas_timeline(policies, book) -> None:
    explanation = explain_clock(
        policies["velsoft-support"], "high", book, OPENED, [], Clock.RESOLUTION
    )
    assert explanation.due_at == dt.datetime(2026, 12, 28, 15, tzinfo=HALIFAX)
    assert explanation.target_seconds == int(8.5 * 3600)
    kinds = [(s.kind, s.label) for s in explanation.segments]
    assert kinds == [
        ("open", "open"),
        ("closed", "outside opening hours"),
        ("holiday", "Christmas Day"),
        ("weekend", "weekend"),
        ("closed", "outside opening hours"),
        ("open", "open"),
    ]
    opens = [s for s in explanation.segments if s.kind == "open"]
    assert sum(s.business_seconds for s in opens) == explanation.target_seconds
    assert opens[-1].counted_total == explanation.target_seconds
    assert explanation.segments[0].start == OPENED
    assert explanation.segments[-1].end == explanation.due_at
    # The segments tile the whole span with no gap.
    for before, after in zip(explanation.segments, explanation.segments[1:], strict=False):
        assert before.end == after.start

    text = render_explanation(explanation)
    assert "Christmas Day" in text
    assert "velsoft-halifax (America/Halifax)" in text
    assert "1d = 8h 30m business time" in text
    assert "due: Mon 28 Dec 2026 15:00 AST" in text
    assert "Sat 26 Dec – Sun 27 Dec" in text


def test_pauses_show_and_are_not_counted(policies, book) -> None:
    events = [
        ClockEvent("paused", dt.datetime(2026, 12, 24, 16, tzinfo=HALIFAX)),
        ClockEvent("resumed", dt.datetime(2026, 12, 28, 9, tzinfo=HALIFAX)),
    ]
    explanation = explain_clock(
        policies["velsoft-support"], "high", book, OPENED, events, Clock.RESOLUTION
    )
    paused = [s for s in explanation.segments if s.kind == "paused"]
    assert [s.business_seconds for s in paused] == [1800, 3600]
    counted = sum(s.business_seconds for s in explanation.segments if s.kind == "open")
    assert counted == explanation.target_seconds
    text = render_explanation(explanation)
    assert "waiting on customer" in text
    assert "moved the due" in text


def test_mapping_no_sla_and_negotiated_are_explained(policies, book) -> None:
    low = explain_clock(policies["velsoft-support"], "low", book, OPENED, [], Clock.RESOLUTION)
    assert "'low' is handled as 'medium'" in render_explanation(low)
    level4 = explain_clock(
        policies["paritor-ensemble"], "level-4", book, OPENED, [], Clock.RESOLUTION
    )
    assert level4.segments == ()
    assert "no SLA" in render_explanation(level4)
    negotiated = explain_clock(
        policies["kenco-wes"], "software-error", book, OPENED, [], Clock.RESOLUTION
    )
    assert negotiated.due_at is None
    assert "waiting for one to be agreed" in render_explanation(negotiated)


def test_cob_target_and_status_against_now(policies, book) -> None:
    ny = ZoneInfo("America/New_York")
    opened = dt.datetime(2026, 7, 2, 18, 30, tzinfo=ny)
    explanation = explain_clock(
        policies["itworks-standard"],
        "high",
        book,
        opened,
        [],
        Clock.ACKNOWLEDGEMENT,
        now=dt.datetime(2026, 7, 6, 16, tzinfo=ny),
    )
    assert explanation.due_at == dt.datetime(2026, 7, 6, 17, tzinfo=ny)
    assert "Independence Day (observed)" in [s.label for s in explanation.segments]
    text = render_explanation(explanation)
    assert "close of business" in text
    assert "running, 1h 0m business time left" in text


def test_closures_are_named_with_their_reasons() -> None:
    spec = CalendarSpec.model_validate(
        {
            "name": "shop",
            "timezone": "Europe/London",
            "hours": {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
            "closures": [
                {"date": "2026-06-02", "reason": "stocktake"},
                {"date": "2026-06-03", "start": "09:00", "end": "11:00", "reason": "fire drill"},
            ],
        }
    )
    policy = PolicySpec.model_validate(
        {
            "name": "shop-sla",
            "calendar": "shop",
            "priorities": [{"slug": "p1", "label": "P1", "targets": {"resolution": "10h"}}],
        }
    )
    book = CalendarBook([spec])
    opened = dt.datetime(2026, 6, 1, 16, 0, tzinfo=LONDON)
    explanation = explain_clock(policy, "p1", book, opened, [], Clock.RESOLUTION)
    # Mon 1h, Tue closed, Wed 11:00-17:00 6h, Thu 3h.
    assert explanation.due_at == dt.datetime(2026, 6, 4, 12, 0, tzinfo=LONDON)
    labels = [(s.kind, s.label) for s in explanation.segments if s.kind != "open"]
    assert ("closure", "stocktake") in labels
    assert ("closure", "fire drill") in labels
    assert "closed: fire drill" in render_explanation(explanation)
