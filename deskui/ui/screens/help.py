"""``?``: the keys of the current screen, read from its active bindings, in a modal.

``screen_keys`` lists what the screen (and the app) bind, with the key as the footer shows it,
so the help can never drift from the bindings themselves. ``show_keys(app)`` opens the help
for whatever screen is on top; any screen can bind ``?`` to ``app.show_keys`` once ``DeskApp``
has the action, or call ``show_keys`` itself.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

HIDDEN_ACTIONS = frozenset({"command_palette", "show_keys", "app.show_keys"})
NOT_YOUR_ROLE = " (not your role)"


def screen_keys(screen: Screen[object]) -> list[tuple[str, str]]:
    """``(key, what it does)`` for each binding of ``screen`` and the app, screen's first.

    Bindings without a description and Textual's system bindings are left out, and so are keys
    the screen turns off (``check_action`` False); a screen's ``EXTRA_KEYS`` (keys its widgets
    handle, like ``enter`` on a row) come first. An action the agent's roles do not allow
    (``app.role_allows``) is listed with "(not your role)" so ``KeysHelp`` dims it.
    """
    app = screen.app
    own: list[tuple[str, str]] = list(getattr(screen, "EXTRA_KEYS", ()))
    app_wide: list[tuple[str, str]] = []
    role_allows = getattr(app, "role_allows", None)
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.system or not binding.description or binding.action in HIDDEN_ACTIONS:
            continue
        if active.node is not screen and active.node is not app:
            continue
        name = binding.action.split("(", 1)[0]
        if active.node.check_action(name.removeprefix("app."), ()) is False:
            continue
        description = binding.description
        if callable(role_allows) and not role_allows(name):
            description += NOT_YOUR_ROLE
        row = (app.get_key_display(binding), description)
        (app_wide if active.node is app else own).append(row)
    seen: set[tuple[str, str]] = set()
    rows: list[tuple[str, str]] = []
    for row in [*own, *app_wide, ("ctrl+p", "Command palette: every action, go to a ticket")]:
        if row not in seen:
            seen.add(row)
            rows.append(row)
    return rows


class KeysHelp(ModalScreen[None]):
    """The keys of the screen underneath; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
        Binding("question_mark", "close", "Close", show=False),
    ]

    DEFAULT_CSS = """
    KeysHelp { align: center middle; }
    KeysHelp #keys-dialog {
        width: 64; max-width: 100%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    KeysHelp .keys-title { text-style: bold; color: $primary; padding-bottom: 1; }
    """

    def __init__(self, title: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.keys_title = title
        self.keys = keys

    def compose(self) -> ComposeResult:
        width = max((len(key) for key, _ in self.keys), default=1) + 2
        lines = [
            Content.assemble((key.ljust(width), "dim" if dim else "bold $accent"), (text, style))
            for key, description in self.keys
            for dim in [description.endswith(NOT_YOUR_ROLE)]
            for text, style in [(description, "dim" if dim else "")]
        ]
        with VerticalScroll(id="keys-dialog"):
            yield Static(Content(self.keys_title), classes="keys-title")
            yield Static(Content("\n").join(lines), id="keys-list")

    def on_mount(self) -> None:
        self.query_one("#keys-dialog").focus()

    def action_close(self) -> None:
        self.dismiss(None)


def show_keys(app: App[Any]) -> None:
    """Open the keys help for the screen on top (not for a help already open)."""
    screen = app.screen
    if isinstance(screen, KeysHelp):
        return
    name = screen.title or type(screen).__name__.removesuffix("Screen")
    title = f"Keys: {name}"
    app.push_screen(KeysHelp(title, screen_keys(screen)))
