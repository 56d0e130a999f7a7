"""``:`` on the queue, as in k9s: type part of a view's name, ``enter`` switches to it.

The views offered are the queue's panes: the agent's views (the four defaults, then those they
saved); ``escape`` closes it.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList
from textual.widgets.option_list import Option


class ViewSwitcher(ModalScreen[str | None]):
    """Dismissed with the chosen view's key, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    DEFAULT_CSS = """
    ViewSwitcher { align: center top; }
    ViewSwitcher #switcher {
        width: 60; max-width: 100%; height: auto; max-height: 80%; margin-top: 2;
        border: thick $primary; background: $surface;
    }
    ViewSwitcher OptionList { height: auto; max-height: 16; }
    """

    def __init__(self, views: list[tuple[str, str]]) -> None:
        super().__init__()
        self.views = views

    def compose(self) -> ComposeResult:
        with Vertical(id="switcher"):
            yield Input(placeholder=": view name", id="view-query")
            yield OptionList(id="view-list")
        yield Footer()

    def on_mount(self) -> None:
        self._show("")
        self.query_one(Input).focus()

    def _matches(self, text: str) -> list[tuple[str, str]]:
        wanted = text.strip().casefold()
        return [(key, title) for key, title in self.views if wanted in title.casefold()]

    def _show(self, text: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(Content(title), id=key) for key, title in self._matches(text)])
        if options.option_count:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = (current + step) % options.option_count

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)
