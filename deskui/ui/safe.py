"""The one way the UI shows text that came from outside: never as markup, never raw.

``safe`` and ``safe_text`` return objects Textual and Rich render literally (no markup parsing,
so ``[@click=app.quit]`` stays text), with control characters made visible first.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from deskui.domain.untrusted import one_line, visible_text


def safe(text: str | None, *, multiline: bool = False) -> Content:
    """Customer text as a Textual ``Content`` (for Static, Label, notify)."""
    return Content(visible_text(text, keep_newlines=multiline))


def safe_cell(text: str | None, *, limit: int | None = None, style: str = "") -> Text:
    """Customer text as a Rich ``Text`` (for DataTable cells, which parse plain strings)."""
    return Text(one_line(text, limit), style=style, no_wrap=True, overflow="ellipsis")
