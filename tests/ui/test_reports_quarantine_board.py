"""The reports screen, the quarantine's retry and the board's breach marks at 80×24 and 120×40.

Reports: ``[``/``]`` switch tabs from any focus (a digit in a date field stays part of the
date), the figures table never runs past the screen (what it drops is on the detail line),
the count charts have whole-number axes, few points are bars, and the days are the agent's.
Quarantine: the teams are offered in a list and the screen says which ticket a retried message
became. Board: breach is told by a mark as well as colour. Demo clock: Tue 1 Dec 2026 15:00
UTC; the demo agent (mbrennan) works in America/New_York.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable

import pytest
from pilot_helpers import wait_until
from sqlalchemy import select
from textual.widgets import DataTable, Input, Select, Static, TabbedContent
from textual_plotext import PlotextPlot

from deskui.services.intake.mail_in import ingest_message
from deskui.services.intake.quarantine import list_quarantine
from deskui.store.models import Ticket
from deskui.ui.app import DeskApp
from deskui.ui.formatting import BREACHED_MARK, WARNING_MARK
from deskui.ui.screens.board import WARNING_SECONDS, BoardScreen
from deskui.ui.screens.quarantine import QuarantineScreen
from deskui.ui.screens.queue import QueueScreen
from deskui.ui.screens.reports import ReportsScreen, integer_ticks

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
SUPERVISOR = "sokafor"
QUIET = 600.0
AppFactory = Callable[..., DeskApp]


class FixedClock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at


async def open_reports(pilot, app: DeskApp) -> ReportsScreen:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))
    await pilot.press("R")
    await wait_until(pilot, lambda: isinstance(app.screen, ReportsScreen) and app.screen.loads > 0)
    assert isinstance(app.screen, ReportsScreen)
    return app.screen


def y_labels(plot: PlotextPlot) -> list[str]:
    """The y axis' tick labels of a drawn chart (the text left of each ``┤``)."""
    labels = []
    for line in plot.render().plain.splitlines():  # type: ignore[union-attr]
        if "┤" in line:
            labels.append(line.split("┤", 1)[0].strip())
    return [label for label in labels if label]


@pytest.mark.parametrize("size", SIZES)
async def test_brackets_switch_tabs_from_a_date_field(make_app: AppFactory, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(refresh_seconds=QUIET)
    async with app.run_test(size=size) as pilot:
        screen = await open_reports(pilot, app)
        tabs = screen.query_one(TabbedContent)
        box = screen.query_one("#first", Input)
        typed = box.value
        box.focus()
        await pilot.pause()
        await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: tabs.active == "tab-weekly")
        assert box.value == typed  # nothing typed into the date
        await pilot.press("right_square_bracket", "right_square_bracket")
        await wait_until(pilot, lambda: tabs.active == "tab-backlog")
        await pilot.press("right_square_bracket")  # wraps round
        await wait_until(pilot, lambda: tabs.active == "tab-figures")
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: tabs.active == "tab-backlog")
        assert box.value == typed
        # A digit in a date field is part of the date, not a tab.
        screen.query_one("#first", Input).focus()
        await pilot.pause()
        await pilot.press("end", "2")
        await pilot.pause()
        assert screen.query_one("#first", Input).value == typed + "2"
        assert tabs.active == "tab-backlog"


@pytest.mark.parametrize("size", SIZES)
async def test_the_figures_table_fits_the_screen(make_app: AppFactory, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(refresh_seconds=QUIET)
    async with app.run_test(size=size) as pilot:
        screen = await open_reports(pilot, app)
        select_by = screen.query_one("#by", Select)
        select_by.value = "organisation"  # many groups, long names, breach reasons
        await wait_until(pilot, lambda: screen.loads > 1)
        await pilot.pause()
        table = screen.query_one("#figures", DataTable)
        assert table.row_count > 3
        # Nothing off the right edge: no column needs a sideways scroll.
        assert table.virtual_size.width <= table.size.width
        assert table.max_scroll_x == 0
        shown = [str(column.key.value) for column in table.columns.values()]
        for key in ("group", "clock", "met", "breached", "compliance"):
            assert key in shown
        detail = screen.query_one("#figure-detail", Static)
        if len(shown) < 12:
            # What the width dropped is told for the highlighted row.
            assert detail.display
            text = str(detail.render())
            assert screen.figure_rows[0]["_group"].plain in text
        if size == (80, 24):
            assert "reasons" not in shown and len(shown) < 12


@pytest.mark.parametrize("size", SIZES)
async def test_count_charts_have_integer_axes_and_few_points_are_bars(
    make_app: AppFactory,
    size,  # type: ignore[no-untyped-def]
) -> None:
    app = make_app(refresh_seconds=QUIET)
    async with app.run_test(size=size) as pilot:
        screen = await open_reports(pilot, app)
        # Three days: three backlog points, drawn as bars.
        last = screen.query_one("#last", Input).value
        first = (dt.date.fromisoformat(last) - dt.timedelta(days=2)).isoformat()
        screen.query_one("#first", Input).value = first
        screen.query_one("#first", Input).focus()
        loads = screen.loads
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.loads > loads)
        assert screen.bundle is not None and len(screen.bundle.backlog.at) == 3
        for tab, plot_id in (("responses", "#responses"), ("backlog", "#backlog")):
            screen.action_tab(tab)
            await pilot.pause(0.2)
            plot = screen.query_one(plot_id, PlotextPlot)
            labels = y_labels(plot)
            assert labels, f"no y axis drawn on {tab}"
            assert all(re.fullmatch(r"\d+", label) for label in labels), labels
        drawn = screen.query_one("#backlog", PlotextPlot).render().plain  # type: ignore[union-attr]
        assert "█" in drawn  # bars, not a line through three dots
        # The weekly chart's axis is percent, whole numbers too.
        screen.action_tab("weekly")
        await pilot.pause(0.2)
        assert y_labels(screen.query_one("#weekly", PlotextPlot))[0] in {"100%", "0%"}


def test_integer_ticks_are_whole_and_reach_the_top() -> None:
    for top in (0, 1, 3, 7, 10, 23, 99, 1234):
        ticks = integer_ticks(top)
        assert ticks[0] == 0 and ticks[-1] >= top and len(ticks) <= 7
        assert all(isinstance(t, int) for t in ticks)
        steps = {b - a for a, b in itertools.pairwise(ticks)}
        assert len(steps) == 1


@pytest.mark.parametrize("size", SIZES)
async def test_report_days_are_the_agents(make_app: AppFactory, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(refresh_seconds=QUIET)
    # 02:00 UTC on 2 Dec is still 1 Dec (21:00) in New York.
    app.desk._clock = FixedClock(dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC))
    async with app.run_test(size=size) as pilot:
        screen = await open_reports(pilot, app)
        assert screen.query_one("#last", Input).value == "2026-12-01"
        assert "America/New_York" in str(screen.query_one("#status", Static).render())
        assert screen.bundle is not None
        first_end = screen.bundle.backlog.at[0]
        # The first day ends at New York's midnight (05:00 UTC), not at UTC's.
        assert first_end == dt.datetime(2026, 11, 5, 5, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("size", SIZES)
async def test_retry_offers_the_teams_and_says_which_ticket(make_app: AppFactory, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    waiting = len(list_quarantine(app.desk.database))  # the demo's own, received earlier
    raw = (
        b"From: Stranger <stranger@elsewhere.example>\r\nSubject: Scanner help\r\n"
        b"Message-ID: <y13@elsewhere.example>\r\n\r\nOur scanners are down.\r\n"
    )
    held = ingest_message(app.desk.actor.as_system(), raw)
    assert held.action == "quarantined"
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("Q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuarantineScreen))
        screen = app.screen
        # Newest first: the cursor is on this message.
        await wait_until(pilot, lambda: screen.query_one(DataTable).row_count == waiting + 1)
        await pilot.press("r")
        await wait_until(pilot, lambda: app.screen.query("#field-team"))
        form = app.screen
        team = form.query_one("#field-team", Select)
        offered = [value for _, value in team._options if value is not Select.NULL]
        assert "kenco" in offered
        team.value = "kenco"
        # The Retry button is on screen even at 80×24.
        button = form.query_one("#save")
        assert button.region.bottom <= size[1] and button.region.width > 0
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(pilot, lambda: screen.last_result is not None)
        assert isinstance(screen, QuarantineScreen) and screen.last_result is not None
        with app.desk.database.read() as session:
            reference = session.scalars(
                select(Ticket.reference).where(Ticket.subject == "Scanner help")
            ).one()
        assert screen.last_result.reference == reference
        status = str(screen.query_one("#quarantine-status", Static).render())
        assert status == f"Message #{held.quarantine_id}: opened {reference}"


@pytest.mark.parametrize("size", SIZES)
async def test_board_marks_breach_with_a_symbol(make_app: AppFactory, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(agent=SUPERVISOR, refresh_seconds=QUIET)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("b")
        await wait_until(
            pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.loads > 0
        )
        screen = app.screen
        assert isinstance(screen, BoardScreen) and screen.snapshot is not None
        table = screen.query_one("#attention", DataTable)
        breached = {t.reference for t in screen.snapshot.breached}
        assert breached
        seen_warning = False
        for ticket in screen._rows:
            cell = str(table.get_cell(ticket.reference, "breach"))
            if ticket.reference in breached:
                assert cell.startswith(f"{BREACHED_MARK} -"), cell
            elif ticket.remaining is not None and 0 <= ticket.remaining <= WARNING_SECONDS - 60:
                assert cell.startswith(f"{WARNING_MARK} "), cell
                seen_warning = True
            elif ticket.remaining is not None and ticket.remaining > WARNING_SECONDS + 60:
                assert BREACHED_MARK not in cell and WARNING_MARK not in cell, cell
            # The mark and the whole countdown fit the column (nothing cut).
            assert "…" not in cell
        assert seen_warning or screen.snapshot.within_15_total == 0
