"""The breach board: what a supervisor (or a wall screen) watches, large and live.

Big counters on top (breached, breaching within 15 and 60 business minutes, open, today's
compliance); below them the tickets that need attention and each agent's load. From 120 columns
a side column adds the counts per priority and policy and who is on call; narrower, on call is
one line under the counters. The snapshot is read in a thread worker when the change feed says
something changed (and on a slow fallback timer); countdowns re-tick every second from memory.

On a read-only board (``deskui board --read-only``, a wall display, usually with nobody signed
in) every key but ``q``/``ctrl+q`` does nothing: no ticket screen, no reassign, no filters, no
palette, ``escape`` ignored. ``team`` pins the board to one team.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import DataTable, Digits, Footer, Static
from textual.worker import get_current_worker

from deskui.domain.sla.clock_info import short_name
from deskui.services.actor import Actor
from deskui.services.supervision import board
from deskui.services.supervision.board import BoardChoices, BoardFilter, BoardSnapshot, BoardTicket
from deskui.services.tickets.lookups import active_agents
from deskui.services.tickets.sla_context import sla_context
from deskui.services.tickets.views import AgentChoice
from deskui.ui.formatting import breach_text, local_time, update_cell_if_changed
from deskui.ui.landing import land
from deskui.ui.live import DeskChanged, FeedState
from deskui.ui.safe import safe_cell
from deskui.ui.screens.forms.base import ActionForm, FieldSpec
from deskui.ui.screens.forms.models import AssignValues
from deskui.ui.widgets.desk_header import DeskHeader

if TYPE_CHECKING:
    from deskui.ui.app import DeskApp

WIDE = 120  # from this many columns the side panels show
# The warning window of the board's colours and marks: its "< 15 min" tile.
WARNING_SECONDS = 15 * 60
TICKET_COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("ref", "Ref", 10),
    ("priority", "Priority", 10),
    ("subject", "Subject", None),
    ("assignee", "Assignee", 10),
    ("clock", "Clock", 5),
    ("breach", "To breach", 10),
)
AGENT_COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("agent", "Agent", None),
    ("open", "Open", 5),
    ("unack", "Unack", 5),
    ("late", "Late", 5),
    ("next", "Next breach", 11),
    ("breach", "In", 10),
)


class Tile(Vertical):
    """One big counter with its label as the border title."""

    DEFAULT_CSS = """
    Tile { height: 5; width: 1fr; border: round $panel-lighten-2; padding: 0 1; }
    Tile Digits { width: auto; }
    Tile.-bad { border: round $error; }
    Tile.-warn { border: round $warning; }
    """

    def __init__(self, label: str, id: str) -> None:
        super().__init__(id=id)
        self.border_title = label

    def compose(self) -> ComposeResult:
        yield Digits("–")

    def show(self, value: str, *, state: str = "") -> None:
        self.query_one(Digits).update(value)
        self.set_class(state == "bad", "-bad")
        self.set_class(state == "warn", "-warn")


class BoardScreen(Screen[None]):
    """The live breach board over the signed-in agent's database."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("g", "reassign", "Reassign"),
        Binding("f", "cycle_policy", "Policy filter"),
        Binding("F", "cycle_team", "Team filter"),
        Binding("tab", "app.focus_next", "Next table", show=False),
        Binding("escape", "leave", "Back"),
        Binding("q", "back", "Back / quit"),
    ]

    DEFAULT_CSS = """
    BoardScreen #tiles { height: 5; }
    BoardScreen #summary { height: 1; padding: 0 1; }
    BoardScreen #body { height: 1fr; }
    BoardScreen #main { width: 1fr; }
    BoardScreen #attention { height: 1fr; }
    BoardScreen #agents { height: 8; }
    BoardScreen.-wide #agents { height: 13; }
    BoardScreen #side { width: 42; padding: 0 1; border-left: vkey $panel-lighten-2; }
    BoardScreen .panel-title { text-style: bold; }
    """

    def __init__(self, *, read_only: bool = False, team: str | None = None) -> None:
        super().__init__()
        self.read_only = read_only
        self.filter = BoardFilter(team=team)
        self.snapshot: BoardSnapshot | None = None
        self.loads = 0
        self.live = True
        self._choices = BoardChoices((), ())
        self._rows: list[BoardTicket] = []
        self._agent_rows: list[tuple[str, BoardTicket | None]] = []
        self._refresh_timer: Timer | None = None

    @property
    def desk_app(self) -> DeskApp:
        from deskui.ui.app import DeskApp

        assert isinstance(self.app, DeskApp)
        return self.app

    @property
    def actor(self) -> Actor:
        """Who reassigns (a wall display has nobody: ``PermissionDeniedError``)."""
        return self.desk_app.desk.actor

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        desk = self.desk_app.desk
        yield DeskHeader(desk.desk_name, desk.agent_label, desk.agent_zone)
        with Horizontal(id="tiles"):
            yield Tile("Breached", "tile-breached")
            yield Tile("< 15 min", "tile-15")
            yield Tile("< 60 min", "tile-60")
            yield Tile("Open", "tile-open")
            yield Tile("Today %", "tile-today")
        yield Static("", id="summary", markup=False)
        with Horizontal(id="body"):
            with Vertical(id="main"):
                for table_id in ("attention", "agents"):
                    table: DataTable[object] = DataTable(
                        id=table_id, cursor_type="row", zebra_stripes=True
                    )
                    # A wall display focuses nothing: the tables' keys (enter) do nothing.
                    table.can_focus = not self.read_only
                    yield table
            yield Static("", id="side", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._build_columns(self.size.width)
        if not self.read_only:
            self.query_one("#attention", DataTable).focus()
        self.tick()
        self.set_interval(1.0, self._tick_if_shown)
        self.load_choices()
        self.refresh_data()

    # The app's change feed says when to re-read; the refresh timer is only a safety net.
    def on_desk_changed(self, message: DeskChanged) -> None:
        if self.is_attached:
            self.refresh_data()

    def on_feed_state(self, message: FeedState) -> None:
        if self.is_attached:
            self.live = message.online
            self.tick()

    def on_resize(self, event: events.Resize) -> None:
        self._build_columns(event.size.width)

    def _build_columns(self, width: int) -> None:
        wide = width >= WIDE
        self.set_class(wide, "-wide")
        self.query_one("#side", Static).display = wide
        main_width = width - (42 if wide else 0)
        for table_id, columns in (("#attention", TICKET_COLUMNS), ("#agents", AGENT_COLUMNS)):
            table = self.query_one(table_id, DataTable)
            fixed = sum(w for _, _, w in columns if w is not None)
            flexible = max(10, main_width - fixed - 2 * len(columns) - 2)
            table.clear(columns=True)
            for key, label, column_width in columns:
                table.add_column(label, key=key, width=column_width or flexible)
        if self.snapshot is not None:
            self._show(self.snapshot)

    # ------------------------------------------------------------------ data
    @work(thread=True, exclusive=True, group="board-choices")
    def load_choices(self) -> None:
        try:
            choices = board.board_choices(self.desk_app.desk.database)
        except Exception:  # the database is away: the filters wait for the next try
            return
        land(self, setattr, self, "_choices", choices)

    @work(thread=True, exclusive=True, group="board-refresh")
    def refresh_data(self) -> None:
        wanted = self.filter
        try:
            # Reads need no Actor: a wall display, which has none, reads the board too.
            database = self.desk_app.desk.database
            snapshot = board.board_snapshot(
                database,
                self.desk_app.now(),
                wanted,
                limit=10,
                context=sla_context(database),
            )
        except Exception as exc:  # keep the last picture, marked stale
            land(self, self._went_stale, str(exc))
        else:
            if not get_current_worker().is_cancelled:
                land(self, self._apply, snapshot)
        finally:
            land(self, self._schedule_refresh)

    def _schedule_refresh(self) -> None:
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
        if self.is_attached:
            self._refresh_timer = self.set_timer(self.desk_app.refresh_seconds, self.refresh_data)

    def _went_stale(self, reason: str) -> None:
        self.live = False
        self.tick()

    def _apply(self, snapshot: BoardSnapshot) -> None:
        if not self.is_attached:
            return
        self.live = True
        self.snapshot = snapshot
        self._show(snapshot)
        self.loads += 1

    def _show(self, snap: BoardSnapshot) -> None:
        now = self.desk_app.now()
        self.query_one("#tile-breached", Tile).show(
            str(snap.breached_total), state="bad" if snap.breached_total else ""
        )
        self.query_one("#tile-15", Tile).show(
            str(snap.within_15_total), state="warn" if snap.within_15_total else ""
        )
        self.query_one("#tile-60", Tile).show(str(snap.within_60_total))
        self.query_one("#tile-open", Tile).show(str(snap.open_total))
        percent = snap.today.percent
        self.query_one("#tile-today", Tile).show(
            "–" if percent is None else f"{percent:.0f}",
            state="bad" if percent is not None and percent < 80 else "",
        )
        self.query_one("#summary", Static).update(self._summary(snap))
        self.query_one("#side", Static).update(self._side(snap))
        # Breached first, then the ones about to breach (each ticket once).
        seen: set[str] = set()
        rows: list[BoardTicket] = []
        for ticket in (*snap.breached, *snap.within_60):
            if ticket.reference not in seen:
                seen.add(ticket.reference)
                rows.append(ticket)
        self._rows = rows
        self._fill(
            self.query_one("#attention", DataTable),
            [(t.reference, self._ticket_cells(t, now)) for t in rows],
        )
        self._agent_rows = [(a.handle or "(unassigned)", a.next_breach) for a in snap.agents]
        self._fill(
            self.query_one("#agents", DataTable),
            [
                (
                    a.handle or "(unassigned)",
                    [
                        safe_cell(f"{a.name} ({a.handle})" if a.handle else a.name),
                        Text(str(a.open), justify="right"),
                        Text(str(a.unacknowledged), justify="right"),
                        Text(str(a.breached), justify="right"),
                        Text(a.next_breach.reference if a.next_breach else "—"),
                        self._breach_cell(self._remaining(a.next_breach, now)),
                    ],
                )
                for a in snap.agents
            ],
        )

    def _fill(self, table: DataTable[object], rows: list[tuple[str, list[object]]]) -> None:
        """Replace the rows, keeping the cursor on the same key when it is still there."""
        keys = [str(key.value) for key in table.rows]
        cursor = keys[table.cursor_row] if keys and table.cursor_row < len(keys) else None
        with self.app.batch_update():
            table.clear()
            for key, cells in rows:
                table.add_row(*cells, key=key)
            wanted = [key for key, _ in rows]
            if cursor in wanted:
                table.move_cursor(row=wanted.index(cursor), animate=False)

    def _summary(self, snap: BoardSnapshot) -> Content:
        on_call = "; ".join(
            f"{team.team} {team.primary.handle if team.primary else '—'}" for team in snap.on_call
        )
        today = snap.today
        return Content.assemble(
            ("Showing ", "dim"),
            (snap.filter.describe(), "bold"),
            ("  ·  today ", "dim"),
            f"{today.total_met} met / {today.total_breached} missed",
            ("  ·  on call ", "dim"),
            Content(on_call or "nobody"),
            ("  [read-only]", "bold $warning") if self.read_only else "",
        )

    def _side(self, snap: BoardSnapshot) -> Content:
        zone = self.desk_app.desk.agent_zone
        lines: list[Content | str] = [Content.styled("Open by priority  (late)", "bold")]
        lines += [f"  {g.name:<22}{g.open:>5}  ({g.breached})" for g in snap.priorities]
        lines += ["", Content.styled("Open by policy  (late)", "bold")]
        lines += [f"  {g.name:<22}{g.open:>5}  ({g.breached})" for g in snap.policies]
        lines += ["", Content.styled("Today's clocks  met / missed", "bold")]
        for clock, met in snap.today.met.items():
            lines.append(f"  {clock.value:<22}{met:>5} / {snap.today.breached[clock]}")
        lines += ["", Content.styled("On call now  (next primary)", "bold")]
        for team in snap.on_call:
            primary = team.primary.handle if team.primary else "—"
            secondary = team.secondary.handle if team.secondary else "—"
            lines.append(f"  {team.team:<10}{primary} / {secondary}")
            upcoming = team.next_primary
            if upcoming is not None:
                when = local_time(upcoming.starts_at, zone, "%a %H:%M")
                lines.append(Content.styled(f"  {'':<10}{upcoming.handle} from {when}", "dim"))
        if not snap.on_call:
            lines.append("  nobody")
        return Content("\n").join(
            line if isinstance(line, Content) else Content(line) for line in lines
        )

    def _remaining(self, ticket: BoardTicket | None, now: dt.datetime) -> int | None:
        if ticket is None:
            return None
        # From memory (the context is cached): the countdowns tick every second.
        context = sla_context(self.desk_app.desk.database)
        return board.business_remaining(context, ticket.calendar, ticket.due_at, now)

    def _ticket_cells(self, ticket: BoardTicket, now: dt.datetime) -> list[object]:
        return [
            Text(ticket.reference),
            safe_cell(ticket.priority_label, limit=10),
            safe_cell(ticket.subject),
            safe_cell(ticket.assignee or "—"),
            Text(short_name(ticket.clock)),
            self._breach_cell(self._remaining(ticket, now)),
        ]

    def _breach_cell(self, remaining: int | None) -> Text:
        variables = self.app.theme_variables
        if remaining is None:
            colour = ""
        elif remaining < 0:
            colour = variables.get("sla-breached", "red")
        elif remaining <= WARNING_SECONDS:
            colour = variables.get("sla-warning", "yellow")
        else:
            colour = variables.get("sla-safe", "green")
        # Never colour alone: ``✗`` breached, ``!`` within the window (as on the queue).
        return Text(
            breach_text(remaining, WARNING_SECONDS),
            style=f"bold {colour}".strip(),
            justify="right",
        )

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
        """Re-render the header and every countdown from the snapshot in memory."""
        now = self.desk_app.now()
        desk = self.desk_app.desk
        self.query_one(DeskHeader).show(now, open_now=desk.is_open(now), live=self.live)
        attention = self.query_one("#attention", DataTable)
        for ticket in self._rows:
            if ticket.reference in attention.rows:
                remaining = self._remaining(ticket, now)
                update_cell_if_changed(
                    attention, ticket.reference, "breach", self._breach_cell(remaining)
                )
        agents = self.query_one("#agents", DataTable)
        for key, next_breach in self._agent_rows:
            if key in agents.rows:
                remaining = self._remaining(next_breach, now)
                update_cell_if_changed(agents, key, "breach", self._breach_cell(remaining))

    # ------------------------------------------------------------------ keys
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A wall display offers quitting only: a passer-by's key press changes nothing.
        return not self.read_only or action == "back"

    def action_leave(self) -> None:
        """``escape``: back to the desk; a wall display ignores it (a passer-by's key press
        must not close the board), ``q`` or ``ctrl+q`` quits it."""
        if not self.read_only:
            self.action_back()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()

    def _selected(self) -> BoardTicket | None:
        """The ticket under the cursor: a row of the attention list, or an agent's next."""
        focused = self.focused
        if isinstance(focused, DataTable) and focused.id == "agents":
            row = focused.cursor_row
            return self._agent_rows[row][1] if 0 <= row < len(self._agent_rows) else None
        table = self.query_one("#attention", DataTable)
        row = table.cursor_row
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """``enter`` on a row opens the ticket (not on a wall display)."""
        event.stop()
        if self.read_only:
            self.notify("Read-only board: open tickets from a desk.", severity="warning")
            return
        ticket = self._selected()
        if ticket is None:
            self.notify("No ticket on that row.", severity="warning")
            return
        from deskui.ui.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(ticket.reference))

    def action_cycle_policy(self) -> None:
        self._cycle("policy", self._choices.policies)

    def action_cycle_team(self) -> None:
        self._cycle("team", self._choices.teams)

    def _cycle(self, field: str, choices: tuple[str, ...]) -> None:
        options: list[str | None] = [None, *choices]
        current = getattr(self.filter, field)
        following = options[(options.index(current) + 1) % len(options)]
        values = {"policy": self.filter.policy, "team": self.filter.team, field: following}
        self.filter = BoardFilter(**values)
        # Policy and team names come from configuration: shown as text, never as markup.
        self.notify(f"Board shows {self.filter.describe()}", markup=False)
        self.refresh_data()

    def action_reassign(self) -> None:
        if self.read_only:
            self.notify("Read-only board: nothing can be changed here.", severity="warning")
            return
        if self.desk_app.desk.is_viewer or not board.may_supervise(self.desk_app.desk.agent.roles):
            self.notify("Only a supervisor may reassign tickets.", severity="error")
            return
        ticket = self._selected()
        if ticket is None:
            self.notify("Pick a ticket first.", severity="warning")
            return
        self._open_reassign(ticket)

    @work(thread=True, exclusive=True, group="board-agents")
    def _open_reassign(self, ticket: BoardTicket) -> None:
        try:
            agents = active_agents(self.desk_app.desk.database)
        except Exception as exc:
            land(self, self.notify, str(exc), severity="error")
            return
        land(self, self._show_reassign, ticket, agents)

    def _show_reassign(self, ticket: BoardTicket, agents: list[AgentChoice]) -> None:
        actor, read_only = self.actor, self.read_only

        def perform(values: BaseModel, version: int | None) -> None:
            assert isinstance(values, AssignValues)
            board.reassign(
                actor,
                ticket.reference,
                values.assignee,
                expected_version=version,
                read_only=read_only,
            )

        form = ActionForm(
            f"Reassign · {ticket.reference}",
            [
                FieldSpec(
                    "assignee",
                    "Assign to",
                    "select",
                    options=tuple((f"{a.name} ({a.handle})", a.handle) for a in agents),
                    required=True,
                )
            ],
            AssignValues,
            perform,
            expected_version=ticket.version,
            intro=f"Now assigned to {ticket.assignee or 'nobody'}.",
        )

        def closed(saved: bool | None) -> None:
            if saved:
                self.notify(f"{ticket.reference} reassigned", markup=False)
                self.refresh_data()

        self.app.push_screen(form, callback=closed)
