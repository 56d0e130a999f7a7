"""The change feed's read side: ``ChangeWatcher`` tells a callback that another process committed.

One watcher per open app. It runs a daemon thread that holds one connection of its own and
reports "the latest event id is now N" (``on_change``) and "the database is reachable / lost"
(``on_state``). It never raises into its caller; errors are logged and become ``on_state(False)``
followed by reconnect attempts with back-off.

- **PostgreSQL**: a dedicated autocommit psycopg connection (outside the pool) doing
  ``LISTEN deskui_events``. A notification is only a hint: the watcher then reads the newest
  event id from the events table on the same connection, so the figure it reports is the truth
  even when notifications were coalesced or lost. Every ``safety_interval`` seconds it reads that
  id anyway, in case a NOTIFY went missing. After a reconnect it re-LISTENs and compares the
  newest id with the last one it reported: anything committed while it was away is reported as
  one catch-up change (read ``events_after`` for the details). TCP keepalives make a silently
  dropped connection fail within seconds instead of hanging.
- **SQLite**: there is no NOTIFY, so a long-lived connection polls ``PRAGMA data_version`` every
  ``poll_interval`` seconds (a few microseconds per call). That number changes only when *another*
  connection commits — which every writer is, the watcher never writes — and when it changes the
  watcher reads the newest event id. The ``safety_interval`` read covers anything else.

Writers record events with ``changes.record_event``; a commit without an event is not reported.
Callbacks run on the watcher thread: they must be quick and must hand UI work to the UI thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from deskui.store.changes import EVENTS_CHANNEL
from deskui.store.engine import normalise_url
from deskui.store.session import Database

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

# What a callback returns is ignored (``App.post_message`` answers whether it posted).
ChangeCallback = Callable[[int], object]
StateCallback = Callable[[bool], object]

_LATEST_SQL = "SELECT coalesce(max(id), 0) FROM event"


class _Source(Protocol):
    """One connection to watch through; used by a single thread."""

    def latest_event_id(self) -> int: ...

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds; ``True`` if something may have changed."""
        ...

    def close(self) -> None: ...


class _PostgresSource:
    def __init__(self, database: Database, channel: str, listen_url: str | None = None) -> None:
        # Imported here: a desk on SQLite never loads the PostgreSQL driver.
        import psycopg
        from psycopg import sql

        # ``listen_url``: the same database by another road, for a pool in front of the server
        # that pools by transaction (LISTEN needs a session of its own; see the README).
        url = database.engine.url if listen_url is None else normalise_url(listen_url)
        args, params = database.engine.dialect.create_connect_args(url)
        params.update(
            autocommit=True,
            connect_timeout=5,
            application_name="deskui-feed",
            # Detect a peer that vanished without closing the connection within ~10 s.
            keepalives=1,
            keepalives_idle=5,
            keepalives_interval=2,
            keepalives_count=3,
        )
        self.connection: psycopg.Connection[Any] = psycopg.connect(*args, **params)
        try:
            self.connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        except BaseException:
            self.connection.close()
            raise

    def latest_event_id(self) -> int:
        row = self.connection.execute(_LATEST_SQL).fetchone()
        return int(row[0]) if row else 0

    def wait(self, timeout: float) -> bool:
        # Notifications that arrive while a query runs are kept by psycopg and come out here.
        return any(True for _ in self.connection.notifies(timeout=timeout, stop_after=1))

    def close(self) -> None:
        self.connection.close()


class _SqliteSource:
    def __init__(self, database: Database) -> None:
        # A pooled connection already carries deskui's pragmas; it is in autocommit mode
        # (the engine switched the driver's transactions off), so each read sees the newest
        # committed state.
        self.connection = database.engine.raw_connection()
        self.data_version = self._data_version()

    def _data_version(self) -> int:
        cursor = self.connection.cursor()
        try:
            cursor.execute("PRAGMA data_version")
            row = cursor.fetchone()
            return int(row[0]) if row else 0
        finally:
            cursor.close()

    def latest_event_id(self) -> int:
        cursor = self.connection.cursor()
        try:
            cursor.execute(_LATEST_SQL)
            row = cursor.fetchone()
            return int(row[0]) if row else 0
        finally:
            cursor.close()

    def wait(self, timeout: float) -> bool:
        time.sleep(timeout)
        version = self._data_version()
        changed = version != self.data_version
        self.data_version = version
        return changed

    def close(self) -> None:
        self.connection.close()


class ChangeWatcher:
    """Watch one database for committed changes from other connections and processes.

    ``on_change(latest_event_id)`` is called when the newest event id differs from the last one
    reported (the first reading is the baseline unless ``after_id`` is given); ``on_state(True)``
    when the watcher (re)connects and ``on_state(False)`` when it loses the database — only on
    transitions. Both are called on the watcher's thread. ``start()`` and ``stop()`` may be
    called from any thread, more than once.
    """

    def __init__(
        self,
        database: Database,
        on_change: ChangeCallback,
        on_state: StateCallback | None = None,
        *,
        after_id: int | None = None,
        poll_interval: float = 0.25,
        safety_interval: float = 5.0,
        retry_delay: float = 0.5,
        max_retry_delay: float = 5.0,
        channel: str = EVENTS_CHANNEL,
        listen_url: str | None = None,
    ) -> None:
        if poll_interval <= 0 or safety_interval <= 0 or retry_delay <= 0:
            raise ValueError("intervals and delays must be positive")
        self.database = database
        self.on_change = on_change
        self.on_state = on_state
        self.poll_interval = poll_interval
        self.safety_interval = safety_interval
        self.retry_delay = retry_delay
        self.max_retry_delay = max(max_retry_delay, retry_delay)
        self.channel = channel
        self.listen_url = listen_url
        self._last_id = after_id
        self._online: bool | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- control
    @property
    def online(self) -> bool | None:
        """``None`` before the first connection attempt, then whether the database answers."""
        return self._online

    @property
    def last_event_id(self) -> int | None:
        """The newest event id reported (or the baseline), ``None`` before the first reading."""
        return self._last_id

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self) -> None:
        """Start watching (no-op when already running)."""
        with self._lock:
            # A thread told to stop (``stop(timeout=0)``) may still be winding down: it calls
            # nothing more, so a new one can start beside it.
            if self.running and not self._stopping.is_set():
                return
            self._stopping = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(self._stopping,), name="deskui-change-watcher", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop watching; waits up to ``timeout`` seconds for the thread (``0``: do not wait).

        No callback starts after ``stop()`` returns, but one already under way may finish.
        """
        with self._lock:
            self._stopping.set()
            thread = self._thread
        if thread is None or thread is threading.current_thread() or timeout == 0:
            return
        thread.join(timeout)
        if thread.is_alive():
            log.warning("change watcher did not stop within %s s", timeout)

    # ----------------------------------------------------------------- thread
    def _open(self) -> _Source:
        if self.database.dialect == "postgresql":
            return _PostgresSource(self.database, self.channel, self.listen_url)
        return _SqliteSource(self.database)

    def _run(self, stopping: threading.Event) -> None:
        delay = self.retry_delay
        while not stopping.is_set():
            try:
                source = self._open()
            except Exception as exc:
                self._lost(stopping, exc)
            else:
                try:
                    self._watch(source, stopping)
                    delay = self.retry_delay
                except Exception as exc:
                    self._lost(stopping, exc)
                    delay = self.retry_delay
                finally:
                    _close_quietly(source)
            if stopping.wait(delay):
                break
            delay = min(delay * 2, self.max_retry_delay)

    def _watch(self, source: _Source, stopping: threading.Event) -> None:
        self._check(source.latest_event_id(), stopping, connected=True)
        next_safety_check = time.monotonic() + self.safety_interval
        while not stopping.is_set():
            hinted = source.wait(self.poll_interval)
            if stopping.is_set():
                return
            now = time.monotonic()
            if hinted or now >= next_safety_check:
                self._check(source.latest_event_id(), stopping)
                next_safety_check = now + self.safety_interval

    def _check(self, latest: int, stopping: threading.Event, *, connected: bool = False) -> None:
        if stopping.is_set():
            return
        if connected:
            self._set_state(True, stopping)
        previous, self._last_id = self._last_id, latest
        # A smaller id than before means the database was replaced: that is a change too.
        if previous is not None and latest != previous:
            self._call(self.on_change, latest, stopping)

    def _lost(self, stopping: threading.Event, exc: Exception) -> None:
        if not stopping.is_set():
            log.info("change watcher lost the database: %s", _first_line(exc))
        self._set_state(False, stopping)

    def _set_state(self, online: bool, stopping: threading.Event) -> None:
        if self._online is online or stopping.is_set():
            return
        self._online = online
        if self.on_state is not None:
            self._call(self.on_state, online, stopping)

    @staticmethod
    def _call(callback: Callable[[Any], object], value: Any, stopping: threading.Event) -> None:
        if stopping.is_set():
            return
        try:
            callback(value)
        except Exception:
            # A broken callback must not kill the watcher (and with it every later update).
            log.exception("change watcher callback %r failed", callback)


def _close_quietly(source: _Source) -> None:
    try:
        source.close()
    except Exception as exc:  # a dead connection may fail to close in any number of ways
        log.debug("closing the change watcher's connection: %s", exc)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
