"""The mail quarantine (``Q`` on the queue): messages intake could not file, and what to do.

The table lists each waiting message (received, sender, subject, reason); the viewer below
shows the highlighted one's raw text with every control character made visible (it is
whatever arrived: never interpreted as markup or sent raw to the terminal). ``r`` retries the
ingest after choosing the team (from the list of the desk's teams) or typing the ticket it
belongs to; once filed, a notification and the status line say what it became ("opened
DSK-000123" or "appended to DSK-000045"). ``d`` dismisses it with a note. Both are kept in the
database with who reviewed it and when. Database work runs in threads.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, field_validator
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from deskui.domain.untrusted import one_line, visible_text
from deskui.services.actor import Actor
from deskui.services.intake.form import Choice, form_choices
from deskui.services.intake.mail_in import IngestResult
from deskui.services.intake.quarantine import (
    QuarantinedMail,
    dismiss_quarantined,
    list_quarantine,
    read_quarantined,
    retry_quarantined,
)
from deskui.ui.formatting import local_time
from deskui.ui.landing import land
from deskui.ui.live import DeskChanged, FeedState
from deskui.ui.screens.forms.base import ActionForm, FieldSpec
from deskui.ui.widgets.desk_header import TickingHeader

if TYPE_CHECKING:
    from deskui.ui.app import DeskApp


class RetryValues(BaseModel):
    team: str | None = None
    ticket: str | None = None

    @field_validator("team", "ticket", mode="before")
    @classmethod
    def _blank(cls, value: object) -> str | None:
        text = str(value or "").strip()
        return text or None


class DismissValues(BaseModel):
    note: str

    @field_validator("note", mode="before")
    @classmethod
    def _note(cls, value: object) -> str:
        text = str(value or "").strip()
        if not text:
            raise ValueError("say why the message is dismissed")
        return text


class QuarantineScreen(Screen[None]):
    """Quarantined mail waiting for a person."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Retry ingest"),
        Binding("d", "dismiss_message", "Dismiss"),
        Binding("escape", "app.pop_screen", "Back"),
        Binding("q", "app.pop_screen", "Back", show=False),
    ]

    DEFAULT_CSS = """
    QuarantineScreen DataTable { height: 1fr; }
    QuarantineScreen #raw-box { height: 1fr; border-top: solid $primary; }
    QuarantineScreen #quarantine-status { color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[QuarantinedMail] = []
        self.shown: QuarantinedMail | None = None
        self.last_result: IngestResult | None = None

    @property
    def actor(self) -> Actor:
        from deskui.ui.app import DeskApp

        app = self.app
        assert isinstance(app, DeskApp)
        return app.desk.actor

    def compose(self) -> ComposeResult:
        yield TickingHeader()
        yield Static(Content("Mail quarantine · loading…"), id="quarantine-title")
        yield DataTable(id="quarantine-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="raw-box"):
            yield Static("", id="raw")
        yield Static("", id="quarantine-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in (
            ("received", "Received"),
            ("sender", "Sender"),
            ("subject", "Subject"),
            ("reason", "Reason"),
        ):
            table.add_column(label, key=key)
        table.focus()
        self.load()

    @property
    def app_zone(self) -> dt.tzinfo:
        """The agent's zone: every time on screen is theirs (the store keeps UTC)."""
        desk = getattr(self.app, "desk", None)
        return desk.agent_zone if desk is not None else dt.UTC

    # Live: another agent's retry or dismissal (or new mail quarantined) shows at once.
    def on_desk_changed(self, message: DeskChanged) -> None:
        if self.is_attached:
            self.load()

    def on_feed_state(self, message: FeedState) -> None:
        if self.is_attached:
            self.query_one(TickingHeader).online = message.online
            if message.online:
                self.load()

    @work(thread=True, exclusive=True, group="quarantine-load")
    def load(self) -> None:
        try:
            rows = list_quarantine(self.actor.database)
        except Exception as exc:  # the database is away: say so, keep what is shown
            land(self, self._status, f"Could not load the quarantine: {exc}")
            return
        land(self, self._show_rows, rows)

    def _status(self, text: str) -> None:
        self.query_one("#quarantine-status", Static).update(Content(text))

    def _show_rows(self, rows: list[QuarantinedMail]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        keys = [str(key.value) for key in table.rows]
        # A live reload keeps the cursor on the message it was on.
        keep = keys[table.cursor_row] if keys and table.cursor_row < len(keys) else None
        table.clear()
        for row in rows:
            table.add_row(
                local_time(row.received_at, self.app_zone),
                Content(one_line(row.sender or "-", 40)),
                Content(one_line(row.subject or "-", 50)),
                Content(one_line(row.reason, 80)),
                key=str(row.id),
            )
        wanted = [str(row.id) for row in rows]
        if keep in wanted:
            table.move_cursor(row=wanted.index(keep), animate=False)
        count = len(rows)
        self.query_one("#quarantine-title", Static).update(
            Content(f"Mail quarantine · {count} message{'' if count == 1 else 's'} waiting")
        )
        if not rows:
            self.query_one("#raw", Static).update(Content("Nothing is waiting."))
            self.shown = None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.read(int(event.row_key.value))

    @work(thread=True, exclusive=True, group="quarantine-read")
    def read(self, quarantine_id: int) -> None:
        try:
            message = read_quarantined(self.actor.database, quarantine_id)
        except Exception as exc:
            land(self, self._status, f"Could not read message: {exc}")
            return
        land(self, self._show_raw, message)

    def _show_raw(self, message: QuarantinedMail) -> None:
        self.shown = message
        header = f"#{message.id} · {message.size} bytes · {one_line(message.reason)}\n\n"
        self.query_one("#raw", Static).update(
            Content(header + visible_text(message.raw_text, keep_newlines=True))
        )

    def _current(self) -> QuarantinedMail | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def _done(self, saved: bool | None) -> None:
        if saved:
            self._status("Done.")
            self.load()

    def action_retry(self) -> None:
        current = self._current()
        if current is not None:
            self._open_retry(current)

    @work(thread=True, exclusive=True, group="quarantine-teams")
    def _open_retry(self, current: QuarantinedMail) -> None:
        try:
            teams = form_choices(self.actor.database).teams
        except Exception as exc:  # the database is away: nothing typed yet, nothing lost
            land(self, self._status, f"Cannot open the retry form: {exc}")
            return
        land(self, self._show_retry, current, teams)

    def _show_retry(self, current: QuarantinedMail, teams: tuple[Choice, ...]) -> None:
        actor = self.actor
        # What the retry became, set by the form's worker thread, read once the form closed.
        outcome: list[IngestResult] = []

        def perform(values: RetryValues, _version: int | None) -> None:
            outcome.append(
                retry_quarantined(actor, current.id, team=values.team, ticket=values.ticket)
            )

        form = ActionForm(
            f"Retry message #{current.id}",
            [
                FieldSpec(
                    "team",
                    "Team (for an unknown sender)",
                    "select",
                    options=tuple((f"{team.label} ({team.value})", team.value) for team in teams),
                    placeholder="Choose a team…",
                ),
                FieldSpec("ticket", "Or append to ticket", placeholder="DSK-000123"),
            ],
            RetryValues,
            perform,
            intro=Content(one_line(current.reason)),
            submit_label="Retry",
        )

        def closed(saved: bool | None) -> None:
            if saved and outcome:
                self._filed(current, outcome[-1])

        self.app.push_screen(form, callback=closed)

    def _filed(self, current: QuarantinedMail, result: IngestResult) -> None:
        """Say which ticket the message became (the row leaves the list: it is reviewed)."""
        self.last_result = result
        text = f"Message #{current.id}: {describe_result(result)}"
        self._status(text)
        self.notify(text, markup=False)
        self.load()

    def action_dismiss_message(self) -> None:
        current = self._current()
        if current is None:
            return
        actor = self.actor
        form = ActionForm(
            f"Dismiss message #{current.id}",
            [FieldSpec("note", "Why", required=True)],
            DismissValues,
            lambda v, _version: dismiss_quarantined(actor, current.id, v.note),
            submit_label="Dismiss",
        )
        self.app.push_screen(form, callback=self._done)


def describe_result(result: IngestResult) -> str:
    """``opened DSK-000123``, ``appended to DSK-000045`` …: what a filed message became."""
    reference = result.reference or "no ticket"
    if result.action == "opened":
        text = f"opened {reference}"
    elif result.action in ("appended", "bounce"):
        text = f"{'appended' if result.action == 'appended' else 'bounce logged'} to {reference}"
    elif result.action == "duplicate":
        text = f"a duplicate, already on {reference}"
    else:
        text = f"{result.action} {reference}"
    if result.effect:
        text += f" ({result.effect})"
    return text


def show_quarantine(app: DeskApp) -> None:
    app.push_screen(QuarantineScreen())
