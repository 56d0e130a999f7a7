"""An obviously-correct, slow business calendar for the tests: it steps minute by minute.

It reads the ``CalendarSpec`` directly (not the compiled code) and asks of every minute "is
the desk open now?". All opening boundaries are whole minutes, so a minute is either wholly
open or wholly shut, and sums over minutes are exact to the second.

Local time follows the engine's documented DST rule through a wall clock that never runs
backwards: at each minute it reads the furthest the local clock has shown so far. When clocks
go back the repeated hour therefore reads as the moment just before the change, and when they
go forward the skipped wall times are passed over at the jump.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import holidays

from deskui.domain.calendar.spec import WEEKDAYS, CalendarSpec

MINUTE = 60
_LOOKBACK_MINUTES = 150  # longer than any real backward clock change (1 hour, or 30 min)


class MinuteOracle:
    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.timezone)
        self.hours: list[list[tuple[int, int]]] = []
        for day in WEEKDAYS:
            if spec.always_open:
                self.hours.append([(0, 24 * 60)])
            else:
                self.hours.append([(i.start_minute, i.end_minute) for i in spec.hours.get(day, ())])
        self.closed_days = {c.date for c in spec.closures if c.start is None}
        self.partials = [
            (dt.datetime.combine(c.date, c.start), dt.datetime.combine(c.date, c.end))
            for c in spec.closures
            if c.start is not None and c.end is not None
        ]
        self.holidays: frozenset[dt.date] = (
            frozenset(
                holidays.country_holidays(
                    spec.holidays.country,
                    subdiv=spec.holidays.subdivision,
                    years=range(2015, 2045),
                    categories=spec.holidays.categories,
                )
            )
            if spec.holidays
            else frozenset()
        )

    # ---- the one question --------------------------------------------------------------

    def wall(self, epoch: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(epoch, self.zone).replace(tzinfo=None)

    def day_closed(self, day: dt.date) -> bool:
        return day in self.holidays or day in self.closed_days

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - oracles live for the whole session
    def day_windows(self, day: dt.date) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        """The wall-clock readings ``day``'s intervals cover; none on a closed day."""
        if self.day_closed(day):
            return ()
        midnight = dt.datetime.combine(day, dt.time())
        return tuple(
            (midnight + dt.timedelta(minutes=start), midnight + dt.timedelta(minutes=end))
            for start, end in self.hours[day.weekday()]
        )

    def open_by_day(self, reading: dt.datetime, day: dt.date) -> bool:
        """Is the clock reading inside an interval of ``day`` (and no partial closure)?"""
        inside = any(start <= reading < end for start, end in self.day_windows(day))
        return inside and not any(start <= reading < end for start, end in self.partials)

    def open_reading(self, reading: dt.datetime) -> bool:
        today = reading.date()
        return self.open_by_day(reading, today) or self.open_by_day(
            reading, today - dt.timedelta(days=1)
        )

    # ---- walking -----------------------------------------------------------------------

    def walk(self, start: int):
        """Yield (minute_start, clock_reading) for each minute from the one holding ``start``."""
        minute = start - start % MINUTE
        reading = max(self.wall(minute - k * MINUTE) for k in range(_LOOKBACK_MINUTES))
        while True:
            reading = max(reading, self.wall(minute))
            yield minute, reading
            minute += MINUTE

    def is_open(self, t: int) -> bool:
        _, reading = next(self.walk(t))
        return self.open_reading(reading)

    def elapsed(self, a: int, b: int) -> int:
        if b < a:
            return -self.elapsed(b, a)
        total = 0
        for minute, reading in self.walk(a):
            if minute >= b:
                return total
            if self.open_reading(reading):
                total += min(minute + MINUTE, b) - max(minute, a)
        raise AssertionError("unreachable")

    def add(self, t: int, seconds: int) -> int:
        if seconds == 0:
            return t
        done = 0
        for minute, reading in self.walk(t):
            if not self.open_reading(reading):
                continue
            begin = max(minute, t)
            available = minute + MINUTE - begin
            if done + available >= seconds:
                return begin + seconds - done
            done += available
        raise AssertionError("unreachable")

    def next_open(self, t: int) -> int:
        for minute, reading in self.walk(t):
            if self.open_reading(reading):
                return max(minute, t)
        raise AssertionError("unreachable")

    # ---- close of business -------------------------------------------------------------

    def business_day(self, t: int) -> dt.date:
        """The earliest day whose interval holds the first open instant at or after ``t``."""
        opening = self.next_open(t)
        _, reading = next(self.walk(opening))
        yesterday = reading.date() - dt.timedelta(days=1)
        if self.open_by_day(reading, yesterday):
            return yesterday
        return reading.date()

    def day_close(self, day: dt.date) -> int | None:
        """End of the last open minute that belongs to ``day``; None if it has none."""
        if self.day_closed(day) or not self.hours[day.weekday()]:
            return None
        midnight = dt.datetime.combine(day, dt.time())
        first = min(start for start, _ in self.hours[day.weekday()])
        last = max(end for _, end in self.hours[day.weekday()])
        # Start a few hours before the first opening could possibly be, whatever DST does.
        begin_wall = midnight + dt.timedelta(minutes=first) - dt.timedelta(hours=3)
        begin = int(begin_wall.replace(tzinfo=self.zone).timestamp())
        close = None
        for minute, reading in self.walk(begin):
            if reading >= midnight + dt.timedelta(minutes=last):
                return close
            if self.open_by_day(reading, day):
                close = minute + MINUTE
        raise AssertionError("unreachable")

    def close_of_business(self, t: int, working_days: int) -> int:
        day = self.business_day(t)
        close = self.day_close(day)
        assert close is not None
        while working_days:
            day += dt.timedelta(days=1)
            later = self.day_close(day)
            if later is not None:
                close = later
                working_days -= 1
        return close
