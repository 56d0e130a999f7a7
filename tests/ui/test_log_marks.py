"""The interaction log tells internal notes from customer-facing messages by a mark (as well as
colour) and shows the feedback score and the triage step and answer; its times are in the one
date style (the year only when it is not this year's); on the ticket screen at 80×24 and
120×40."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from pilot_helpers import wait_until
from textual.widgets import DataTable

from deskui.services.tickets.views import InteractionView
from deskui.ui.app import DeskApp
from deskui.ui.screens.ticket import TicketScreen
from deskui.ui.widgets.interaction_log import InteractionLog, log_entry

NY = ZoneInfo("America/New_York")
AT = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _view(
    kind: str, direction: str, meta: dict[str, object] | None = None, at: dt.datetime = AT
) -> InteractionView:
    fields = InteractionView.__dataclass_fields__
    values: dict[str, object] = {
        "id": 1,
        "at": at,
        "kind": kind,
        "direction": direction,
        "author": "Michael Brennan",
        "author_handle": "mbrennan",
        "body": "text",
        "meta": meta or {},
        "attachments": (),
    }
    return InteractionView(**{k: v for k, v in values.items() if k in fields})  # type: ignore[arg-type]


def _header(view: InteractionView) -> str:
    return "".join(text for text, _ in log_entry(view, NY, None).header)


def test_log_times_say_the_year_only_when_it_is_not_this_one() -> None:
    this_year = log_entry(_view("note", "internal"), NY, None, AT).header
    assert this_year[0][0] == "Tue 01 Dec 10:00"
    old = _view("note", "internal", at=dt.datetime(2024, 10, 14, 13, 12, tzinfo=dt.UTC))
    assert log_entry(old, NY, None, AT).header[0][0] == "Mon 14 Oct 2024 09:12"


def test_marks_scores_and_triage_answers() -> None:
    assert _header(_view("note", "internal")).endswith("◆ internal")
    assert _header(_view("email-in", "in")).endswith("◀ from customer")
    assert _header(_view("email-out", "out")).endswith("▶ to customer")
    assert "score 4" in _header(_view("feedback", "in", {"score": 4}))
    triage = _header(_view("triage-step", "internal", {"step": "operator-error", "answer": "yes"}))
    assert "triage" in triage and "step operator-error: yes" in triage


@pytest.mark.parametrize("size", SIZES)
async def test_ticket_log_marks_internal_and_customer_entries(
    make_app: Callable[..., DeskApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: app.screen.query_one("#table-open", DataTable).row_count)
        await pilot.press("3", "enter")
        await wait_until(
            pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.loads > 0
        )
        log = app.screen.query_one(InteractionLog)
        headers = ["".join(text for text, _ in entry.header) for entry in log._entries]
        # The demo's entries are this year's: the one date style, no year.
        days = ("Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun ")
        assert headers
        assert all(h.startswith(days) and "2026" not in h.split("  ")[0] for h in headers)
        notes = [h for h in headers if "  note  " in h]
        assert notes and all(h.endswith("◆ internal") for h in notes)
        customer = [h for h in headers if "phone" in h or "email in" in h or "call in" in h]
        assert all("from customer" in h for h in customer)
