"""A ticket's interaction log: oldest first, wrapped to the width, virtualised for long logs.

A ticket can carry thousands of entries, so the log is one ``ScrollView`` that keeps its
lines as plain ``(text, component class)`` pairs and turns only the lines on screen into
strips (the Line API), instead of one widget per entry. Entries are prepared off the UI thread
(``log_entries``, called from the screen's worker): every string that came from outside goes
through ``visible_text`` first, and lines are never parsed as markup, so a body reading
``[@click=app.quit]`` is drawn as those characters. Wrapping is a plain greedy word wrap,
redone only when the width changes; Textual's own ``Content.wrap`` took seconds for 5,000
entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from deskui.domain.display import local_time
from deskui.domain.untrusted import one_line, visible_text
from deskui.services.tickets.views import InteractionView

# One run of text and the component class that styles it ("" = the widget's own style).
Run = tuple[str, str]
Line = tuple[Run, ...]

BODY_INDENT = "  "
TAB_SIZE = 4
KIND_LABELS: dict[str, str] = {
    "call-in": "call in",
    "call-out": "call back",
    "email-in": "email in",
    "email-out": "email out",
    "fax-in": "fax in",
    "answerphone": "answerphone",
    "remote-session": "remote session",
    "note": "note",
    "status-change": "status",
    "priority-change": "priority",
    "assignment-change": "assigned",
    "acknowledgement": "acknowledged",
    "eta-change": "ETA",
    "triage-step": "triage",
    "feedback": "feedback",
}
# Who an entry is for, told by a mark as well as a colour: from the customer, to the customer,
# or internal (notes and changes the customer never sees).
DIRECTION_MARKS: dict[str, str] = {"in": "◀ from customer", "out": "▶ to customer"}
INTERNAL_MARK = "◆ internal"


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One interaction ready to draw: a header line and a body (visible text, may be empty)."""

    header: Line
    body: str
    internal: bool


# ---------------------------------------------------------------------- preparing entries
def _visible_body(text: str) -> str:
    """``visible_text`` with newlines kept; skips the per-character pass for printable ASCII,
    which has nothing to make visible (most bodies, and the bulk of a long log)."""
    flat = text.replace("\n", "")
    if flat.isascii() and flat.isprintable():
        return text
    return visible_text(text, keep_newlines=True)


def _when(
    instant: dt.datetime,
    agent_zone: dt.tzinfo,
    customer_zone: dt.tzinfo | None,
    now: dt.datetime | None,
) -> Line:
    mine = instant.astimezone(agent_zone)
    runs: list[Run] = [(local_time(instant, agent_zone, now=now), "interaction-log--time")]
    if customer_zone is not None:
        theirs = instant.astimezone(customer_zone)
        if theirs.utcoffset() != mine.utcoffset():
            day = "" if theirs.date() == mine.date() else theirs.strftime("%a %d %b ")
            runs.append((f" (customer {day}{theirs:%H:%M %Z})", "interaction-log--customer-time"))
    return tuple(runs)


def _meta_time(value: object, zone: dt.tzinfo) -> str:
    try:
        return local_time(dt.datetime.fromisoformat(str(value)), zone)
    except ValueError:
        return one_line(str(value), 40)


def _change(entry: InteractionView, zone: dt.tzinfo) -> str:
    """What a change entry changed, in a few words (values from the log's meta)."""
    meta = entry.meta
    if entry.kind == "remote-session" and meta.get("minutes"):
        return f"{meta['minutes']} min"
    if entry.kind == "feedback" and meta.get("score") is not None:
        return f"score {one_line(str(meta['score']), 10)}"
    if entry.kind == "triage-step" and meta.get("step"):
        answer = one_line(str(meta.get("answer") or "?"), 20)
        return f"step {one_line(str(meta['step']), 60)}: {answer}"
    if "from" not in meta and "to" not in meta:
        return ""
    if entry.kind == "eta-change":
        before = _meta_time(meta["from"], zone) if meta.get("from") else "none"
        after = _meta_time(meta["to"], zone) if meta.get("to") else "none"
    else:
        before = one_line(str(meta.get("from") or "none"), 40)
        after = one_line(str(meta.get("to") or "none"), 40)
    return f"{before} → {after}"


def log_entry(
    entry: InteractionView,
    agent_zone: dt.tzinfo,
    customer_zone: dt.tzinfo | None,
    now: dt.datetime | None = None,
) -> LogEntry:
    """One entry; its time in the one date style (``now`` tells which year needs saying)."""
    direction = entry.direction if entry.direction in ("in", "out") else "internal"
    runs: list[Run] = [*_when(entry.at, agent_zone, customer_zone, now), ("  ", "")]
    runs.append((KIND_LABELS.get(entry.kind, entry.kind), f"interaction-log--{direction}"))
    runs.append(("  ", ""))
    runs.append((one_line(entry.author, 80) or "—", "interaction-log--author"))
    change = _change(entry, agent_zone)
    if change:
        runs.append(("  " + change, "interaction-log--change"))
    if direction in DIRECTION_MARKS:
        runs.append(("  " + DIRECTION_MARKS[direction], f"interaction-log--{direction}"))
    elif entry.kind == "note":
        runs.append(("  " + INTERNAL_MARK, "interaction-log--internal"))
    body = _visible_body(entry.body)
    reason = entry.meta.get("breach_reason")
    if reason:
        body = f"{body}\nBreach reason: {_visible_body(str(reason))}".lstrip("\n")
    if entry.attachments:
        body = f"{body}\nAttachments: {attachment_list(entry.attachments)}".lstrip("\n")
    return LogEntry(tuple(runs), body, direction == "internal")


def attachment_list(attachments: Iterable[dict[str, object]]) -> str:
    """``name (size bytes, type)`` for each file kept with an entry (names are the sender's)."""
    return ", ".join(
        f"{one_line(str(item.get('name', '?')), 80)} ({item.get('size', '?')} bytes, "
        f"{one_line(str(item.get('content_type', '?')), 60)})"
        for item in attachments
    )


def log_entries(
    interactions: Iterable[InteractionView],
    agent_zone: dt.tzinfo,
    customer_zone: str | dt.tzinfo | None,
    now: dt.datetime | None = None,
) -> list[LogEntry]:
    """Entries for ``InteractionLog.show``, in the order given (the service's: oldest first)."""
    zone = ZoneInfo(customer_zone) if isinstance(customer_zone, str) else customer_zone
    return [log_entry(entry, agent_zone, zone, now) for entry in interactions]


# ---------------------------------------------------------------------- wrapping
def _fold(word: str, width: int) -> list[str]:
    """Split a word wider than ``width`` cells into pieces that fit."""
    pieces: list[str] = []
    piece, used = "", 0
    for char in word:
        size = cell_len(char)
        if used + size > width and piece:
            pieces.append(piece)
            piece, used = "", 0
        piece += char
        used += size
    if piece:
        pieces.append(piece)
    return pieces


def wrap_paragraph(text: str, width: int) -> list[str]:
    """Greedy word wrap of one paragraph (no newlines) to ``width`` cells."""
    width = max(width, 1)
    measure = len if text.isascii() else cell_len
    if measure(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if measure(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        if measure(word) > width:
            *full, line = _fold(word, width)
            lines.extend(full)
        else:
            line = word
    lines.append(line)
    return lines


def wrap_entry(entry: LogEntry, width: int) -> list[Line]:
    lines: list[Line] = [entry.header]
    if entry.body:
        style = "interaction-log--note" if entry.internal else "interaction-log--body"
        inner = max(width - len(BODY_INDENT), 1)
        for paragraph in entry.body.expandtabs(TAB_SIZE).split("\n"):
            for text in wrap_paragraph(paragraph, inner):
                lines.append(((BODY_INDENT, ""), (text, style)))
    return lines


# ---------------------------------------------------------------------- the widget
class InteractionLog(ScrollView, can_focus=True):
    """The log of one ticket; ``show`` replaces its entries."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "interaction-log--time",
        "interaction-log--customer-time",
        "interaction-log--in",
        "interaction-log--out",
        "interaction-log--internal",
        "interaction-log--author",
        "interaction-log--change",
        "interaction-log--body",
        "interaction-log--note",
    }

    DEFAULT_CSS = """
    InteractionLog {
        height: 1fr;
        background: $surface;
        overflow-x: hidden;
        scrollbar-gutter: stable;
        padding: 0 1;
    }
    InteractionLog:focus { background-tint: $foreground 3%; }
    InteractionLog > .interaction-log--time { text-style: bold; }
    InteractionLog > .interaction-log--customer-time { color: $text-muted; }
    InteractionLog > .interaction-log--in { color: $warning; text-style: bold; }
    InteractionLog > .interaction-log--out { color: $success; text-style: bold; }
    InteractionLog > .interaction-log--internal { color: $accent; text-style: bold; }
    InteractionLog > .interaction-log--author { text-style: italic; }
    InteractionLog > .interaction-log--change { color: $text-muted; }
    InteractionLog > .interaction-log--body { }
    InteractionLog > .interaction-log--note { color: $text-muted; }
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._entries: list[LogEntry] = []
        self._lines: list[Line] = []
        self._wrapped_width = -1
        self._end_pending = False

    @property
    def entry_count(self) -> int:
        return len(self._entries)

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def at_end(self) -> bool:
        return self.scroll_y >= self.max_scroll_y

    def show(self, entries: Sequence[LogEntry], *, scroll_end: bool = False) -> None:
        """Replace the entries; keep the reader's place unless asked to (or already at) the end."""
        follow = scroll_end or (self.at_end and bool(self._entries))
        self._entries = list(entries)
        self._wrapped_width = -1
        self._end_pending = follow
        self._rewrap()

    def plain_lines(self) -> list[str]:
        """The wrapped lines as text (what is drawn, without styles): for tests and copying."""
        return ["".join(text for text, _ in line) for line in self._lines]

    def on_resize(self) -> None:
        self._rewrap()

    def _rewrap(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._wrapped_width:
            return
        lines: list[Line] = []
        for index, entry in enumerate(self._entries):
            if index:
                lines.append(())
            lines.extend(wrap_entry(entry, width))
        self._lines = lines
        self._wrapped_width = width
        self.virtual_size = Size(width, len(lines))
        self.refresh()
        if self._end_pending:
            self._end_pending = False
            # After the refresh: only then do the scroll limits know the new virtual size.
            self.call_after_refresh(self.scroll_end, animate=False, x_axis=False)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = self.scroll_offset.y + y
        if index >= len(self._lines):
            return Strip.blank(width, base)
        segments = [Segment(text, self._style(base, cls)) for text, cls in self._lines[index]]
        return Strip(segments).crop_extend(0, width, base)

    def _style(self, base: Style, component: str) -> Style:
        if not component:
            return base
        return base + self.get_component_rich_style(component, partial=True)
