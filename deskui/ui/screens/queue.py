"""The queue screen: live panes of open tickets, ordered by priority and time to breach.

Data is fetched in a thread worker and diffed into the table by row key, so a refresh never
moves the cursor off its ticket. Countdowns re-tick every second from rows in memory.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, TabbedContent, TabPane
from textual.worker import get_current_worker

from deskui.domain.sla.clock_info import short_name
from deskui.domain.storage_errors import StoreUnavailableError
from deskui.domain.untrusted import visible_text
from deskui.domain.views import DEFAULT_VIEWS, ViewSpec
from deskui.services.access import presence
from deskui.services.intake.form import form_choices
from deskui.services.oncall.status import on_call_line
from deskui.services.tickets.alerts import SlaAlertView
from deskui.services.tickets.views import QueuePage, QueueRow
from deskui.ui.formatting import age, breach_text, fit, local_time, update_cell_if_changed
from deskui.ui.landing import land
from deskui.ui.live import DeskChanged, FeedState
from deskui.ui.safe import safe, safe_cell
from deskui.ui.screens.forms.new_ticket import NewTicketForm
from deskui.ui.screens.quarantine import QuarantineScreen
from deskui.ui.screens.search import SearchScreen
from deskui.ui.screens.ticket import TicketScreen
from deskui.ui.screens.view_switcher import ViewSwitcher
from deskui.ui.widgets.desk_header import DeskHeader

if TYPE_CHECKING:
    from deskui.ui.app import DeskApp


@dataclass(frozen=True)
class Pane:
    """One tab of the queue: a view of the agent's (``DeskService.views``).

    ``spec`` None: one of the four default views left as they are, read with ``queue_page``
    (its breached band and sort); a saved view is read with ``view_page``.
    """

    key: str
    title: str
    spec: ViewSpec | None = None


PANES: tuple[Pane, ...] = tuple(Pane(view.name, view.label) for view in DEFAULT_VIEWS)
MAX_NUMBERED = 9  # number keys 1..9 switch to the first nine views
ALERT_SECONDS = 30.0  # how often SLA alerts are checked besides on every change


def panes_for(views: list[ViewSpec]) -> list[Pane]:
    """The queue's panes for the agent's views: an unchanged default view keeps its pane (read
    by ``queue_page``); a replaced default or a saved view is read by ``view_page``."""
    defaults = {view.name: view for view in DEFAULT_VIEWS}
    return [
        Pane(view.name, view.label, None if defaults.get(view.name) == view else view)
        for view in views
    ]


@dataclass(frozen=True)
class Column:
    """A queue column: its width when there is room and the least it can be cut to.

    ``drop`` orders which columns go first when even their least widths do not fit (0: never
    dropped: Ref, Next and To breach are always on screen). Cuts end with ``…``.
    """

    key: str
    label: str
    width: int
    least: int
    drop: int = 0


COLUMNS: tuple[Column, ...] = (
    Column("ref", "Ref", 10, 10),
    Column("priority", "Priority", 9, 6, drop=4),
    Column("subject", "Subject", 24, 10, drop=6),
    Column("org", "Organisation", 16, 8, drop=1),
    Column("status", "Status", 12, 9, drop=5),
    Column("assignee", "Assignee", 9, 6, drop=3),
    Column("clock", "Next", 4, 4),
    Column("breach", "To breach", 9, 9),
    Column("age", "Age", 6, 6, drop=2),
)
# Growing from the least widths: the SLA columns first, then a readable subject, then the rest;
# Organisation and Subject are the first to give width back (Subject takes what is left over).
_GROW_ORDER = ("ref", "breach", "clock", "age", "subject", "status", "priority", "assignee", "org")
_CELL_PADDING = 2  # DataTable pads each cell by one cell either side
_SCROLLBAR = 2


def column_widths(width: int) -> dict[str, int]:
    """Which columns fit in ``width`` cells and how wide each is, in screen order."""
    columns = list(COLUMNS)

    def room(cols: list[Column]) -> int:
        return width - _SCROLLBAR - _CELL_PADDING * len(cols)

    for column in sorted((c for c in COLUMNS if c.drop), key=lambda c: c.drop):
        if sum(c.least for c in columns) <= room(columns):
            break
        columns.remove(column)
    widths = {c.key: c.least for c in columns}
    spare = room(columns) - sum(widths.values())
    by_key = {c.key: c for c in columns}
    for key in _GROW_ORDER:
        if key in by_key and spare > 0:
            grow = min(spare, by_key[key].width - widths[key])
            widths[key] += grow
            spare -= grow
    if "subject" in widths and spare > 0:
        widths["subject"] += spare
    return {c.key: widths[c.key] for c in columns}


# The sort keys offered (``s`` cycles them, clicking a column header picks one): "priority" is
# the default order (priority, then business time left); every other is a column.
SORTS: tuple[str, ...] = (
    "priority",
    "breach",
    *(c.key for c in COLUMNS if c.key not in ("breach", "priority")),
)
SORT_LABELS = {"priority": "priority, then time to breach", "breach": "time to breach"} | {
    c.key: c.label.lower() for c in COLUMNS if c.key not in ("breach", "priority")
}


class QueueScreen(Screen[None]):
    """One pane per view of the agent's (the four defaults: mine, unassigned, all open,
    waiting; then their saved views) over the same live data, with SLA alerts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # No description: ``?`` lists them as one row (``1-9`` in EXTRA_KEYS), not nine.
        *(Binding(str(n), f"view_number({n})", show=False) for n in range(1, MAX_NUMBERED + 1)),
        Binding("tab", "next_pane", "Next pane"),
        Binding("s", "toggle_order", "Sort"),
        Binding("S", "reverse_order", "Reverse sort", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("n", "new_ticket", "New ticket"),
        Binding("Q", "quarantine", "Mail quarantine", show=False),
        Binding("F", "search", "Search all", show=False),
        Binding("colon", "switch_view", "Views", key_display=":"),
        Binding("q", "app.quit", "Quit"),
    ]
    # Keys the widgets handle, listed by `?` with the screen's own.
    EXTRA_KEYS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("enter", "Open the ticket under the cursor (in the filter: go to the results)"),
        ("j k g G", "Down, up, first, last row"),
        ("1-9", "The Nth view's pane (1-4: My tickets, Unassigned, All open, Waiting)"),
        ("S", "Reverse the sort (click a column header to sort by it)"),
        ("ctrl+q", "Quit from anywhere"),
    )

    DEFAULT_CSS = """
    QueueScreen #filter { height: 3; }
    QueueScreen DataTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.order = "priority"  # one of SORTS
        self.reverse = False
        self.text_filter = ""
        self.live = True
        self.offline = False  # the database cannot be reached (the header says so)
        # The panes are read from the agent's views when composed (``panes_for``).
        self.panes: list[Pane] = list(PANES)
        self._rows: dict[str, list[QueueRow]] = {pane.key: [] for pane in PANES}
        self._columns_for_width = 0
        self._widths: dict[str, int] = column_widths(120)
        self._breached: dict[str, int] = {pane.key: 0 for pane in PANES}
        # Alerted tickets not yet looked at, per pane (the tab's "● n" badge); cleared when the
        # agent goes to that pane.
        self._badges: dict[str, set[int]] = {}
        self._viewers: dict[int, list[str]] = {}  # ticket id → other agents with it open
        self._refresh_timer: Timer | None = None
        # Rows loaded per pane: one page to start, one more each time the cursor nears the end.
        self._limits: dict[str, int] = {}
        self._totals: dict[str, int] = {}
        # Two refreshes (the timer's and the change feed's) can each land a pane change while
        # the other is still mounting its tabs; one at a time, or both add the same tab.
        self._panes_changing = asyncio.Lock()

    @property
    def desk_app(self) -> DeskApp:
        from deskui.ui.app import DeskApp

        assert isinstance(self.app, DeskApp)
        return self.app

    def compose(self) -> ComposeResult:
        desk = self.desk_app.desk
        self._load_panes()
        yield DeskHeader(desk.desk_name, desk.agent_label, desk.agent_zone)
        with Vertical():
            yield Input(placeholder="filter: reference, subject, organisation…", id="filter")
            with TabbedContent(id="panes"):
                for pane in self.panes:
                    # A view's title is the agent's text: never markup.
                    with TabPane(safe(pane.title), id=f"pane-{pane.key}"):
                        yield DataTable(
                            id=f"table-{pane.key}", cursor_type="row", zebra_stripes=True
                        )
        yield Footer()

    def _load_panes(self) -> None:
        """The agent's views as panes (one short read as the screen is built; if the database
        is away the four default panes show, and go stale like any pane)."""
        try:
            views = self.desk_app.desk.views()
        except Exception:
            views = list(DEFAULT_VIEWS)
        self.panes = panes_for(views)
        self._rows = {pane.key: self._rows.get(pane.key, []) for pane in self.panes}
        self._breached = {pane.key: self._breached.get(pane.key, 0) for pane in self.panes}

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self._build_columns(self.size.width)
        self.query_one(f"#table-{self.panes[0].key}", DataTable).focus()
        self.tick()
        self.set_interval(1.0, self._tick_if_shown)
        self.refresh_data()
        # Who is on call: read once a minute in a worker, shown by the header.
        self.refresh_on_call()
        self.set_interval(60.0, self.refresh_on_call)
        self.set_interval(presence.BEAT_SECONDS, self.refresh_presence)
        if self.desk_app.alerts_enabled:
            self.check_alerts()
            self.set_interval(ALERT_SECONDS, self.check_alerts)

    # --- live: the app's change feed says when to re-read (``DeskChanged``); the refresh timer
    # is only a slow safety net.
    def on_desk_changed(self, message: DeskChanged) -> None:
        if self.is_attached:
            self.refresh_data()
            if self.desk_app.alerts_enabled:
                self.check_alerts()

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
        """Columns by priority for this width (see ``column_widths``); the sort column marked."""
        self._columns_for_width = width
        self._widths = column_widths(width)
        for pane in self.panes:
            self._build_table(pane)

    def _pane_table(self, key: str) -> DataTable[object] | None:
        """The pane's table, or ``None`` while panes are rebuilt or the screen is torn down
        (a worker's result can land then: on a loaded machine one did, at app shutdown)."""
        try:
            return self.query_one(f"#table-{key}", DataTable)
        except NoMatches:
            return None

    def _build_table(self, pane: Pane) -> None:
        now = self.desk_app.now()
        table = self.query_one(f"#table-{pane.key}", DataTable)
        table.clear(columns=True)
        for column in COLUMNS:
            if column.key in self._widths:
                table.add_column(
                    self._header_label(column), key=column.key, width=self._widths[column.key]
                )
        for row in self._rows.get(pane.key, []):
            table.add_row(*self._cells(row, now), key=row.reference)

    async def _set_panes(self, panes: list[Pane]) -> None:
        """Add the panes of views saved since, remove those of views deleted; a view replaced
        in place keeps its tab (and cursor) with its new filters and title."""
        async with self._panes_changing:
            # A change that waited for another compares with the panes that one left.
            if self.is_attached and panes != self.panes:
                await self._change_panes(panes)

    async def _change_panes(self, panes: list[Pane]) -> None:
        tabs = self.query_one(TabbedContent)
        wanted = {pane.key for pane in panes}
        gone = [pane for pane in self.panes if pane.key not in wanted]
        have = {pane.key for pane in self.panes}
        # Panes leave the list before their tabs go, and join it once mounted, so the tick and
        # the refresh never look for a table that is not there.
        self.panes = [pane for pane in panes if pane.key in have]
        if gone and self.active_pane in {pane.key for pane in gone}:
            self.action_pane(panes[0].key)
        for pane in gone:
            await tabs.remove_pane(f"pane-{pane.key}")
            self._badges.pop(pane.key, None)
        for pane in panes:
            if pane.key not in have:
                table: DataTable[object] = DataTable(
                    id=f"table-{pane.key}", cursor_type="row", zebra_stripes=True
                )
                await tabs.add_pane(TabPane(safe(pane.title), table, id=f"pane-{pane.key}"))
                self._rows.setdefault(pane.key, [])
                self._breached.setdefault(pane.key, 0)
                self._build_table(pane)
        self.panes = list(panes)
        for pane in self.panes:
            self._relabel(tabs, pane)

    def _header_label(self, column: Column) -> Text:
        width = self._widths[column.key]
        if column.key == self.order or (self.order == "priority" and column.key == "priority"):
            mark = "▼" if self.reverse else "▲"
            return Text(fit(column.label, width - 1) + mark, style="bold")
        return Text(fit(column.label, width))

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
            # A view saved or deleted meanwhile (``deskui view save`` in another terminal)
            # adds or removes its pane here.
            panes = panes_for(desk.views())
            if panes != self.panes and not get_current_worker().is_cancelled:
                land(self, self._set_panes, panes)
            pages = {
                pane.key: desk.queue_page(
                    pane.key,
                    order="due" if order == "breach" else "priority",
                    text=text,
                    limit=limits.get(pane.key),
                )
                if pane.spec is None
                else desk.view_page(
                    pane.spec,
                    text=text,
                    limit=limits.get(pane.key),
                    # The view's own sort, unless the agent sorts by time to breach.
                    order="due" if order == "breach" else None,
                )
                for pane in panes
            }
        except Exception as exc:  # the database is away: keep what we have, show stale
            land(self, self._went_stale, str(exc), offline=isinstance(exc, StoreUnavailableError))
        else:
            if not get_current_worker().is_cancelled:
                land(self, self._apply_pages, pages)
        finally:
            land(self, self._schedule_refresh)

    @work(thread=True, exclusive=True, group="queue-presence")
    def refresh_presence(self) -> None:
        """Who else has the loaded tickets open (polled, as the ticket screen's heartbeat is)."""
        desk = self.desk_app.desk
        ids = sorted({row.ticket_id for rows in self._rows.values() for row in rows})
        try:
            viewers = presence.others_viewing(desk.database, ids, desk.agent.handle)
        except Exception:  # the database is away: the rows keep what they showed
            return
        land(self, self._show_presence, viewers)

    def _show_presence(self, viewers: dict[int, list[str]]) -> None:
        if not self.is_attached or viewers == self._viewers or "subject" not in self._widths:
            return
        changed = set(viewers) ^ set(self._viewers) | {
            key for key in viewers if viewers[key] != self._viewers.get(key)
        }
        self._viewers = viewers
        for pane in self.panes:
            table = self._pane_table(pane.key)
            if table is None:
                continue
            for row in self._rows[pane.key]:
                if row.ticket_id in changed and row.reference in table.rows:
                    table.update_cell(row.reference, "subject", self._subject_cell(row))

    def _subject_cell(self, row: QueueRow) -> Text:
        """The subject, led by who else has the ticket open (``◉ dpatel``) so two agents
        see the collision before both start on it."""
        width = self._widths.get("subject", 0)
        others = self._viewers.get(row.ticket_id)
        if not others:
            return safe_cell(row.subject, limit=width)
        lead = f"◉ {','.join(others)} "
        style = self.app.theme_variables.get("warning", "yellow")
        subject = safe_cell(row.subject, limit=max(width - len(lead), 1))
        return Text.assemble((fit(lead, width), f"bold {style}"), subject)

    @work(thread=True, exclusive=True, group="queue-on-call")
    def refresh_on_call(self) -> None:
        try:
            actor = self.desk_app.desk.actor
            assert actor.handle is not None  # the app always has someone signed in
            line = on_call_line(actor.database, actor.handle, actor.now())
        except Exception:  # the database is away: the header keeps what it showed
            return
        land(self, self._show_on_call, line)

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
        now = self.desk_app.now()
        for pane in self.panes:
            page = pages.get(pane.key)
            if page is None:
                continue
            rows = self._sorted(page.rows, page.breached, now)
            self._rows[pane.key] = rows
            self._breached[pane.key] = page.breached
            self._totals[pane.key] = page.total
            table = self._pane_table(pane.key)
            if table is not None:
                self._fill(table, rows)
            relabelled = self._relabel(tabs, pane) or relabelled
        if relabelled:
            self.call_after_refresh(self._settle_tab_underline)
        self.tick()

    def _tab_label(self, pane: Pane) -> str:
        """``My tickets (12)``, led by ``● 2`` while alerted tickets in it are not looked at."""
        badge = len(self._badges.get(pane.key, ()))
        lead = f"● {badge} " if badge else ""
        total = self._totals.get(pane.key)
        count = f" ({total})" if total is not None else ""
        return f"{lead}{pane.title}{count}"

    def _relabel(self, tabs: TabbedContent, pane: Pane) -> bool:
        tab = tabs.get_tab(f"pane-{pane.key}")
        label = self._tab_label(pane)
        if str(tab.label) == label:
            return False
        tab.label = safe(label)  # a view's title is the agent's text: never markup
        return True

    # ----------------------------------------------------------------- alerts
    @work(thread=True, exclusive=True, group="queue-alerts")
    def check_alerts(self) -> None:
        """New warnings and breaches (each raised once, the service remembers), and which
        panes hold those tickets."""
        desk = self.desk_app.desk
        panes = list(self.panes)
        try:
            alerts = desk.check_alerts(self.desk_app.warning_seconds // 60)
            if not alerts:
                return
            views = [pane.spec or _default_view(pane.key) for pane in panes]
            holding = desk.views_containing(views, sorted({a.ticket_id for a in alerts}))
        except Exception:  # the database is away: the next check tells what is new
            return
        if not get_current_worker().is_cancelled:
            land(self, self._raise_alerts, alerts, holding)

    def _raise_alerts(self, alerts: list[SlaAlertView], holding: dict[str, set[int]]) -> None:
        if not self.is_attached:
            return
        zone = self.desk_app.desk.agent_zone
        for alert in alerts:
            breached = alert.level == "breached"
            due = local_time(alert.due_at, zone)  # the one date style, in the agent's zone
            what = f"{alert.clock} {'breached, was due' if breached else 'due'} {due}"
            # The subject is the customer's text: plain Content, never markup.
            self.notify(
                visible_text(
                    f"{alert.reference} {alert.subject}\n{what} · {alert.team}", keep_newlines=True
                ),
                title="SLA breached" if breached else "SLA warning",
                severity="error" if breached else "warning",
                timeout=10,
                markup=False,
            )
        if self.desk_app.alert_bell:
            self.app.bell()  # once per check, however many alerts it found
        tabs = self.query_one(TabbedContent)
        ids = {alert.ticket_id for alert in alerts}
        relabelled = False
        for pane in self.panes:
            held = holding.get(pane.key, set()) & ids
            if held:
                self._badges.setdefault(pane.key, set()).update(held)
                relabelled = self._relabel(tabs, pane) or relabelled
        if relabelled:
            self.call_after_refresh(self._settle_tab_underline)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Going to a pane is looking at its alerts: its badge goes."""
        key = (event.pane.id or "").removeprefix("pane-")
        if self._badges.pop(key, None):
            pane = next((p for p in self.panes if p.key == key), None)
            if pane is not None:
                self._relabel(event.tabbed_content, pane)

    def _settle_tab_underline(self) -> None:
        """Re-measure the active tab's underline once relabelled tabs have been laid out.

        Tabs measures the underline one refresh after a relabel; on a busy machine that can be
        before the wider label is laid out, leaving the underline short until the next change.
        """
        tabs = self.query_one(TabbedContent)
        if tabs.active:
            tab = tabs.get_tab(tabs.active)
            tab.label = tab.label

    def _sorted(self, rows: list[QueueRow], breached: int, now: dt.datetime) -> list[QueueRow]:
        """The service's order (breached band, then priority or time left) re-sorted by the
        chosen column within each band; the breached band always stays on top."""
        if self.order in ("priority", "breach") and not self.reverse:
            return list(rows)
        key = self._sort_key(now)
        band, rest = rows[:breached], rows[breached:]
        return [
            *sorted(band, key=key, reverse=self.reverse),
            *sorted(rest, key=key, reverse=self.reverse),
        ]

    def _sort_key(self, now: dt.datetime) -> Callable[[QueueRow], tuple[object, ...]]:
        desk = self.desk_app.desk

        def left(row: QueueRow) -> tuple[int, int]:
            remaining = desk.business_remaining(row, now)
            return (1, 0) if remaining is None else (0, remaining)

        order = self.order
        if order == "priority":
            return lambda row: (row.priority_rank, *left(row))
        if order == "breach":
            return lambda row: left(row)
        if order == "age":
            return lambda row: (row.opened_at,)
        if order == "clock":
            return lambda row: (row.next_clock or "~", *left(row))
        fields = {"ref": "reference", "subject": "subject", "org": "organisation"}
        name = fields.get(order, order)
        return lambda row: (str(getattr(row, name) or "~").casefold(), row.reference)

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
                keys = [c.key for c in COLUMNS if c.key in self._widths]
                for row in rows:
                    for column, cell in zip(keys, self._cells(row, now), strict=True):
                        table.update_cell(row.reference, column, cell)

    def _cells(self, row: QueueRow, now: dt.datetime) -> list[object]:
        """The row's cells for the columns on screen, each cut to its width with ``…``."""
        widths = self._widths
        remaining = self.desk_app.desk.business_remaining(row, now)
        cells: dict[str, object] = {
            "ref": Text(row.reference),
            "priority": Text(fit(row.priority_label, widths.get("priority", 0))),
            "subject": self._subject_cell(row),
            "org": safe_cell(row.organisation, limit=widths.get("org")),
            "status": Text(fit(row.status, widths.get("status", 0))),
            "assignee": safe_cell(row.assignee or "—", limit=widths.get("assignee")),
            "clock": Text(short_name(row.next_clock)),
            "breach": self._breach_cell(remaining),
            "age": Text(age(row.opened_at, now)),
        }
        return [cells[key] for key in widths]

    def _breach_cell(self, remaining: int | None) -> Text:
        variables = self.app.theme_variables
        warning = self.desk_app.warning_seconds
        if remaining is None:
            colour = ""
        elif remaining < 0:
            colour = f"bold {variables.get('sla-breached', 'red')}"
        elif remaining <= warning:
            colour = variables.get("sla-warning", "yellow")
        else:
            colour = variables.get("sla-safe", "green")
        return Text(breach_text(remaining, warning), style=colour, justify="right")

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
        for pane in self.panes:
            table = self._pane_table(pane.key)
            if table is None:
                continue
            for row in self._rows[pane.key]:
                if row.reference in table.rows:
                    remaining = desk.business_remaining(row, now)
                    update_cell_if_changed(
                        table, row.reference, "breach", self._breach_cell(remaining)
                    )
                    if "age" in self._widths:
                        update_cell_if_changed(
                            table, row.reference, "age", Text(age(row.opened_at, now))
                        )

    # -------------------------------------------------------------- actions
    def action_pane(self, key: str) -> None:
        self.query_one(TabbedContent).active = f"pane-{key}"
        self.query_one(f"#table-{key}", DataTable).focus()

    def action_view_number(self, number: int) -> None:
        """``1``..``9``: the Nth view's pane (nothing if there are fewer views)."""
        if 0 < number <= len(self.panes):
            self.action_pane(self.panes[number - 1].key)

    def action_next_pane(self) -> None:
        keys = [pane.key for pane in self.panes]
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
            land(self, self.notify, f"Cannot open the form: {exc}", severity="error", markup=False)
            return
        land(self, self._show_new_ticket_form, NewTicketForm(actor, choices))

    def _show_new_ticket_form(self, form: NewTicketForm) -> None:
        def saved(done: bool | None) -> None:
            if done and form.opened is not None:
                self.refresh_data()
                self.app.push_screen(TicketScreen(form.opened.reference))

        self.app.push_screen(form, callback=saved)

    def action_quarantine(self) -> None:
        self.app.push_screen(QuarantineScreen())

    def action_search(self) -> None:
        """Search every ticket, resolved and closed ones too (``ui/screens/search.py``)."""
        self.app.push_screen(SearchScreen())

    def action_toggle_order(self) -> None:
        """``s``: the next sort (priority → time to breach → each column in turn)."""
        self._sort_by(SORTS[(SORTS.index(self.order) + 1) % len(SORTS)], reverse=False)

    def action_reverse_order(self) -> None:
        self._sort_by(self.order, reverse=not self.reverse)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """Clicking a column header sorts by it; clicking it again reverses."""
        event.stop()
        key = str(event.column_key.value)
        self._sort_by(key, reverse=not self.reverse if key == self.order else False)

    def _sort_by(self, order: str, *, reverse: bool) -> None:
        self.order, self.reverse = order, reverse
        direction = ", reversed" if reverse else ""
        self.notify(f"Sorted by {SORT_LABELS[order]}{direction} (breached first)", markup=False)
        self._build_columns(self.size.width or self._columns_for_width)
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

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """``enter`` in the filter goes to the results (the filter stays applied)."""
        if event.input.id == "filter":
            event.stop()
            self.query_one(f"#table-{self.active_pane}", DataTable).focus()

    def action_switch_view(self) -> None:
        """``:`` (as in k9s): pick a view's pane by typing part of its name (every view of the
        agent's: the defaults and those saved with ``deskui view save``)."""

        def chosen(key: str | None) -> None:
            if key is not None:
                self.action_pane(key)

        self.app.push_screen(
            ViewSwitcher([(pane.key, pane.title) for pane in self.panes]), callback=chosen
        )


def _default_view(name: str) -> ViewSpec:
    return next(view for view in DEFAULT_VIEWS if view.name == name)
