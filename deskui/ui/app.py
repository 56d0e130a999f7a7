"""The desk application: themes, the frozen-or-real clock, the queue as its first screen, and
the one change feed every screen hears through (``deskui/ui/live.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.theme import Theme
from textual.widgets import DataTable, OptionList

from deskui.services.errors import ServiceError
from deskui.services.live import LiveFeed
from deskui.services.supervision.board import SUPERVISING_ROLES, check_may_watch
from deskui.services.tickets.desk import DeskService
from deskui.services.tickets.form_drafts import FormDrafts
from deskui.ui.board_commands import SupervisorCommands
from deskui.ui.commands import DeskCommands
from deskui.ui.live import DeskChanged, FeedState
from deskui.ui.screens.board import BoardScreen
from deskui.ui.screens.help import show_keys
from deskui.ui.screens.queue import QueueScreen
from deskui.ui.themes import DEFAULT_THEME, bundled_themes_dir, load_themes

# Actions only some roles may take (the rest is ticket work: agents and supervisors).
ACTION_ROLES: dict[str, frozenset[str]] = {
    "board": SUPERVISING_ROLES,
    "reassign": SUPERVISING_ROLES,
    "decide": frozenset({"approver"}),
}


class DeskApp(App[None]):
    """One agent's desk. All data access goes through ``DeskService``."""

    TITLE = "deskui"
    COMMANDS = App.COMMANDS | {DeskCommands, SupervisorCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "show_keys", "Keys"),
        Binding("b", "board", "Breach board", show=False),
        Binding("R", "reports", "Reports", show=False),
        # vi-style moves in whatever list has the focus (a screen's own key wins: on the ticket
        # screen and the board ``g`` is Assign/Reassign, ``home`` goes to the top there).
        Binding("j", "list_move('down')", "Down (j/k)", show=False),
        Binding("k", "list_move('up')", "Up", show=False),
        Binding("g", "list_move('top')", "Top (g/G)", show=False),
        Binding("G", "list_move('bottom')", "Bottom", show=False),
    ]

    def __init__(
        self,
        desk: DeskService,
        *,
        theme_name: str = DEFAULT_THEME,
        theme_dirs: tuple[Path, ...] = (),
        refresh_seconds: float = 30.0,
        warning_minutes: int = 60,
        on_theme_change: Callable[[str], None] | None = None,
        start_on_board: bool = False,
        read_only: bool = False,
        board_team: str | None = None,
        alerts: bool = True,
        alert_bell: bool = True,
    ) -> None:
        super().__init__()
        # A read-only board is a wall display: it opens on the board and only quits. A viewer
        # desk (nobody signed in) is always one.
        read_only = read_only or desk.is_viewer
        self.start_on_board = start_on_board or read_only
        self.read_only = read_only
        # The team the board opens on (a wall display stays on it).
        self.board_team = board_team
        self.use_command_palette = not read_only
        self.desk = desk
        # What is typed in a form and not saved yet, per ticket and form (survives restarts).
        self.form_drafts = FormDrafts(desk.agent.handle)
        # The screens' own re-read: only a safety net, the change feed is what refreshes them.
        self.refresh_seconds = refresh_seconds
        # One watcher for the whole app; its callbacks run on its thread, and ``post_message``
        # is safe to call from there.
        self.feed = LiveFeed(
            desk.database,
            on_change=lambda latest: self.post_message(DeskChanged(latest)),
            on_state=lambda online: self.post_message(FeedState(online)),
            listen_url=desk.feed_url,
        )
        self.warning_seconds = warning_minutes * 60
        # SLA alerts on the queue (a toast, a badge on the pane, the bell if ``alert_bell``);
        # ``alerts=False`` turns the checks off (tests that picture the screen at rest).
        self.alerts_enabled = alerts and not read_only
        self.alert_bell = alert_bell
        self._wanted_theme = theme_name
        self._theme_dirs = (bundled_themes_dir(), *theme_dirs)
        self._on_theme_change = on_theme_change

    def on_unmount(self) -> None:
        # Not waiting: the feed thread may be handing over a message at this very moment.
        self.feed.stop(wait=False)

    def on_desk_changed(self, message: DeskChanged) -> None:
        for screen in self.screen_stack:
            screen.post_message(DeskChanged(message.latest_event_id))

    def on_feed_state(self, message: FeedState) -> None:
        for screen in self.screen_stack:
            screen.post_message(FeedState(message.online))

    def action_show_keys(self) -> None:
        show_keys(self)

    def now(self) -> dt.datetime:
        return self.desk.now()

    def on_mount(self) -> None:
        loaded = load_themes(*self._theme_dirs)
        for theme in loaded.themes:
            self.register_theme(theme)
        for problem in loaded.problems:
            self.notify(problem, title="Theme file skipped", severity="warning", markup=False)
        if self._wanted_theme in self.available_themes:
            self.theme = self._wanted_theme
        else:
            if self._wanted_theme != DEFAULT_THEME:
                self.notify(
                    f"Unknown theme {self._wanted_theme!r}; using {DEFAULT_THEME}",
                    severity="warning",
                    markup=False,
                )
            if DEFAULT_THEME in self.available_themes:
                self.theme = DEFAULT_THEME
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.feed.start()
        if self.start_on_board:
            self.push_screen(BoardScreen(read_only=self.read_only, team=self.board_team))
        else:
            self.push_screen(QueueScreen())

    def action_list_move(self, where: str) -> None:
        """``j``/``k``/``g``/``G`` in the focused list (a table, an option list, a log)."""
        focused = self.focused
        if isinstance(focused, DataTable):
            moves = {
                "down": focused.action_cursor_down,
                "up": focused.action_cursor_up,
                "top": lambda: focused.move_cursor(row=0),
                "bottom": lambda: focused.move_cursor(row=max(focused.row_count - 1, 0)),
            }
        elif isinstance(focused, OptionList):
            moves = {
                "down": focused.action_cursor_down,
                "up": focused.action_cursor_up,
                "top": focused.action_first,
                "bottom": focused.action_last,
            }
        elif focused is not None and focused.allow_vertical_scroll:
            moves = {
                "down": focused.scroll_down,
                "up": focused.scroll_up,
                "top": focused.scroll_home,
                "bottom": focused.scroll_end,
            }
        else:
            return
        moves[where]()

    # --- the breach board and reports
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A wall display offers quitting (``ctrl+q``) and nothing else: no keys help, no
        # palette, no other screen, no list moves.
        return not self.read_only or action == "quit"

    def role_allows(self, action: str) -> bool:
        """Whether the signed-in agent's roles allow ``action`` (``?`` dims the others; the
        services still decide, and refuse with a reason)."""
        if self.desk.is_viewer:
            return False  # a wall display holds no roles
        roles = self.desk.agent.roles
        needed = ACTION_ROLES.get(action.removeprefix("app."))
        return needed is None or bool(needed & roles)

    def action_board(self) -> None:
        self._open_board()

    @work(thread=True, exclusive=True, group="open-board")
    def _open_board(self) -> None:
        """Ask the services (off the UI thread: a read, and a write if refused) first."""
        try:
            check_may_watch(self.desk.actor)
        except ServiceError as refused:
            self.call_from_thread(
                self.notify, str(refused), title="Not allowed", severity="error", markup=False
            )
            return
        self.call_from_thread(self._show_board)

    def _show_board(self) -> None:
        if not isinstance(self.screen, BoardScreen):
            self.push_screen(BoardScreen())

    def action_reports(self) -> None:
        # Imported on first use: its charting library is not needed to paint the queue.
        from deskui.ui.screens.reports import ReportsScreen

        if not isinstance(self.screen, ReportsScreen):
            self.push_screen(ReportsScreen())

    # --- end breach board and reports

    def _remember_theme(self, theme: Theme) -> None:
        if self._on_theme_change is not None:
            self._on_theme_change(theme.name)
