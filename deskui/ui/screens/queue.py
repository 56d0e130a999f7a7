"""The queue screen: live panes of open tickets, ordered by priority and time to breach.

Data is fetched in a thread worker and diffed into the table by row key, so a refresh never
moves the cursor off its ticket. Countdowns re-tick every second from rows in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, TabbedContent, TabPane
from textual.worker import get_current_worker

from deskui.domain.sla.clock_info import short_name
from deskui.domain.storage_errors import StoreUnavailableError
from deskui.services.intake.form import form_choices
from deskui.services.oncall.status import on_call_line
from deskui.services.tickets.views import QueuePage, QueueRow
from deskui.ui.formatting import age, business_remaining, update_cell_if_changed
from deskui.ui.live import DeskChanged, FeedState
from deskui.ui.safe import safe_cell
from deskui.ui.screens.forms.new_ticket import NewTicketForm
from deskui.ui.screens.quarantine import QuarantineScreen
from deskui.ui.screens.ticket import TicketScreen
from deskui.ui.widgets.desk_header import DeskHeader

if TYPE_CHECKING:
    from deskui.ui.app import DeskApp


@dataclass(frozen=True)
class Pane:
    key: str
    title: str


PANES: tuple[Pane, ...] = (
    Pane("mine", "My tickets"),
    Pane("unassigned", "Unassigned"),
    Pane("open", "All open"),
    Pane("waiting", "Waiting on customer"),
)

COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("ref", "Ref", 11),
    ("priority", "Priority", 9),
    ("subject", "Subject", None),
    ("org", "Organisation", 16),
    ("status", "Status", 12),
    ("assignee", "Assignee", 9),
    ("clock", "Next", 5),
    ("breach", "To breach", 9),
    ("age", "Age", 7),
)


class QueueScreen(Screen[None]):
    """Four panes (mine, unassigned, all open, waiting) over the same live data."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "pane('mine')", "Mine", show=False),
        Binding("2", "pane('unassigned')", "Unassigned", show=False),
        Binding("3", "pane('open')", "All open", show=False),
        Binding("4", "pane('waiting')", "Waiting", show=False),
        Binding("tab", "next_pane", "Next pane"),
        Binding("s", "toggle_order", "Sort"),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("n", "new_ticket", "New ticket"),
        Binding("Q", "quarantine", "Mail quarantine", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    DEFAULT_CSS = """
    QueueScreen #filter { height: 3; }
    QueueScreen DataTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.order = "priority"
        self.text_filter = ""
        self.live = True
        self.offline = False  # the database cannot be reached (the header says so)
        self._rows: dict[str, list[QueueRow]] = {pane.key: [] for pane in PANES}
        self._columns_for_width = 0
        self._refresh_timer: Timer | None = None
        # Rows loaded per pane: one page to start, one more each time the cursor nears the end.
        self._limits: dict[str, int] = {}
        self._totals: dict[str, int] = {}

    @property
    def desk_app(self) -> DeskApp:
        from deskui.ui.app import DeskApp

        assert isinstance(self.app, DeskApp)
        return self.app

    def compose(self) -> ComposeResult:
        desk = self.desk_app.desk
        yield DeskHeader(desk.desk_name, desk.agent_label, desk.agent_zone)
        with Vertical():
            yield Input(placeholder="filter: reference, subject, organisation…", id="filter")
            with TabbedContent(id="panes"):
                for pane in PANES:
                    with TabPane(pane.title, id=f"pane-{pane.key}"):
                        yield DataTable(
                            id=f"table-{pane.key}", cursor_type="row", zebra_stripes=True
                        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self._build_columns(self.size.width)
        self.query_one(f"#table-{PANES[0].key}", DataTable).focus()
        self.tick()
        self.set_interval(1.0, self._tick_if_shown)
        self.refresh_data()
        # Who is on call: read once a minute in a worker, shown by the header.
        self.refresh_on_call()
        self.set_interval(60.0, self.refresh_on_call)

    # --- live: the app's change feed says when to re-read (``DeskChanged``); the refresh timer
    # is only a slow safety net.
    def on_desk_changed(self, message: DeskChanged) -> None:
        if self.is_attached:
            self.refresh_data()

    def on_feed_state(self, message: FeedState) -> None:
        if self.is_attached:
            self.live = message.online
            self.offline = not message.online
            self.tick()
            if message.online:  # back: show what changed meanwhile at once
                self.refresh_data()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._columns_for_width:
            self._build_columns(event.size.width)

    def _build_columns(self, width: int) -> None:
        """Fixed columns keep their width; the subject takes whatever the terminal has left."""
        self._columns_for_width = width
        fixed = sum(w for _, _, w in COLUMNS if w is not None)
        padding = 2 * len(COLUMNS)
        subject = max(12, width - fixed - padding - 2)
        now = self.desk_app.now()
        for pane in PANES:
            table = self.query_one(f"#table-{pane.key}", DataTable)
            table.clear(columns=True)
            for key, label, column_width in COLUMNS:
                table.add_column(label, key=key, width=column_width or subject)
            for row in self._rows[pane.key]:
                table.add_row(*self._cells(row, now), key=row.reference)

    # ----------------------------------------------------------------- data
    @property
    def active_pane(self) -> str:
        active = self.query_one(TabbedContent).active or "pane-open"
        return active.removeprefix("pane-")

    @work(thread=True, exclusive=True, group="queue-refresh")
    def refresh_data(self) -> None:
        desk = self.desk_app.desk
        order, text, limits = self.order, self.text_filter, dict(self._limits)
        try:
            pages = {
                pane.key: desk.queue_page(
                    pane.key, order=order, text=text, limit=limits.get(pane.key)
                )
                for pane in PANES
            }
        except Exception as exc:  # the database is away: keep what we have, show stale
            self.app.call_from_thread(
                self._went_stale, str(exc), offline=isinstance(exc, StoreUnavailableError)
            )
        else:
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._apply_pages, pages)
        finally:
            self.app.call_from_thread(self._schedule_refresh)

    @work(thread=True, exclusive=True, group="queue-on-call")
    def refresh_on_call(self) -> None:
        try:
            actor = self.desk_app.desk.actor
            assert actor.handle is not None  # the app always has someone signed in
            line = on_call_line(actor.database, actor.handle, actor.now())
        except Exception:  # the database is away: the header keeps what it showed
            return
        self.app.call_from_thread(self._show_on_call, line)

    def _show_on_call(self, line: str | None) -> None:
        if self.is_attached:
            self.query_one(DeskHeader).on_call = line
            self.tick()

    def _schedule_refresh(self) -> None:
        """One pending refresh at a time, the next one a refresh interval after the last."""
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
        if self.is_attached:
            self._refresh_timer = self.set_timer(self.desk_app.refresh_seconds, self.refresh_data)

    def _went_stale(self, reason: str, *, offline: bool = False) -> None:
        self.live = False
        self.offline = self.offline or offline
        self.tick()

    def _apply_pages(self, pages: dict[str, QueuePage]) -> None:
        if not self.is_attached:
            return  # a refresh that lands after the screen went away
        self.live = True
        self.offline = False
        tabs = self.query_one(TabbedContent)
        relabelled = False
        for pane in PANES:
            page = pages[pane.key]
            self._rows[pane.key] = page.rows
            self._totals[pane.key] = page.total
            self._fill(self.query_one(f"#table-{pane.key}", DataTable), page.rows)
            tab = tabs.get_tab(f"pane-{pane.key}")
            label = f"{pane.title} ({page.total})"
            if str(tab.label) != label:
                tab.label = label
                relabelled = True
        if relabelled:
            self.call_after_refresh(self._settle_tab_underline)
        self.tick()

    def _settle_tab_underline(self) -> None:
        """Re-measure the active tab's underline once relabelled tabs have been laid out.

        Tabs measures the underline one refresh after a relabel; on a busy machine that can be
        before the wider label is laid out, leaving the underline short until the next change.
        """
        tabs = self.query_one(TabbedContent)
        if tabs.active:
            tab = tabs.get_tab(tabs.active)
            tab.label = tab.label

    def _fill(self, table: DataTable[object], rows: list[QueueRow]) -> None:
        """Diff rows into the table by key; the cursor stays on the same ticket."""
        wanted = [row.reference for row in rows]
        current = [str(key.value) for key in table.rows]
        cursor_key = (
            current[table.cursor_row] if current and table.cursor_row < len(current) else None
        )
        now = self.desk_app.now()
        with self.app.batch_update():
            if wanted != current:
                table.clear()
                for row in rows:
                    table.add_row(*self._cells(row, now), key=row.reference)
                if cursor_key in wanted:
                    table.move_cursor(row=wanted.index(cursor_key), animate=False)
            else:
                for row in rows:
                    for (column, _, _), cell in zip(COLUMNS, self._cells(row, now), strict=True):
                        table.update_cell(row.reference, column, cell)

    def _cells(self, row: QueueRow, now: dt.datetime) -> list[object]:
        remaining = self.desk_app.desk.business_remaining(row, now)
        return [
            Text(row.reference),
            Text(row.priority_label),
            safe_cell(row.subject),
            safe_cell(row.organisation, limit=16),
            Text(row.status),
            safe_cell(row.assignee or "—"),
            Text(short_name(row.next_clock)),
            self._breach_cell(remaining),
            Text(age(row.opened_at, now)),
        ]

    def _breach_cell(self, remaining: int | None) -> Text:
        variables = self.app.theme_variables
        if remaining is None:
            colour = ""
        elif remaining < 0:
            colour = variables.get("sla-breached", "red")
        elif remaining <= self.desk_app.warning_seconds:
            colour = variables.get("sla-warning", "yellow")
        else:
            colour = variables.get("sla-safe", "green")
        return Text(business_remaining(remaining), style=colour, justify="right")

    def _tick_if_shown(self) -> None:
        # A screen under another one (the queue under a ticket) is not re-rendered every second
        # for nobody; it catches up when it comes back (``on_screen_resume``). ``is_current``
        # alone is not enough: Textual counts a screen under a full one as shown too, and its
        # repaint then dirtied the top screen every second. Under a modal form it is seen.
        top = self.app.screen
        if top is self or (self.is_current and isinstance(top, ModalScreen)):
            self.tick()

    def on_screen_resume(self) -> None:
        self.tick()

    def tick(self) -> None:
        """Re-render the header and the countdown column from data in memory."""
        now = self.desk_app.now()
        desk = self.desk_app.desk
        self.query_one(DeskHeader).show(
            now, open_now=desk.is_open(now), live=self.live, offline=self.offline
        )
        for pane in PANES:
            table = self.query_one(f"#table-{pane.key}", DataTable)
            for row in self._rows[pane.key]:
                if row.reference in table.rows:
                    remaining = desk.business_remaining(row, now)
                    update_cell_if_changed(
                        table, row.reference, "breach", self._breach_cell(remaining)
                    )
                    update_cell_if_changed(
                        table, row.reference, "age", Text(age(row.opened_at, now))
                    )

    # -------------------------------------------------------------- actions
    def action_pane(self, key: str) -> None:
        self.query_one(TabbedContent).active = f"pane-{key}"
        self.query_one(f"#table-{key}", DataTable).focus()

    def action_next_pane(self) -> None:
        keys = [pane.key for pane in PANES]
        self.action_pane(keys[(keys.index(self.active_pane) + 1) % len(keys)])

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Scrolling near the last loaded row loads the next page."""
        pane = (event.data_table.id or "").removeprefix("table-")
        loaded = event.data_table.row_count
        if pane in self._totals and loaded < self._totals[pane] and event.cursor_row >= loaded - 5:
            page_size = self.desk_app.desk.page_size
            wanted = loaded + page_size
            if self._limits.get(pane, page_size) < wanted:
                self._limits[pane] = wanted
                self.refresh_data()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """``enter`` on a row opens that ticket."""
        event.stop()
        self.app.push_screen(TicketScreen(str(event.row_key.value)))

    # -------------------------------------------------------------- intake
    def action_new_ticket(self) -> None:
        self._open_new_ticket_form()

    @work(thread=True, exclusive=True, group="new-ticket")
    def _open_new_ticket_form(self) -> None:
        actor = self.desk_app.desk.actor
        try:
            choices = form_choices(actor.database)
        except Exception as exc:  # the database is away: nothing typed yet, nothing lost
            self.app.call_from_thread(
                self.notify, f"Cannot open the form: {exc}", severity="error", markup=False
            )
            return
        self.app.call_from_thread(self._show_new_ticket_form, NewTicketForm(actor, choices))

    def _show_new_ticket_form(self, form: NewTicketForm) -> None:
        def saved(done: bool | None) -> None:
            if done and form.opened is not None:
                self.refresh_data()
                self.app.push_screen(TicketScreen(form.opened.reference))

        self.app.push_screen(form, callback=saved)

    def action_quarantine(self) -> None:
        self.app.push_screen(QuarantineScreen())

    def action_toggle_order(self) -> None:
        self.order = "due" if self.order == "priority" else "priority"
        self.notify(
            "Sorted by time to breach" if self.order == "due" else "Sorted by priority, then breach"
        )
        self.refresh_data()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.display = False
        self.text_filter = ""
        self.query_one(f"#table-{self.active_pane}", DataTable).focus()
        self.refresh_data()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.text_filter = event.value
            self.refresh_data()
