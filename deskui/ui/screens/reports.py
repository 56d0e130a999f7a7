"""The reports screen (``R``): ``deskui report sla``'s figures for a period and grouping, and
three terminal charts (textual-plotext): compliance by week, response-time distribution by
priority, backlog by priority over time.

Dates are days in the agent's time zone, both included (the command line keeps UTC days); the
default period is the 28 days up to today. Everything is read in one thread worker through
``charts.report_bundle``.

Keys: ``[`` and ``]`` go to the previous and next tab from any focus (they are never typed into
the date fields, so they take priority); ``1``…``4`` pick a tab while the focus is not in a date
field (there a digit is part of the date). The figures table fits the width: its columns have
priorities (group, clock, met, breached and compliance always shown; breach reasons, feedback,
p90 … dropped first), and what a narrow screen drops is shown for the highlighted row on the
line under the table. The charts count on integer axes, draw bars when there are fewer than
``FEW_POINTS`` points (lines otherwise), and label days in the agent's zone.
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

from deskui.domain.sla.clock_info import CLOCK_INFO
from deskui.domain.sla.policy import CLOCKS
from deskui.services.supervision.charts import ReportBundle, report_bundle
from deskui.services.supervision.reports import GROUPINGS
from deskui.ui.formatting import duration, fit
from deskui.ui.landing import land
from deskui.ui.safe import safe_cell
from deskui.ui.widgets.desk_header import TickingHeader

if TYPE_CHECKING:
    from deskui.ui.app import DeskApp

DEFAULT_DAYS = 28
FEW_POINTS = 6  # fewer points than this are drawn as bars (a line through 3 dots says little)
# (key, label, priority): the lower the priority, the longer the column stays on a narrow screen.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("group", "Group", 0),
    ("opened", "Opened", 2),
    ("resolved", "Resolved", 3),
    ("clock", "Clock", 0),
    ("met", "Met", 1),
    ("breached", "Breached", 0),
    ("running", "Running", 3),
    ("compliance", "Compl.", 0),
    ("median", "Median", 2),
    ("p90", "p90", 4),
    ("feedback", "Feedback", 5),
    ("reasons", "Breach reasons", 6),
)
GROUP_MIN = 8  # the group column shrinks (its names cut with …) down to this many cells
REASONS_MAX = 40
CELL_PADDING = 2  # DataTable's cell padding, one cell each side
SCROLLBAR = 2  # room kept for the vertical scrollbar of a long report


def parse_day(text: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{label}: bad date {text.strip()!r} (expected YYYY-MM-DD)") from None


def _time(seconds: int | None) -> str:
    return "-" if seconds is None else duration(seconds)


def integer_ticks(top: int, most: int = 5) -> list[int]:
    """Whole-number ticks from 0 reaching at least ``top`` (at most ``most``+1 of them), each
    step 1, 2 or 5 times a power of ten: a count axis never reads 0.5 ticket."""
    top = max(int(top), 1)
    raw = -(-top // most)
    step = 1
    while step * 10 <= raw:
        step *= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= raw:
            step *= factor
            break
    return list(range(0, top + step, step)) if top % step else list(range(0, top + 1, step))


def fit_columns(
    widths: dict[str, int], available: int, columns: tuple[tuple[str, str, int], ...] = COLUMNS
) -> tuple[list[str], int]:
    """Which columns fit in ``available`` cells (dropping the highest priority number first)
    and the width left for the group column (at least ``GROUP_MIN``)."""
    kept = [key for key, _, _ in columns]
    priority = {key: rank for key, _, rank in columns}

    def total(keys: list[str], group: int) -> int:
        return sum((group if k == "group" else widths[k]) + CELL_PADDING for k in keys)

    group = widths["group"]
    while total(kept, group) > available:
        if group > GROUP_MIN:
            # Names shrink before a figure goes, down to a readable stub.
            group = max(GROUP_MIN, group - (total(kept, group) - available))
            continue
        droppable = [k for k in kept if priority[k] > 0]
        if not droppable:
            break
        kept.remove(max(droppable, key=lambda k: (priority[k], kept.index(k))))
        group = widths["group"]
    return kept, group


class DateInput(Input):
    """A date field that leaves ``[`` and ``]`` to the screen: an Input otherwise takes every
    printable key, and Textual then drops even the screen's priority bindings for it."""

    TAB_KEYS = frozenset({"[", "]"})

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if character in self.TAB_KEYS:
            return False
        return super().check_consume_key(key, character)


class ReportsScreen(Screen[None]):
    """SLA figures and charts for a chosen period and grouping."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("q", "back", "Back", show=False),
        Binding("ctrl+r", "run", "Run report"),
        # Never typed into a date field: they switch tabs wherever the focus is.
        Binding("left_square_bracket", "step_tab(-1)", "Prev tab", priority=True),
        Binding("right_square_bracket", "step_tab(1)", "Next tab", priority=True),
        # In a date field a digit is part of the date (the binding only works elsewhere).
        Binding("1", "tab('figures')", "Figures", show=False),
        Binding("2", "tab('weekly')", "Weekly", show=False),
        Binding("3", "tab('responses')", "Responses", show=False),
        Binding("4", "tab('backlog')", "Backlog", show=False),
    ]

    DEFAULT_CSS = """
    ReportsScreen #controls { height: 3; }
    ReportsScreen #controls Input { width: 17; }
    ReportsScreen #controls Select { width: 25; }
    ReportsScreen #status { height: 1; padding: 0 1; }
    ReportsScreen #status.-error { color: $error; }
    ReportsScreen TabbedContent { height: 1fr; }
    ReportsScreen PlotextPlot { height: 1fr; }
    ReportsScreen #figures { height: 1fr; }
    ReportsScreen #figure-detail { height: auto; max-height: 3; color: $text-muted; }
    """

    TABS = ("figures", "weekly", "responses", "backlog")

    def __init__(self) -> None:
        super().__init__()
        self.bundle: ReportBundle | None = None
        self.loads = 0
        # The figures' rows (key → cell) and which columns the width lets the table show.
        self.figure_rows: list[dict[str, Text]] = []
        self.shown_columns: list[str] = [key for key, _, _ in COLUMNS]
        self._table_width = 0

    @property
    def zone(self) -> dt.tzinfo:
        """The agent's zone: the report's days are theirs."""
        return self.desk_app.desk.agent_zone

    @property
    def zone_name(self) -> str:
        return str(getattr(self.zone, "key", None) or self.zone)

    @property
    def desk_app(self) -> DeskApp:
        from deskui.ui.app import DeskApp

        assert isinstance(self.app, DeskApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield TickingHeader()
        today = self.desk_app.now().astimezone(self.zone).date()
        first = today - dt.timedelta(days=DEFAULT_DAYS - 1)
        with Horizontal(id="controls"):
            yield DateInput(first.isoformat(), placeholder="from YYYY-MM-DD", id="first")
            yield DateInput(today.isoformat(), placeholder="to YYYY-MM-DD", id="last")
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
                yield Static("", id="figure-detail", markup=False)
            with TabPane("Compliance by week", id="tab-weekly"):
                yield PlotextPlot(id="weekly")
            with TabPane("Response times", id="tab-responses"):
                yield PlotextPlot(id="responses")
            with TabPane("Backlog", id="tab-backlog"):
                yield PlotextPlot(id="backlog")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#figures", DataTable)
        self._build_table()
        table.focus()
        self.action_run()

    def on_resize(self) -> None:
        if self.size.width != self._table_width:
            self._build_table()

    # ------------------------------------------------------------------ running
    def action_tab(self, name: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{name}"

    def action_step_tab(self, step: int) -> None:
        """``[`` / ``]``: the previous / next tab, wrapping round."""
        tabs = self.query_one(TabbedContent)
        current = (tabs.active or "tab-figures").removeprefix("tab-")
        index = self.TABS.index(current) if current in self.TABS else 0
        self.action_tab(self.TABS[(index + step) % len(self.TABS)])

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
        self._say(f"Reading {first.isoformat()} to {last.isoformat()} ({self.zone_name})…")
        self.load(first, last, by)

    @work(thread=True, exclusive=True, group="reports")
    def load(self, first: dt.date, last: dt.date, by: str | None) -> None:
        desk = self.desk_app.desk
        try:
            bundle = report_bundle(
                desk.database, first, last, by=by, now=desk.now(), zone=desk.agent_zone
            )
        except Exception as exc:  # a ServiceError or the database away: say so, keep the last
            land(self, self._say, str(exc), True)
            return
        land(self, self._show, bundle)

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
        # Short enough for 80 columns with the longest grouping and zone names.
        self._say(
            f"{opened} opened {bundle.first.isoformat()}…{bundle.last.isoformat()} "
            f"({self.zone_name}), {grouping}"
        )
        self._fill_figures(bundle)
        self._plot_weekly(bundle)
        self._plot_responses(bundle)
        self._plot_backlog(bundle)
        self.loads += 1

    def _fill_figures(self, bundle: ReportBundle) -> None:
        rows: list[dict[str, Text]] = []
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
                rows.append(
                    {
                        "group": safe_cell(group.group if first else "", limit=40),
                        "opened": Text(str(group.opened) if first else "", justify="right"),
                        "resolved": Text(str(group.resolved) if first else "", justify="right"),
                        "clock": Text(CLOCK_INFO[clock].key),
                        "met": Text(str(figures.met), justify="right"),
                        "breached": Text(str(figures.breached), justify="right"),
                        "running": Text(str(figures.running), justify="right"),
                        "compliance": Text(
                            "-" if compliance is None else f"{compliance:.1f}%", justify="right"
                        ),
                        "median": Text(_time(figures.median_seconds), justify="right"),
                        "p90": Text(_time(figures.p90_seconds), justify="right"),
                        "feedback": Text(feedback, justify="right"),
                        "reasons": safe_cell(reasons, limit=REASONS_MAX),
                        # The group a clock row belongs to, for the detail line.
                        "_group": Text(group.group),
                    }
                )
        self.figure_rows = rows
        self._build_table()

    def _build_table(self) -> None:
        """(Re)build the figures' columns for the width, then their rows."""
        table = self.query_one("#figures", DataTable)
        self._table_width = self.size.width
        rows = self.figure_rows
        widths = {
            key: max([len(label), *(len(row[key].plain) for row in rows)])
            for key, label, _ in COLUMNS
        }
        kept, group_width = fit_columns(widths, self.size.width - SCROLLBAR)
        self.shown_columns = kept
        labels = {key: label for key, label, _ in COLUMNS}
        cursor = table.cursor_row
        with self.app.batch_update():
            table.clear(columns=True)
            for key in kept:
                table.add_column(
                    labels[key], key=key, width=group_width if key == "group" else widths[key]
                )
            for row in rows:
                cells = []
                for key in kept:
                    cell = row[key]
                    if key == "group" and len(cell.plain) > group_width:
                        cell = Text(fit(cell.plain, group_width))
                    cells.append(cell)
                table.add_row(*cells)
            if not rows and self.bundle is not None:
                table.add_row(
                    Text(fit("no tickets opened in the period", group_width)),
                    *[""] * (len(kept) - 1),
                )
            if rows:
                table.move_cursor(row=min(cursor, len(rows) - 1), animate=False)
        self._show_detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        """What a narrow table leaves out, for the highlighted row (empty when all fit)."""
        detail = self.query_one("#figure-detail", Static)
        dropped = [(key, label) for key, label, _ in COLUMNS if key not in self.shown_columns]
        row_index = self.query_one("#figures", DataTable).cursor_row
        if not dropped or not 0 <= row_index < len(self.figure_rows):
            detail.update("")
            detail.display = False
            return
        row = self.figure_rows[row_index]
        parts = [f"{row['_group'].plain} · {row['clock'].plain}:"]
        parts += [f"{label} {row[key].plain}" for key, label in dropped if row[key].plain]
        detail.update("  ".join(parts))
        detail.display = True

    def _day(self, instant: dt.datetime) -> str:
        """A day label in the agent's zone (``Tue 01 Dec`` style, short)."""
        return instant.astimezone(self.zone).strftime("%d %b")

    def _plot_weekly(self, bundle: ReportBundle) -> None:
        plot = self.query_one("#weekly", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        plt.title("SLA compliance % by week opened (met of decided)")
        labels = [f"from {week.week_start.strftime('%d %b')}" for week in bundle.weeks]
        clocks = [
            clock
            for clock in CLOCKS
            if any(week.percent(clock) is not None for week in bundle.weeks)
        ]
        if labels and clocks and len(labels) < FEW_POINTS:
            # Few weeks: one bar per clock per week (a week with nothing decided reads 0).
            plt.multiple_bar(
                labels,
                [[week.percent(clock) or 0.0 for week in bundle.weeks] for clock in clocks],
                labels=[CLOCK_INFO[clock].key for clock in clocks],  # type: ignore[call-arg]
            )
        else:
            positions: list[float] = list(range(1, len(labels) + 1))
            for clock in clocks:
                points = [
                    (x, week.percent(clock))
                    for x, week in zip(positions, bundle.weeks, strict=True)
                    if week.percent(clock) is not None
                ]
                xs, ys = zip(*points, strict=True)
                plt.plot(list(xs), list(ys), label=CLOCK_INFO[clock].key, marker="hd")
            if labels:
                self._sparse_xticks(plt, positions, labels)
        ticks: list[float] = [0, 25, 50, 75, 100]
        plt.yticks(ticks, [f"{t:.0f}%" for t in ticks])
        plt.ylim(0, 100)
        plot.refresh()

    @staticmethod
    def _sparse_xticks(plt: object, positions: list[float], labels: list[str]) -> None:
        """At most six labels along the x axis, so none runs into the next."""
        step = max(1, -(-len(positions) // 6))
        plt.xticks(positions[::step], labels[::step])  # type: ignore[attr-defined]

    @staticmethod
    def _count_axis(plt: object, top: int) -> None:
        ticks = integer_ticks(top)
        plt.yticks(ticks, [str(t) for t in ticks])  # type: ignore[attr-defined]
        plt.ylim(0, ticks[-1])  # type: ignore[attr-defined]

    def _plot_responses(self, bundle: ReportBundle) -> None:
        plot = self.query_one("#responses", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        plt.title("First responses by business time taken, per priority (tickets)")
        spread = bundle.responses
        if spread.counts:
            plt.multiple_bar(
                list(spread.buckets),
                [list(counts) for counts in spread.counts.values()],
                # plotext's multiple_bar takes labels=; textual-plotext's stub names it label=.
                labels=list(spread.counts),  # type: ignore[call-arg]
            )
            self._count_axis(plt, max(max(counts) for counts in spread.counts.values()))
        plot.refresh()

    def _plot_backlog(self, bundle: ReportBundle) -> None:
        plot = self.query_one("#backlog", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        plt.title(f"Open tickets by priority at the end of each day ({self.zone_name})")
        backlog = bundle.backlog
        # The end of a day is the next midnight: labelled with the day that ended.
        names = [self._day(at - dt.timedelta(microseconds=1)) for at in backlog.at]
        if backlog.at and backlog.counts and len(backlog.at) < FEW_POINTS:
            plt.multiple_bar(
                names,
                [list(counts) for counts in backlog.counts.values()],
                labels=list(backlog.counts),  # type: ignore[call-arg]
            )
        else:
            positions: list[float] = list(range(1, len(backlog.at) + 1))
            for priority, counts in backlog.counts.items():
                plt.plot(positions, list(counts), label=priority, marker="hd")
            if backlog.at:
                self._sparse_xticks(plt, positions, names)
        if backlog.counts:
            self._count_axis(plt, max(max(counts) for counts in backlog.counts.values()))
        plot.refresh()
