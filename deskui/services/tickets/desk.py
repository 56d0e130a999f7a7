"""The desk as the app sees it: who is signed in, the queue panes, countdowns, opening hours.

``DeskService.open`` signs the agent in and builds the ``Actor`` the screens pass to every use
case (``desk.actor``). ``DeskService.open_viewer`` is the wall display's desk: a read-only
viewer that is no row in the agents table and has no ``Actor`` at all, so nothing it drives can
write, be audited or raise alerts as a person. Its queries run in the app's thread workers;
business time remaining is computed here, from data in memory, for the rows on screen only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from zoneinfo import ZoneInfo

import platformdirs
from sqlalchemy import select
from sqlalchemy.orm import Session

from deskui.domain.calendar.book import CalendarBook
from deskui.domain.sla.policy import PolicySpec
from deskui.domain.timesource import TimeSource
from deskui.domain.views import ViewSpec
from deskui.domain.vocabulary import OPEN_STATUSES, Status
from deskui.services.actor import Actor, default_settings
from deskui.services.connect import open_database, require_schema
from deskui.services.errors import PermissionDeniedError, ServiceError
from deskui.services.tickets import alerts, saved_views
from deskui.services.tickets.alerts import SlaAlertView
from deskui.services.tickets.queue_order import business_remaining, clock_calendar, remaining_key
from deskui.services.tickets.sla_context import sla_context
from deskui.services.tickets.views import QueuePage, QueueRow
from deskui.settings import APP_NAME, Settings
from deskui.store.models import Agent, Desk, Team
from deskui.store.queue_queries import QueueRecord, count_open, open_tickets_page
from deskui.store.session import Database

WAITING = (Status.WAITING_ON_CUSTOMER.value,)
OPEN = tuple(sorted(s.value for s in OPEN_STATUSES))
PANE_FILTERS: dict[str, dict[str, object]] = {
    "mine": {"statuses": OPEN},
    "unassigned": {"statuses": OPEN, "unassigned": True},
    "open": {"statuses": OPEN},
    "waiting": {"statuses": WAITING},
}


# The store's record carries the same fields; the calendar is the one of the clock that is due.
_QUEUE_ROW_FIELDS = tuple(f.name for f in fields(QueueRow) if f.name != "calendar")

# What the header says in place of an agent on a wall display.
WALL_DISPLAY = "wall display"


class DeskSetupError(ServiceError):
    """The desk cannot open: no schema, no data, or an unknown agent."""


@dataclass(frozen=True)
class SignedInAgent:
    id: int
    handle: str
    name: str
    timezone: str
    roles: frozenset[str]
    team_calendar: str | None
    # A read-only viewer (a wall display): not an agent, holds no roles, may not act.
    viewer: bool = False


def _state_file() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME)) / "ui-state.json"


def remembered_theme() -> str | None:
    try:
        return json.loads(_state_file().read_text(encoding="utf-8")).get("theme")
    except (OSError, ValueError, AttributeError):
        return None


class DeskService:
    """One signed-in agent's view of one database."""

    def __init__(
        self,
        database: Database,
        agent: SignedInAgent,
        *,
        desk_name: str,
        book: CalendarBook,
        policies: dict[str, PolicySpec],
        clock: TimeSource,
        settings: Settings | None = None,
        page_size: int = 200,
        feed_url: str | None = None,
    ) -> None:
        self.database = database
        # Where the change feed listens, when not through ``database`` (a transaction pooler).
        self.feed_url = feed_url
        self.agent = agent
        self.desk_name = desk_name
        self.book = book
        self.policies = policies
        self._clock = clock
        self.page_size = page_size
        # Who the screens act as: every write they make takes this (with the settings, so
        # the app acknowledges mail with the same Message-ID domain as the CLI).
        chosen = settings if settings is not None else default_settings()
        # A viewer gets no Actor: every write path starts from one, so it cannot write.
        self._actor = None if agent.viewer else Actor(database, agent.handle, clock, chosen)

    @property
    def actor(self) -> Actor:
        """Who the screens act as; a viewer (a wall display) is refused: it only reads."""
        if self._actor is None:
            raise PermissionDeniedError("a wall display only reads the board: it cannot act")
        return self._actor

    @property
    def is_viewer(self) -> bool:
        return self.agent.viewer

    @classmethod
    def open(cls, settings: Settings) -> DeskService:
        """Connect, check the schema and data, and sign ``settings.agent`` in."""
        return cls._open(settings, lambda session, _desk: _sign_in(session, settings.agent))

    @classmethod
    def open_viewer(cls, settings: Settings, *, team: str | None = None) -> DeskService:
        """The wall display's desk: nobody signed in (``settings.agent`` is not read), the
        desk's time zone, and with ``team`` that team's opening hours (``DeskSetupError``
        naming the known teams for an unknown slug)."""

        def viewer(session: Session, desk_row: Desk | None) -> SignedInAgent:
            calendar = _team_calendar(session, team) if team is not None else None
            return SignedInAgent(
                id=0,  # no agent row has id 0: "mine" and saved views hold nothing
                handle="",
                name=WALL_DISPLAY,
                timezone=desk_row.timezone if desk_row is not None else "UTC",
                roles=frozenset(),
                team_calendar=calendar,
                viewer=True,
            )

        return cls._open(settings, viewer)

    @classmethod
    def _open(
        cls, settings: Settings, who: Callable[[Session, Desk | None], SignedInAgent]
    ) -> DeskService:
        database = open_database(settings.database_url)
        try:
            require_schema(database)
            with database.read() as session:
                context = sla_context(database, session)
                desk_row = session.get(Desk, 1)
                agent = who(session, desk_row)
                desk_name = desk_row.name if desk_row is not None else settings.desk_name
        except Exception:
            database.dispose()
            raise
        return cls(
            database,
            agent,
            desk_name=desk_name,
            book=context.book,
            policies=context.policies,
            clock=settings.time_source(),
            settings=settings,
            feed_url=settings.feed_database_url,
        )

    # ------------------------------------------------------------------ who and when
    @property
    def agent_label(self) -> str:
        if self.agent.viewer:
            return self.agent.name
        return f"{self.agent.name} ({self.agent.handle})"

    @property
    def agent_zone(self) -> ZoneInfo:
        return ZoneInfo(self.agent.timezone)

    def now(self) -> dt.datetime:
        return self._clock.now()

    def is_open(self, now: dt.datetime) -> bool:
        """Whether the agent's (first) team is within business hours."""
        name = self.agent.team_calendar
        if name is None or name not in self.book:
            return True
        return self.book.get(name).is_open(now)

    def require_team(self, slug: str) -> None:
        """``DeskSetupError`` naming the known teams unless ``slug`` is one."""
        with self.database.read() as session:
            _team_calendar(session, slug)

    def remember_theme(self, name: str) -> None:
        path = _state_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"theme": name}), encoding="utf-8")
        except OSError:
            pass  # remembering is a courtesy; never break the desk over it

    # ------------------------------------------------------------------ queue
    def queue_page(
        self,
        pane: str,
        *,
        order: str = "priority",
        text: str = "",
        limit: int | None = None,
        breached_first: bool = True,
    ) -> QueuePage:
        """The first ``limit`` rows (default ``page_size``) of ``pane`` and its total.

        Rows are ordered by what the queue shows: business time left on each ticket's own
        calendar (after the priority rank for ``order="priority"``), not the wall-clock due
        instant, which orders tickets on different calendars differently. With
        ``breached_first`` every breached ticket of the pane (up to ``limit``) comes first, in
        a band of its own, most overdue first, so one never sits below work with hours to spare.
        """
        filters = dict(PANE_FILTERS[pane])
        if pane == "mine":
            filters["assignee"] = self.agent.id
        limit = limit or self.page_size
        now = self.now()
        with self.database.read() as session:
            breached_records = (
                open_tickets_page(
                    session,
                    order="due",
                    text_filter=text or None,
                    limit=limit,
                    due_before=now,
                    **filters,  # type: ignore[arg-type]
                )
                # In due order the breached (past due) tickets already come first.
                if breached_first and order != "due"
                else []
            )
            records = open_tickets_page(
                session,
                order="due" if order == "due" else "priority",
                text_filter=text or None,
                limit=limit,
                **filters,  # type: ignore[arg-type]
            )
            total = count_open(session, text_filter=text or None, **filters)  # type: ignore[arg-type]
        band = [self._row(r) for r in breached_records]
        if breached_first and order == "due":
            band = [self._row(r) for r in records if r.next_due_at and r.next_due_at < now]
        in_band = {row.reference for row in band}
        rest = [self._row(r) for r in records if r.reference not in in_band]
        band.sort(key=lambda row: self._remaining_key(row, now))
        if order == "due":
            rest.sort(key=lambda row: self._remaining_key(row, now))
        else:
            rest.sort(key=lambda row: (row.priority_rank, *self._remaining_key(row, now)))
        return QueuePage(rows=(band + rest)[:limit], total=total, breached=len(band))

    def _row(self, record: QueueRecord) -> QueueRow:
        return QueueRow(
            **{name: getattr(record, name) for name in _QUEUE_ROW_FIELDS},
            calendar=self._clock_calendar(
                record.policy, record.priority, record.next_clock, record.calendar
            ),
        )

    def _remaining_key(self, row: QueueRow, now: dt.datetime) -> tuple[int, int, float, int]:
        """Sort key by business time left: no running clock last, ties by due, then id."""
        return remaining_key(self.book, row.calendar, row, now)

    def _clock_calendar(
        self, policy: str | None, priority: str, clock: str | None, fallback: str | None
    ) -> str | None:
        """The calendar the next clock counts on (Kenco's callback runs on kenco-24x7)."""
        return clock_calendar(self.policies, policy, priority, clock, fallback)

    def business_remaining(self, row: QueueRow, now: dt.datetime) -> int | None:
        """Business seconds until the row's next due (negative once breached)."""
        return business_remaining(self.book, row.calendar, row.next_due_at, now)

    # ------------------------------------------------------------------ saved views
    def views(self) -> list[ViewSpec]:
        """The signed-in agent's views: the four defaults (or their replacements), then
        their own (``services.tickets.saved_views``)."""
        return saved_views.list_views(self.database, self.agent.id)

    def save_view(self, spec: ViewSpec) -> ViewSpec:
        return saved_views.save_view(self.actor, spec)

    def delete_view(self, name: str) -> None:
        saved_views.delete_view(self.actor, name)

    def view_page(
        self,
        view: ViewSpec | str,
        *,
        text: str = "",
        limit: int | None = None,
        offset: int = 0,
        order: str | None = None,
    ) -> QueuePage:
        """The first ``limit`` rows (default ``page_size``) of a view (or a view's name) in its
        own order (or ``order``: priority, due, opened, updated), and its total; rows as
        ``queue_page`` gives them, the view's breached tickets first in a band of their own."""
        spec = view if isinstance(view, ViewSpec) else self._named_view(view)
        result = saved_views.run_view(
            self.database,
            spec,
            agent_id=self.agent.id,
            now=self.now(),
            limit=limit or self.page_size,
            offset=offset,
            text_filter=text or None,
            order=order,
        )
        rows = [self._row(r) for r in result.records]
        return QueuePage(rows=rows, total=result.total, breached=result.breached)

    def views_containing(self, views: list[ViewSpec], ticket_ids: list[int]) -> dict[str, set[int]]:
        """Which of ``ticket_ids`` each view holds (to badge the panes an alert is in)."""
        return saved_views.views_containing(
            self.database, views, ticket_ids, agent_id=self.agent.id, now=self.now()
        )

    def _named_view(self, name: str) -> ViewSpec:
        return saved_views.get_view(self.database, self.agent.id, name)

    def check_alerts(self, default_warning_minutes: int | None = None) -> list[SlaAlertView]:
        """New warnings and breaches on the agent's tickets (a supervisor's: their teams'
        too), each once (``services.tickets.alerts``); the window defaults to the settings'
        ``warning_minutes`` where the policy sets none."""
        return alerts.check_alerts(self.actor, default_warning_minutes=default_warning_minutes)

    def warning_seconds(self, policy: str | None, default_minutes: int) -> int:
        """The warning window of ``policy`` (its ``warning_minutes``, else the setting)."""
        spec = self.policies.get(policy or "")
        return spec.warning_seconds(default_minutes) if spec else default_minutes * 60


def _team_calendar(session: Session, slug: str) -> str:
    """The calendar of team ``slug``; ``DeskSetupError`` naming the known teams if none."""
    team = session.scalars(select(Team).where(Team.slug == slug)).one_or_none()
    if team is None:
        known = ", ".join(session.scalars(select(Team.slug).order_by(Team.slug)))
        raise DeskSetupError(f"unknown team {slug!r} (known: {known or 'none'})")
    return team.calendar.name


def _sign_in(session: Session, handle: str | None) -> SignedInAgent:
    handles = list(session.scalars(select(Agent.handle).where(Agent.active).order_by(Agent.handle)))
    if not handles:
        raise DeskSetupError(
            "the database has no agents yet: run 'deskui db seed sample_data' (or 'make demo')"
        )
    if handle is None:
        raise DeskSetupError(
            f"who is signing in? pass --as HANDLE or set DESKUI_AGENT (known: {', '.join(handles)})"
        )
    agent = session.scalars(select(Agent).where(Agent.handle == handle)).one_or_none()
    if agent is None or not agent.active:
        raise DeskSetupError(f"unknown agent {handle!r} (known: {', '.join(handles)})")
    team: Team | None = agent.teams[0] if agent.teams else None
    return SignedInAgent(
        id=agent.id,
        handle=agent.handle,
        name=agent.name,
        timezone=agent.timezone,
        roles=frozenset(str(role) for role in agent.roles),
        team_calendar=team.calendar.name if team is not None else None,
    )
