"""One desk, many agents, as the app shows it (issue 6), on SQLite and a real PostgreSQL.

- Another process's commit reaches the queue panes and the open ticket view without a key
  press (the fallback polls and the feed's safety read are set to a minute, so only the
  change feed's NOTIFY / ``data_version`` can explain it). How fast is a figure of
  ``bench/live_desk_bench.py`` (target 1 s on PostgreSQL, 2 s on SQLite), not asserted here.
- PostgreSQL going away under a running app: the header says offline, the screen keeps what it
  shows, a half-typed note survives a refused save, and when the database is back the app
  recovers by itself and shows what another agent committed meanwhile.
- Two apps on one database see each other in the ticket view's presence line.
- A plain agent pressing ``g`` on a colleague's ticket is refused, and the refusal is logged.

(No SQLite offline test: an open SQLite file stays readable through the connections that have
it open even when it is moved or its permissions are taken away, and there is no server to
stop; "offline" is a PostgreSQL condition.)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pilot_helpers import wait_until
from psycopg import sql
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from ticket_helpers import open_test_ticket, screen_text, show_ticket, type_in

from deskui.services.actor import Actor
from deskui.services.catalog.demo import DEMO_AGENT, build_demo_database
from deskui.services.tickets.desk import DeskService
from deskui.services.tickets.lifecycle import acknowledge, add_note
from deskui.settings import Settings
from deskui.store.feed import ChangeWatcher
from deskui.store.models import AuditRefusal
from deskui.store.session import Database
from deskui.ui.app import DeskApp
from deskui.ui.screens.forms.base import ActionForm
from deskui.ui.screens.queue import QueueScreen
from deskui.ui.screens.ticket import TicketScreen
from deskui.ui.widgets.desk_header import DeskHeader
from deskui.ui.widgets.interaction_log import InteractionLog

# One worker runs every 'live-feed' test (under `make test`'s pytest-xdist), one after
# another: they time the change feed's deliveries, so they should not compete with each other.
pytestmark = pytest.mark.xdist_group("live-feed")

FROZEN_NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
QUIET = 60.0  # the fallback polls never fire during a test
GENEROUS = 15.0  # only a change that never comes takes this long, however loaded the machine


@pytest.fixture(scope="module")
def postgres_demo_template(postgres_cluster: Any, postgres_pool: Any) -> Iterator[str]:
    """The demo desk built once on PostgreSQL; each test gets a copy."""
    name = postgres_cluster.fresh_database_name("demo")
    url = postgres_cluster.create_database(name, template=postgres_pool.template)
    build_demo_database(Settings(database_url=url, now=FROZEN_NOW, agent=DEMO_AGENT), SAMPLE_DATA)
    try:
        yield name
    finally:
        postgres_cluster.drop_database(name)


@pytest.fixture
def postgres_demo_settings(
    postgres_cluster: Any, postgres_demo_template: str
) -> Iterator[Settings]:
    name = postgres_cluster.fresh_database_name()
    url = postgres_cluster.create_database(name, template=postgres_demo_template)
    try:
        yield Settings(database_url=url, now=FROZEN_NOW, agent=DEMO_AGENT, refresh_seconds=QUIET)
    finally:
        postgres_cluster.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def live_settings(request: pytest.FixtureRequest) -> Settings:
    if request.param == "sqlite":
        settings = request.getfixturevalue("demo_settings")
        return settings.model_copy(update={"refresh_seconds": QUIET})
    return request.getfixturevalue("postgres_demo_settings")


def desk_app(settings: Settings, **overrides: object) -> DeskApp:
    settings = settings.model_copy(update=overrides)
    app = DeskApp(DeskService.open(settings), refresh_seconds=settings.refresh_seconds)
    app.animation_level = "none"
    return app


def log_text(screen: TicketScreen) -> str:
    return "\n".join(screen.query_one(InteractionLog).plain_lines())


def queue_of(app: DeskApp) -> QueueScreen:
    return next(s for s in app.screen_stack if isinstance(s, QueueScreen))


async def in_child(*args: str) -> Any:
    """Run ``live_workers.py`` with ``args`` in another process; its JSON answer."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name("live_workers.py")),
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await child.communicate()
    assert child.returncode == 0, err.decode()
    return json.loads(out)


@pytest.fixture
def feed_without_safety_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every change watcher the app starts reads the newest event only when told (its periodic
    safety read, normally every few seconds, is a minute away)."""
    original = ChangeWatcher.__init__

    def quiet_init(self: ChangeWatcher, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **{**kwargs, "safety_interval": QUIET})

    monkeypatch.setattr(ChangeWatcher, "__init__", quiet_init)


async def test_another_process_commit_reaches_queue_and_ticket_view(
    live_settings: Settings, feed_without_safety_read: None
) -> None:
    ref = open_test_ticket(live_settings)
    app = desk_app(live_settings)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await show_ticket(app, pilot, ref)
        queue = queue_of(app)
        await wait_until(pilot, lambda: queue._totals.get("open", 0) > 0)
        log = screen.query_one(InteractionLog)
        log.scroll_home(animate=False)
        await pilot.pause()
        note = "Checked the printer queue from the other office"
        subject = "Payroll export stops at 80 percent"
        # The commit happens in another process while this loop keeps running the app.
        job = asyncio.create_task(
            in_child(live_settings.database_url, ref, note, subject, FROZEN_NOW.isoformat())
        )
        seen: dict[str, float] = {}
        deadline = time.monotonic() + 60
        while len(seen) < 2 and time.monotonic() < deadline:
            await pilot.pause()
            if "queue" not in seen and any(r.subject == subject for r in queue._rows["open"]):
                seen["queue"] = time.time()
            if "ticket" not in seen and note in log_text(screen):
                seen["ticket"] = time.time()
            await asyncio.sleep(0.02)
        _, opened, noted = await job
        assert set(seen) == {"queue", "ticket"}, seen
        assert seen["queue"] - opened < GENEROUS, seen["queue"] - opened
        assert seen["ticket"] - noted < GENEROUS, seen["ticket"] - noted
        assert log.scroll_y == 0  # the reader's place is kept
        assert "Assignee" in screen_text(app)


@pytest.mark.postgres
async def test_postgres_lost_and_back_offline_badge_draft_kept_changes_shown(
    postgres_cluster: Any, postgres_demo_settings: Settings
) -> None:
    settings = postgres_demo_settings
    ref = open_test_ticket(settings)
    name = make_url(settings.database_url).database
    assert name is not None
    other = Database(settings.database_url)  # another agent, connected before the outage
    with other.read() as session:  # its pooled connection survives the outage
        other_pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    app = desk_app(settings)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await show_ticket(app, pilot, ref)
            await wait_until(pilot, lambda: bool(app.feed.online))
            await pilot.press("n")
            await wait_until(pilot, lambda: isinstance(app.screen, ActionForm))
            form = app.screen
            assert isinstance(form, ActionForm)
            await type_in(pilot, form, "body", "Half a thought")

            with postgres_cluster.admin() as admin:
                admin.execute(
                    sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(
                        sql.Identifier(name)
                    )
                )
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> %s",
                    (name, other_pid),
                )
            try:
                await wait_until(pilot, lambda: screen.offline, timeout=15)
                assert screen.query_one(DeskHeader).badge == "offline"
                await wait_until(pilot, lambda: queue_of(app).offline, timeout=10)
                assert queue_of(app).query_one(DeskHeader).badge == "offline"
                entries = log_text(screen)
                assert ref in str(screen.query_one("#ticket-title").render())  # still readable
                # Saving now is refused; nothing typed is lost.
                await pilot.press("ctrl+s")
                await wait_until(pilot, lambda: bool(form.errors) and not form.saving)
                assert "nothing saved" in form.errors["form"]
                assert "text is kept" in form.errors["form"]
                assert form.values()["body"] == "Half a thought"
                # Meanwhile another agent (still connected) adds a note.
                add_note(
                    Actor.of(other, "dpatel", at=FROZEN_NOW), ref, "Written while you were offline"
                )
                await asyncio.sleep(1.0)
                assert screen.offline
            finally:
                with postgres_cluster.admin() as admin:
                    admin.execute(
                        sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(
                            sql.Identifier(name)
                        )
                    )
            await wait_until(pilot, lambda: not screen.offline and screen.live, timeout=20)
            await wait_until(
                pilot, lambda: "Written while you were offline" in log_text(screen), timeout=10
            )
            assert not queue_of(app).offline
            # The draft is still there and saves now.
            assert app.screen is form
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: app.screen is not form, timeout=10)
            await wait_until(pilot, lambda: "Half a thought" in log_text(screen), timeout=10)
            assert screen.query_one(DeskHeader).badge == "live"
            assert entries in log_text(screen)  # what was shown is still there, and more
            header = screen_text(app).splitlines()[0]
            assert "● live" in header
    finally:
        other.dispose()


async def test_two_apps_on_one_database_see_each_other(demo_settings: Settings) -> None:
    ref = open_test_ticket(demo_settings)
    first = desk_app(demo_settings, refresh_seconds=QUIET)
    second = desk_app(demo_settings, refresh_seconds=QUIET, agent="dpatel")
    async with first.run_test(size=(120, 40)) as pilot_one:
        one = await show_ticket(first, pilot_one, ref)
        assert one.viewers == []
        async with second.run_test(size=(120, 40)) as pilot_two:
            two = await show_ticket(second, pilot_two, ref)
            await wait_until(
                pilot_two, lambda: [v.name for v in two.viewers] == ["Michael Brennan"]
            )
            await wait_until(pilot_one, lambda: [v.name for v in one.viewers] == ["Dev Patel"])
            await wait_until(
                pilot_one, lambda: "Also open by: Dev Patel (0 min)" in screen_text(first)
            )
            await pilot_two.press("escape")  # dpatel leaves the ticket
            await wait_until(pilot_two, lambda: isinstance(second.screen, QueueScreen))
            await wait_until(pilot_one, lambda: one.viewers == [], timeout=10)
            await wait_until(pilot_one, lambda: "Also open by" not in screen_text(first))


async def test_plain_agent_pressing_g_on_a_colleagues_ticket_is_refused(
    demo_settings: Settings,
) -> None:
    ref = open_test_ticket(demo_settings)
    database = Database(demo_settings.database_url)
    try:
        acknowledge(Actor.of(database, "kwalsh", at=FROZEN_NOW), ref)
        app = desk_app(demo_settings, refresh_seconds=QUIET)  # mbrennan: agent only
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await show_ticket(app, pilot, ref)
            await pilot.press("g")
            await wait_until(
                pilot,
                lambda: any("may not reassign tickets" in n.message for n in app._notifications),
            )
            assert not isinstance(app.screen, ActionForm)
            assert screen.page is not None
        with database.read() as session:
            refusals = session.scalars(select(AuditRefusal)).all()
        assert [(r.actor, r.action, r.target) for r in refusals] == [
            ("mbrennan", "reassign tickets", ref)
        ]
    finally:
        database.dispose()
