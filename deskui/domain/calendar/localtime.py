"""Local wall-clock times to UTC epoch seconds and back, with a deliberate DST rule.

Opening hours are written as local wall-clock times, but business time counts real seconds.
A wall time ``W`` becomes *the first instant at which the local clock reads ``W`` or later*:

- an ordinary time maps to its single instant;
- an ambiguous time (the repeated hour when clocks go back) maps to its first occurrence, so a
  desk open 22:00-06:00 on that night is open for 9 real hours, without a gap;
- a time that does not exist (the skipped hour when clocks go forward) maps to the instant the
  clocks jump, so an interval starting at 02:30 on that day opens at 03:00 new time.

Equivalently: an instant is inside ``[W1, W2)`` when the furthest the local clock has read so
far (a wall clock that never runs backwards) is inside ``[W1, W2)``. The tests' minute-stepping
oracle uses that second formulation.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def floor_seconds(value: float) -> int:
    """``math.floor`` for timestamps, without the import and the float detour for ints."""
    whole = int(value)
    return whole if whole <= value else whole - 1


def to_epoch(instant: dt.datetime) -> int:
    """Epoch seconds (floored) of a timezone-aware datetime; naive datetimes are refused."""
    if instant.tzinfo is None:
        raise ValueError(f"{instant.isoformat()} has no UTC offset; pass an aware datetime")
    return floor_seconds(instant.timestamp())


def from_epoch(seconds: int, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, zone)


def wall_time(seconds: int, zone: ZoneInfo) -> dt.datetime:
    """The naive local wall-clock reading at an epoch second."""
    return dt.datetime.fromtimestamp(seconds, zone).replace(tzinfo=None)


def first_instant(wall: dt.datetime, zone: ZoneInfo) -> int:
    """Epoch second at which the clock in ``zone`` first reads ``wall`` (naive) or later."""
    # Building the aware datetime directly is about twice as fast as ``replace``; comparing
    # datetimes that share a tzinfo compares their wall-clock fields only.
    aware = dt.datetime(
        wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second, tzinfo=zone
    )
    # fold=0 is the first occurrence of an ambiguous time, which is what we want.
    guess = floor_seconds(aware.timestamp())
    if dt.datetime.fromtimestamp(guess, zone) == aware:
        return guess
    # ``wall`` was skipped by a forward jump. Between the two fold readings the wall clock
    # only moves forward, so bisect for the first second reading ``wall`` or later (the jump).
    other = floor_seconds(aware.replace(fold=1).timestamp())
    low, high = min(guess, other), max(guess, other)
    while high - low > 1:
        middle = (low + high) // 2
        if dt.datetime.fromtimestamp(middle, zone) >= aware:
            high = middle
        else:
            low = middle
    return high


def local_instant(wall: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """An aware datetime in ``zone`` for a naive wall time, by the rule above."""
    return from_epoch(first_instant(wall, zone), zone)
