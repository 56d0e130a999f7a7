"""The search screen: every ticket (open, resolved, closed) and its log, ranked.

Reached from the queue with ``F``. ``/`` focuses the query box; ``enter`` there searches and
moves to the results; ``enter`` on a result opens the ticket; ``escape`` (or ``q`` outside the
box) goes back. The search runs in a thread worker (``services.tickets.search``); customer
text (subjects, names, the excerpt) is drawn through ``ui.safe``, never as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import get_current_worker

from deskui.services.errors import TicketValidationError
from deskui.services.tickets.search import SearchResults, search
from deskui.ui.formatting import age
from deskui.ui.landing import land
from deskui.ui.safe import safe, safe_cell
from deskui.ui.screens.ticket import TicketScreen
from deskui.ui.widgets.desk_header import DeskHeader

if TYPE_CHECKING:
    from deskui.ui.app import DeskApp

RESULT_LIMIT = 50

COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("ref", "Ref", 11),
    ("status", "Status", 12),
    ("team", "Team", 14),
    ("org", "Organisation", 16),
    ("subject", "Subject", None),
    ("age", "Opened", 7),
)


class SearchScreen(Screen[None]):
    """A query box over ranked results."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_query", "Search"),
        Binding("escape", "back", "Back"),
        Binding("q", "back", "Back", show=False),
    ]

    DEFAULT_CSS = """
    SearchScreen #search-query { height: 3; }
    SearchScreen #search-status { height: 1; padding: 0 1; color: $text-muted; }
    SearchScreen #search-snippet { height: 2; padding: 0 1; color: $text-muted; }
    SearchScreen DataTable { height: 1fr; }
    """

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial_query = query
        self.results: SearchResults | None = None  # the last results shown (tests read them)

    @property
    def desk_app(self) -> DeskApp:
        from deskui.ui.app import DeskApp

        assert isinstance(self.app, DeskApp)
        return self.app

    def compose(self) -> ComposeResult:
        desk = self.desk_app.desk
        yield DeskHeader(desk.desk_name, desk.agent_label, desk.agent_zone)
        with Vertical():
            yield Input(
                value=self.initial_query,
                placeholder='search every ticket: words, "a phrase", prefix*',
                id="search-query",
            )
            yield Static(
                "Type words and press enter: open, resolved and closed tickets and their logs.",
                id="search-status",
                markup=False,
            )
            yield DataTable(id="search-results", cursor_type="row", zebra_stripes=True)
            yield Static("", id="search-snippet", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        fixed = sum(w for _, _, w in COLUMNS if w is not None)
        subject = max(12, self.size.width - fixed - 2 * len(COLUMNS) - 2)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width or subject)
        self.query_one("#search-query", Input).focus()
        self.tick()
        self.set_interval(1.0, self.tick)
        if self.initial_query.strip():
            self.run_search(self.initial_query)

    def tick(self) -> None:
        now = self.desk_app.now()
        self.query_one(DeskHeader).show(now, open_now=self.desk_app.desk.is_open(now), live=True)

    # ----------------------------------------------------------------- search
    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search-query":
            event.stop()
            self.run_search(event.value)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        try:
            results = search(self.desk_app.desk.database, query, limit=RESULT_LIMIT)
        except TicketValidationError as exc:
            land(self, self._say, exc.message)
            return
        except Exception as exc:  # the database is away: say so, keep the query
            land(self, self._say, f"Cannot search now: {exc}")
            return
        if not get_current_worker().is_cancelled:
            land(self, self._show, results)

    def _say(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#search-status", Static).update(safe(message))

    def _show(self, results: SearchResults) -> None:
        if not self.is_attached:
            return
        self.results = results
        table = self.query_one(DataTable)
        now = self.desk_app.now()
        with self.app.batch_update():
            table.clear()
            for hit in results.hits:
                table.add_row(
                    Text(hit.reference),
                    Text(hit.status),
                    safe_cell(hit.team, limit=14),
                    safe_cell(hit.organisation, limit=16),
                    safe_cell(hit.subject),
                    Text(age(hit.opened_at, now)),
                    key=hit.reference,
                )
        count = len(results.hits)
        if not count:
            self._say(f"No ticket matches {results.query.strip()!r}.")
            return
        more = " (best first; more words narrow it)" if results.more else " (best first)"
        self._say(f"{count}{'+' if results.more else ''} tickets{more}. enter opens one.")
        table.move_cursor(row=0, animate=False)
        table.focus()
        self._show_snippet(0)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_snippet(event.cursor_row)

    def _show_snippet(self, row: int) -> None:
        if self.results is None or not 0 <= row < len(self.results.hits):
            return
        hit = self.results.hits[row]
        line = f"{hit.requester} · {hit.priority_label}"
        if hit.snippet:
            line += f" · {hit.snippet}"
        self.query_one("#search-snippet", Static).update(safe(line))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """``enter`` on a result opens that ticket."""
        event.stop()
        self.app.push_screen(TicketScreen(str(event.row_key.value)))

    # ---------------------------------------------------------------- actions
    def action_focus_query(self) -> None:
        self.query_one("#search-query", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
