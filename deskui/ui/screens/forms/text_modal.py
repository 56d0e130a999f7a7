"""A read-only modal for a long text (a clock's explanation): scrolls, closes on escape or q.

The text is shown through ``safe`` (control characters made visible, never parsed as markup):
explanations quote names from configuration and the ticket's subject.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from deskui.ui.safe import safe


class TextModal(ModalScreen[None]):
    """``title`` over ``text``; any of escape, q or enter closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
        Binding("enter", "close", "Close", show=False),
    ]

    DEFAULT_CSS = """
    TextModal { align: center middle; }
    TextModal #text-dialog {
        width: 100; max-width: 100%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    TextModal .text-title { text-style: bold; color: $primary; padding-bottom: 1; }
    """

    def __init__(self, title: str, text: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="text-dialog"):
            yield Static(Content(self.title_text), classes="text-title")
            yield Static(safe(self.text, multiline=True), id="text-body")

    def on_mount(self) -> None:
        self.query_one("#text-dialog").focus()

    def action_close(self) -> None:
        self.dismiss(None)
