"""The reports screen (``R``): ``deskui report sla``'s figures for a period and grouping, and
three terminal charts (textual-plotext): compliance by week, response-time distribution by
priority, backlog by priority over time.

Dates are UTC days, both included, as on the command line; the default period is the 28 days
up to today. Everything is read in one thread worker through ``report_charts.report_bundle``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Input,
    Select,
    Static,
    TabbedContent,
    TabPane,
)
from textual_plotext import PlotextPlot

from deskui.domain.durations import format_business_seconds
from deskui.domain.sla.clock_info import CLOCK_INFO
from deskui.domain.sla.policy import CLOCKS
from deskui.services.supervision.charts import ReportBundle, report_bundle
from deskui.services.supervision.reports import GROUPINGS
from deskui.ui.safe import safe_cell
from deskui.ui.widgets.desk_header import TickingHeader

if TYPE_CHECKING:
    from deskui.ui.app import DeskApp

DEFAULT_DAYS = 28
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("group", "Group", 16),
    ("opened", "Opened", 6),
    ("resolved", "Resolved", 8),
    ("clock", "Clock", 10),
    ("met", "Met", 5),
    ("breached", "Breached", 8),
    ("running", "Running", 7),
    ("compliance", "Compl.", 7),
    ("median", "Median", 8),
    ("p90", "p90", 8),
    ("feedback", "Feedback", 9),
    ("reasons", "Breach reasons", 24),
)


def parse_day(text: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{label}: bad date {text.strip()!r} (expected YYYY-MM-DD)") from None


def _time(seconds: int | None) -> str:
    return "-" if seconds is None else format_business_seconds(seconds)


class ReportsScreen(Screen[None]):
    """SLA figures and charts for a chosen period and grouping."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("q", "back", "Back", show=False),
        Binding("ctrl+r", "run", "Run report"),
        Binding("1", "tab('figures')", "Figures", show=False),
        Binding("2", "tab('weekly')", "Weekly", show=False),
        Binding("3", "tab('responses')", "Responses", show=False),
        Binding("4", "tab('backlog')", "Backlog", show=False),
    ]

    DEFAULT_CSS = """
    ReportsScreen #controls { height: 3; }
    ReportsScreen #controls Input { width: 18; }
    ReportsScreen #controls Select { width: 22; }
    ReportsScreen #status { height: 1; padding: 0 1; }
    ReportsScreen #status.-error { color: $error; }
    ReportsScreen TabbedContent { height: 1fr; }
    ReportsScreen PlotextPlot { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.bundle: ReportBundle | None = None
        self.loads = 0

    @property
    def desk_app(self) -> DeskApp:
        from deskui.ui.app import DeskApp

        assert isinstance(self.app, DeskApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield TickingHeader()
        today = self.desk_app.now().astimezone(dt.UTC).date()
        first = today - dt.timedelta(days=DEFAULT_DAYS - 1)
        with Horizontal(id="controls"):
            yield Input(first.isoformat(), placeholder="from YYYY-MM-DD", id="first")
            yield Input(today.isoformat(), placeholder="to YYYY-MM-DD", id="last")
            yield Select(
                [(f"by {name}", name) for name in GROUPINGS],
                prompt="all tickets",
                allow_blank=True,
                id="by",
            )
            yield Button("Run", id="run", variant="primary")
        yield Static("", id="status", markup=False)
        with TabbedContent(id="tabs"):
            with TabPane("Figures", id="tab-figures"):
                yield DataTable(id="figures", cursor_type="row", zebra_stripes=True)
            with TabPane("Compliance by week", id="tab-weekly"):
                yield PlotextPlot(id="weekly")
            with TabPane("Response times", id="tab-responses"):
                yield PlotextPlot(id="responses")
            with TabPane("Backlog", id="tab-backlog"):
                yield PlotextPlot(id="backlog")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#figures", DataTable)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        table.focus()
        self.action_run()

    # ------------------------------------------------------------------ running
    def action_tab(self, name: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{name}"

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    @on(Button.Pressed, "#run")
    @on(Input.Submitted)
    @on(Select.Changed)
    def action_run(self) -> None:
        try:
            first = parse_day(self.query_one("#first", Input).value, "From")
            last = parse_day(self.query_one("#last", Input).value, "To")
            if first > last:
                raise ValueError(f"From {first.isoformat()} is after To {last.isoformat()}")
        except ValueError as exc:
            self._say(str(exc), error=True)
            return
        chosen = self.query_one("#by", Select).value
        by = chosen if isinstance(chosen, str) else None
        self._say(f"Reading {first.isoformat()} to {last.isoformat()} (UTC days)…")
        self.load(first, last, by)

    @work(thread=True, exclusive=True, group="reports")
    def load(self, first: dt.date, last: dt.date, by: str | None) -> None:
        desk = self.desk_app.desk
        try:
            bundle = report_bundle(desk.database, first, last, by=by, now=desk.now())
        except Exception as exc:  # a ServiceError or the database away: say so, keep the last
            self.app.call_from_thread(self._say, str(exc), True)
            return
        self.app.call_from_thread(self._show, bundle)

    def _say(self, text: str, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "-error")

    def _show(self, bundle: ReportBundle) -> None:
        if not self.is_attached:
            return
        self.bundle = bundle
        grouping = f"by {bundle.by}" if bundle.by else "all tickets"
        opened = sum(group.opened for group in bundle.figures)
        self._say(
            f"Tickets opened {bundle.first.isoformat()} to {bundle.last.isoformat()} "
            f"(UTC days), {grouping}: {opened}"
        )
        self._fill_figures(bundle)
        self._plot_weekly(bundle)
        self._plot_responses(bundle)
        self._plot_backlog(bundle)
        self.loads += 1

    def _fill_figures(self, bundle: ReportBundle) -> None:
        table = self.query_one("#figures", DataTable)
        table.clear()
        for group in bundle.figures:
            for i, clock in enumerate(CLOCKS):
                figures = group.clocks[clock]
                first = i == 0
                compliance = figures.compliance
                feedback = (
                    f"{group.feedback_mean:.2f} ({group.feedback_count})"
                    if first and group.feedback_mean is not None
                    else ""
                )
                reasons = (
                    "; ".join(f"{k} {v}" for k, v in group.breach_reasons.items()) if first else ""
                )
                table.add_row(
                    safe_cell(group.group if first else "", limit=16),
                    Text(str(group.opened) if first else "", justify="right"),
                    Text(str(group.resolved) if first else "", justify="right"),
                    Text(CLOCK_INFO[clock].key),
                    Text(str(figures.met), justify="right"),
                    Text(str(figures.breached), justify="right"),
                    Text(str(figures.running), justify="right"),
                    Text("-" if compliance is None else f"{compliance:.1f}%", justify="right"),
                    Text(_time(figures.median_seconds), justify="right"),
                    Text(_time(figures.p90_seconds), justify="right"),
                    Text(feedback, justify="right"),
                    safe_cell(reasons, limit=24),
                )
        if not bundle.figures:
            table.add_row(Text("no tickets opened in the period"), *[""] * (len(COLUMNS) - 1))

    def _plot_weekly(self, bundle: ReportBundle) -> None:
        plot = self.query_one("#weekly", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        plt.title("SLA compliance % by week opened")
        labels = [week.week_start.strftime("%d %b") for week in bundle.weeks]
        positions: list[float] = list(range(1, len(labels) + 1))
        for clock in CLOCKS:
            points = [
                (x, week.percent(clock))
                for x, week in zip(positions, bundle.weeks, strict=True)
                if week.percent(clock) is not None
            ]
            if points:
                xs, ys = zip(*points, strict=True)
                plt.plot(list(xs), list(ys), label=CLOCK_INFO[clock].key, marker="braille")
        if labels:
            plt.xticks(positions, labels)
        plt.ylim(0, 100)
        plot.refresh()

    def _plot_responses(self, bundle: ReportBundle) -> None:
        plot = self.query_one("#responses", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        plt.title("First responses by business time, per priority")
        spread = bundle.responses
        if spread.counts:
            plt.multiple_bar(
                list(spread.buckets),
                [list(counts) for counts in spread.counts.values()],
                # plotext's multiple_bar takes labels=; textual-plotext's stub names it label=.
                labels=list(spread.counts),  # type: ignore[call-arg]
            )
        plot.refresh()

    def _plot_backlog(self, bundle: ReportBundle) -> None:
        plot = self.query_one("#backlog", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        plt.title("Open tickets by priority (end of each UTC day)")
        backlog = bundle.backlog
        positions = list(range(1, len(backlog.at) + 1))
        for priority, counts in backlog.counts.items():
            plt.plot(positions, list(counts), label=priority, marker="braille")
        if backlog.at:
            step = max(1, len(positions) // 6)
            ticks = positions[::step]
            names = [backlog.at[p - 1].strftime("%d %b") for p in ticks]
            tick_positions: list[float] = list(ticks)
            plt.xticks(tick_positions, names)
        plot.refresh()
