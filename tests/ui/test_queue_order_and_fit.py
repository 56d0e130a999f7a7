"""The queue orders by what it shows, keeps breached work on top, and fits 80×24 and 120×40.

Business time left is what the To breach column shows, so that is what the order follows
(never the wall-clock due instant, which orders desks on different calendars differently); the
sort column is marked; Ref, Next and To breach are always on screen; a cut ends with ``…``;
durations read one way and breach is told by a mark as well as colour.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from pilot_helpers import wait_until
from textual.widgets import DataTable

from deskui.ui.app import DeskApp
from deskui.ui.screens.queue import QueueScreen, column_widths
from deskui.ui.widgets.desk_header import DeskHeader

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
DURATION = re.compile(r"^(✗ |! )?-?(\d+d \d\dh|\d{1,2}h \d\dm|\d{1,2}m)$")


def _table(app: DeskApp, pane: str) -> DataTable[object]:
    return app.screen.query_one(f"#table-{pane}", DataTable)


def _refs(table: DataTable[object]) -> list[str]:
    return [str(key.value) for key in table.rows]


def _left(app: DeskApp, refs: list[str]) -> list[int | None]:
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    rows = {row.reference: row for row in screen._rows["open"]}
    now = app.desk.now()
    return [app.desk.business_remaining(rows[ref], now) for ref in refs]


async def _loaded(pilot: object, app: DeskApp) -> None:
    await wait_until(pilot, lambda: _table(app, "open").row_count > 20)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", SIZES)
async def test_sorted_by_time_to_breach_follows_the_countdown_shown(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _loaded(pilot, app)
        await pilot.press("3", "s")
        await wait_until(pilot, lambda: app.screen.order == "breach")  # type: ignore[attr-defined]
        await pilot.pause(0.5)
        left = [s for s in _left(app, _refs(_table(app, "open"))) if s is not None]
        assert len(left) > 10
        assert left == sorted(left), left
        header = _table(app, "open").columns
        marked = [str(c.label) for c in header.values() if "▲" in str(c.label)]
        assert len(marked) == 1 and marked[0].startswith("To bre")


@pytest.mark.parametrize("size", SIZES)
async def test_breached_tickets_come_first_in_the_default_order(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _loaded(pilot, app)
        await pilot.press("3")
        left = _left(app, _refs(_table(app, "open")))
        breached = [s is not None and s < 0 for s in left]
        assert any(breached)
        first_safe = breached.index(False)
        assert not any(breached[first_safe:]), left  # no breached row below a safe one
        # The band is most overdue first.
        band = [s for s in left[:first_safe] if s is not None]
        assert band == sorted(band)
        marked = [str(c.label) for c in _table(app, "open").columns.values() if "▲" in str(c.label)]
        assert marked and marked[0].startswith("Prio")


@pytest.mark.parametrize("size", SIZES)
async def test_any_column_sorts_and_reverses(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _loaded(pilot, app)
        await pilot.press("3", "s", "s")  # priority → time to breach → ref
        screen = app.screen
        assert isinstance(screen, QueueScreen) and screen.order == "ref"
        band = screen._breached["open"]
        await wait_until(
            pilot,
            lambda: _refs(_table(app, "open"))[band:] == sorted(_refs(_table(app, "open"))[band:]),
        )
        await pilot.press("S")
        await wait_until(
            pilot,
            lambda: (
                _refs(_table(app, "open"))[band:]
                == sorted(_refs(_table(app, "open"))[band:], reverse=True)
            ),
        )
        assert any("▼" in str(c.label) for c in _table(app, "open").columns.values())


@pytest.mark.parametrize("size", SIZES)
async def test_sla_columns_always_fit_and_cuts_end_with_an_ellipsis(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _loaded(pilot, app)
        await pilot.press("3")
        await pilot.pause(0.3)
        table = _table(app, "open")
        keys = [str(key.value) for key in table.columns]
        assert {"ref", "clock", "breach"} <= set(keys)
        used = sum(column.width + 2 for column in table.columns.values())
        assert used + 2 <= size[0], (used, keys)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        rows = {row.reference: row for row in screen._rows["open"]}
        full = {"subject": "subject", "org": "organisation", "status": "status"}
        for ref in _refs(table):
            for key, attribute in full.items():
                if key not in keys:
                    continue
                shown = table.get_cell(ref, key).plain  # type: ignore[union-attr]
                whole = getattr(rows[ref], attribute)
                assert shown == whole or (shown.endswith("…") and whole.startswith(shown[:-1]))
            for key in ("breach", "age"):
                if key in keys:
                    shown = table.get_cell(ref, key).plain  # type: ignore[union-attr]
                    assert shown == "—" or DURATION.match(shown), shown
        left = _left(app, _refs(table))
        for ref, seconds in zip(_refs(table), left, strict=True):
            if seconds is not None and seconds < 0:
                assert table.get_cell(ref, "breach").plain.startswith("✗")  # type: ignore[union-attr]


@pytest.mark.parametrize("size", SIZES)
async def test_header_keeps_clock_hours_and_badge(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _loaded(pilot, app)
        header = app.screen.query_one(DeskHeader)
        line = str(header.render())
        assert len(line) <= size[0] - 2, line
        assert "10:00:00" in line and "OPEN" in line and "● live" in line


def test_column_widths_drop_by_priority() -> None:
    wide, narrow, tiny = column_widths(120), column_widths(80), column_widths(50)
    assert list(wide) == [
        "ref", "priority", "subject", "org", "status", "assignee", "clock", "breach", "age",
    ]  # fmt: skip
    assert "org" not in narrow and {"ref", "clock", "breach", "age"} <= set(narrow)
    assert {"ref", "breach"} <= set(tiny)
    for width, widths in ((120, wide), (80, narrow), (50, tiny)):
        assert sum(w + 2 for w in widths.values()) + 2 <= width
